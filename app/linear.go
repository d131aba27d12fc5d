package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"gonum.org/v1/gonum/mat"
)

// linearPage is /linear: the paper's linear explanation (§3, §5) shown
// live on logreg37, the logistic regression of Figure 2 (3s against 7s).
// Its panels can be embedded one at a time with ?embed=1&panel=…; the
// fourth, "logits", is the paper's Figure 4 on the maxout network
// (logitspanel.go).
type linearPage struct {
	app.Compo

	embed   bool
	panel   string // "", "figure", "dim", "precision" or "logits"
	notices []string
	failed  string

	eps255 int // ε of Figure 2 and of the dimensionality panel
	dim    int // n of the dimensionality panel
	tenths int // ε of the precision panel, in tenths of a grey level

	m      *core.Model
	w      []float64
	b      float64
	ws     weightStats
	x      *mat.Dense // the bundled test 3s and 7s
	y      []int      // 0 for a 3, 1 for a 7
	shown  []int      // rows of x shown in Figure 2
	margin float64

	clean, fgsm core.Result
	adv         *mat.Dense // FGSM versions of the shown rows
	cleanP      *mat.Dense // p(3), p(7) of the shown rows
	advP        *mat.Dense
	prec        []precisionRow
	reported    map[string]float64 // the model's metrics from make reproduce

	eps *epsSlider
	lg  *logitsPanel // a component of its own (logitspanel.go)
	l1  l1View       // the L1 panel's models (linearl1.go)

	rendered string // the link the server renders the page for
	held     string // the server's HTML, shown until the page has loaded (prerender.go)
}

// linearPanels are the values ?panel= accepts.
var linearPanels = []string{"figure", "dim", "precision", "logits", "l1"}

func newLinearPage() *linearPage {
	p := &linearPage{eps255: defaultSettings().Eps255, dim: 784, tenths: 5, lg: &logitsPanel{half: logitsDefaultRange}}
	p.eps = newEpsSlider(p.onEps)
	p.lg.linked = func() { setQuery(p.query()) }
	return p
}

// OnInit reads the link before the first render: reading it in OnMount
// and then dropping the navigation made go-app mount the ε slider twice,
// panic ("replacing child failed") and exit.
func (p *linearPage) OnInit() {
	p.parse(pageLink())
	p.eps.s.Eps255 = p.eps255
	p.held = heldHTML("linear")
	if el := app.Window().GetElementByID("logits"); p.held != "" && el.Truthy() {
		p.lg.held = el.Get("outerHTML").String()
	}
}

// OnPreRender, on the server, computes the page for the requested link.
func (p *linearPage) OnPreRender(ctx app.Context) {
	p.rendered = ctx.Page().URL().RawQuery
	p.OnMount(ctx)
}

func (p *linearPage) OnMount(ctx app.Context) {
	if p.showPanel("logits") {
		p.loadLogits(ctx)
	}
	if p.panel == "logits" {
		return // the other panels' model is not needed
	}
	ctx.Async(func() {
		m, err := sharedModel("logreg37")
		var d *core.Dataset
		if err == nil {
			d, err = sharedDigits(testDigits, nil)
		}
		ctx.Dispatch(func(ctx app.Context) { p.load(m, d, err) })
	})
	if p.showPanel("l1") {
		ctx.Async(func() {
			ms, err := loadL1Models()
			ctx.Dispatch(func(ctx app.Context) { p.l1.load(ms, err); p.Update() })
		})
	}
}

// parse reads ?eps, ?n, ?sub, ?panel and ?embed; invalid ones keep their
// defaults and are named in a notice.
func (p *linearPage) parse(q *linkParams) {
	p.eps255 = q.eps255("eps", p.eps255)
	p.dim = q.intIn("n", 1, dimPlotMaxN, p.dim)
	// ε of the precision panel in grey levels, 0.1 to 1 in tenths.
	p.tenths = int(math.Round(10 * q.fraction("sub", 0.1, 1, float64(p.tenths)/10)))
	p.lg.parse(q)
	p.panel = q.choice("panel", linearPanels, p.panel)
	p.embed = q.flag("embed", false)
	p.notices = q.notices()
}

// query is the page's state as link parameters, as parse reads them.
func (p *linearPage) query() url.Values {
	q := url.Values{}
	q.Set("eps", strconv.FormatFloat(float64(p.eps255)/255, 'f', 4, 64))
	q.Set("n", strconv.Itoa(p.dim))
	q.Set("sub", strconv.FormatFloat(float64(p.tenths)/10, 'f', 1, 64))
	if p.showPanel("logits") {
		q.Set("digit", strconv.Itoa(p.lg.digit))
		q.Set("range", strconv.FormatFloat(p.lg.half, 'f', -1, 64))
	}
	if p.panel != "" {
		q.Set("panel", p.panel)
	}
	if p.embed {
		q.Set("embed", "1")
	}
	return q
}

func (p *linearPage) load(m *core.Model, d *core.Dataset, err error) {
	if err == nil {
		p.w, p.b, err = linearWeights(m)
	}
	if err == nil {
		if p.x, p.y = threesAndSevens(d); p.x == nil {
			err = fmt.Errorf("the bundled test digits hold no 3s or 7s")
		}
	}
	if err != nil {
		p.failed = "The model or the test digits did not load: " + err.Error()
		p.held = ""
		p.Update()
		return
	}
	p.m = m
	p.ws = newWeightStats(p.w)
	p.margin = medianMargin(p.w, p.b, p.x)
	p.clean = core.Evaluate(m, p.x, p.y)
	json.Unmarshal([]byte(m.Meta["metrics"]), &p.reported)
	p.shown = firstOfEach(p.y, 4)
	p.recompute()
	p.recomputePrecision()
	p.held = "" // the page now shows what the server's HTML showed
	p.Update()
}

// firstOfEach returns the rows of the first k 3s, then the first k 7s.
func firstOfEach(y []int, k int) []int {
	var threes, sevens []int
	for i, c := range y {
		if c == 0 && len(threes) < k {
			threes = append(threes, i)
		}
		if c == 1 && len(sevens) < k {
			sevens = append(sevens, i)
		}
	}
	return append(threes, sevens...)
}

// recompute runs FGSM at ε over all the 3s and 7s (x̃ clipped to [0, 1]).
func (p *linearPage) recompute() {
	o := core.Options{Epsilon: p.epsilon()}
	p.fgsm = core.EvaluateAttack(p.m, p.m, p.x, p.y, core.FGSMAttack(o))
	xs := mat.NewDense(len(p.shown), core.ImageSize, nil)
	ys := make([]int, len(p.shown))
	for j, i := range p.shown {
		copy(xs.RawRowView(j), p.x.RawRowView(i))
		ys[j] = p.y[i]
	}
	p.cleanP = mat.DenseCopyOf(p.m.Predict(xs))
	p.adv = core.FGSM(p.m, xs, ys, o)
	p.advP = mat.DenseCopyOf(p.m.Predict(p.adv))
}

func (p *linearPage) recomputePrecision() {
	p.prec = precisionRows(p.m, p.w, p.x, p.y, p.subEps())
}

func (p *linearPage) epsilon() float64 { return float64(p.eps255) / 255 }
func (p *linearPage) subEps() float64  { return float64(p.tenths) / 10 / 255 }

func (p *linearPage) onEps(ctx app.Context, s settings) {
	p.eps255 = s.Eps255
	setQuery(p.query())
	if p.m != nil {
		p.recompute()
	}
	p.Update()
}

func (p *linearPage) onDim(ctx app.Context, e app.Event) {
	if n := ctx.JSSrc().Get("valueAsNumber").Int(); n >= 1 && n <= dimPlotMaxN {
		p.dim = n
		setQuery(p.query())
		p.Update()
	}
}

func (p *linearPage) onSub(ctx app.Context, e app.Event) {
	if t := ctx.JSSrc().Get("valueAsNumber").Int(); t >= 1 && t <= 10 {
		p.tenths = t
		setQuery(p.query())
		if p.m != nil {
			p.recomputePrecision()
		}
		p.Update()
	}
}

// showPanel says whether a panel is on the page (all of them unless an
// embed asks for one).
func (p *linearPage) showPanel(name string) bool {
	return p.panel == "" || p.panel == name
}

func (p *linearPage) Render() app.UI {
	class := "lab lr-page"
	if p.embed {
		class += " embed"
	}
	if p.held != "" {
		return app.Raw(p.held)
	}
	ready := (p.m != nil || p.panel == "logits") && (!p.showPanel("logits") || p.lg.ready())
	return markRendered(app.Div().ID("linear").Class(class+liveClass()).DataSet("ready", ready), p.rendered).Body(
		app.If(!p.embed, pageHeader("Why FGSM works: linearity",
			"A linear model adds up many tiny changes. Move every pixel by ε in the direction of sign(w) and the score moves by ε·‖w‖₁, which grows with the number of pixels (§3).")),
		pageNav("/linear", p.embed),
		noticeList(p.notices),
		failedNotice(p.failed),
		app.Main().Class("stack").Body(
			app.If(p.showPanel("figure"), p.renderFigure2()),
			app.If(p.showPanel("dim"), p.renderDim()),
			app.If(p.showPanel("precision"), p.renderPrecision()),
			app.If(p.showPanel("logits"), p.lg),
			app.If(p.showPanel("l1"), p.renderL1()),
		),
		app.If(!p.embed, app.Footer().Class("foot").Body(
			app.P().Text("Computed in your browser from the shipped logreg37 and maxout models and the first 1,000 MNIST test digits (logreg37: the 3s and 7s among them)."),
		)),
	)
}

// renderFigure2 is the paper's Figure 2: w, sign(w), and 3s and 7s before
// and after FGSM, with the error rates.
func (p *linearPage) renderFigure2() app.UI {
	body := []app.UI{
		heading("h-fig2", "1", "Figure 2, live: logistic regression on 3s and 7s"),
		app.P().Class("lede").Text("logreg37 computes p(7) = σ(w·x + b). Its weights w are one 28×28 image; red pixels push towards “7”, blue ones towards “3”. For every digit, the FGSM perturbation is ±ε·sign(w): the same image, up to its sign."),
		p.eps,
	}
	if p.m == nil {
		return app.Section().ID("fig2").Class("card").Body(append(body, app.P().Class("muted").Text("Loading logreg37 and the test digits…"))...)
	}
	maxW := 0.0
	for _, v := range p.w {
		maxW = max(maxW, math.Abs(v))
	}
	sw := make([]float64, len(p.w))
	for i, v := range p.w {
		sw[i] = core.Sign(v)
	}
	eps := p.epsilon()
	body = append(body,
		app.Div().Class("fig2").Body(
			app.Div().Class("fig2-weights").Body(
				app.Figure().Class("panel").Body(
					pixImg(divergingRGBA(p.w, maxW), "The weights w of logreg37"),
					app.FigCaption().Body(app.Span().Class("term").Text("w"), app.Span().Class("pred").Text(fmt.Sprintf("±%.2f", maxW))),
				),
				app.Figure().Class("panel").Body(
					pixImg(divergingRGBA(sw, 1), "sign(w)"),
					app.FigCaption().Body(app.Span().Class("term").Text("sign(w)"), app.Span().Class("pred").Text("±1")),
				),
			),
			app.Div().Class("fig2-digits").Body(
				app.Div().Class("fig2-row").Body(
					app.Span().Class("rowname").Text("x"),
					app.Range(p.shown).Slice(func(j int) app.UI { return p.digit(j, false) }),
				),
				app.Div().Class("fig2-row").Body(
					app.Span().Class("rowname").Text("x̃"),
					app.Range(p.shown).Slice(func(j int) app.UI { return p.digit(j, true) }),
				),
			),
		),
		app.Table().ID("fig2-rates").Class("rates").Body(
			app.Caption().Class("sr-only").Text("Error rates of logreg37 on 3s and 7s"),
			app.THead().Body(app.Tr().Body(
				app.Th().Text(""),
				app.Th().Scope("col").Text(fmt.Sprintf("ours, %d test 3s and 7s", p.clean.N)),
				app.Th().Scope("col").Text("paper"),
			)),
			app.TBody().Body(
				app.Tr().Body(
					app.Th().Scope("row").Text("clean error"),
					app.Td().ID("err-clean").Class("ours").DataSet("value", p.clean.Error).Text(pct(p.clean.Error, 1)),
					app.Td().Class("paper-num").Text(fmtPct(facts.PaperFigure("logreg37_clean").Error)),
				),
				app.Tr().Body(
					app.Th().Scope("row").Text(fmt.Sprintf("FGSM error at ε = %.3f", eps)),
					app.Td().ID("err-fgsm").Class("ours").DataSet("value", p.fgsm.Error).Body(
						app.Text(pct(p.fgsm.Error, 1)),
						app.Span().Class("muted small").Text(fmt.Sprintf(" · mean confidence %s", pct(p.fgsm.Confidence, 1))),
					),
					app.Td().Class("paper-num").Text("99% at ε = 0.25"),
				),
			),
		),
		app.P().Class("small muted").Text(p.figureNote()),
	)
	return app.Section().ID("fig2").Class("card").Aria("labelledby", "h-fig2").Body(body...)
}

func (p *linearPage) figureNote() string {
	s := "x̃ is clipped to [0, 1] (the paper did not clip). The figures come from the 3s and 7s among the first 1,000 MNIST test digits, bundled with the page."
	c, ok1 := p.reported["clean_error"]
	f, ok2 := p.reported["fgsm_error_0.25"]
	if ok1 && ok2 {
		s += fmt.Sprintf(" On all 2,038 test 3s and 7s (make reproduce): %s clean, %s at ε = 0.25.", pct(c, 2), pct(f, 1))
	}
	return s
}

// digit shows shown row j, clean or adversarial, with p of its top class.
func (p *linearPage) digit(j int, adv bool) app.UI {
	var x []float64
	var pr []float64
	if adv {
		x, pr = p.adv.RawRowView(j), p.advP.RawRowView(j)
	} else {
		x, pr = p.x.RawRowView(p.shown[j]), p.cleanP.RawRowView(j)
	}
	truth := p.y[p.shown[j]]
	k := core.Argmax(pr)
	cls := "fig2-digit"
	if k != truth {
		cls += " wrong"
	}
	name := p.m.Classes[k]
	what := "a " + p.m.Classes[truth]
	if adv {
		what = "FGSM version of " + what
	}
	return app.Figure().Class(cls).Body(
		pixImg(grayRGBA(x), fmt.Sprintf("%s; the model says %s, %.0f%%", what, name, 100*pr[k])),
		app.FigCaption().Text(fmt.Sprintf("%s %.0f%%", name, 100*pr[k])),
	)
}

// renderDim shows ε·‖w‖₁ for the real weights, then the growth with n.
func (p *linearPage) renderDim() app.UI {
	body := []app.UI{heading("h-dim", "2", "Dimensionality: many small changes add up")}
	if p.m == nil {
		return app.Section().ID("dim").Class("card").Body(append(body, app.P().Class("muted").Text("Loading…"))...)
	}
	eps, ws := p.epsilon(), p.ws
	shift := eps * ws.L1
	n := float64(p.dim)
	body = append(body,
		app.P().Class("lede").Body(
			app.Text("With η = ε·sign(w), the score changes by w·η = ε·‖w‖₁ = ε·m·n, where m is the mean |wᵢ|. For logreg37 at ε = "),
			app.B().Text(fmt.Sprintf("%.3f", eps)),
			app.Text(":"),
		),
		app.Div().Class("bignums").Body(
			bigNum("shift", fmt.Sprintf("%.2f", shift), "w·η = ε·‖w‖₁, the change the model really gets", shift),
			bigNum("l1", fmt.Sprintf("%.2f", ws.L1), fmt.Sprintf("‖w‖₁ = m·n = %.4f × %d", ws.Mean, ws.N), ws.L1),
			bigNum("margin", fmt.Sprintf("%.2f", p.margin), "median |w·x + b| of the clean 3s and 7s", p.margin),
		),
		app.P().Class("verdict").Text(p.dimVerdict(shift)),
		app.Div().Class("field").Body(
			app.Label().For("dim-n").Body(
				app.Text("n, the number of inputs of a linear model with logreg37's mean weight m: "),
				app.B().ID("dim-n-value").Text(strconv.Itoa(p.dim)),
			),
			app.Input().ID("dim-n").Type("range").Min(1).Max(dimPlotMaxN).Step(1).Value(p.dim).
				Aria("valuetext", fmt.Sprintf("%d inputs", p.dim)).OnInput(p.onDim),
		),
		app.Div().Class("plot").Body(app.Raw(dimPlot(eps, ws.Mean, ws.RMS, p.margin, p.dim))),
		app.Div().Class("plot-legend").Aria("hidden", true).Body(
			app.Span().Class("k k-fgsm").Text("FGSM, ε·sign(w): ε·m·n"),
			app.Span().Class("k k-rand").Text("random ±ε noise: ≈ ε·rms(w)·√n"),
			app.Span().Class("k k-inf").Text("‖η‖∞ = ε"),
			app.Span().Class("k k-margin").Text("typical clean |w·x + b|"),
		),
		app.P().ID("dim-readout").Class("readout").
			DataSet("fgsm", eps*ws.Mean*n).
			Text(fmt.Sprintf("n = %d: FGSM moves the score by %.2f, random ±ε noise by about %.2f, and no input moves by more than ε = %.3f. At ImageNet's n = 150,528 the same ε would move it by %.0f.",
				p.dim, eps*ws.Mean*n, eps*ws.RMS*math.Sqrt(n), eps, eps*ws.Mean*150528)),
	)
	return app.Section().ID("dim").Class("card").Aria("labelledby", "h-dim").Body(body...)
}

func (p *linearPage) dimVerdict(shift float64) string {
	switch {
	case shift == 0:
		return "At ε = 0 nothing moves. Raise ε above."
	case shift > p.margin:
		return fmt.Sprintf("%.2f is more than the typical distance %.2f of a clean digit from the decision boundary: most digits flip, although no pixel moved by more than ε.", shift, p.margin)
	}
	return fmt.Sprintf("%.2f is less than the typical distance %.2f of a clean digit from the boundary, so only the digits near it flip. Raise ε, or raise n below.", shift, p.margin)
}

func bigNum(id, value, caption string, raw float64) app.UI {
	return app.Div().Class("bignum").Body(
		app.B().ID("num-"+id).DataSet("value", raw).Text(value),
		app.Span().Class("small muted").Text(caption),
	)
}

// renderPrecision shows FGSM below one grey level, and what 8-bit rounding
// does to it.
func (p *linearPage) renderPrecision() app.UI {
	body := []app.UI{heading("h-prec", "3", "Precision: changes below one grey level")}
	if p.m == nil {
		return app.Section().ID("precision").Class("card").Body(append(body, app.P().Class("muted").Text("Loading…"))...)
	}
	eps := p.subEps()
	body = append(body,
		app.P().Class("lede").Text("An 8-bit image cannot store a change below 1/255 ≈ 0.0039. A linear model with full-precision inputs still adds up every one of them: the score moves by ε·‖w‖₁ however small ε is (§3)."),
		app.Div().Class("field").Body(
			app.Label().For("sub").Body(
				app.Text("ε in fractions of one grey level: "),
				app.B().ID("sub-value").Text(fmt.Sprintf("%.1f/255 = %.5f", float64(p.tenths)/10, eps)),
			),
			app.Input().ID("sub").Type("range").Min(1).Max(10).Step(1).Value(p.tenths).
				Aria("valuetext", fmt.Sprintf("%.1f of a grey level", float64(p.tenths)/10)).OnInput(p.onSub),
		),
		app.P().Class("small").Body(
			app.Text("Predicted: ε·‖w‖₁ = "),
			app.B().ID("sub-shift").DataSet("value", eps*p.ws.L1).Text(fmt.Sprintf("%.3f", eps*p.ws.L1)),
			app.Text(fmt.Sprintf(" on every digit. Clean error %s.", pct(p.clean.Error, 1))),
		),
		app.Table().ID("prec-table").Class("rates").Body(
			app.Caption().Class("sr-only").Text("FGSM below one grey level in three pixel formats"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("x̃ stored as"),
				app.Th().Scope("col").Text("mean |score change|"),
				app.Th().Scope("col").Text(fmt.Sprintf("digits that change class, of %d", p.clean.N)),
				app.Th().Scope("col").Text("error"),
			)),
			app.TBody().Body(app.Range(p.prec).Slice(func(i int) app.UI {
				r := p.prec[i]
				return app.Tr().ID("prec-"+r.Name).DataSet("flips", r.Flips).DataSet("error", r.Error).DataSet("shift", r.Shift).Body(
					app.Th().Scope("row").Text(precisionNames[r.Name]),
					app.Td().Class("ours").Text(fmt.Sprintf("%.3f", r.Shift)),
					app.Td().Class("ours").Text(strconv.Itoa(r.Flips)),
					app.Td().Class("ours").Text(pct(r.Error, 1)),
				)
			})),
		),
		app.P().Class("verdict").Text(p.precisionVerdict()),
		app.P().Class("small muted").Text(fmt.Sprintf("With n = 784 the shift is small beside a typical margin of %.1f, so few digits flip; with ImageNet's 150,528 inputs the same ε would move the score %.0f× as much. That is the paper's point: in high dimension, changes below the input's precision are enough.", p.margin, 150528.0/784)),
	)
	return app.Section().ID("precision").Class("card").Aria("labelledby", "h-prec").Body(body...)
}

var precisionNames = map[string]string{
	"unclipped": "full precision, unclipped (the paper)",
	"clipped":   "full precision, clipped to [0, 1]",
	"rounded":   "8 bits: clipped, rounded to 1/255",
}

func (p *linearPage) precisionVerdict() string {
	switch {
	case p.tenths < 5:
		return "Rounding to 8 bits snaps every pixel back to its grey level: the attack vanishes (the digits are stored in 8 bits to begin with). At full precision it still moves every score."
	case p.tenths == 5:
		return "At exactly half a grey level every pixel sits on a rounding tie: some land a whole grey level away, others back where they were."
	case p.tenths < 10:
		return "Above half a grey level, rounding turns each ±ε into a whole ±1/255: the 8-bit attack is stronger than the one asked for."
	}
	return "At one grey level, the 8-bit image holds the attack exactly."
}
