package main

import (
	"fmt"
	"math/rand/v2"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// galleryShown is how many bundled test digits the gallery shows; "Random
// sample" draws from all of them.
const galleryShown = 60

// gallery shows bundled MNIST test digits as buttons. The thumbnails are
// one sprite image (a 10-column grid) set once as a CSS variable, so the
// hundred buttons cost no more than their labels.
type gallery struct {
	app.Compo

	onPick func(ctx app.Context, i int)

	labels   []int // labels of the shown digits
	total    int
	sprite   string // data: URL of the sprite
	selected int    // index of the chosen digit, or -1
	failed   string
}

func newGallery(onPick func(app.Context, int)) *gallery {
	return &gallery{onPick: onPick, selected: -1}
}

// show fills the gallery from the bundled digits.
func (g *gallery) show(d *core.Dataset) {
	n := min(d.Len(), galleryShown)
	g.total = d.Len()
	g.labels = d.Labels[:n]
	g.sprite = "url(" + dataURL(spritePNG(d, n)) + ")"
	g.Update()
}

func (g *gallery) fail(msg string) {
	g.failed = msg
	g.Update()
}

// choose marks the digit i as the current input (-1: none).
func (g *gallery) choose(i int) {
	if g.selected != i {
		g.selected = i
		g.Update()
	}
}

func (g *gallery) Render() app.UI {
	status := ""
	if g.total == 0 && g.failed == "" {
		status = "loading…"
	}
	return app.Div().Class("gallery").Body(
		app.Div().Class("row").Body(
			app.H3().Text("Or pick a test digit"),
			app.Span().Class("muted small gallery-status").Text(status),
			app.Button().ID("random").Class("btn").Text("Random sample").
				Disabled(g.total == 0).OnClick(g.onRandom),
		),
		app.If(g.failed != "", app.P().Class("error").Text(g.failed)),
		// Grey squares hold the thumbnails' place until the digits arrive
		// (after the first result), so that nothing below them moves.
		app.If(len(g.labels) == 0, app.Div().Class("thumbs").Aria("hidden", true).Body(
			app.Range(make([]struct{}, galleryShown)).Slice(func(int) app.UI {
				return app.Span().Class("thumb ph")
			}),
		)).Else(app.Div().Class("thumbs").Style("--sprite", g.sprite).Body(
			app.Range(g.labels).Slice(func(i int) app.UI {
				return app.Button().Class("thumb").
					Style("--col", fmt.Sprint(i%10)).Style("--row", fmt.Sprint(i/10)).
					Aria("label", fmt.Sprintf("Test digit %d, a %d", i, g.labels[i])).
					Aria("pressed", i == g.selected).
					DataSet("sample", i).
					Title("Test digit %d (label %d)", i, g.labels[i]).
					OnClick(func(ctx app.Context, e app.Event) { g.onPick(ctx, i) })
			}),
		)),
	)
}

func (g *gallery) onRandom(ctx app.Context, e app.Event) {
	if g.total > 0 {
		g.onPick(ctx, rand.IntN(g.total))
	}
}

// spritePNG lays out the first n ≤ 100 digits in a 10×10 grid.
func spritePNG(d *core.Dataset, n int) []byte {
	pix := make([]byte, 280*280)
	for i := range n {
		px := toBytes(d.Image(i))
		ox, oy := (i%10)*28, (i/10)*28
		for j, v := range px {
			pix[(oy+j/28)*280+ox+j%28] = v
		}
	}
	return writePNG(pix, 280, 280, 1)
}
