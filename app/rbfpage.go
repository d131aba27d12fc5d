package main

import (
	"fmt"
	"math"
	"net/url"
	"strconv"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// rbfPage is §7 and §8 live: an RBF network is fooled by FGSM but with low
// confidence, and FGSM examples transfer between models.
type rbfPage struct {
	app.Compo

	embed   bool
	notices []string
	n       int
	eps100  int // ε in hundredths

	digits    *core.Dataset
	models    []*core.Model
	job       pageJob
	matrix    [][]core.Result // [craft][target]
	hist      map[string][]float64
	resultN   int
	resultEps float64
}

// paperEps100 is the ε of the paper's RBF and transfer numbers, in
// hundredths.
const paperEps100 = 100 * facts.PaperEpsilon

// histBins splits confidence [0, 1] for the histogram.
const histBins = 10

func newRBFPage() *rbfPage { return &rbfPage{n: 500, eps100: paperEps100} }

// OnInit reads the link before the first render (see linkParams).
func (p *rbfPage) OnInit() {
	q := pageLink()
	p.embed = q.flag("embed", false)
	p.n = q.count("n", p.n)
	p.eps100 = q.eps100("eps", p.eps100)
	p.notices = q.notices()
}

func (p *rbfPage) OnMount(ctx app.Context) {
	var d *core.Dataset
	var ms []*core.Model
	p.job.load(ctx, func() (err error) {
		if d, err = sharedDigits(testDigits, nil); err == nil {
			ms, err = sharedModels(modelNames)
		}
		return err
	}, func(ctx app.Context) {
		p.digits, p.models = d, ms
		p.compute(ctx)
	})
}

func (p *rbfPage) OnDismount() { p.job.run.cancel() }

func (p *rbfPage) eps() float64 { return float64(p.eps100) / 100 }

// compute crafts FGSM examples on every model for the first N digits and
// scores them on every model.
func (p *rbfPage) compute(ctx app.Context) {
	p.job.run.cancel()
	p.matrix, p.hist, p.resultN, p.resultEps = nil, nil, p.n, p.eps()
	x, labels := firstDigits(p.digits, p.n)
	tr := core.NewTransferRun(p.models, p.models, x, labels, core.Options{Epsilon: p.eps()})
	stages := transferStages(tr, func() {
		p.matrix = tr.Results()
		p.hist = map[string][]float64{}
		for i := range p.models {
			p.hist[modelNames[i]] = histogram(tr.Mistakes(i, i))
		}
	})
	p.job.start(ctx, stages, p.Update, nil)
	q := url.Values{}
	q.Set("n", strconv.Itoa(p.n))
	q.Set("eps", strconv.FormatFloat(p.eps(), 'f', 2, 64))
	if p.embed {
		q.Set("embed", "1")
	}
	setQuery(q)
	p.Update()
}

// histogram returns the fraction of values in each of histBins equal bins
// of [0, 1].
func histogram(v []float64) []float64 {
	h := make([]float64, histBins)
	for _, c := range v {
		h[min(int(c*histBins), histBins-1)]++
	}
	for i := range h {
		if len(v) > 0 {
			h[i] /= float64(len(v))
		}
	}
	return h
}

func (p *rbfPage) onCancel(ctx app.Context, e app.Event) {
	if p.job.cancel() {
		p.Update()
	}
}

func (p *rbfPage) Render() app.UI {
	return explainFrame(pageFrame{ID: "rbf", Path: "/rbf", Title: "RBF networks and transfer",
		Tagline: "A network of radial basis functions is not linear: FGSM still fools it, but it is not sure of its mistakes. And examples made for one model fool others (paper §7, §8).",
		Embed:   p.embed, State: p.job.status.String(), Notices: p.notices},
		app.Div().Class("explain-grid").Body(
			app.Section().Class("card").Aria("labelledby", "h-rbf").Body(
				heading("h-rbf", "1", "Fooled, but not confidently"),
				app.Div().Class("field-row").Body(
					digitCountField("rbf-n", p.n, func(ctx app.Context, n int) {
						p.n = n
						if p.digits != nil {
							p.compute(ctx)
						}
					}),
					epsField("rbf-eps", p.eps100, func(ctx app.Context, v int) {
						p.eps100 = v // shown while dragging; computed when let go
					}, func(ctx app.Context, v int) {
						p.eps100 = v
						if p.digits != nil {
							p.compute(ctx)
						}
					}),
				),
				p.job.progress("rbf-progress", p.onCancel),
				p.job.failure(),
				p.renderRBFNumbers(),
				p.renderHistogram(),
			),
			app.Section().Class("card").Aria("labelledby", "h-transfer").Body(
				heading("h-transfer", "2", "Transfer between models"),
				p.renderMatrix(),
			),
		),
	)
}

func (p *rbfPage) result(name string) *core.Result {
	for i, m := range modelNames {
		if m == name && p.matrix != nil {
			return &p.matrix[i][i]
		}
	}
	return nil
}

// paperAt says, when the results are for another ε, that the paper's
// figures are for 0.25.
func (p *rbfPage) paperAt() string {
	if math.Round(100*p.resultEps) == paperEps100 {
		return ""
	}
	return " at ε = 0.25"
}

// rbfPaper is the paper's FGSM figure for its shallow RBF network (§7).
var rbfPaper, _ = facts.FGSM("rbf")

func (p *rbfPage) renderRBFNumbers() app.UI {
	row := func(name, paperErr, paperConf string) app.UI {
		e, c := "…", "…"
		if r := p.result(name); r != nil {
			e, c = fmtPct(r.Error), fmtPct(r.MistakeConfidence)
		}
		return app.Tr().DataSet("model", name).Body(
			app.Th().Scope("row").Body(app.Span().Class("dot").Style("background", modelColor(name)), app.Text(name)),
			app.Td().Class("ours-error").Body(app.B().Text(e), app.Span().Class("small muted").Text(paperErr)),
			app.Td().Class("ours-conf").Body(app.B().Text(c), app.Span().Class("small muted").Text(paperConf)),
		)
	}
	return app.Div().Class("table-scroll").Body(
		app.Table().ID("rbf-numbers").Class("num-table").Body(
			app.Caption().Class("small muted").Text(fmt.Sprintf("FGSM at ε = %.2f, crafted on each model itself, first %d test digits", p.resultEps, p.resultN)),
			app.THead().Body(app.Tr().Body(app.Th().Text("model"), app.Th().Text("error"), app.Th().Text("confidence on mistakes"))),
			app.TBody().Body(
				row("rbf", " paper "+fmtPct(rbfPaper.Error)+p.paperAt(), " paper "+fmtPct(rbfPaper.Confidence)+p.paperAt()),
				row("mlp", "", ""),
			),
		),
	)
}

// renderHistogram draws the confidence of the mistakes of rbf and mlp as
// grouped SVG bars.
func (p *rbfPage) renderHistogram() app.UI {
	// right leaves room for the last tick's "100%", centred on the axis end.
	const w, h, left, right, bottom, top = 360.0, 210.0, 40.0, 16.0, 36.0, 10.0
	names := []string{"rbf", "mlp"}
	bw := (w - left - right) / histBins
	y := func(v float64) float64 { return top + (h-top-bottom)*(1-v) }
	var kids []app.UI
	kids = append(kids, svgEl("title").Text("Histogram of the confidence of the mistakes, rbf and mlp"))
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		kids = append(kids,
			svgEl("line").Attr("x1", left).Attr("x2", w-right).Attr("y1", f1(y(t))).Attr("y2", f1(y(t))).Attr("stroke", "#e6e3dc"),
			svgEl("text").Attr("x", left-5).Attr("y", f1(y(t))).Attr("dy", "0.32em").Attr("text-anchor", "end").
				Attr("font-size", 10).Attr("fill", "#6b645d").Text(fmt.Sprintf("%.0f%%", 100*t)))
	}
	for b := 0; b <= histBins; b += 2 {
		x := left + float64(b)*bw
		kids = append(kids, svgEl("text").Attr("x", f1(x)).Attr("y", h-bottom+14).Attr("text-anchor", "middle").
			Attr("font-size", 10).Attr("fill", "#6b645d").Text(fmt.Sprintf("%d%%", 10*b)))
	}
	kids = append(kids,
		svgEl("text").Attr("x", f1(left+(w-left)/2)).Attr("y", h-4).Attr("text-anchor", "middle").
			Attr("font-size", 11).Attr("fill", "#1c1917").Text("confidence in the wrong class"),
		svgEl("text").Attr("transform", fmt.Sprintf("translate(11 %s) rotate(-90)", f1(y(0.5)))).
			Attr("text-anchor", "middle").Attr("font-size", 11).Attr("fill", "#1c1917").Text("share of mistakes"))
	for k, name := range names {
		hs := p.hist[name]
		for b, v := range hs {
			x := left + float64(b)*bw + 2 + float64(k)*(bw-4)/2
			kids = append(kids, svgEl("rect").Attr("x", f1(x)).Attr("y", f1(y(v))).
				Attr("width", f1((bw-4)/2)).Attr("height", f1(y(0)-y(v))).Attr("fill", modelColor(name)).Body(
				svgEl("title").Text(fmt.Sprintf("%s: %s of its mistakes have confidence %d–%d%%", name, fmtPct(v), 10*b, 10*b+10))))
		}
	}
	kids = append(kids, svgEl("line").Attr("x1", left).Attr("x2", w-right).Attr("y1", f1(y(0))).Attr("y2", f1(y(0))).Attr("stroke", "#6b645d"))
	return app.Figure().Class("chart hist").Body(
		app.FigCaption().Class("chart-title").Text("How sure is each model of its mistakes?"),
		svgEl("svg").Attr("viewBox", fmt.Sprintf("0 0 %g %g", w, h)).Attr("width", "100%").
			Attr("role", "img").Attr("aria-label", "Histogram of the confidence of the mistakes of rbf and mlp").
			Attr("font-family", "system-ui, sans-serif").Body(kids...),
		app.Ul().Class("chart-legend").Body(
			app.Range(names).Slice(func(i int) app.UI {
				return app.Li().Body(app.Span().Class("dot").Style("background", modelColor(names[i])), app.Span().Text(names[i]))
			}),
		),
		app.P().Class("small muted card-text").Text(
			"mlp is wrong on almost every adversarial digit and nearly sure of it. rbf's class scores exp(−Σⱼ βⱼ(xⱼ − wⱼ)²) fall off away from its centres, fastest along the pixels that never vary within a class (the background FGSM lights up), so on an adversarial digit no class scores high: it is wrong, but says so with low confidence (the paper: "+fmtPct(rbfPaper.Confidence)+")."),
	)
}

// renderMatrix is the transfer matrix, coloured by error rate.
func (p *rbfPage) renderMatrix() app.UI {
	head := []app.UI{app.Th().Body(app.Text("crafted on ↓"), app.Br(), app.Text("shown to →"))}
	for _, name := range modelNames {
		head = append(head, app.Th().Scope("col").Text(name))
	}
	var rows []app.UI
	for i, craft := range modelNames {
		cells := []app.UI{app.Th().Scope("row").Text(craft)}
		for j, target := range modelNames {
			txt, bg, white := "…", "transparent", false
			if p.matrix != nil {
				e := p.matrix[i][j].Error
				txt = fmtPct(e)
				bg, white = cellShade(e)
			}
			cls := "cell"
			if white {
				cls += " dark"
			}
			if i == j {
				cls += " diag"
			}
			cells = append(cells, app.Td().Class(cls).ID(fmt.Sprintf("tm-%d-%d", i, j)).
				DataSet("craft", craft).DataSet("target", target).DataSet("error", txt).
				Style("background", bg).Title(fmt.Sprintf("crafted on %s, evaluated on %s: error %s", craft, target, txt)).Text(txt))
		}
		rows = append(rows, app.Tr().Body(cells...))
	}
	return app.Div().Body(
		app.P().Class("small muted").Text(fmt.Sprintf(
			"FGSM at ε = %.2f crafted on the row's model, shown to the column's model: its error rate over the first %d test digits. Darker is more fooled; the diagonal is each model attacked directly.", p.resultEps, p.resultN)),
		app.Div().Class("table-scroll").Body(
			app.Table().ID("transfer-matrix").Class("num-table matrix").Body(
				app.THead().Body(app.Tr().Body(head...)),
				app.TBody().Body(rows...),
			),
		),
		app.P().Class("small muted card-text").Text(
			"The paper (§8): examples crafted on maxout fool the other models too; on maxout's mistakes, softmax picks maxout's wrong class "+
				fmtPct(facts.PaperFigure("agreement_softmax_maxout").Agreement)+" of the time and rbf "+fmtPct(facts.PaperFigure("agreement_rbf_maxout").Agreement)+". Adversarial examples are a property of the direction, shared by models that are all nearly linear, not of one model's quirks. rbf transfers least, both ways."),
	)
}

// cellShade is the background of a matrix cell for the error rate e, a
// purple as strong as e, and whether its text is white rather than black:
// whichever contrasts more with the purple as painted on the white card.
// One of the two always reaches 4.58:1, above WCAG's 4.5:1 (with a
// near-black instead of black, mid purples reach neither).
func cellShade(e float64) (bg string, white bool) {
	a := 0.08 + 0.8*e
	l := relativeLuminance(blendOnWhite([3]float64{109, 40, 217}, a))
	return fmt.Sprintf("rgba(109, 40, 217, %.3f)", a), contrastRatio(1, l) >= contrastRatio(l, 0)
}

// blendOnWhite is the colour c (0–255 per channel) painted with opacity a
// on white.
func blendOnWhite(c [3]float64, a float64) [3]float64 {
	for i := range c {
		c[i] = 255*(1-a) + c[i]*a
	}
	return c
}

// relativeLuminance is WCAG 2's relative luminance of an sRGB colour
// (0–255 per channel).
func relativeLuminance(c [3]float64) float64 {
	var l float64
	for i, w := range [3]float64{0.2126, 0.7152, 0.0722} {
		v := c[i] / 255
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		l += w * v
	}
	return l
}

// contrastRatio is WCAG 2's contrast ratio of two relative luminances.
func contrastRatio(l1, l2 float64) float64 {
	return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
}
