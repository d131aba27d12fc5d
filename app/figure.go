package main

import (
	"fmt"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// figure lays out the result like the paper's Figure 1:
// x + ε·sign(∇ₓJ) = x̃, with η in a diverging colour map, the predictions
// under x and x̃, and a sentence saying whether the attack worked.
type figure struct {
	app.Compo

	out     *outcome
	s       settings
	classes []string
	img     [3]string // x, η and x̃ as PNG data: URLs, "" with no outcome
	live    bool      // the runtime computed the outcome (not the page's HTML)
}

func newFigure() *figure { return &figure{} }

// show displays an outcome; nil shows the empty state.
func (f *figure) show(o *outcome, s settings, classes []string) {
	f.live = true
	f.set(o, s, classes)
	f.Update()
}

// set is show before the figure is mounted.
func (f *figure) set(o *outcome, s settings, classes []string) {
	f.out, f.s, f.classes = o, s, classes
	f.img = [3]string{}
	if o == nil {
		return
	}
	scale := s.Eps()
	if scale == 0 {
		scale = 1.0 / 255
	}
	// Images rather than canvases: the server renders the same elements
	// into the page's HTML, so the first paint shows the result before
	// the runtime arrives, and the runtime's takeover swaps identical
	// images (a data: URL loads at once; nothing flickers).
	f.img = [3]string{
		pixURL(grayRGBA(o.X)),
		pixURL(divergingRGBA(o.Eta, scale)),
		pixURL(grayRGBA(o.Adv)),
	}
}

func (f *figure) Render() app.UI {
	o := f.out
	xCap, advCap := "", ""
	var verdict app.UI = app.P().ID("verdict").Class("verdict muted").Text("Draw a digit or pick a test digit to see the attack.")
	if o != nil {
		xCap = f.caption(o.CleanLabel, o.Clean)
		advCap = f.caption(o.AdvLabel, o.Fool)
		verdict = f.verdict()
	}
	return app.Div().Class("figure").
		DataSet("ready", o != nil && f.live).
		DataSet("clean", label(o, false)).
		DataSet("adv", label(o, true)).
		Body(
			app.Div().Class("eq").Body(
				f.panel("img-x", f.img[0], "x", "the input", xCap),
				app.Span().Class("op").Aria("hidden", true).Text("+"),
				f.panel("img-eta", f.img[1], f.etaTitle(), "η = x̃ − x", f.etaCaption()),
				app.Span().Class("op").Aria("hidden", true).Text("="),
				f.panel("img-adv", f.img[2], "x̃", "the adversarial input", advCap),
			),
			app.Div().Class("legend").Aria("hidden", true).Body(
				app.Span().Text(fmt.Sprintf("−%.3f", f.s.Eps())),
				app.Span().Class("ramp"),
				app.Span().Text(fmt.Sprintf("+%.3f", f.s.Eps())),
			),
			verdict,
		)
}

func (f *figure) panel(id, src, title, alt, caption string) app.UI {
	return app.Figure().Class("panel").Body(
		resultImg(id, src, alt),
		app.FigCaption().Body(
			app.Span().Class("term").Text(title),
			app.Span().Class("pred").Attr("elementtiming", "result").Text(caption),
		),
	)
}

func (f *figure) etaTitle() string {
	switch f.s.Attack {
	case core.AttackTargeted:
		return "−ε·sign(∇ₓJ(x, t))"
	case core.AttackIterative:
		return "η, iterated"
	case core.AttackRandomSign:
		return "ε·(random ±1)"
	}
	return "ε·sign(∇ₓJ)"
}

func (f *figure) etaCaption() string {
	switch f.s.Attack {
	case core.AttackIterative:
		return fmt.Sprintf("%d steps, ‖η‖∞ ≤ %.3f", f.s.Steps, f.s.Eps())
	case core.AttackTargeted:
		return fmt.Sprintf("target %d, ε = %.3f", f.s.Target, f.s.Eps())
	}
	return fmt.Sprintf("ε = %.3f", f.s.Eps())
}

func (f *figure) caption(c int, probs []float64) string {
	return fmt.Sprintf("“%s” %.1f%%", f.className(c), 100*probs[c])
}

func (f *figure) className(c int) string {
	if c < len(f.classes) {
		return f.classes[c]
	}
	return fmt.Sprint(c)
}

func (f *figure) verdict() app.UI {
	o, s := f.out, f.s
	clean, adv := f.className(o.CleanLabel), f.className(o.AdvLabel)
	conf := fmt.Sprintf("%.1f%%", 100*o.Fool[o.AdvLabel])
	var text string
	switch {
	case s.Attack == core.AttackTargeted && o.Success:
		text = fmt.Sprintf("Fooled: the model now reads %s as the target %s, %s sure.", clean, adv, conf)
	case s.Attack == core.AttackTargeted:
		text = fmt.Sprintf("Not there yet: the target is %s but the model says %s. Raise ε.", f.className(s.Target), adv)
	case o.Success && s.Attack == core.AttackRandomSign:
		text = fmt.Sprintf("Random noise this large changed the answer from %s to %s, but FGSM needs far less ε.", clean, adv)
	case o.Success:
		text = fmt.Sprintf("Fooled: the model now says %s (%s) instead of %s, yet no pixel moved by more than ε.", adv, conf, clean)
	case s.Attack == core.AttackRandomSign:
		text = fmt.Sprintf("Still %s: random ±ε noise barely matters. Its direction, not its size, makes FGSM work.", clean)
	case s.Eps255 == 0:
		text = fmt.Sprintf("ε = 0 leaves x unchanged: the model says %s. Move the ε slider.", clean)
	default:
		text = fmt.Sprintf("Not fooled at this ε: still %s (%s). Raise ε.", adv, conf)
	}
	class := "verdict"
	if o.Success {
		class += " success"
	}
	return app.P().ID("verdict").Class(class).Aria("live", "polite").Text(text)
}

// label returns the clean or adversarial label of o as text, "" for nil.
func label(o *outcome, adv bool) string {
	switch {
	case o == nil:
		return ""
	case adv:
		return fmt.Sprint(o.AdvLabel)
	}
	return fmt.Sprint(o.CleanLabel)
}

// resultImg is a 28×28 result image, or a black square of the same size
// while there is none. elementtiming lets the benchmark see when the result
// is on screen.
func resultImg(id, src, alt string) app.UI {
	if src == "" {
		return app.Span().ID(id).Class("pix").Role("img").Aria("label", alt+": none yet")
	}
	return app.Img().ID(id).Class("pix").Src(src).Alt(alt).Width(28).Height(28).Attr("elementtiming", "result")
}
