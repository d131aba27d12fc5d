package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// rubbishPage is /rubbish, the paper's appendix: models that are nearly
// linear give confident labels to pure noise. Its panels can be embedded
// one at a time with ?embed=1&panel=grid|fraction|target.
type rubbishPage struct {
	app.Compo

	embed   bool
	panel   string
	notices []string

	seed   uint64
	offset int // index of the first grid image in the noise stream
	grid   [][]float64
	models []*core.Model // in modelNames order; nil until all are loaded
	// Cached for Render, which runs at every step of a measurement.
	gridURLs []string
	gridSays [][]rubbishSay

	// The fraction over n images.
	n   int
	run *rubbishRun
	job pageJob // loading the models, then measuring the fraction

	// Make noise look like a k.
	k         int
	tmodel    string
	teps255   int
	start     int // the grid image the attack starts from
	frames    [][]float64
	frameURLs []string
	probs     []float64 // p(k) of each frame
	labels    []int
	tgen      int
}

const rubbishGridSize = 8

// rubbishSay is what one model says about one noise image.
type rubbishSay struct {
	Class string
	P     float64
}

// rubbishSizes are the choices of n for the fraction.
var rubbishSizes = []int{100, 1000, 10000}

// rubbishPaper is the paper's figure for a model (appendix): the fraction
// of noise images with a class above 0.5 and the mean confidence of those,
// or "—" where it gives none.
func rubbishPaper(name string) string {
	f, ok := facts.Rubbish(name)
	if !ok {
		return "—"
	}
	s := fmt.Sprintf("%.4g%%", 100*f.Error)
	if f.Confidence != facts.NotStated {
		s += fmt.Sprintf(" (conf %.4g%%)", 100*f.Confidence)
	}
	return s
}

var rubbishPanels = []string{"grid", "fraction", "target"}

func newRubbishPage() *rubbishPage {
	return &rubbishPage{seed: 1, n: 1000, k: 3, tmodel: "maxout", teps255: 64}
}

// OnInit reads the link before the first render (see linkParams), so that
// embed and panel never change what was rendered.
func (p *rubbishPage) OnInit() {
	p.parse(pageLink())
	p.setGrid()
}

func (p *rubbishPage) OnMount(ctx app.Context) {
	var ms []*core.Model
	p.job.load(ctx, func() (err error) {
		ms, err = sharedModels(modelNames)
		return err
	}, func(ctx app.Context) {
		p.models = ms
		p.setGrid()
		p.startRun(ctx)
		p.startTarget(ctx)
	})
}

func (p *rubbishPage) OnDismount() {
	p.job.run.cancel()
	p.tgen++
}

// parse reads ?n, ?seed, ?k, ?model, ?eps, ?image, ?panel and ?embed;
// invalid ones keep their defaults and are named in a notice.
func (p *rubbishPage) parse(q *linkParams) {
	p.n = q.intIn("n", 1, 10000, p.n)
	p.seed = uint64(q.intIn("seed", 0, 1<<31-1, int(p.seed)))
	p.k = q.intIn("k", 0, 9, p.k)
	p.tmodel = q.choice("model", modelNames, p.tmodel)
	p.teps255 = q.eps255("eps", p.teps255)
	// The image panel 3 starts from, as an index in the noise stream.
	image := q.intIn("image", 0, rubbishImages-1, p.offset+p.start)
	p.offset, p.start = image/rubbishGridSize*rubbishGridSize, image%rubbishGridSize
	p.panel = q.choice("panel", rubbishPanels, p.panel)
	p.embed = q.flag("embed", false)
	p.notices = q.notices()
}

// rubbishImages is how far into the noise stream the grid pages, eight
// images at a time, before it starts again: an image is found by drawing
// the stream up to it, so ?image must not ask for the millionth.
const rubbishImages = 10_000

// query is the page's state as link parameters, as parse reads them.
func (p *rubbishPage) query() url.Values {
	q := url.Values{}
	q.Set("n", strconv.Itoa(p.n))
	q.Set("seed", strconv.FormatUint(p.seed, 10))
	q.Set("k", strconv.Itoa(p.k))
	q.Set("model", p.tmodel)
	q.Set("eps", strconv.FormatFloat(float64(p.teps255)/255, 'f', 4, 64))
	q.Set("image", strconv.Itoa(p.offset+p.start))
	if p.panel != "" {
		q.Set("panel", p.panel)
	}
	if p.embed {
		q.Set("embed", "1")
	}
	return q
}

func (p *rubbishPage) showPanel(name string) bool { return p.panel == "" || p.panel == name }

// startRun measures the fraction over the first n images of the stream,
// a few images per slice.
func (p *rubbishPage) startRun(ctx app.Context) {
	p.run = newRubbishRun(p.n, p.seed, p.models)
	setQuery(p.query())
	p.job.start(ctx, []stage{{step: p.run.Step, progress: p.run.Progress}}, p.Update, nil)
	p.Update()
}

func (p *rubbishPage) onCancel(ctx app.Context, e app.Event) {
	if p.job.cancel() {
		p.Update()
	}
}

func (p *rubbishPage) onN(ctx app.Context, e app.Event) {
	if n, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && slices.Contains(p.sizes(), n) {
		p.n = n
		if p.models != nil {
			p.startRun(ctx)
		}
	}
}

func (p *rubbishPage) onRun(ctx app.Context, e app.Event) {
	if p.models != nil {
		p.startRun(ctx)
	}
}

// onMore shows the next images of the stream.
func (p *rubbishPage) onMore(ctx app.Context, e app.Event) {
	p.offset = (p.offset + rubbishGridSize) % rubbishImages
	p.setGrid()
	p.startTarget(ctx)
}

// setGrid draws the grid's images from the stream and what each model says.
func (p *rubbishPage) setGrid() {
	p.grid = noiseImages(p.seed, p.offset, rubbishGridSize)
	p.gridURLs = make([]string, len(p.grid))
	p.gridSays = make([][]rubbishSay, len(p.grid))
	for i, x := range p.grid {
		p.gridURLs[i] = pixURL(noiseRGBA(x))
		for _, m := range p.models {
			pr := m.PredictOne(x)
			k := core.Argmax(pr)
			p.gridSays[i] = append(p.gridSays[i], rubbishSay{m.Classes[k], pr[k]})
		}
	}
}

func (p *rubbishPage) onPick(ctx app.Context, i int) {
	p.start = i
	p.startTarget(ctx)
}

// startTarget runs "make noise look like a k", one step per animation
// frame.
func (p *rubbishPage) startTarget(ctx app.Context) {
	p.tgen++
	gen := p.tgen
	p.frames, p.frameURLs, p.probs, p.labels = nil, nil, nil, nil
	setQuery(p.query())
	if p.models == nil {
		p.Update()
		return
	}
	m := p.models[slices.Index(modelNames, p.tmodel)]
	x0 := p.grid[p.start]
	eps := float64(p.teps255) / 255
	var tick func(ctx app.Context)
	tick = func(ctx app.Context) {
		if gen != p.tgen {
			return
		}
		x := targetFrame(m, x0, p.k, eps, len(p.frames))
		pr := m.PredictOne(x)
		p.frames = append(p.frames, x)
		p.frameURLs = append(p.frameURLs, pixURL(noiseRGBA(x)))
		p.probs = append(p.probs, pr[p.k])
		p.labels = append(p.labels, core.Argmax(pr))
		if len(p.frames) <= targetSteps {
			ctx.After(150*time.Millisecond, tick)
		}
		p.Update()
	}
	ctx.After(0, tick)
	p.Update()
}

func (p *rubbishPage) onK(ctx app.Context, e app.Event) {
	if k, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && k >= 0 && k <= 9 {
		p.k = k
		p.startTarget(ctx)
	}
}

func (p *rubbishPage) onTModel(ctx app.Context, e app.Event) {
	if v := ctx.JSSrc().Get("value").String(); slices.Contains(modelNames, v) {
		p.tmodel = v
		p.startTarget(ctx)
	}
}

func (p *rubbishPage) onTEps(ctx app.Context, e app.Event) {
	if g := ctx.JSSrc().Get("valueAsNumber").Int(); g >= 0 && g <= maxEps255 {
		p.teps255 = g
		p.startTarget(ctx)
	}
}

func (p *rubbishPage) Render() app.UI {
	class := "lab lr-page"
	if p.embed {
		class += " embed"
	}
	return app.Div().ID("rubbish").Class(class+liveClass()).DataSet("ready", p.models != nil).Body(
		app.If(!p.embed, pageHeader("The rubbish class",
			"Feed a model pure noise and ask what digit it sees. A nearly linear model answers, and confidently (paper, appendix).")),
		pageNav("/rubbish", p.embed),
		noticeList(p.notices),
		failedNotice(p.job.failed),
		app.Main().Class("stack").Body(
			app.If(p.showPanel("grid"), p.renderGrid()),
			app.If(p.showPanel("fraction"), p.renderFraction()),
			app.If(p.showPanel("target"), p.renderTarget()),
		),
		app.If(!p.embed, app.Footer().Class("foot").Body(
			app.P().Text("Computed in your browser from the shipped models. The noise is seeded, so a link shows the same images."),
		)),
	)
}

func (p *rubbishPage) renderGrid() app.UI {
	return app.Section().ID("noise-grid").Class("card").Aria("labelledby", "h-grid").Body(
		heading("h-grid", "1", "Pure noise, and what each model calls it"),
		app.P().Class("lede").Text("Each image is Gaussian noise, N(0, 1) independently per pixel, not clipped to [0, 1] (shown with −3…3 as black…white). Nothing in it is a digit. Labels above 50% are in colour. Click an image to start panel 3 from it."),
		app.Div().Class("noise-grid").Body(
			app.Range(p.grid).Slice(func(i int) app.UI { return p.noiseCard(i) }),
		),
		app.Button().ID("more-noise").Class("btn").Text("New noise images").OnClick(p.onMore),
	)
}

func (p *rubbishPage) noiseCard(i int) app.UI {
	var lines []app.UI
	for j, say := range p.gridSays[i] {
		cls := "says"
		if say.P > 0.5 {
			cls += " sure"
		}
		lines = append(lines, app.Li().Class(cls).Body(
			app.Span().Class("who").Text(modelNames[j]),
			app.Span().Class("what").Text(fmt.Sprintf("%s %s", say.Class, pct(say.P, 0))),
		))
	}
	if p.models == nil {
		lines = append(lines, app.Li().Class("muted").Text("loading the models…"))
	}
	return app.Div().Class("noise-card").DataSet("index", p.offset+i).Body(
		app.Button().Class("noise-pick").Aria("pressed", i == p.start).
			Aria("label", fmt.Sprintf("Noise image %d: start panel 3 from it", p.offset+i+1)).
			OnClick(func(ctx app.Context, e app.Event) { p.onPick(ctx, i) }).
			Body(app.Img().Class("pix").Src(p.gridURLs[i]).Alt("").Width(28).Height(28)),
		app.Ul().Class("says-list").Body(lines...),
	)
}

func (p *rubbishPage) renderFraction() app.UI {
	r := p.run
	seen, n := 0, p.n
	if r != nil {
		seen, n = r.Done, r.N
	}
	var status string
	switch p.job.status {
	case loading:
		status = "Loading the models…"
	case loadingErr:
		status = "The models did not load."
	case running:
		status = fmt.Sprintf("Measuring: %d of %d noise images…", seen, n)
	case cancelled:
		status = fmt.Sprintf("Cancelled after %d of %d images.", seen, n)
	case done:
		status = fmt.Sprintf("Done: %d noise images (seed %d); the longest step took %.0f ms.", seen, p.seed, p.job.run.Longest)
	}
	return app.Section().ID("fraction").Class("card").Aria("labelledby", "h-frac").
		DataSet("done", p.job.status == done).DataSet("state", p.job.status.String()).Body(
		heading("h-frac", "2", "How often is noise a confident digit?"),
		app.P().Class("lede").Text("The fraction of noise images to which each model gives some class a probability above 0.5, and the mean of that probability. The same images go through every model."),
		app.Div().Class("run-row").Body(
			app.Label().For("rub-n").Text("Noise images"),
			app.Select().ID("rub-n").OnChange(p.onN).Body(
				app.Range(p.sizes()).Slice(func(i int) app.UI {
					v := p.sizes()[i]
					return app.Option().Value(v).Text(fmt.Sprintf("%d", v)).Selected(v == p.n)
				}),
			),
			app.If(p.job.run.busy, app.Button().ID("rub-cancel").Class("btn").Text("Cancel").OnClick(p.onCancel)).
				Else(app.Button().ID("rub-run").Class("btn primary").Text("Run again").Disabled(p.models == nil).OnClick(p.onRun)),
			app.Progress().ID("rub-progress").Max(max(n, 1)).Value(seen).Aria("label", "Progress"),
		),
		app.P().ID("rub-status").Class("small muted").Aria("live", "polite").Text(status),
		app.Table().ID("rub-table").Class("rates").Body(
			app.Caption().Class("sr-only").Text("Fraction of noise images with a class above 0.5, per model"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("model"),
				app.Th().Scope("col").Text("class > 0.5"),
				app.Th().Scope("col").Text("mean confidence"),
				app.Th().Scope("col").Text("paper"),
			)),
			app.TBody().Body(app.Range(modelNames).Slice(func(i int) app.UI { return p.fractionRow(i) })),
		),
		app.P().Class("small muted").Text("The paper used 10,000 images per model and a larger maxout network. RBF units answer “nothing” far from the digits they were fitted to; linear models extrapolate their scores without bound."),
	)
}

// sizes are the choices of n, with the one from the link among them.
func (p *rubbishPage) sizes() []int {
	if slices.Contains(rubbishSizes, p.n) {
		return rubbishSizes
	}
	s := append(slices.Clone(rubbishSizes), p.n)
	slices.Sort(s)
	return s
}

func (p *rubbishPage) fractionRow(i int) app.UI {
	name := modelNames[i]
	var hits, done int
	var res core.Result
	if p.run != nil && p.models != nil {
		res, hits, done = p.run.Result(i), p.run.Hits[i], p.run.Done
	}
	bar := app.Div().Class("frac-bar").Body(app.Div().Style("width", pct(res.Error, 1)))
	return app.Tr().ID("rub-"+name).DataSet("hits", hits).DataSet("n", done).Body(
		app.Th().Scope("row").Text(name),
		app.Td().Class("ours").Body(app.Text(pct(res.Error, 1)), bar),
		app.Td().Class("ours").Text(confText(res, hits)),
		app.Td().Class("paper-num").Text(rubbishPaper(name)),
	)
}

func confText(r core.Result, hits int) string {
	if hits == 0 {
		return "—"
	}
	return pct(r.Confidence, 1)
}

func (p *rubbishPage) renderTarget() app.UI {
	eps := float64(p.teps255) / 255
	last := len(p.probs) - 1
	return app.Section().ID("target").Class("card").Aria("labelledby", "h-target").
		DataSet("done", len(p.frames) == targetSteps+1).Body(
		heading("h-target", "3", fmt.Sprintf("Make noise look like a %d", p.k)),
		app.P().Class("lede").Text(fmt.Sprintf("Start from noise image %d and take %d small targeted steps, x ← x − α·sign(∇ₓJ(x, k)) with α = 2.5ε/%d, each kept within ε of the start (unclipped, like the noise). Watch p(k) rise while the image barely changes.", p.offset+p.start+1, targetSteps, targetSteps)),
		app.Div().Class("target-controls").Body(
			app.Div().Class("field").Body(
				app.Label().For("rub-k").Text("Target k"),
				app.Select().ID("rub-k").OnChange(p.onK).Body(
					app.Range(make([]struct{}, 10)).Slice(func(i int) app.UI {
						return app.Option().Value(i).Text(i).Selected(i == p.k)
					}),
				),
			),
			app.Div().Class("field").Body(
				app.Label().For("rub-model").Text("Model"),
				app.Select().ID("rub-model").OnChange(p.onTModel).Body(
					app.Range(modelNames).Slice(func(i int) app.UI {
						return app.Option().Value(modelNames[i]).Text(modelNames[i]).Selected(modelNames[i] == p.tmodel)
					}),
				),
			),
			app.Div().Class("field").Body(
				app.Label().For("rub-eps").Body(app.Text("ε "), app.B().Text(fmt.Sprintf("%.3f", eps))),
				app.Input().ID("rub-eps").Type("range").Min(0).Max(maxEps255).Step(1).Value(p.teps255).
					Aria("valuetext", fmt.Sprintf("%.3f", eps)).OnInput(p.onTEps),
			),
		),
		app.Ol().Class("filmstrip").Aria("label", "The attack step by step").Body(
			app.Range(p.frames).Slice(func(t int) app.UI {
				cls := "frame"
				if p.labels[t] == p.k && p.probs[t] > 0.5 {
					cls += " hit"
				}
				return app.Li().Class(cls).DataSet("p", p.probs[t]).Body(
					app.Img().Class("pix").Src(p.frameURLs[t]).Alt(fmt.Sprintf("step %d", t)).Width(28).Height(28),
					app.Span().Class("step-n").Text(fmt.Sprintf("step %d", t)),
					app.Span().Class("pk").Text(fmt.Sprintf("p(%d) %s", p.k, pct(p.probs[t], 1))),
				)
			}),
		),
		app.If(len(p.probs) > 0, app.Div().Class("plot small-plot").Body(app.Raw(targetPlot(p.probs, p.k)))),
		app.If(last >= 0, app.P().ID("target-readout").Class("verdict").DataSet("final", p.final()).Text(p.targetVerdict())),
	)
}

// final is p(k) after the last step, or −1 while the attack runs.
func (p *rubbishPage) final() float64 {
	if len(p.probs) != targetSteps+1 {
		return -1
	}
	return p.probs[targetSteps]
}

func (p *rubbishPage) targetVerdict() string {
	t := len(p.probs) - 1
	if t < 0 || p.models == nil {
		return "" // app.If evaluates its arguments before it tests
	}
	m := p.models[slices.Index(modelNames, p.tmodel)]
	got := m.Classes[p.labels[t]]
	s := fmt.Sprintf("After %d steps %s gives %d a probability of %s (it started at %s); its top class is %s.",
		t, p.tmodel, p.k, pct(p.probs[t], 1), pct(p.probs[0], 1), got)
	if t == targetSteps && p.tmodel == "rbf" && p.probs[t] < 0.5 {
		s += " The RBF network stays unsure: noise is far from every class centre."
	}
	return s
}

// targetPlot draws p(k) against the step, 0 to 1.
func targetPlot(probs []float64, k int) string {
	const W, H = 420.0, 150.0
	const left, right, top, bottom = 40.0, 12.0, 10.0, 30.0
	px := func(t int) float64 { return left + float64(t)/targetSteps*(W-left-right) }
	py := func(v float64) float64 { return H - bottom - v*(H-top-bottom) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="tplot" role="img" aria-label="p(%d) against the step">`, W, H, k)
	for _, v := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<line class="pl-grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/><text class="pl-tick" x="%g" y="%.1f" text-anchor="end">%.0f%%</text>`,
			left, W-right, py(v), py(v), left-6, py(v)+4, 100*v)
	}
	for t := 0; t <= targetSteps; t += 2 {
		fmt.Fprintf(&b, `<text class="pl-tick" x="%.1f" y="%g" text-anchor="middle">%d</text>`, px(t), H-bottom+15, t)
	}
	fmt.Fprintf(&b, `<text class="pl-label" x="%g" y="%g" text-anchor="middle">step</text>`, (left+W-right)/2, H-2)
	var pts []string
	for t, v := range probs {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(t), py(v)))
	}
	fmt.Fprintf(&b, `<polyline class="s-fgsm" points="%s"/>`, strings.Join(pts, " "))
	for t, v := range probs {
		fmt.Fprintf(&b, `<circle class="d-fgsm" cx="%.1f" cy="%.1f" r="4"><title>step %d: p(%d) = %.1f%%</title></circle>`, px(t), py(v), t, k, 100*v)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
