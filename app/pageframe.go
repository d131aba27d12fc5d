package main

import (
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The frame of the explanation pages: the header every page has, the
// navigation and the notices; and the models' colours on their charts.

// modelColor is a shipped model's colour on every chart (from the registry
// of shipped models).
func modelColor(name string) string { return facts.Find(name).Color }

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
