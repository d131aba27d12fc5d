package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"gonum.org/v1/gonum/mat"
)

// defencePage is §6 and Figure 3 live: a network and the same network
// trained on the adversarial objective (the paper's maxout pair, or our
// convolutional pair), side by side on one input, their sweeps, their
// first-layer weights, and how examples crafted on one transfer to the
// other. Beside the maxout pair stand §6's controls, the same network
// trained on noise instead of FGSM examples, in the sweeps, the transfer
// table and the weights.
type defencePage struct {
	app.Compo

	embed   bool
	notices []string
	pair    [2]string // one of defencePairs
	sample  int
	eps100  int // ε in hundredths
	n       int

	digits  *core.Dataset
	models  []*core.Model // of names(), once loaded
	job     pageJob
	sweeps  map[string][]core.Result
	transfr [][]core.Result // [craft][target] over names(), ε = 0.25
	resultN int
	single  [2]singleOutcome

	chart *lineChart
}

// defencePairs are the networks the page compares, each with its
// adversarially trained twin: the paper's maxout network (§6) first, then
// our convolutional network, named by the link's pair parameter.
var defencePairs = [][2]string{{"maxout", "maxout-adv"}, {"cnn", "cnn-adv"}}

// defenceModels are the two networks of §6, the page's default pair.
var defenceModels = defencePairs[0]

// defenceControls are shown beside a pair: §6's controls, maxout trained
// with α = 0.5 on ±ε random-sign noise and on U(−ε, ε) noise instead of
// FGSM examples.
var defenceControls = map[string][]string{"maxout": {"maxout-noise-sign", "maxout-noise-uniform"}}

// names are the networks the page compares: the pair, then its controls.
func (p *defencePage) names() []string {
	return append(slices.Clone(p.pair[:]), defenceControls[p.pair[0]]...)
}

func pairNames() []string {
	var names []string
	for _, p := range defencePairs {
		names = append(names, p[0])
	}
	return names
}

// weightFilters is how many first-layer filters each grid shows.
const weightFilters = 48

// singleOutcome is one model on the chosen digit.
type singleOutcome struct {
	eta, adv            []float64
	clean, fool         int
	cleanConf, foolConf float64
}

func newDefencePage() *defencePage {
	p := &defencePage{eps100: 25, n: 500, pair: defenceModels, sweeps: map[string][]core.Result{},
		chart: newLineChart("chart-defence", "", "ε", "error rate")}
	p.chart.empty = "Computing…"
	p.setPair(defenceModels)
	return p
}

func (p *defencePage) setPair(pair [2]string) {
	p.pair = pair
	p.chart.title = fmt.Sprintf("FGSM error against ε: %s and %s", pair[0], pair[1])
	if len(defenceControls[pair[0]]) > 0 {
		p.chart.title += ", and the controls trained on noise"
	}
}

// OnInit reads the link before the first render (see linkParams).
func (p *defencePage) OnInit() {
	q := pageLink()
	p.embed = q.flag("embed", false)
	p.setPair(defencePairs[slices.Index(pairNames(), q.choice("pair", pairNames(), p.pair[0]))])
	p.n = q.count("n", p.n)
	p.eps100 = q.eps100("eps", p.eps100)
	p.sample = q.index("sample", 1000, 0)
	p.notices = q.notices()
}

func (p *defencePage) OnMount(ctx app.Context) { p.load(ctx) }

// load fetches the digits and the pair's models, then computes.
func (p *defencePage) load(ctx app.Context) {
	var d *core.Dataset
	var ms []*core.Model
	pair, names := p.pair, p.names()
	p.job.load(ctx, func() (err error) {
		if d, err = sharedDigits(testDigits, nil); err == nil {
			ms, err = sharedModels(names)
		}
		return err
	}, func(ctx app.Context) {
		if pair != p.pair {
			return // the reader chose another pair meanwhile
		}
		p.digits, p.models = d, ms
		if p.sample >= d.Len() {
			p.sample = 0
		}
		p.Update() // the weight canvases take the filters' size before they are painted
		afterYield(ctx, p.paintWeights)
		p.attackOne()
		p.compute(ctx)
	})
}

func (p *defencePage) OnDismount() { p.job.run.cancel() }

func (p *defencePage) eps() float64 { return float64(p.eps100) / 100 }

// attackOne runs FGSM on the chosen digit against both models of the pair.
func (p *defencePage) attackOne() {
	if p.digits == nil || p.models == nil {
		return
	}
	x := mat.NewDense(1, Pixels, slices.Clone(p.digits.Image(p.sample)))
	y := []int{p.digits.Labels[p.sample]}
	for i, m := range p.models[:2] {
		adv := core.FGSM(m, x, y, core.Options{Epsilon: p.eps()})
		pc := slices.Clone(m.Predict(x).RawRowView(0))
		pa := slices.Clone(m.Predict(adv).RawRowView(0))
		o := singleOutcome{adv: adv.RawRowView(0), eta: core.Perturbation(x, adv).RawMatrix().Data}
		o.clean, o.fool = core.Argmax(pc), core.Argmax(pa)
		o.cleanConf, o.foolConf = pc[o.clean], pa[o.fool]
		p.single[i] = o
	}
	paint("def-x", grayRGBA(x.RawRowView(0)))
	scale := max(p.eps(), 1.0/255)
	for i, name := range p.pair {
		paint("def-eta-"+name, divergingRGBA(p.single[i].eta, scale))
		paint("def-adv-"+name, grayRGBA(p.single[i].adv))
	}
}

// compute runs the sweeps and the transfer numbers over the first N digits:
// FGSM on every network, then the transfer table, then the random-sign
// control on the pair (the controls' noise curves would crowd the chart).
func (p *defencePage) compute(ctx app.Context) {
	p.job.run.cancel()
	p.sweeps, p.transfr, p.resultN = map[string][]core.Result{}, nil, p.n
	x, labels := firstDigits(p.digits, p.n)
	ms, names := p.models, p.names()
	var stages []stage
	add := func(i int, kind core.Attack) {
		key := names[i] + "/" + string(kind)
		r := core.NewSweepRun(ms[i], x, labels, kind, epsGrid(), core.Options{}, sweepSeed)
		stages = append(stages, sweepStage(r, func(res []core.Result) { p.sweeps[key] = res; p.showChart() }))
	}
	for i := range ms {
		add(i, core.AttackFGSM)
	}
	tr := core.NewTransferRun(ms, ms, x, labels, core.Options{Epsilon: facts.PaperEpsilon})
	stages = append(stages, transferStages(tr, func() { p.transfr = tr.Results() })...)
	add(0, core.AttackRandomSign)
	add(1, core.AttackRandomSign)
	p.job.start(ctx, stages, p.Update, func() { ctx.NewActionWithValue(ensembleAction, p.resultN) })
	p.showChart()
	p.rewriteURL()
	p.Update()
}

func (p *defencePage) showChart() {
	var ss []series
	for _, name := range p.names() {
		for _, k := range sweepKinds[:2] {
			if res := p.sweeps[name+"/"+string(k.kind)]; res != nil {
				y := make([]float64, len(res))
				for i, r := range res {
					y[i] = r.Error
				}
				ss = append(ss, series{Name: name + " · " + k.name, Color: modelColor(name), Dash: k.dash, X: epsGrid(), Y: y})
			}
		}
	}
	var refs []refPoint
	for _, name := range p.names() {
		if f, ok := facts.FGSM(name); ok {
			refs = append(refs, refPoint{X: facts.PaperEpsilon, Y: f.Error, Label: name + " FGSM error", Color: modelColor(name)})
		}
	}
	p.chart.show(ss, refs)
}

func (p *defencePage) onCancel(ctx app.Context, e app.Event) {
	if p.job.cancel() {
		p.Update()
	}
}

func (p *defencePage) setSample(ctx app.Context, i int) {
	if p.digits == nil {
		return
	}
	p.sample = (i%p.digits.Len() + p.digits.Len()) % p.digits.Len()
	p.attackOne()
	p.rewriteURL()
	p.Update()
}

func (p *defencePage) rewriteURL() {
	q := url.Values{}
	q.Set("sample", strconv.Itoa(p.sample))
	q.Set("eps", strconv.FormatFloat(p.eps(), 'f', 2, 64))
	q.Set("n", strconv.Itoa(p.n))
	if p.pair != defenceModels {
		q.Set("pair", p.pair[0])
	}
	if p.embed {
		q.Set("embed", "1")
	}
	setQuery(q)
}

// paintWeights draws the first weightFilters first-layer filters of each
// model, each scaled to its own largest |w|, sixteen canvases a task: all
// 96 at once made a long task.
func (p *defencePage) paintWeights(ctx app.Context) {
	type tile struct {
		id   string
		rgba []byte
	}
	var tiles []tile
	names := p.names()
	for i, m := range p.models {
		filters, _ := firstFilters(m, weightFilters)
		for u, w := range filters {
			scale := 0.0
			for _, v := range w {
				scale = max(scale, math.Abs(v))
			}
			tiles = append(tiles, tile{fmt.Sprintf("w-%s-%d", names[i], u), divergingRGBA(w, scale)})
		}
	}
	var from func(ctx app.Context, k int)
	from = func(ctx app.Context, k int) {
		end := min(k+16, len(tiles))
		for _, t := range tiles[k:end] {
			paint(t.id, t.rgba)
		}
		if end < len(tiles) {
			afterYield(ctx, func(ctx app.Context) { from(ctx, end) })
		}
	}
	from(ctx, 0)
}

// firstFilters returns up to k of the first layer's filters and their side:
// a convolution's kernels (of the first input channel), or rows of the
// first dense layer's weights over the 28×28 pixels; for a maxout layer of
// p pieces (rows u·p + piece), the first piece of unit u.
func firstFilters(m *core.Model, k int) ([][]float64, int) {
	for i, l := range m.Layers {
		if c, ok := l.(*core.Conv2D); ok {
			out, in, kh, kw := c.W.Shape[0], c.W.Shape[1], c.W.Shape[2], c.W.Shape[3]
			if kh != kw {
				return nil, 0
			}
			var rows [][]float64
			for o := 0; o < out && len(rows) < k; o++ {
				rows = append(rows, c.W.Data[o*in*kh*kw:(o*in+1)*kh*kw])
			}
			return rows, kh
		}
		d, ok := l.(*core.Dense)
		if !ok {
			continue
		}
		pieces := 1
		if i+1 < len(m.Layers) {
			if mx, ok := m.Layers[i+1].(*core.Maxout); ok {
				pieces = mx.Pieces
			}
		}
		in, out := d.In(), d.Out()
		var rows [][]float64
		for u := 0; u < out/pieces && len(rows) < k; u++ {
			r := u * pieces
			rows = append(rows, d.W.Data[r*in:(r+1)*in])
		}
		return rows, core.ImageSide
	}
	return nil, 0
}

func (p *defencePage) Render() app.UI {
	return explainFrame(pageFrame{ID: "defence", Path: "/defence", Title: "Adversarial training as a defence",
		Tagline: "Train on FGSM examples as you go (α = 0.5, ε = 0.25) and the network resists them, and its weights change (paper §6, Figure 3).",
		Embed:   p.embed, State: p.job.status.String(), Notices: p.notices},
		app.Div().Class("explain-grid").Body(
			app.Section().Class("card").Aria("labelledby", "h-def-input").Body(
				heading("h-def-input", "1", "The same input, both networks"),
				p.renderPicker(),
				p.renderPair(),
			),
			app.Section().Class("card").Aria("labelledby", "h-def-sweep").Body(
				heading("h-def-sweep", "2", "Sweeps and transfer"),
				digitCountField("def-n", p.n, func(ctx app.Context, n int) {
					p.n = n
					if p.digits != nil {
						p.compute(ctx)
					}
				}),
				p.job.progress("def-progress", p.onCancel),
				p.job.failure(),
				p.chart,
				p.renderTransfer(),
			),
			app.Section().Class("card wide").Aria("labelledby", "h-def-weights").Body(
				heading("h-def-weights", "3", "First-layer weights"),
				app.P().Class("small muted card-text").Text(
					"The paper: “the weights of the adversarially trained model were significantly more localized and interpretable” (Figure 3). "+
						p.weightsText()),
				app.Div().Class("weights-pair").Body(
					app.Range(p.names()).Slice(func(i int) app.UI { return p.renderWeights(p.names()[i]) }),
				),
			),
			newEnsemblePanel(),
		),
	)
}

func (p *defencePage) renderPicker() app.UI {
	label := ""
	if p.digits != nil {
		label = fmt.Sprintf("a %d", p.digits.Labels[p.sample])
	}
	return app.Div().Class("def-picker").Body(
		app.Div().Class("field").Body(
			app.Label().For("def-pair").Text("Networks"),
			app.Select().ID("def-pair").OnChange(p.onPair).Body(
				app.Range(defencePairs).Slice(func(i int) app.UI {
					pr := defencePairs[i]
					return app.Option().Value(pr[0]).Text(pr[0] + " and " + pr[1]).Selected(pr == p.pair)
				}),
			),
		),
		app.Div().Class("field").Body(
			app.Label().For("def-sample").Text("Test digit"),
			app.Div().Class("sample-row").Body(
				app.Button().Class("btn").ID("def-prev").Aria("label", "Previous digit").Text("←").
					OnClick(func(ctx app.Context, e app.Event) { p.setSample(ctx, p.sample-1) }),
				app.Input().Type("number").ID("def-sample").Min(0).Max(999).Value(p.sample).
					OnChange(func(ctx app.Context, e app.Event) {
						if i, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && i >= 0 && p.digits != nil && i < p.digits.Len() {
							p.setSample(ctx, i)
						}
					}),
				app.Button().Class("btn").ID("def-next").Aria("label", "Next digit").Text("→").
					OnClick(func(ctx app.Context, e app.Event) { p.setSample(ctx, p.sample+1) }),
				app.Button().Class("btn").ID("def-random").Text("Random").
					OnClick(func(ctx app.Context, e app.Event) {
						if p.digits != nil {
							p.setSample(ctx, rand.IntN(p.digits.Len()))
						}
					}),
				app.Span().Class("muted small").Text(label),
			),
		),
		epsField("def-eps", p.eps100, func(ctx app.Context, v int) {
			p.eps100 = v
			p.attackOne()
			p.rewriteURL()
			p.Update()
		}, nil),
	)
}

func (p *defencePage) renderPair() app.UI {
	return app.Div().Class("def-pair").Body(
		app.Figure().Class("panel def-x").Body(
			app.Canvas().ID("def-x").Class("pix").Width(28).Height(28).Role("img").Aria("label", "The input x"),
			app.FigCaption().Body(app.Span().Class("term").Text("x")),
		),
		app.Range(p.pair[:]).Slice(func(i int) app.UI {
			name, o := p.pair[i], p.single[i]
			verdict := ""
			class := "def-verdict"
			if o.adv != nil {
				verdict = fmt.Sprintf("“%d” %.1f%% → “%d” %.1f%%", o.clean, 100*o.cleanConf, o.fool, 100*o.foolConf)
				if o.fool != o.clean {
					class += " fooled"
				}
			}
			return app.Div().Class("def-model").DataSet("model", name).DataSet("clean", o.clean).DataSet("adv", o.fool).Body(
				app.H3().Body(app.Span().Class("dot").Style("background", modelColor(name)), app.Text(name)),
				app.Div().Class("eq").Body(
					app.Figure().Class("panel").Body(
						app.Canvas().ID("def-eta-"+name).Class("pix").Width(28).Height(28).Role("img").Aria("label", "η for "+name),
						app.FigCaption().Body(app.Span().Class("term").Text("η")),
					),
					app.Figure().Class("panel").Body(
						app.Canvas().ID("def-adv-"+name).Class("pix").Width(28).Height(28).Role("img").Aria("label", "x̃ for "+name),
						app.FigCaption().Body(app.Span().Class("term").Text("x̃")),
					),
				),
				app.P().Class(class).Text(verdict),
			)
		}),
	)
}

// renderTransfer shows the table of every network against every other:
// rows craft, columns evaluate, the pair first, then its controls.
func (p *defencePage) renderTransfer() app.UI {
	names := p.names()
	cell := func(i, j int) app.UI {
		ours := "…"
		if p.transfr != nil {
			ours = fmtPct(p.transfr[i][j].Error)
		}
		paper := ""
		if f, ok := paperTransfer(names[i], names[j]); ok {
			paper = " paper " + fmtPct(f.Error)
		}
		return app.Td().ID(fmt.Sprintf("transfer-%d-%d", i, j)).DataSet("error", ours).Body(
			app.B().Text(ours),
			app.If(paper != "", app.Span().Class("small muted").Text(paper)),
		)
	}
	var noise app.UI // the sentence on §6's controls, when they are shown
	if len(names) == 4 {
		noise = app.P().ID("def-noise").Class("card-text def-noise").Text(p.noiseText())
	}
	return app.Div().Class("transfer").Body(
		app.H3().Text(fmt.Sprintf("Transfer: error at ε = %.2f over the first %d digits", facts.PaperEpsilon, p.resultN)),
		app.Div().Class("table-scroll").Body(app.Table().Class("num-table transfer-table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Body(app.Text("crafted on ↓"), app.Br(), app.Text("shown to →")),
				app.Range(names).Slice(func(j int) app.UI { return app.Th().Text(names[j]) }),
			)),
			app.TBody().Body(
				app.Range(names).Slice(func(i int) app.UI {
					return app.Tr().Body(
						app.Th().Scope("row").Text(names[i]),
						app.Range(names).Slice(func(j int) app.UI { return cell(i, j) }),
					)
				}),
			),
		)),
		app.P().Class("small muted card-text").Text(p.transferText()),
		app.If(noise != nil, noise),
	)
}

// noiseText says what the controls show: computed from the table's
// diagonal (each network's FGSM error at ε = 0.25 on itself), beside the
// paper's figures. It needs the pair and two controls.
func (p *defencePage) noiseText() string {
	names := p.names()
	intro := fmt.Sprintf("§6's controls: %s trained as %s was (α = 0.5, ε = 0.25), but on ±ε random-sign noise (%s) or U(−ε, ε) noise (%s) instead of FGSM examples.",
		names[0], names[1], names[2], names[3])
	if p.transfr == nil {
		return intro
	}
	own := func(i int) float64 { return p.transfr[i][i].Error }
	var ctl []string
	helps := false
	for i := 2; i < len(names); i++ {
		paper := ""
		if f, ok := facts.FGSM(names[i]); ok {
			paper = " (paper: " + fmtPct(f.Error) + ")"
		}
		ctl = append(ctl, fmt.Sprintf("%s on %s%s", names[i], fmtPct(own(i)), paper))
		// Nearer maxout-adv's error than maxout's: noise helped.
		helps = helps || own(0)-own(i) > own(i)-own(1)
	}
	verdict := "Noise of the same size barely helps: a random direction is nearly orthogonal to the gradient, so the network learns nothing about the worst-case direction FGSM takes."
	if helps {
		verdict = "Here noise helped more than the paper found; the adversarially trained network still resists best."
	}
	return fmt.Sprintf("%s On the first %d digits, FGSM at ε = %.2f fools %s, against %s for %s and %s for %s. %s",
		intro, p.resultN, facts.PaperEpsilon, strings.Join(ctl, " and "), fmtPct(own(0)), names[0], fmtPct(own(1)), names[1], verdict)
}

// transferText says what the transfer table shows, with the paper's
// figures for its maxout pair.
func (p *defencePage) transferText() string {
	if p.pair != defencePairs[0] {
		return fmt.Sprintf("Off the diagonal, examples made to fool one network are shown to the other. The paper has no convolutional network on MNIST; "+
			"its maxout pair (choose it above) found the adversarially trained network resists even examples it did not make (%s).",
			fmtPct(facts.Transfer("maxout", "maxout-adv").Error))
	}
	return fmt.Sprintf("Off the diagonal, examples made to fool one network are shown to the other. The paper found %s (maxout's examples on the adversarially trained model) and %s (the reverse): the adversarially trained model resists even examples it did not make. The paper's diagonal is %s and %s.",
		fmtPct(facts.Transfer("maxout", "maxout-adv").Error), fmtPct(facts.Transfer("maxout-adv", "maxout").Error),
		fmtPct(facts.Transfer("maxout", "maxout").Error), fmtPct(facts.Transfer("maxout-adv", "maxout-adv").Error))
}

// paperTransfer is the paper's transfer figure for two models, if it has one.
func paperTransfer(craft, target string) (facts.Figure, bool) {
	if craft == target {
		return facts.FGSM(craft)
	}
	return facts.FindFigure("transfer_" + strings.ReplaceAll(craft, "-", "_") + "_to_" + strings.ReplaceAll(target, "-", "_"))
}

// weightsText says what the weight squares are.
func (p *defencePage) weightsText() string {
	if len(p.models) > 0 {
		if _, side := firstFilters(p.models[0], 1); side != core.ImageSide {
			return fmt.Sprintf("Each square is one of the first convolution's %d×%d kernels: red positive, blue negative, each scaled to its own largest |w|. "+
				"A convolution's filters are small by design, so the paper's contrast (localized against spread out) shows less here than on maxout.", side, side)
		}
	}
	txt := "Each square is one unit's weights over the 28×28 pixels (for maxout, the first of its pieces): red positive, blue negative, each scaled to its own largest |w|."
	if ctl := defenceControls[p.pair[0]]; len(ctl) > 0 {
		txt += " The controls trained on noise (" + strings.Join(ctl, ", ") + ") are there for comparison: does noise localise the weights as FGSM examples do?"
	}
	return txt
}

// onPair switches to another pair of networks.
func (p *defencePage) onPair(ctx app.Context, e app.Event) {
	v := ctx.JSSrc().Get("value").String()
	i := slices.Index(pairNames(), v)
	if i < 0 || defencePairs[i] == p.pair {
		return
	}
	p.job.run.cancel()
	p.setPair(defencePairs[i])
	p.models, p.single, p.sweeps, p.transfr = nil, [2]singleOutcome{}, map[string][]core.Result{}, nil
	p.showChart()
	p.rewriteURL()
	p.Update()
	p.load(ctx)
}

func (p *defencePage) renderWeights(name string) app.UI {
	n, side := weightFilters, core.ImageSide
	for i, m := range p.models {
		if p.names()[i] == name {
			var filters [][]float64
			filters, side = firstFilters(m, weightFilters)
			n = len(filters)
		}
	}
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	return app.Figure().Class("weights").DataSet("model", name).Body(
		app.FigCaption().Body(app.Span().Class("dot").Style("background", modelColor(name)), app.Text(name)),
		app.Div().Class("weight-grid").Body(
			app.Range(ids).Slice(func(i int) app.UI {
				return app.Canvas().ID(fmt.Sprintf("w-%s-%d", name, i)).Class("pix").Width(side).Height(side).
					Title(fmt.Sprintf("%s, unit %d", name, i))
			}),
		),
	)
}
