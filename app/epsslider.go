package main

import (
	"fmt"
	"math"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// epsSlider sets the attack's budget ε. For the max-norm attacks it moves
// in 1/255 steps from 0 to 0.5, and shows ε both as a fraction and in
// 8-bit grey levels (§3: an 8-bit image cannot hold a change below 1/255).
// For the L2 attacks ε bounds the Euclidean length ‖η‖₂, from 0 to 10.
// The attacks that find their own size (DeepFool, C&W, JSMA, L-BFGS) take
// no budget, and the slider says so. The result follows the slider while
// it moves.
type epsSlider struct {
	app.Compo

	onChange func(ctx app.Context, s settings)
	s        settings
}

func newEpsSlider(onChange func(app.Context, settings)) *epsSlider {
	return &epsSlider{onChange: onChange, s: defaultSettings()}
}

// show sets the slider to s's budget.
func (e *epsSlider) show(s settings) {
	if e.s.Attack != s.Attack || e.s.Eps255 != s.Eps255 || e.s.EpsL2 != s.EpsL2 {
		e.s = s
		e.Update()
	}
}

func (e *epsSlider) Render() app.UI {
	s := e.s
	switch {
	case s.sized():
		return app.Div().Class("eps eps-none").Body(
			app.P().ID("eps-none").Body(
				app.Span().Class("eps-name").Text("No ε"),
				app.Span().Class("muted").Text(" this attack has no budget: it looks for the smallest change that works, and the result says how large it was."),
			),
		)
	case s.Attack.L2():
		return e.slider(" the longest the change may be, ‖η‖₂ (its Euclidean length)",
			app.Input().ID("eps").Type("range").Min(0).Max(int(maxEpsL2*epsL2Steps)).Step(1).
				Value(int(math.Round(s.EpsL2*epsL2Steps))).
				Aria("valuetext", fmt.Sprintf("‖η‖₂ at most %.2f", s.EpsL2)).
				OnInput(e.onInput),
			app.B().Text(fmt.Sprintf("%.2f", s.EpsL2)),
			app.Span().Class("muted").Text("L2 norm; changing one pixel from black to white is 1"),
		)
	}
	eps := s.Eps()
	return e.slider(" the most any pixel may change",
		app.Input().ID("eps").Type("range").Min(0).Max(maxEps255).Step(1).
			Value(s.Eps255).
			Aria("valuetext", fmt.Sprintf("%.3f, %d of 255 grey levels", eps, s.Eps255)).
			OnInput(e.onInput),
		app.B().Text(fmt.Sprintf("%.3f", eps)),
		app.Span().Class("muted").Text(fmt.Sprintf("%d/255 grey levels", s.Eps255)),
	)
}

func (e *epsSlider) slider(what string, in app.UI, value ...app.UI) app.UI {
	return app.Div().Class("eps").Body(
		app.Label().For("eps").Body(
			app.Span().Class("eps-name").Text("ε"),
			app.Span().Class("muted").Text(what),
		),
		app.Div().Class("eps-row").Body(
			in,
			app.Output().ID("eps-value").For("eps").Class("eps-value").Body(value...),
		),
	)
}

func (e *epsSlider) onInput(ctx app.Context, ev app.Event) {
	g := ctx.JSSrc().Get("valueAsNumber").Int()
	switch {
	case e.s.Attack.L2() && g >= 0 && g <= maxEpsL2*epsL2Steps:
		e.s.EpsL2 = roundL2(float64(g) / epsL2Steps)
	case !e.s.Attack.L2() && g >= 0 && g <= maxEps255:
		e.s.Eps255 = g
	default:
		return
	}
	e.onChange(ctx, e.s)
}
