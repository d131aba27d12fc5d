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
	status  string // what the page is waiting for, or an error
	failed  bool

	train   *core.Dataset
	testX   *mat.Dense
	testY   []int
	chart   *lineChart
	runs    []*trainRun
	tasks   []trainTask
	task    int
	gen     int // bumped by start and stop; a stale loop stops
	running bool
	done    bool

	batchEst, digitEst time.Duration // measured cost of one batch, one digit
	longest            float64       // the longest slice of work, in ms
	slices             []float64     // the duration of every slice, in ms
	started            time.Time
	wall               float64 // ms from start to the end
}

// trainRun is one model being trained and its measurements.
type trainRun struct {
	spec    trainSpec
	label   string
	color   string
	m       *core.Model
	st      *core.Stepper
	eval    *core.SweepRun
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

// trainBudget is the computing time of one slice: well under the 50 ms of
// a long task, with room for the re-render.
const trainBudget = 30 * time.Millisecond

const (
	colourAdv   = "#6d28d9"
	colourPlain = "#78716c"
)

func newTrainPage() *trainPage {
	p := &trainPage{s: defaultTrainSpec(), status: "Fetching the 1,000 test digits…"}
	p.chart = newLineChart("train-chart", "Test error after each epoch (1,000 test digits)", "epoch", "test error")
	p.chart.empty = "Press Train: the curves grow here, one point per epoch."
	// The link is read here, before the first render, so that ?embed=1
	// never mounts the navigation only to take it out again (go-app then
	// re-mounts the components after it, and fails).
	if app.IsClient {
		s, bad := parseTrainSpec(app.Window().URL().Query())
		p.s = s
		if len(bad) > 0 {
			p.notices = append(p.notices, fmt.Sprintf(
				"Some settings in the link were not understood and were reset to their defaults: %s.", strings.Join(bad, ", ")))
		}
	}
	p.setAxes()
	return p
}

func (p *trainPage) OnMount(ctx app.Context) {
	ctx.Async(func() {
		test, err := sharedDigits(testDigits)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.status, p.failed = "The test digits did not load: "+err.Error(), true
				return
			}
			p.testX, p.testY = test.Images, test.Labels
			p.status = "Fetching the 10,000 training digits (7.9 MB, once per visit)…"
		})
		if err != nil {
			return
		}
		train, err := sharedDigits(trainDigits)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.status, p.failed = "The training digits did not load: "+err.Error(), true
				return
			}
			p.train, p.status = train, ""
		})
	})
	app.Window().Get("document").Get("documentElement").Get("dataset").Set("fgsmlab", "train-mounted")
}

func (p *trainPage) OnDismount() { p.gen++ }

// state is what the page is doing, for the tests and the style sheet.
func (p *trainPage) state() string {
	switch {
	case p.failed:
		return "error"
	case p.running:
		return "running"
	case p.done:
		return "done"
	case p.train == nil:
		return "loading"
	}
	return "ready"
}

// start trains the chosen model, and the plain one beside it, epoch by
// epoch in turn, evaluating each after every epoch.
func (p *trainPage) start(ctx app.Context, e app.Event) {
	if p.train == nil || p.running {
		return
	}
	specs := []trainSpec{p.s}
	if p.s.Plain && p.s.Alpha20 < 20 {
		specs = append(specs, p.s.plain())
	}
	p.runs = nil
	for _, s := range specs {
		m := newTrainee(s.Kind, s.Seed)
		r := &trainRun{spec: s, m: m, st: core.NewStepper(m, p.train, s.config()), color: colourAdv,
			label: fmt.Sprintf("adversarial, α = %.2f", s.Alpha())}
		if s.Alpha20 == 20 {
			r.color, r.label = colourPlain, "plain, α = 1"
		}
		p.runs = append(p.runs, r)
	}
	p.tasks = nil
	for epoch := 0; epoch <= p.s.Epochs; epoch++ {
		for i := range p.runs {
			if epoch > 0 {
				p.tasks = append(p.tasks, trainTask{run: i, train: true})
			}
			p.tasks = append(p.tasks, trainTask{run: i})
		}
	}
	p.task, p.running, p.done, p.longest, p.slices = 0, true, false, 0, nil
	p.gen++
	gen := p.gen
	p.started = time.Now()
	p.showChart()
	afterYield(ctx, func(ctx app.Context) { p.loop(ctx, gen) })
}

func (p *trainPage) stop(ctx app.Context, e app.Event) {
	if !p.running {
		return
	}
	p.gen++
	p.running = false
	p.status = "Stopped. The partly trained models are not offered to the lab; press Train to start again."
}

// loop does one slice of work, about trainBudget long, then yields.
func (p *trainPage) loop(ctx app.Context, gen int) {
	if gen != p.gen {
		return
	}
	t0 := time.Now()
	for p.task < len(p.tasks) {
		if p.tasks[p.task].train {
			p.trainBatch()
		} else {
			p.evaluate(trainBudget - time.Since(t0))
		}
		est := p.digitEst * 50
		if p.task < len(p.tasks) && p.tasks[p.task].train {
			est = p.batchEst
		}
		if time.Since(t0)+est > trainBudget {
			break
		}
	}
	ms := float64(time.Since(t0)) / float64(time.Millisecond)
	p.longest = max(p.longest, ms)
	p.slices = append(p.slices, ms)
	if p.task == len(p.tasks) {
		p.finish()
		return
	}
	p.Update()
	afterYield(ctx, func(ctx app.Context) { p.loop(ctx, gen) })
}

func (p *trainPage) trainBatch() {
	r := p.runs[p.tasks[p.task].run]
	t := time.Now()
	ended := r.st.Step(1)
	if !ended {
		p.batchEst = time.Since(t)
	}
	r.cur += float64(time.Since(t)) / float64(time.Millisecond)
	if ended {
		r.epochMs = append(r.epochMs, r.cur)
		r.cur = 0
		p.task++
	}
}

// evaluate scores the run on the test digits at ε = 0, the chosen ε and
// 0.25, as many digits as fit in the time left.
func (p *trainPage) evaluate(left time.Duration) {
	r := p.runs[p.tasks[p.task].run]
	if r.eval == nil {
		r.eval = core.NewSweepRun(r.m, p.testX, p.testY, core.AttackFGSM, trainEvalEps(p.s.Eps()), core.Options{}, 0)
	}
	n := 20
	if p.digitEst > 0 {
		n = max(10, int(left/p.digitEst))
	}
	t := time.Now()
	done := r.eval.Step(n)
	p.digitEst = max(time.Since(t)/time.Duration(n), time.Microsecond)
	if done {
		res := r.eval.Results()
		r.points = append(r.points, trainPoint{Epoch: len(r.points), Clean: res[0], FGSM: res[1], At25: res[2]})
		r.eval = nil
		p.task++
		p.showChart()
	}
}

// finish offers the trained models to the lab.
func (p *trainPage) finish() {
	p.running, p.done = false, true
	p.wall = float64(time.Since(p.started)) / float64(time.Millisecond)
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
	p.status = ""
	p.Update()
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

// progress is the fraction of the tasks done, counting batches within a
// training epoch and digits within an evaluation.
func (p *trainPage) progress() float64 {
	if len(p.tasks) == 0 {
		return 0
	}
	var w, total float64
	for i, t := range p.tasks {
		cost := 1.0
		if t.train {
			cost = 8 // an epoch costs several evaluations
		}
		total += cost
		switch {
		case i < p.task:
			w += cost
		case i == p.task && t.train:
			st := p.runs[t.run].st
			w += cost * (st.Progress()*float64(p.s.Epochs) - float64(st.Epoch()))
		case i == p.task && p.runs[t.run].eval != nil:
			w += cost * p.runs[t.run].eval.Progress()
		}
	}
	return w / total
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

func (p *trainPage) rewriteURL() {
	u := *app.Window().URL()
	u.RawQuery = p.s.query().Encode()
	app.Window().Get("history").Call("replaceState", nil, "", u.String())
}

// labHref links the lab with a trained model chosen.
func labHref(name string) string {
	return pageHref("/") + "?" + url.Values{"model": {name}}.Encode()
}
