package main

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// sweepsPage is §4 live: error rate and mean confidence against ε for the
// chosen models, under FGSM and under two kinds of noise of the same size,
// computed in the browser over N bundled test digits, and under PGD on
// fewer of them.
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

// sweepKinds are the curves per model: FGSM, its two noise controls, and
// PGD, the iterative attack that shows what FGSM misses.
var sweepKinds = []sweepKind{
	{core.AttackFGSM, "FGSM", ""},
	{core.AttackRandomSign, "random ±ε", "7 4"},
	{core.AttackUniform, "U(−ε, ε)", "2 3"},
	{core.AttackPGD, fmt.Sprintf("PGD-%d", pgdSteps), "10 3 2 3"},
}

type sweepKind struct {
	kind       core.Attack
	name, dash string
}

// The PGD curves. FGSM's sweep shares one gradient across every ε, but PGD
// walks a new path at each ε, 2·pgdSteps passes per digit and ε, so the
// page runs fewer steps than the report's PGD-40 on fewer digits, and says
// so.
const (
	pgdSteps  = 10
	pgdDigits = 100
)

// allCurves names every kind of sweepKinds, as links do.
func allCurves() []string {
	var kinds []string
	for _, k := range sweepKinds {
		kinds = append(kinds, string(k.kind))
	}
	return kinds
}

// digits is how many of the first n digits the curve is computed on.
func (k sweepKind) digits(n int) int {
	if k.kind == core.AttackPGD {
		return min(n, pgdDigits)
	}
	return n
}

// pgdOptions are the PGD curves' settings: steps of 2.5ε/pgdSteps from a
// random start in the ε-ball, as core.AttackPGD takes by default.
func pgdOptions() core.Options { return core.Options{Steps: pgdSteps} }

// sweepSeed fixes the noise of the baselines.
const sweepSeed = 1

func newSweepsPage() *sweepsPage {
	p := &sweepsPage{
		chosen: []string{"mlp", "maxout", "maxout-adv"}, n: 1000, overAll: false,
		curves: allCurves(),
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
	p.curves = q.list("curves", allCurves(), p.curves)
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
	var stages, slow []stage // slow: the PGD curves, after the others
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
			s := p.curveStage(m, k, func(res []core.Result) {
				p.results[key] = res
				p.showCharts() // each curve as it comes: PGD takes a while
			})
			step := s.step
			s.step = func(n int) bool { // time each curve on its own
				t0 := time.Now()
				done := step(n)
				p.times[key] += float64(time.Since(t0)) / float64(time.Millisecond)
				return done
			}
			if k.kind == core.AttackPGD {
				slow = append(slow, s)
			} else {
				stages = append(stages, s)
			}
		}
	}
	p.job.start(ctx, append(stages, slow...), p.Update, func() {
		p.showCharts()
		p.publishTimes()
	})
	p.showCharts()
	p.rewriteURL()
	p.Update()
}

// curveStage is the stage that computes one curve of m on the first digits.
// A PGD stage's weight on the progress bar is its cost in passes against
// an FGSM sweep's, about three passes per digit.
func (p *sweepsPage) curveStage(m *core.Model, k sweepKind, done func([]core.Result)) stage {
	n := k.digits(p.n)
	x, labels := firstDigits(p.digits, n)
	eps := epsGrid()
	if k.kind != core.AttackPGD {
		return sweepStage(core.NewSweepRun(m, x, labels, k.kind, eps, core.Options{}, sweepSeed), done)
	}
	r := core.NewAttackSweepRun(m, x, labels, k.kind, eps, pgdOptions(), sweepSeed)
	return stage{step: r.Step, progress: r.Progress, finish: func() { done(r.Results()) },
		weight: float64(n*(len(eps)-1)*(2*pgdSteps+2)) / float64(3*max(p.n, 1))}
}

func (p *sweepsPage) toggleCurve(ctx app.Context, kind string, on bool) {
	var curves []string
	for _, k := range sweepKinds { // keep sweepKinds' order
		if c := string(k.kind); (c == kind && on) || (c != kind && slices.Contains(p.curves, c)) {
			curves = append(curves, c)
		}
	}
	p.curves = curves
	if p.digits == nil {
		return
	}
	p.compute(ctx, false)
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
			if res == nil || !slices.Contains(p.curves, string(k.kind)) {
				continue
			}
			e, c := make([]float64, len(res)), make([]float64, len(res))
			for i, r := range res {
				e[i], c[i] = r.Error, r.MistakeConfidence
				if p.overAll {
					c[i] = r.Confidence
				} else if r.Error == 0 {
					c[i] = math.NaN() // no mistakes, no confidence on them: the chart leaves a gap
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
		if !slices.Contains(p.curves, string(k.kind)) {
			continue
		}
		label := k.name
		if k.kind == core.AttackPGD {
			label = fmt.Sprintf("%s (first %d digits)", k.name, k.digits(p.n))
		}
		items = append(items, legendItem{Label: label, Color: "#6b645d", Dash: k.dash})
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
		Tagline: "How often is the model wrong as ε grows? FGSM against random noise of the same size, on the bundled MNIST test digits (paper §4), and against PGD, the iterative attack that came after it.",
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
		app.FieldSet().Class("checks").Body(
			app.Legend().Text("Curves"),
			app.Range(sweepKinds).Slice(func(i int) app.UI {
				k := string(sweepKinds[i].kind)
				return app.Label().Class("check").Body(
					app.Input().Type("checkbox").ID("c-"+k).Checked(slices.Contains(p.curves, k)).
						OnChange(func(ctx app.Context, e app.Event) {
							p.toggleCurve(ctx, k, ctx.JSSrc().Get("checked").Bool())
						}),
					app.Span().Text(sweepKinds[i].name),
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
		app.P().ID("pgd-what").Class("small muted card-text").Text(pgdWhat(p.n)),
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

// pgdWhat says what the PGD curves ran.
func pgdWhat(n int) string {
	return fmt.Sprintf("PGD-%d (Madry et al. 2018): from a random start in the ε-ball, %d steps of 2.5ε/%d, "+
		"each along the sign of a fresh gradient and projected back into the ball and [0, 1]. It runs on the "+
		"first %d digits only: it costs %d passes per digit at each ε, where the FGSM sweep costs about three "+
		"per digit for all ε together.",
		pgdSteps, pgdSteps, pgdSteps, min(n, pgdDigits), 2*pgdSteps)
}

// pgdWhy is the page's one sentence on why PGD breaks what FGSM does not.
const pgdWhy = "maxout-adv resists FGSM partly because training on FGSM examples shaped its loss so that the sign " +
	"of one gradient, taken at the digit, is a poor guide a distance ε away (gradient masking), and an FGSM " +
	"perturbation built from the true label can even give that label away (label leaking); PGD's many small " +
	"steps, each with a fresh gradient and projected back into the ε-ball, do not rely on that one gradient " +
	"and find the errors."

// renderSummary says in one sentence what the chart shows at ε = 0.25.
func (p *sweepsPage) renderSummary() app.UI {
	const at = 5 // ε = 0.25 in epsGrid
	var parts []app.UI
	shown := func(name string, k core.Attack) []core.Result {
		if !slices.Contains(p.curves, string(k)) {
			return nil
		}
		return p.results[name+"/"+string(k)]
	}
	var pgd bool // maxout-adv's PGD curve is shown: say why it differs from FGSM's
	for _, name := range p.chosen {
		f, r, g := shown(name, core.AttackFGSM), shown(name, core.AttackRandomSign), shown(name, core.AttackPGD)
		if f == nil {
			continue
		}
		txt := fmt.Sprintf("%s: FGSM %s wrong", name, fmtPct(f[at].Error))
		if f, ok := facts.FGSM(name); ok {
			txt += fmt.Sprintf(" (paper: %s)", fmtPct(f.Error))
		}
		if g != nil {
			txt += fmt.Sprintf(", PGD-%d %s (first %d digits)", pgdSteps, fmtPct(g[at].Error), g[at].N)
			pgd = pgd || name == "maxout-adv"
		}
		if r != nil {
			txt += fmt.Sprintf(", random ±ε noise %s", fmtPct(r[at].Error))
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
		app.If(pgd, app.P().ID("pgd-why").Class("small").Text(pgdWhy)),
	)
}

// renderTable lists every number the charts draw.
func (p *sweepsPage) renderTable() app.UI {
	eps := epsGrid()
	var rows []app.UI
	for _, name := range p.chosen {
		for _, k := range sweepKinds {
			res := p.results[name+"/"+string(k.kind)]
			if res == nil || !slices.Contains(p.curves, string(k.kind)) {
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
					DataSet("error", fmtPct(r.Error)).DataSet("conf", fmtPct(conf)).DataSet("n", r.N).
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
	over := 0
	for _, ms := range p.job.run.Slices {
		if ms > 50 {
			over++
		}
	}
	b, _ := json.Marshal(map[string]any{
		"curves_ms": p.times, "wall_ms": p.job.run.Wall, "compute_ms": p.job.run.Compute,
		"longest_slice_ms": p.job.run.Longest, "n": p.resultN,
		"slices": len(p.job.run.Slices), "slices_over_50ms": over,
	})
	app.Window().Set("fgsmlabSweepTimes", string(b))
}
