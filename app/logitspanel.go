package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// logitsPanel is /linear's panel "logits", the paper's Figure 4 (logits.go).
// It loads the maxout network on its own, after the rest of the page.
type logitsPanel struct {
	digit int     // index into the bundled test digits (?digit)
	half  float64 // ε runs over [−half, half] (?range)

	m      *core.Model
	walker *core.PathWalker
	d      *core.Dataset
	fig    *logitsFigure
	failed string

	computeMS, totalMS float64 // the last update: direction, path and 301 ε; all of it
	updates            int     // figures made; the first, at start-up, runs on code not yet optimised
	held               string  // the server's HTML of the panel, until the network is here
}

func (l *logitsPanel) ready() bool { return l.fig != nil }

// parse reads ?digit and ?range.
func (l *logitsPanel) parse(q *linkParams) {
	l.digit = q.intIn("digit", 0, 9999, l.digit)
	l.half = q.fraction("range", logitsRanges[0], logitsRanges[len(logitsRanges)-1], l.half)
}

// loadLogits fetches the maxout network and the digits in the background.
func (p *linearPage) loadLogits(ctx app.Context) {
	ctx.Async(func() {
		m, err := sharedModel(logitsModel)
		var d *core.Dataset
		var w *core.PathWalker
		if err == nil {
			d, err = sharedDigits(testDigits, nil)
		}
		if err == nil {
			w, err = core.NewPathWalker(m)
		}
		ctx.Dispatch(func(ctx app.Context) {
			l := &p.lg
			if err != nil {
				l.failed = "The maxout network or the test digits did not load: " + err.Error()
			} else {
				l.m, l.d, l.walker = m, d, w
				if l.digit >= d.Len() {
					l.digit = 0
				}
				l.recompute()
			}
			l.held = ""
			if p.panel == "logits" {
				p.held = ""
			}
			p.Update()
		})
	})
}

// recompute makes the figure for the current digit and range, and times it.
func (l *logitsPanel) recompute() {
	start := time.Now()
	x := l.d.Image(l.digit)
	f := computeLogits(l.walker, l.m, x, l.digit, l.d.Labels[l.digit], l.half)
	l.computeMS = f.computeMS
	l.fig = f
	l.updates++
	l.totalMS = float64(time.Since(start).Microseconds()) / 1000
}

func (p *linearPage) setLogitsDigit(i int) {
	l := &p.lg
	if l.d == nil {
		return
	}
	n := l.d.Len()
	l.digit = ((i % n) + n) % n
	p.logitsChanged()
}

func (p *linearPage) logitsChanged() {
	setQuery(p.query())
	p.lg.recompute()
	p.Update()
}

func (p *linearPage) onLogitsRange(ctx app.Context, e app.Event) {
	i := ctx.JSSrc().Get("valueAsNumber").Int()
	if i >= 0 && i < len(logitsRanges) && p.lg.d != nil {
		p.lg.half = logitsRanges[i]
		p.logitsChanged()
	}
}

// rangeIndex is the slider position of the range nearest half.
func (l *logitsPanel) rangeIndex() int {
	best := 0
	for i, r := range logitsRanges {
		if math.Abs(r-l.half) < math.Abs(logitsRanges[best]-l.half) {
			best = i
		}
	}
	return best
}

// renderLogits is the panel.
func (p *linearPage) renderLogits() app.UI {
	l := &p.lg
	if l.held != "" && l.fig == nil {
		return app.Raw(l.held)
	}
	state := "loading"
	switch {
	case l.failed != "":
		state = "failed"
	case l.fig != nil:
		state = "ready"
	}
	sec := app.Section().ID("logits").Class("card").Aria("labelledby", "h-logits").DataSet("state", state)
	body := []app.UI{
		heading("h-logits", "4", "Figure 4, live: maxout's logits along the FGSM direction"),
		app.P().Class("lede").Text("Take one test digit x and the FGSM direction s = sign(∇ₓJ(θ, x, y)) for its true label y, and follow the line x + ε·s far beyond the pixel range, without clipping. Each curve is one of the ten logits (the softmax's arguments) of the maxout network. They are piecewise linear in ε, and nearly straight over huge ranges: along the whole line the network behaves like a linear model (§8). Along s (ε > 0) the digit stays correct only for a tiny ε; beyond, the network is wrong, with logits in the hundreds, on inputs that are rubbish. The paper saw a thin band of correct answers around ε = 0; against the gradient (ε < 0) our maxout often keeps the true class, whose logit grows fastest that way."),
	}
	if l.fig == nil {
		msg := "Loading the maxout network and the test digits…"
		if l.failed != "" {
			msg = l.failed
		}
		return sec.Body(append(body, app.P().Class("muted").Text(msg))...)
	}
	f := l.fig
	strip, _ := json.Marshal(stripLogits(f))
	sec = sec.DataSet("digit", f.digit).DataSet("label", f.label).DataSet("pieces", f.path.Pieces()).
		DataSet("range", f.half).DataSet("strip", string(strip)).
		DataSet("ms", l.computeMS).DataSet("total-ms", l.totalMS)
	body = append(body,
		p.logitsControls(),
		app.Div().Class("plot").Body(app.Raw(f.svg())),
		app.Ul().Class("chart-legend lg-legend").Aria("hidden", true).Body(
			app.Range(f.classes).Slice(func(k int) app.UI {
				name := f.classes[k]
				if k == f.label {
					name += " (true class)"
				}
				return app.Li().Body(legendSwatch(legendItem{Color: classColour(k, f.label)}), app.Span().Text(name))
			}),
		),
		app.Div().Class("lg-strip").Role("group").Aria("label", "The inputs x + ε·s at evenly spaced ε").Body(
			app.Range(f.strip).Slice(func(i int) app.UI { return stripFigure(f, f.strip[i]) }),
		),
		app.P().ID("logits-readout").Class("readout").Text(fmt.Sprintf(
			"Digit %d, a %s: %d linear pieces between ε = %g and %g (ticks under the axis: the %d breakpoints, where some unit's winning piece changes). The network says “%s” %s; everywhere else in the range it says something else.",
			f.digit, f.classes[f.label], f.path.Pieces(), -f.half, f.half, len(f.path.Breaks), f.classes[f.label], f.band())),
		app.P().Class("small muted").Text(l.note()),
	)
	return sec.Body(body...)
}

// note says how the figure is made and, once the reader has changed it
// (the first figure runs while the page starts), how long it took.
func (l *logitsPanel) note() string {
	s := "Computed exactly from the linear pieces (core.LogitPath), not by sampling."
	if l.updates > 1 {
		s += fmt.Sprintf(" For this digit, the direction, the path and the logits at %d values of ε took %.1f ms.", logitsSamples, l.computeMS)
	}
	return s + " The strip shows x + ε·s with its values clamped to [0, 1] for display only; the network sees them unclamped. A check mark: classified correctly."
}

func (p *linearPage) logitsControls() app.UI {
	l := &p.lg
	n := l.d.Len()
	return app.Div().Class("lg-controls").Body(
		app.Div().Class("field").Body(
			app.Label().For("lg-digit").Text("Test digit"),
			app.Div().Class("sample-row").Body(
				app.Button().Class("btn").ID("lg-prev").Aria("label", "Previous digit").Text("←").
					OnClick(func(ctx app.Context, e app.Event) { p.setLogitsDigit(l.digit - 1) }),
				app.Input().Type("number").ID("lg-digit").Min(0).Max(n-1).Value(l.digit).
					OnChange(func(ctx app.Context, e app.Event) {
						if i, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && i >= 0 && i < n {
							p.setLogitsDigit(i)
						}
					}),
				app.Button().Class("btn").ID("lg-next").Aria("label", "Next digit").Text("→").
					OnClick(func(ctx app.Context, e app.Event) { p.setLogitsDigit(l.digit + 1) }),
				app.Button().Class("btn").ID("lg-random").Text("Random").
					OnClick(func(ctx app.Context, e app.Event) { p.setLogitsDigit(rand.IntN(n)) }),
			),
		),
		app.Div().Class("field").Body(
			app.Label().For("lg-range").Body(
				app.Text("Range of ε: "),
				app.B().ID("lg-range-value").Text(fmt.Sprintf("−%g to %g", l.half, l.half)),
			),
			app.Input().ID("lg-range").Type("range").Min(0).Max(len(logitsRanges)-1).Step(1).Value(l.rangeIndex()).
				Aria("valuetext", fmt.Sprintf("ε from −%g to %g", l.half, l.half)).OnInput(p.onLogitsRange),
		),
	)
}

// stripFigure is one input of the strip, with what the network says.
func stripFigure(f *logitsFigure, in stripInput) app.UI {
	cls := "lg-input"
	mark := ""
	if in.right {
		cls += " right"
		mark = " ✓"
	}
	return app.Figure().Class(cls).Body(
		app.Img().Class("pix").Src(in.src).Width(28).Height(28).
			Alt(fmt.Sprintf("x + %s·s; the network says %s", epsWord(in.eps), f.classes[in.pred])),
		app.FigCaption().Body(
			app.Span().Class("lg-eps").Text("ε "+tickLabel(in.eps, niceStep(2*f.half, 10))),
			app.Span().Class("lg-says").Text(f.classes[in.pred]+mark),
		),
	)
}

// stripLogits is what the tests read: ε and the logits at each input of
// the strip.
func stripLogits(f *logitsFigure) [][]float64 {
	var out [][]float64
	for _, in := range f.strip {
		out = append(out, append([]float64{in.eps}, f.path.At(in.eps, nil)...))
	}
	return out
}
