package main

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// bars shows the class probabilities before (x) and after (x̃) the attack,
// one row per class.
type bars struct {
	app.Compo

	classes     []string
	clean, fool []float64
	cleanLabel  int
	advLabel    int
}

func newBars() *bars { return &bars{} }

// show displays the probabilities of an outcome; nil empties the bars.
func (b *bars) show(o *outcome, classes []string) {
	b.set(o, classes)
	b.Update()
}

// set is show before the bars are mounted.
func (b *bars) set(o *outcome, classes []string) {
	if o == nil {
		b.clean, b.fool = nil, nil
	} else {
		b.classes, b.clean, b.fool = classes, o.Clean, o.Fool
		b.cleanLabel, b.advLabel = o.CleanLabel, o.AdvLabel
	}
}

func (b *bars) Render() app.UI {
	return app.Div().Class("bars").Body(
		app.Div().Class("bars-head").Aria("hidden", true).Body(
			app.Span().Class("key key-clean").Text("before, x"),
			app.Span().Class("key key-adv").Text("after, x̃"),
		),
		app.Table().Class("probs").Body(
			app.Caption().Class("sr-only").Text("Class probabilities before and after the attack"),
			app.TBody().Body(
				// Ten empty rows before the first outcome, so that the page
				// does not move when the bars arrive.
				app.Range(make([]struct{}, max(len(b.clean), 10))).Slice(func(c int) app.UI {
					return b.row(c)
				}),
			),
		),
	)
}

func (b *bars) row(c int) app.UI {
	name := fmt.Sprint(c)
	if c < len(b.classes) {
		name = b.classes[c]
	}
	var p0, p1 float64
	cls := "bar-row"
	if c < len(b.clean) {
		p0, p1 = b.clean[c], b.fool[c]
		if c == b.cleanLabel {
			cls += " top-clean"
		}
		if c == b.advLabel {
			cls += " top-adv"
		}
	}
	return app.Tr().Class(cls).Body(
		app.Th().Scope("row").Text(name),
		app.Td().Class("bar-cell").Body(
			// A bar is a picture of a number: role img lets its label be read
			// (an aria-label on a plain div is ignored by screen readers).
			app.Div().Class("bar clean").Style("width", width(p0)).Role("img").
				Aria("label", fmt.Sprintf("before %.1f%%", 100*p0)),
			app.Div().Class("bar adv").Style("width", width(p1)).Role("img").
				Aria("label", fmt.Sprintf("after %.1f%%", 100*p1)),
		),
		app.Td().Class("num").Body(
			app.If(max(p0, p1) >= 0.01,
				app.Span().Class("p-clean").Text(fmt.Sprintf("%.0f", 100*p0)),
				app.Span().Class("arrow").Text(" → "),
				app.Span().Class("p-adv").Attr("elementtiming", "result").Text(fmt.Sprintf("%.0f%%", 100*p1)),
			),
		),
	)
}

func width(p float64) string {
	return fmt.Sprintf("%.1f%%", 100*min(max(p, 0), 1))
}
