package main

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// shareBar downloads x̃ as a PNG and copies a link to the current example.
type shareBar struct {
	app.Compo

	link func() string // the URL that reproduces the current example

	adv    []float64 // x̃, nil when there is none
	name   string    // file name stem, such as "fgsmlab-7-to-3"
	status string
}

func newShareBar(link func() string) *shareBar { return &shareBar{link: link} }

// show sets the image to download.
func (s *shareBar) show(o *outcome) {
	s.set(o)
	s.Update()
}

// set is show before the bar is mounted.
func (s *shareBar) set(o *outcome) {
	if o == nil {
		s.adv = nil
	} else {
		s.adv, s.name = o.Adv, fmt.Sprintf("fgsmlab-%d-to-%d", o.CleanLabel, o.AdvLabel)
	}
	s.status = ""
}

func (s *shareBar) Render() app.UI {
	none := s.adv == nil
	// Each accessible name starts with the visible text, so a voice-control
	// user who says what they see ("click PNG ×10") reaches the button.
	return app.Div().Class("share").Body(
		app.Button().ID("dl-28").Class("btn").Disabled(none).
			Aria("label", "Download x̃ 28×28: a PNG of 28 by 28 pixels").Text("Download x̃ 28×28").
			OnClick(func(ctx app.Context, e app.Event) { s.download(1) }),
		app.Button().ID("dl-big").Class("btn").Disabled(none).
			Aria("label", "PNG ×10: download x̃ as a PNG of 280 by 280 pixels").Text("PNG ×10").
			OnClick(func(ctx app.Context, e app.Event) { s.download(10) }),
		app.Button().ID("copy-link").Class("btn primary").Text("Copy link").OnClick(s.onCopy),
		app.Span().Class("status").Role("status").Text(s.status),
	)
}

func (s *shareBar) download(scale int) {
	if s.adv == nil {
		return
	}
	name := s.name + ".png"
	if scale != 1 {
		name = fmt.Sprintf("%s-x%d.png", s.name, scale)
	}
	doc := app.Window().Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", dataURL(encodePNG(s.adv, scale)))
	a.Set("download", name)
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
}

func (s *shareBar) onCopy(ctx app.Context, e app.Event) {
	link := s.link()
	clip := app.Window().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		s.status = "Copying is blocked here; the address bar holds the link."
		return
	}
	done := app.FuncOf(func(this app.Value, args []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) { s.status = "Link copied." })
		return nil
	})
	failed := app.FuncOf(func(this app.Value, args []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) { s.status = "Copying is blocked here; the address bar holds the link." })
		return nil
	})
	clip.Call("writeText", link).Call("then", done, failed)
}
