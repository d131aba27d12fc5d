package main

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// Form fields and formats the explanation pages share.

// digitCounts are the N a page offers for "over N test digits".
var digitCounts = []int{100, 250, 500, 1000}

// epsField is an ε slider from 0 to 0.5 in hundredths. onInput runs at
// every step of a drag and onChange when it is let go; either may be nil.
func epsField(id string, eps100 int, onInput, onChange func(ctx app.Context, eps100 int)) app.UI {
	eps := float64(eps100) / 100
	read := func(f func(app.Context, int)) app.EventHandler {
		return func(ctx app.Context, e app.Event) {
			if v, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && v >= 0 && v <= 50 && f != nil {
				f(ctx, v)
			}
		}
	}
	return app.Div().Class("field").Body(
		app.Label().For(id).Body(app.Text("ε = "), app.B().ID(id+"-value").Text(fmt.Sprintf("%.2f", eps))),
		app.Input().Type("range").ID(id).Min(0).Max(50).Step(1).Value(eps100).
			Aria("valuetext", fmt.Sprintf("epsilon %.2f", eps)).
			OnInput(read(onInput)).OnChange(read(onChange)),
	)
}

// digitCountField is the "over N test digits" select.
func digitCountField(id string, n int, onChange func(app.Context, int)) app.UI {
	return app.Div().Class("field").Body(
		app.Label().For(id).Text("Test digits (N)"),
		app.Select().ID(id).OnChange(func(ctx app.Context, e app.Event) {
			if v, err := strconv.Atoi(ctx.JSSrc().Get("value").String()); err == nil && slices.Contains(digitCounts, v) {
				onChange(ctx, v)
			}
		}).Body(
			app.Range(digitCounts).Slice(func(i int) app.UI {
				c := digitCounts[i]
				return app.Option().Value(strconv.Itoa(c)).Selected(c == n).Text(fmt.Sprintf("the first %d", c))
			}),
		),
	)
}

// fmtPct formats a fraction as a percentage with one decimal.
func fmtPct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// epsGrid is ε from 0 to 0.5 in steps of 0.05: eleven points, 0.25 among
// them exactly.
func epsGrid() []float64 {
	e := make([]float64, 11)
	for i := range e {
		e[i] = float64(i) / 20
	}
	return e
}
