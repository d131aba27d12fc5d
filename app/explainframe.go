package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// This file holds what the sweep, defence, RBF and training pages share:
// their frame (the header every page has, the navigation, notices), their
// form fields and the colours of the models.

// modelColor is a shipped model's colour on every chart (from the registry
// of shipped models).
func modelColor(name string) string { return facts.Find(name).Color }

// digitCounts are the N a page offers for "over N test digits".
var digitCounts = []int{100, 250, 500, 1000}

// pageFrame is what explainFrame lays out around a page's body.
type pageFrame struct {
	ID      string // of the page's root element
	Path    string // the page's route, marked in the navigation
	Title   string
	Tagline string
	Embed   bool   // ?embed=1: no navigation
	State   string // the root's data-state, for the tests and the style sheet
	Notices []string
	// Query is the link the server rendered the page for (prerender.go);
	// unused in the page.
	Query string
}

// explainFrame lays out a page like the lab: header, navigation (not when
// embedded), notices, then the body.
func explainFrame(f pageFrame, body ...app.UI) app.UI {
	class := "lab explain" + liveClass()
	if f.Embed {
		class += " embed"
	}
	return markRendered(app.Div().ID(f.ID).Class(class).DataSet("state", f.State), f.Query).Body(
		pageHeader(f.Title, f.Tagline),
		pageNav(f.Path, f.Embed),
		noticeList(f.Notices),
		app.Main().Class("explain-main").Body(body...),
	)
}

// pageHeader is every page's header: the logo, the title, the tagline and
// a link to the paper.
func pageHeader(title, tagline string) app.UI {
	return app.Header().Class("top").Body(
		app.Img().Class("logo").Src("/web/icon.svg").Alt(""),
		app.Div().Class("titles").Body(
			app.H1().Text(title),
			app.P().Class("tagline").Text(tagline),
		),
		app.A().Class("paper").Href("https://arxiv.org/abs/1412.6572").Text("The paper: Goodfellow, Shlens & Szegedy, 2015"),
	)
}

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

// setQuery rewrites the address bar's query without reloading (see setURL).
func setQuery(q url.Values) {
	u := *app.Window().URL()
	u.RawQuery = q.Encode()
	setURL(u.String())
}

// addressBar is what setURL has yet to write.
var addressBar struct {
	sync.Mutex
	at      time.Time // when it was last written
	pending string    // the newest address not yet written, if any
}

// setURL shows u in the address bar without reloading or adding to the
// history, at most about four times a second: browsers throttle
// history.replaceState, and a slider asks at every step. The last address
// asked for is always written.
func setURL(u string) {
	const every = 250 * time.Millisecond
	addressBar.Lock()
	defer addressBar.Unlock()
	if wait := every - time.Since(addressBar.at); wait > 0 {
		if addressBar.pending == "" {
			time.AfterFunc(wait, func() {
				addressBar.Lock()
				defer addressBar.Unlock()
				writeURL(addressBar.pending)
			})
		}
		addressBar.pending = u
		return
	}
	writeURL(u)
}

// writeURL replaces the address; the caller holds addressBar's lock.
func writeURL(u string) {
	addressBar.at, addressBar.pending = time.Now(), ""
	app.Window().Get("history").Call("replaceState", nil, "", u)
}
