package main

import (
	"fmt"
	"time"

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
	// running says what is computing the next outcome, "" when nothing
	// is: the outcome on screen is then about to be replaced.
	running string
}

// pending marks the outcome shown as about to be replaced by what running
// computes ("" when nothing is).
func (f *figure) pending(running string) {
	if f.running != running {
		f.running = running
		f.Update()
	}
}

func newFigure() *figure { return &figure{s: defaultSettings()} }

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
	scale := etaScale(o, s)
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
	class := "figure"
	if f.running != "" {
		class += " stale"
	}
	return app.Div().Class(class).
		DataSet("ready", o != nil && f.live && f.running == "").
		DataSet("running", f.running != "").
		DataSet("clean", label(o, false)).
		DataSet("adv", label(o, true)).
		DataSet("eps255", epsOf(o, f.s)).
		Body(
			app.Div().Class("eq").Body(
				f.panel("img-x", f.img[0], "x", "the input", xCap),
				app.Span().Class("op").Aria("hidden", true).Text("+"),
				f.panel("img-eta", f.img[1], f.etaTitle(), "η = x̃ − x", f.etaCaption()),
				app.Span().Class("op").Aria("hidden", true).Text("="),
				f.panel("img-adv", f.img[2], "x̃", "the adversarial input", advCap),
			),
			app.Div().Class("legend").Aria("hidden", true).Body(
				app.Span().Text(fmt.Sprintf("−%.3f", etaScale(o, f.s))),
				app.Span().Class("ramp"),
				app.Span().Text(fmt.Sprintf("+%.3f", etaScale(o, f.s))),
			),
			verdict,
			app.P().ID("took").Class("took muted").Text(f.took()),
		)
}

// epsOf is the ε, in grey levels, of the outcome on screen ("" with none):
// the ε readout moves with the slider at once, the outcome a moment later.
func epsOf(o *outcome, s settings) string {
	if o == nil {
		return ""
	}
	return fmt.Sprint(s.Eps255)
}

// took says how long the outcome took, or what is computing the next.
func (f *figure) took() string {
	switch {
	case f.running != "":
		return f.running
	case f.out == nil || f.out.Took == 0:
		return ""
	case f.out.Took < 10*time.Millisecond:
		return fmt.Sprintf("Computed in %.2f ms on this device.", float64(f.out.Took)/float64(time.Millisecond))
	}
	return fmt.Sprintf("Computed in %.0f ms on this device.", float64(f.out.Took)/float64(time.Millisecond))
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

// etaScale is the value the ends of η's colour map stand for: ε for the
// max-norm attacks, and the largest change of a pixel for the others,
// whose ε bounds another norm or which have none.
func etaScale(o *outcome, s settings) float64 {
	scale := s.Eps()
	if o != nil && (s.Attack.L2() || s.sized()) {
		scale = o.LInf
	}
	return max(scale, 1.0/255)
}

func (f *figure) etaTitle() string {
	switch f.s.Attack {
	case core.AttackFGSM:
		return "ε·sign(∇ₓJ)"
	case core.AttackTargeted:
		return "−ε·sign(∇ₓJ(x, t))"
	case core.AttackRandomSign:
		return "ε·(random ±1)"
	case core.AttackFGM:
		return "ε·∇ₓJ/‖∇ₓJ‖₂"
	}
	return "η, " + attackInfo(f.s.Attack).Short
}

// etaCaption gives η's size: the budget it kept to, and what the attacks
// without one found.
func (f *figure) etaCaption() string {
	s, o := f.s, f.out
	switch {
	case s.Attack == core.AttackJSMA && o != nil:
		return fmt.Sprintf("target %d, %d pixels changed (%.1f%%)", s.Target, o.L0, 100*float64(o.L0)/float64(len(o.Eta)))
	case s.sized() && o != nil && s.Attack.Targeted():
		return fmt.Sprintf("target %d, found ‖η‖₂ = %.2f", s.Target, o.L2)
	case s.sized() && o != nil:
		return fmt.Sprintf("found ‖η‖₂ = %.2f (‖η‖∞ = %.3f)", o.L2, o.LInf)
	case s.Attack.L2():
		return fmt.Sprintf("‖η‖₂ ≤ %.2f", s.EpsL2)
	case s.Attack == core.AttackTargeted:
		return fmt.Sprintf("target %d, ε = %.3f", s.Target, s.Eps())
	case takes(s.Attack, pSteps):
		return fmt.Sprintf("%s steps, ‖η‖∞ ≤ %.3f", stepsText(s), s.Eps())
	}
	return fmt.Sprintf("ε = %.3f", s.Eps())
}

// stepsText is the number of steps of s's attack, or "auto".
func stepsText(s settings) string {
	if n := s.Params[pSteps]; n > 0 {
		return fmt.Sprint(n)
	}
	return "auto"
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
	name := attackInfo(s.Attack).Short
	switch {
	case s.Attack.Targeted() && o.Success:
		text = fmt.Sprintf("Fooled: the model now reads %s as the target %s, %s sure.", clean, adv, conf)
	case s.sized() && !o.Success:
		text = fmt.Sprintf("%s found no adversarial example within its limits: the model still says %s. Give it more steps, or a larger c.", name, adv)
	case s.Attack.Targeted():
		text = fmt.Sprintf("Not there yet: the target is %s but the model says %s. Raise ε.", f.className(s.Target), adv)
	case s.sized():
		text = fmt.Sprintf("Fooled: the model now says %s (%s) instead of %s. %s needed a change of length ‖η‖₂ = %.2f.", adv, conf, clean, name, o.L2)
	case o.Success && s.Attack.L2():
		text = fmt.Sprintf("Fooled: the model now says %s (%s) instead of %s, with a change of length ‖η‖₂ ≤ %.2f.", adv, conf, clean, s.EpsL2)
	case o.Success && s.Attack == core.AttackRandomSign:
		text = fmt.Sprintf("Random noise this large changed the answer from %s to %s, but FGSM needs far less ε.", clean, adv)
	case o.Success:
		text = fmt.Sprintf("Fooled: the model now says %s (%s) instead of %s, yet no pixel moved by more than ε.", adv, conf, clean)
	case s.Attack == core.AttackRandomSign:
		text = fmt.Sprintf("Still %s: random ±ε noise barely matters. Its direction, not its size, makes FGSM work.", clean)
	case s.Attack.L2() && s.EpsL2 == 0 || !s.Attack.L2() && s.Eps255 == 0:
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
