package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// logitsPanel is /linear's panel "logits", the paper's Figure 4 (logits.go).
// It loads the maxout network on its own, after the rest of the page. It
// is a component of its own, so that a new digit re-renders the panel and
// not the whole page; and it computes the figures the reader is likely to
// ask for next (the digits beside this one and the next random one) while
// the page is idle, so that those show in the next frame.
type logitsPanel struct {
	app.Compo

	digit int     // index into the bundled test digits (?digit)
	half  float64 // ε runs over [−half, half] (?range)

	m      *core.Model
	walker *core.PathWalker
	d      *core.Dataset
	fig    *logitsFigure
	failed string

	computeMS, totalMS float64 // the shown figure: direction, path and 301 ε; all of it
	ahead              bool    // the shown figure was computed ahead, while the page was idle
	updates            int     // figures shown; the first, at start-up, runs on code not yet optimised
	held               string  // the server's HTML of the panel, until the network is here

	linked     func() // writes the page's link after a change
	cache      map[logitsKey]*logitsFigure
	nextRandom int         // the digit Random shows next, drawn ahead so that its figure can be
	prefetch   int         // bumped by each change: a pending prefetch of an older one stops
	made       int         // figures computed
	wanted     []logitsKey // the figures refresh computes ahead, kept in the cache
	typing     int         // bumped by each key typed in the digit box: a pending computation of an older value stops
}

// logitsKey names a figure: a digit and a range.
type logitsKey struct {
	digit int
	half  float64
}

// logitsCached is how many figures the panel keeps: the shown one, the
// five computed ahead (refresh), a typed one and a few recent ones.
const logitsCached = 10

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
			l := p.lg
			if err != nil {
				l.failed = "The maxout network or the test digits did not load: " + err.Error()
			} else {
				l.m, l.d, l.walker = m, d, w
				if l.digit >= d.Len() {
					l.digit = 0
				}
				l.drawRandom(l.digit)
				l.show()
			}
			l.held = ""
			if p.panel == "logits" {
				p.held = ""
			}
			p.Update()
			if l.Mounted() {
				l.Update()
			}
			if err == nil {
				l.refresh(ctx, false)
			}
		})
	})
}

// show makes the figure for the current digit and range the shown one,
// computing it unless it was computed ahead.
func (l *logitsPanel) show() {
	k := logitsKey{l.digit, l.half}
	f, ok := l.cache[k]
	if !ok {
		f = l.compute(k)
	}
	l.fig, l.ahead, l.computeMS, l.totalMS = f, ok, f.computeMS, f.totalMS
	l.updates++
}

// compute makes the figure of k, with everything its render needs, and
// keeps it.
func (l *logitsPanel) compute(k logitsKey) *logitsFigure {
	start := time.Now()
	f := computeLogits(l.walker, l.m, l.d.Image(k.digit), k.digit, l.d.Labels[k.digit], k.half)
	f.live = liveHTML(f)
	f.totalMS = float64(time.Since(start).Microseconds()) / 1000
	if l.cache == nil {
		l.cache = map[logitsKey]*logitsFigure{}
	}
	if len(l.cache) >= logitsCached { // drop the oldest but the shown one and those wanted next
		var old *logitsFigure
		for c, f := range l.cache {
			if f != l.fig && !slices.Contains(l.wanted, c) && (old == nil || f.made < old.made) {
				old = f
			}
		}
		if old != nil {
			delete(l.cache, logitsKey{old.digit, old.half})
		}
	}
	l.made++
	f.made = l.made
	l.cache[k] = f
	return f
}

// refresh, after the frame that shows the new figure, writes the page's
// link (with link) and computes the figures the reader may ask for next,
// one per task, so that input never waits long: the digits beside this
// one, the next random one, and this digit at the range slider's stops
// beside this one.
func (l *logitsPanel) refresh(ctx app.Context, link bool) {
	l.prefetch++
	if app.IsServer {
		return
	}
	gen, n := l.prefetch, l.d.Len()
	want := []logitsKey{{(l.digit + 1) % n, l.half}, {(l.digit + n - 1) % n, l.half}, {l.nextRandom, l.half}}
	if r := l.rangeIndex(); logitsRanges[r] == l.half { // the slider's next stops, either way
		for _, j := range []int{r + 1, r - 1} {
			if j >= 0 && j < len(logitsRanges) {
				want = append(want, logitsKey{l.digit, logitsRanges[j]})
			}
		}
	}
	l.wanted = want
	var step func(i int)
	step = func(i int) {
		ctx.Async(func() {
			time.Sleep(20 * time.Millisecond)
			// Defer, not Dispatch: a dispatch would re-render its source.
			ctx.Defer(func(ctx app.Context) {
				if gen != l.prefetch {
					return // the reader moved on
				}
				if link && i == 0 {
					l.linked()
				}
				for i < len(want) && l.cache[want[i]] != nil {
					i++
				}
				if i < len(want) {
					l.compute(want[i])
					step(i + 1)
				}
			})
		})
	}
	step(0)
}

// typed computes, shortly after the reader typed into the digit box, the
// figure of the number typed so far, so that it is ready when the reader
// commits it (Enter, or leaving the box), a tenth of a second or more
// later. A burst of keys computes only its last value.
func (l *logitsPanel) typed(ctx app.Context, v string) {
	ctx.PreventUpdate()
	l.typing++
	i, err := strconv.Atoi(v)
	if app.IsServer || err != nil || l.d == nil || i < 0 || i >= l.d.Len() {
		return
	}
	gen, k := l.typing, logitsKey{i, l.half}
	ctx.Async(func() {
		time.Sleep(typingPause)
		ctx.Defer(func(ctx app.Context) {
			if gen == l.typing && l.cache[k] == nil {
				l.compute(k).typed = true
			}
		})
	})
}

// typingPause is how long the digit box waits after a key before it
// computes the number typed: people type digits 100–300 ms apart.
const typingPause = 40 * time.Millisecond

// drawRandom draws the digit Random shows next, other than digit (the
// one about to be shown).
func (l *logitsPanel) drawRandom(digit int) {
	n := l.d.Len()
	for l.nextRandom = rand.IntN(n); l.nextRandom == digit && n > 1; {
		l.nextRandom = rand.IntN(n)
	}
}

func (l *logitsPanel) setDigit(ctx app.Context, i int) {
	if l.d == nil {
		return
	}
	n := l.d.Len()
	l.digit = ((i % n) + n) % n
	l.changed(ctx)
}

// changed shows the figure after the reader changed the digit or the
// range. It paints the panel itself (paint) and keeps go-app from
// re-rendering anything: go-app would re-render every component above the
// control, the whole page, at its next tick.
func (l *logitsPanel) changed(ctx app.Context) {
	ctx.PreventUpdate()
	l.show()
	if !l.paint() && l.Mounted() {
		l.Update()
	}
	l.refresh(ctx, true)
}

func (l *logitsPanel) onRange(ctx app.Context, e app.Event) {
	i := ctx.JSSrc().Get("valueAsNumber").Int()
	if i >= 0 && i < len(logitsRanges) && l.d != nil {
		l.half = logitsRanges[i]
		l.changed(ctx)
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

func (l *logitsPanel) Render() app.UI {
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
	sec = sec.DataSet("digit", f.digit).DataSet("label", f.label).DataSet("pieces", f.path.Pieces()).
		DataSet("range", f.half).DataSet("strip", f.stripJSON).
		DataSet("ms", l.computeMS).DataSet("total-ms", l.totalMS).DataSet("ahead", l.ahead)
	body = append(body,
		l.controls(),
		app.Raw(`<div id="lg-live">`+f.live+`</div>`),
		app.P().ID("lg-note").Class("small muted").Text(l.note()),
	)
	return sec.Body(body...)
}

// liveHTML is the part of the panel that changes with the figure (the
// chart, its legend, the strip and the readout) as HTML, which paint
// writes into the page at once.
func liveHTML(f *logitsFigure) string {
	return app.HTMLString(app.Div().Class("plot").Body(app.Raw(f.svg()))) +
		app.HTMLString(app.Ul().Class("chart-legend lg-legend").Aria("hidden", true).Body(
			app.Range(f.classes).Slice(func(k int) app.UI {
				name := f.classes[k]
				if k == f.label {
					name += " (true class)"
				}
				return app.Li().Body(legendSwatch(legendItem{Color: classColour(k, f.label)}), app.Span().Text(name))
			}),
		)) +
		app.HTMLString(app.Div().Class("lg-strip").Role("group").Aria("label", "The inputs x + ε·s at evenly spaced ε").Body(
			app.Range(f.strip).Slice(func(i int) app.UI { return stripFigure(f, f.strip[i]) }),
		)) +
		app.HTMLString(app.P().ID("logits-readout").Class("readout").Text(fmt.Sprintf(
			"Digit %d, a %s: %d linear pieces between ε = %g and %g (ticks under the axis: the %d breakpoints, where some unit's winning piece changes). The network says “%s” %s; everywhere else in the range it says something else.",
			f.digit, f.classes[f.label], f.path.Pieces(), -f.half, f.half, len(f.path.Breaks), f.classes[f.label], f.band())))
}

// paint shows the current figure by writing the page directly, within
// the task of the reader's change: go-app would apply a re-render at its
// next engine tick, up to 8 ms later, and diff the whole panel. The part
// that changes is HTML that go-app does not diff (#lg-live, an app.Raw
// whose element stays in place), and the few attributes and texts
// outside it are set here; a later render of the panel writes the same.
// It reports false when the panel is not in the page yet.
func (l *logitsPanel) paint() bool {
	win := app.Window()
	sec, live := win.GetElementByID("logits"), win.GetElementByID("lg-live")
	if app.IsServer || !sec.Truthy() || !live.Truthy() {
		return false
	}
	f := l.fig
	live.Set("innerHTML", f.live)
	ds := sec.Get("dataset")
	for k, v := range map[string]any{
		"digit": f.digit, "label": f.label, "pieces": f.path.Pieces(), "range": f.half, "strip": f.stripJSON,
		"ms": l.computeMS, "totalMs": l.totalMS, "ahead": l.ahead,
	} {
		ds.Set(k, fmt.Sprint(v))
	}
	set := func(id, prop, v string) { // a missing element must not stop Go
		if el := win.GetElementByID(id); el.Truthy() {
			el.Set(prop, v)
		}
	}
	set("lg-note", "textContent", l.note())
	set("lg-digit", "value", strconv.Itoa(l.digit))
	set("lg-range-value", "textContent", rangeWords(l.half))
	if el := win.GetElementByID("lg-range"); el.Truthy() {
		el.Call("setAttribute", "aria-valuetext", rangeValueText(l.half))
	}
	return true
}

func rangeWords(half float64) string     { return fmt.Sprintf("−%g to %g", half, half) }
func rangeValueText(half float64) string { return fmt.Sprintf("ε from −%g to %g", half, half) }

// note says how the figure is made and, once the reader has changed it
// (the first figure runs while the page starts), how long it took.
func (l *logitsPanel) note() string {
	s := "Computed exactly from the linear pieces (core.LogitPath), not by sampling."
	if l.updates > 1 {
		s += fmt.Sprintf(" For this digit, the direction, the path and the logits at %d values of ε took %.1f ms", logitsSamples, l.computeMS)
		switch {
		case l.ahead && l.fig.typed:
			s += ", computed while you typed it"
		case l.ahead:
			s += ", computed ahead while the page was idle"
		}
		s += "."
	}
	return s + " The strip shows x + ε·s with its values clamped to [0, 1] for display only; the network sees them unclamped. A check mark: classified correctly."
}

func (l *logitsPanel) controls() app.UI {
	n := l.d.Len()
	return app.Div().Class("lg-controls").Body(
		app.Div().Class("field").Body(
			app.Label().For("lg-digit").Text("Test digit"),
			app.Div().Class("sample-row").Body(
				app.Button().Class("btn").ID("lg-prev").Aria("label", "Previous digit").Text("←").
					OnClick(func(ctx app.Context, e app.Event) { l.setDigit(ctx, l.digit-1) }),
				app.Input().Type("number").ID("lg-digit").Min(0).Max(n-1).Value(l.digit).
					OnInput(func(ctx app.Context, e app.Event) { l.typed(ctx, ctx.JSSrc().Get("value").String()) }).
					OnChange(func(ctx app.Context, e app.Event) {
						if i, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && i >= 0 && i < n {
							l.setDigit(ctx, i)
						}
					}),
				app.Button().Class("btn").ID("lg-next").Aria("label", "Next digit").Text("→").
					OnClick(func(ctx app.Context, e app.Event) { l.setDigit(ctx, l.digit+1) }),
				app.Button().Class("btn").ID("lg-random").Text("Random").
					OnClick(func(ctx app.Context, e app.Event) {
						i := l.nextRandom
						l.drawRandom(i)
						l.setDigit(ctx, i)
					}),
			),
		),
		app.Div().Class("field").Body(
			app.Label().For("lg-range").Body(
				app.Text("Range of ε: "),
				app.B().ID("lg-range-value").Text(rangeWords(l.half)),
			),
			app.Input().ID("lg-range").Type("range").Min(0).Max(len(logitsRanges)-1).Step(1).Value(l.rangeIndex()).
				Aria("valuetext", rangeValueText(l.half)).OnInput(l.onRange),
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
