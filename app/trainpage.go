package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"gonum.org/v1/gonum/mat"
)

// trainPage trains a small model in the browser on the bundled training
// digits, on the paper's adversarial objective (§6, eq. 6), beside a plain
// model with the same seed, and charts the clean and FGSM test error after
// each epoch. The trained models join the lab's model selector.
type trainPage struct {
	app.Compo

	s       trainSpec
	notices []string
	// job loads the digits, then waits, ready, for Train; Stop makes it
	// ready again.
	job pageJob

	train      *core.Dataset
	got, total int // bytes of the training digits received, of total
	testX      *mat.Dense
	testY      []int
	chart      *lineChart
	runs       []*trainRun // the last run's models, finished or stopped
	tasks      []trainTask // one per stage of job
}

// trainRun is one model being trained and its measurements.
type trainRun struct {
	spec    trainSpec
	label   string
	color   string
	m       *core.Model
	st      *core.Stepper
	points  []trainPoint
	epochMs []float64 // training time of each epoch (without evaluation)
	cur     float64
	name    string // in the store, once finished
}

// trainPoint is the test evaluation after an epoch (0: untrained).
type trainPoint struct {
	Epoch             int
	Clean, FGSM, At25 core.Result
}

// trainTask is training one epoch of a run, or evaluating it.
type trainTask struct {
	run   int
	train bool
}

const (
	colorAdv   = "#6d28d9"
	colorPlain = "#78716c"
)

func newTrainPage() *trainPage {
	p := &trainPage{s: defaultTrainSpec()}
	p.chart = newLineChart("train-chart", "Test error after each epoch (1,000 test digits)", "epoch", "test error")
	p.chart.empty = "Press Train: the curves grow here, one point per epoch."
	return p
}

// OnInit reads the link before the first render, so that ?embed=1 never
// mounts the navigation only to take it out again (go-app then re-mounts
// the components after it, and fails). Not in newTrainPage: go-app calls
// that before it puts a clicked link in the address bar.
func (p *trainPage) OnInit() {
	q := pageLink()
	p.s = parseTrainSpec(q)
	p.notices = q.notices()
	p.setAxes()
}

// OnMount loads the 1,000 test digits, then the 10,000 training digits,
// showing how much of them has arrived, and waits for Train.
func (p *trainPage) OnMount(ctx app.Context) {
	var train *core.Dataset
	p.job.load(ctx, func() error {
		test, err := sharedDigits(testDigits, nil)
		if err != nil {
			return err
		}
		ctx.Dispatch(func(ctx app.Context) { p.testX, p.testY = test.Images, test.Labels })
		var heard time.Time
		train, err = sharedDigits(trainDigits, func(got, total int) {
			if time.Since(heard) < 100*time.Millisecond && got < total {
				return
			}
			heard = time.Now()
			ctx.Dispatch(func(ctx app.Context) { p.got, p.total = got, total })
		})
		return err
	}, func(ctx app.Context) {
		p.train, p.job.status = train, ready
	})
	app.Window().Get("document").Get("documentElement").Get("dataset").Set("fgsmlab", "train-mounted")
}

func (p *trainPage) OnDismount() { p.job.run.cancel() }

// start trains the chosen model, and the plain one beside it, epoch by
// epoch in turn, evaluating each after every epoch.
func (p *trainPage) start(ctx app.Context, e app.Event) {
	if p.train == nil || p.job.status == running {
		return
	}
	specs := []trainSpec{p.s}
	if p.s.Plain && p.s.Alpha20 < 20 {
		specs = append(specs, p.s.plain())
	}
	p.runs = nil
	for _, s := range specs {
		// The model and its Stepper are made by the first evaluation, in a
		// slice of work of their own: the click's task only re-renders.
		r := &trainRun{spec: s, color: colorAdv, label: fmt.Sprintf("adversarial, α = %.2f", s.Alpha())}
		if s.Alpha20 == 20 {
			r.color, r.label = colorPlain, "plain, α = 1"
		}
		p.runs = append(p.runs, r)
	}
	p.tasks = nil
	var stages []stage
	for epoch := 0; epoch <= p.s.Epochs; epoch++ {
		for i, r := range p.runs {
			if epoch > 0 {
				p.tasks = append(p.tasks, trainTask{run: i, train: true})
				stages = append(stages, p.epochStage(r))
			}
			p.tasks = append(p.tasks, trainTask{run: i})
			stages = append(stages, p.evalStage(r))
		}
	}
	p.showChart()
	p.job.start(ctx, stages, p.Update, p.finish)
}

// stop stops training part-way; the page then says so (renderProgress)
// and offers the partly trained models to no one.
func (p *trainPage) stop(ctx app.Context, e app.Event) { p.job.stop() }

// epochStage trains r for one epoch, a few passes (forward or backward over
// a mini-batch) per step, and times it.
func (p *trainPage) epochStage(r *trainRun) stage {
	epochs := float64(p.s.Epochs)
	return stage{
		step: func(n int) bool {
			t := time.Now()
			ended := r.st.StepPasses(n)
			r.cur += float64(time.Since(t)) / float64(time.Millisecond)
			if ended {
				r.epochMs = append(r.epochMs, r.cur)
				r.cur = 0
			}
			return ended
		},
		progress: func() float64 { return r.st.Progress()*epochs - float64(r.st.Epoch()) },
		weight:   8, // an epoch costs several evaluations
	}
}

// evalStage scores r on the test digits at ε = 0, the chosen ε and 0.25,
// and adds the point to the chart. The first one also makes r's untrained
// model. Each set-up has a step of its own, so that none adds to a slice
// of scoring.
func (p *trainPage) evalStage(r *trainRun) stage {
	var sw *core.SweepRun
	return stage{
		step: func(n int) bool {
			switch {
			case r.m == nil:
				r.m = newTrainee(r.spec.Kind, r.spec.Seed)
				r.st = core.NewStepper(r.m, p.train, r.spec.config())
				return false
			case sw == nil:
				sw = core.NewSweepRun(r.m, p.testX, p.testY, core.AttackFGSM, trainEvalEps(p.s.Eps()), core.Options{}, 0)
				return false
			}
			return sw.Step(n)
		},
		progress: func() float64 {
			if sw == nil {
				return 0
			}
			return sw.Progress()
		},
		finish: func() {
			res := sw.Results()
			r.points = append(r.points, trainPoint{Epoch: len(r.points), Clean: res[0], FGSM: res[1], At25: res[2]})
			p.showChart()
		},
	}
}

// finish offers the trained models to the lab.
func (p *trainPage) finish() {
	for _, r := range p.runs {
		last := r.points[len(r.points)-1]
		metrics, _ := json.Marshal(map[string]float64{
			"clean_error": last.Clean.Error, "fgsm_error_0.25": last.At25.Error, "fgsm_confidence_0.25": last.At25.Confidence,
		})
		r.name = r.spec.modelName()
		r.m.Name = r.name
		r.m.Meta["metrics"] = string(metrics)
		r.m.Meta["trained"] = r.spec.describe()
		putModel(r.name, r.m)
	}
}

func (p *trainPage) setAxes() {
	c := p.chart
	c.xMin, c.xMax = 0, float64(p.s.Epochs)
	c.xTicks = nil
	for e := 0; e <= p.s.Epochs; e++ {
		c.xTicks = append(c.xTicks, float64(e))
	}
	c.xFmt = func(v float64) string { return fmt.Sprint(int(v)) }
	c.yFmt = func(v float64) string { // "25%" on the axis, "19.3%" in the readout
		if s := fmt.Sprintf("%.1f%%", 100*v); !strings.HasSuffix(s, ".0%") {
			return s
		}
		return fmt.Sprintf("%.0f%%", 100*v)
	}
	c.yTicks = []float64{0, 0.25, 0.5, 0.75, 1}
	c.legend = nil
}

// showChart draws clean error solid and FGSM error dashed, per run.
func (p *trainPage) showChart() {
	var ss []series
	for _, r := range p.runs {
		clean := series{Name: r.label + ": clean", Color: r.color}
		adv := series{Name: fmt.Sprintf("%s: FGSM, ε = %.3f", r.label, p.s.Eps()), Color: r.color, Dash: "6 4"}
		for _, pt := range r.points {
			clean.X, clean.Y = append(clean.X, float64(pt.Epoch)), append(clean.Y, pt.Clean.Error)
			adv.X, adv.Y = append(adv.X, float64(pt.Epoch)), append(adv.Y, pt.FGSM.Error)
		}
		ss = append(ss, clean, adv)
	}
	p.setAxes()
	p.chart.show(ss, nil)
}

// epochTimes lists every finished epoch's training time, in ms.
func (p *trainPage) epochTimes() []float64 {
	var ts []float64
	for _, r := range p.runs {
		ts = append(ts, r.epochMs...)
	}
	return ts
}

// medianMs is the median of times in milliseconds.
func medianMs(v []float64) float64 { return quantileMs(v, 0.5) }

// quantileMs is the q-quantile (nearest rank) of times in milliseconds.
func quantileMs(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

func (p *trainPage) rewriteURL() { setQuery(p.s.query()) }

// labHref links the lab with a trained model chosen.
func labHref(name string) string {
	return pageHref("/") + "?" + url.Values{"model": {name}}.Encode()
}
