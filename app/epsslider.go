package main

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// epsSlider sets ε in 1/255 steps from 0 to 0.5, and shows it both as a
// fraction and in 8-bit grey levels (§3: an 8-bit image cannot hold a
// change below 1/255). The result follows the slider while it moves.
type epsSlider struct {
	app.Compo

	onChange func(ctx app.Context, eps255 int)
	eps255   int
}

func newEpsSlider(onChange func(app.Context, int)) *epsSlider {
	return &epsSlider{onChange: onChange, eps255: defaultSettings().Eps255}
}

// show sets the slider to eps255/255.
func (e *epsSlider) show(eps255 int) {
	if e.eps255 != eps255 {
		e.eps255 = eps255
		e.Update()
	}
}

func (e *epsSlider) Render() app.UI {
	eps := float64(e.eps255) / 255
	return app.Div().Class("eps").Body(
		app.Label().For("eps").Body(
			app.Span().Class("eps-name").Text("ε"),
			app.Span().Class("muted").Text(" the most any pixel may change"),
		),
		app.Div().Class("eps-row").Body(
			app.Input().ID("eps").Type("range").Min(0).Max(maxEps255).Step(1).
				Value(e.eps255).
				Aria("valuetext", fmt.Sprintf("%.3f, %d of 255 grey levels", eps, e.eps255)).
				OnInput(e.onInput),
			app.Output().ID("eps-value").For("eps").Class("eps-value").Body(
				app.B().Text(fmt.Sprintf("%.3f", eps)),
				app.Span().Class("muted").Text(fmt.Sprintf("%d/255 grey levels", e.eps255)),
			),
		),
	)
}

func (e *epsSlider) onInput(ctx app.Context, ev app.Event) {
	if g := ctx.JSSrc().Get("valueAsNumber").Int(); g >= 0 && g <= maxEps255 {
		e.eps255 = g
		e.onChange(ctx, g)
	}
}
