package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// sweepsPage is §4 live: error rate and mean confidence against ε for the
// chosen models, under FGSM and under two kinds of noise of the same size,
// computed in the browser over N bundled test digits.
type sweepsPage struct {
	app.Compo

	embed   bool
	chosen  []string
	curves  []string // attack kinds drawn, from sweepKinds
	n       int
	overAll bool // confidence over all examples, else over the mistakes
	notices []string

	digits  *core.Dataset
	models  map[string]*core.Model
	results map[string][]core.Result // key: model + "/" + kind
	resultN int                      // the N of results
	times   map[string]float64       // compute ms per key
	job     pageJob

	errChart, confChart *lineChart
}

// sweepKinds are the three curves per model: the attack and its controls.
var sweepKinds = []sweepKind{
	{core.AttackFGSM, "FGSM", ""},
	{core.AttackRandomSign, "random ±ε", "7 4"},
	{core.AttackUniform, "U(−ε, ε)", "2 3"},
}

type sweepKind struct {
	kind       core.Attack
	name, dash string
}

// sweepSeed fixes the noise of the baselines.
const sweepSeed = 1

func newSweepsPage() *sweepsPage {
	p := &sweepsPage{
		chosen: []string{"mlp", "maxout", "maxout-adv"}, n: 1000, overAll: false,
		curves: []string{string(core.AttackFGSM), string(core.AttackRandomSign), string(core.AttackUniform)},
		models: map[string]*core.Model{}, results: map[string][]core.Result{},
		times:     map[string]float64{},
		errChart:  newLineChart("chart-error", "Error rate against ε", "ε", "error rate"),
		confChart: newLineChart("chart-conf", "Mean confidence against ε", "ε", "confidence"),
	}
	p.errChart.empty = "Computing…"
	p.confChart.empty = "Computing…"
	return p
}

// OnInit reads the link before the first render (see linkParams).
func (p *sweepsPage) OnInit() {
	q := pageLink()
	p.embed = q.flag("embed", false)
	p.chosen = q.list("models", modelNames, p.chosen)
	var kinds []string
	for _, k := range sweepKinds {
		kinds = append(kinds, string(k.kind))
	}
	p.curves = q.list("curves", kinds, p.curves)
	p.n = q.count("n", p.n)
	p.overAll = q.choice("conf", []string{"mistakes", "all"}, "mistakes") == "all"
	p.notices = q.notices()
}

func (p *sweepsPage) OnMount(ctx app.Context) {
	p.load(ctx)
}

func (p *sweepsPage) OnDismount() { p.job.run.cancel() }

// load fetches the digits and the chosen models, then computes.
func (p *sweepsPage) load(ctx app.Context) {
	var need []string
	for _, name := range p.chosen {
		if p.models[name] == nil {
			need = append(need, name)
		}
	}
	digits := p.digits
	got := map[string]*core.Model{}
	p.job.load(ctx, func() (err error) {
		if digits == nil {
			digits, err = sharedDigits(testDigits, nil)
		}
		for _, name := range need {
			if err != nil {
				break
			}
			got[name], err = sharedModel(name)
		}
		return err
	}, func(ctx app.Context) {
		p.digits = digits
		for k, m := range got {
			p.models[k] = m
		}
		p.compute(ctx, false)
	})
}

// compute runs the sweeps that are missing (all of them when force).
func (p *sweepsPage) compute(ctx app.Context, force bool) {
	p.job.run.cancel()
	if force || p.resultN != p.n {
		p.results, p.times = map[string][]core.Result{}, map[string]float64{}
		p.resultN = p.n
	}
	x, labels := firstDigits(p.digits, p.n)
	eps := epsGrid()
	var stages []stage
	for _, name := range p.chosen {
		m := p.models[name]
		if m == nil {
			p.load(ctx)
			return
		}
		for _, k := range sweepKinds {
			key := name + "/" + string(k.kind)
			if p.results[key] != nil || !slices.Contains(p.curves, string(k.kind)) {
				continue
			}
			r := core.NewSweepRun(m, x, labels, k.kind, eps, core.Options{}, sweepSeed)
			s := sweepStage(r, func(res []core.Result) { p.results[key] = res })
			step := s.step
			s.step = func(n int) bool { // time each curve on its own
				t0 := time.Now()
				done := step(n)
				p.times[key] += float64(time.Since(t0)) / float64(time.Millisecond)
				return done
			}
			stages = append(stages, s)
		}
	}
	p.job.start(ctx, stages, p.Update, func() {
		p.showCharts()
		p.publishTimes()
	})
	p.showCharts()
	p.rewriteURL()
	p.Update()
}

func (p *sweepsPage) onCancel(ctx app.Context, e app.Event) {
	if p.job.cancel() {
		p.showCharts()
		p.Update()
	}
}

func (p *sweepsPage) toggleModel(ctx app.Context, name string, on bool) {
	if on && !slices.Contains(p.chosen, name) {
		// Keep modelNames' order.
		var chosen []string
		for _, n := range modelNames {
			if n == name || slices.Contains(p.chosen, n) {
				chosen = append(chosen, n)
			}
		}
		p.chosen = chosen
	} else if !on {
		p.chosen = slices.DeleteFunc(p.chosen, func(s string) bool { return s == name })
	}
	if p.digits == nil {
		return
	}
	p.compute(ctx, false)
}

// showCharts hands the finished curves to the charts.
func (p *sweepsPage) showCharts() {
	eps := epsGrid()
	var errs, confs []series
	var errRefs, confRefs []refPoint
	for _, name := range p.chosen {
		for _, k := range sweepKinds {
			res := p.results[name+"/"+string(k.kind)]
			if res == nil {
				continue
			}
			e, c := make([]float64, len(res)), make([]float64, len(res))
			for i, r := range res {
				e[i], c[i] = r.Error, r.MistakeConfidence
				if p.overAll {
					c[i] = r.Confidence
				}
			}
			label := name + " · " + k.name
			errs = append(errs, series{Name: label, Color: modelColor(name), Dash: k.dash, X: eps, Y: e})
			confs = append(confs, series{Name: label, Color: modelColor(name), Dash: k.dash, X: eps, Y: c})
		}
		// The paper's confidences are over the mistakes.
		if f, ok := facts.FGSM(name); ok {
			errRefs = append(errRefs, refPoint{X: facts.PaperEpsilon, Y: f.Error, Label: name + " FGSM error", Color: modelColor(name)})
			if !p.overAll {
				confRefs = append(confRefs, refPoint{X: facts.PaperEpsilon, Y: f.Confidence, Label: name + " confidence on mistakes", Color: modelColor(name)})
			}
		}
	}
	legend := p.legend()
	p.errChart.legend, p.confChart.legend = legend, legend
	empty := "Computing…"
	if p.job.status != running && p.job.status != loading {
		empty = "No curves yet: choose a model."
	}
	p.errChart.empty, p.confChart.empty = empty, empty
	p.confChart.title = "Mean confidence on the mistakes against ε"
	if p.overAll {
		p.confChart.title = "Mean confidence over all digits against ε"
	}
	p.errChart.show(errs, errRefs)
	p.confChart.show(confs, confRefs)
}

func (p *sweepsPage) legend() []legendItem {
	var items []legendItem
	for _, name := range p.chosen {
		items = append(items, legendItem{Label: name, Color: modelColor(name)})
	}
	for _, k := range sweepKinds {
		items = append(items, legendItem{Label: k.name, Color: "#6b645d", Dash: k.dash})
	}
	return append(items, legendItem{Label: "the paper, ε = 0.25", Color: "#1c1917", Diamond: true})
}

func (p *sweepsPage) rewriteURL() {
	q := map[string][]string{
		"models": {strings.Join(p.chosen, ",")},
		"n":      {fmt.Sprint(p.n)},
		"conf":   {map[bool]string{true: "all", false: "mistakes"}[p.overAll]},
	}
	if len(p.curves) < len(sweepKinds) {
		q["curves"] = []string{strings.Join(p.curves, ",")}
	}
	if p.embed {
		q["embed"] = []string{"1"}
	}
	setQuery(q)
}

func (p *sweepsPage) Render() app.UI {
	return explainFrame(pageFrame{ID: "sweeps", Path: "/sweeps", Title: "ε sweeps",
		Tagline: "How often is the model wrong as ε grows? FGSM against random noise of the same size, on the bundled MNIST test digits (paper §4).",
		Embed:   p.embed, State: p.job.status.String(), Notices: p.notices},
		app.Div().Class("explain-grid").Body(
			app.Section().Class("card controls").Aria("labelledby", "h-sweep-controls").Body(
				heading("h-sweep-controls", "1", "Models and digits"),
				p.renderControls(),
			),
			app.Section().Class("card charts").Aria("labelledby", "h-sweep-charts").Body(
				heading("h-sweep-charts", "2", "Error and confidence against ε"),
				p.renderSummary(),
				app.Div().Class("chart-pair").Body(p.errChart, p.confChart),
				p.renderTable(),
			),
		),
	)
}

func (p *sweepsPage) renderControls() app.UI {
	return app.Div().Body(
		app.FieldSet().Class("checks").Body(
			app.Legend().Text("Models"),
			app.Range(modelNames).Slice(func(i int) app.UI {
				name := modelNames[i]
				return app.Label().Class("check").Body(
					app.Input().Type("checkbox").ID("m-"+name).Checked(slices.Contains(p.chosen, name)).
						OnChange(func(ctx app.Context, e app.Event) {
							p.toggleModel(ctx, name, ctx.JSSrc().Get("checked").Bool())
						}),
					app.Span().Class("dot").Style("background", modelColor(name)),
					app.Span().Text(name),
				)
			}),
		),
		digitCountField("sweep-n", p.n, func(ctx app.Context, n int) {
			p.n = n
			if p.digits != nil {
				p.compute(ctx, false)
			}
		}),
		app.FieldSet().Class("checks").Body(
			app.Legend().Text("Mean confidence over"),
			p.confRadio("conf-mistakes", "the mistakes (as the paper)", false),
			p.confRadio("conf-all", "all digits", true),
		),
		app.Div().Class("run-row").Body(
			app.Button().ID("sweep-run").Class("btn primary").Text("Run again").Disabled(p.digits == nil).
				OnClick(func(ctx app.Context, e app.Event) { p.compute(ctx, true) }),
		),
		p.job.progress("sweep-progress", p.onCancel),
		p.job.failure(),
		app.P().Class("small muted card-text").Text(
			"Random ±ε noise moves every pixel by exactly ε, like FGSM, but in a random direction; "+
				"U(−ε, ε) moves each pixel by a random amount up to ε. Pixels stay clipped to [0, 1]. "+
				"The sweep computes sign(∇ₓJ) once per digit and reuses the first layer's linearity in ε (§3)."),
	)
}

func (p *sweepsPage) confRadio(id, label string, all bool) app.UI {
	return app.Label().Class("check").Body(
		app.Input().Type("radio").Name("conf").ID(id).Checked(p.overAll == all).
			OnChange(func(ctx app.Context, e app.Event) {
				p.overAll = all
				p.showCharts()
				p.rewriteURL()
			}),
		app.Span().Text(label),
	)
}

// renderSummary says in one sentence what the chart shows at ε = 0.25.
func (p *sweepsPage) renderSummary() app.UI {
	const at = 5 // ε = 0.25 in epsGrid
	var parts []app.UI
	for _, name := range p.chosen {
		f, r := p.results[name+"/"+string(core.AttackFGSM)], p.results[name+"/"+string(core.AttackRandomSign)]
		if f == nil || r == nil {
			continue
		}
		txt := fmt.Sprintf("%s: FGSM %s wrong, random ±ε noise %s", name, fmtPct(f[at].Error), fmtPct(r[at].Error))
		if f, ok := facts.FGSM(name); ok {
			txt += fmt.Sprintf(" (paper: %s)", fmtPct(f.Error))
		}
		parts = append(parts, app.Li().Text(txt))
	}
	if len(parts) == 0 {
		return app.P().Class("muted").Text(fmt.Sprintf("Attacking the first %d test digits at 11 values of ε…", p.n))
	}
	return app.Div().Class("summary").Body(
		app.P().Text(fmt.Sprintf("At ε = 0.25, over the first %d test digits:", p.resultN)),
		app.Ul().Body(parts...),
		app.P().Class("small muted").Text("The direction of η matters, not its size: noise with the same ε barely hurts."),
	)
}

// renderTable lists every number the charts draw.
func (p *sweepsPage) renderTable() app.UI {
	eps := epsGrid()
	var rows []app.UI
	for _, name := range p.chosen {
		for _, k := range sweepKinds {
			res := p.results[name+"/"+string(k.kind)]
			if res == nil {
				continue
			}
			cells := []app.UI{app.Th().Scope("row").Text(name + " · " + k.name)}
			for i, r := range res {
				conf := r.MistakeConfidence
				if p.overAll {
					conf = r.Confidence
				}
				cells = append(cells, app.Td().
					DataSet("model", name).DataSet("kind", string(k.kind)).DataSet("eps", fmt.Sprint(eps[i])).
					DataSet("error", fmtPct(r.Error)).DataSet("conf", fmtPct(conf)).
					Text(fmtPct(r.Error)+" · "+fmtPct(conf)))
			}
			rows = append(rows, app.Tr().Body(cells...))
		}
	}
	return app.Details().Class("numbers").Body(
		app.Summary().Text("The numbers (error · confidence)"),
		app.Div().Class("table-scroll").Body(
			app.Table().ID("sweep-table").Class("num-table").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text("ε"),
					app.Range(eps).Slice(func(i int) app.UI { return app.Th().Text(fmt.Sprint(eps[i])) }),
				)),
				app.TBody().Body(rows...),
			),
		),
	)
}

// publishTimes leaves the run's timings where the browser benchmark reads
// them: window.fgsmlabSweepTimes.
func (p *sweepsPage) publishTimes() {
	b, _ := json.Marshal(map[string]any{
		"curves_ms": p.times, "wall_ms": p.job.run.Wall, "compute_ms": p.job.run.Compute,
		"longest_slice_ms": p.job.run.Longest, "n": p.resultN,
	})
	app.Window().Set("fgsmlabSweepTimes", string(b))
}
