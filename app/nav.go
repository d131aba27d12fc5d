package main

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// page is one route of the site, in the order the paper tells its story.
type page struct {
	Path, Title, Section string // Section cites the paper
}

// pages lists every page; the navigation bar links them all.
var pages = []page{
	{"/", "Lab", "§3, Figure 1"},
	{"/linear", "Why: linearity", "§3, §5, Figure 2"},
	{"/sweeps", "ε sweeps", "§4"},
	{"/defence", "Adversarial training", "§6, Figure 3"},
	{"/train", "Train it yourself", "§6"},
	{"/rbf", "RBF & transfer", "§7, §8"},
	{"/rubbish", "Rubbish class", "Appendix"},
}

// pageHref returns the URL of a route wherever the site is deployed (go-app
// passes a sub-path such as /fgsmlab in GOAPP_ROOT_PREFIX).
func pageHref(path string) string {
	return app.Getenv("GOAPP_ROOT_PREFIX") + path
}

// siteNav is the bar of links between the pages; current is the path of the
// page showing it. Embedded pages (?embed=1) leave it out.
func siteNav(current string) app.UI {
	return app.Nav().Class("site-nav").Aria("label", "Pages").Body(
		app.Range(pages).Slice(func(i int) app.UI {
			p := pages[i]
			a := app.A().Href(pageHref(p.Path)).Title(p.Section).Text(p.Title)
			if p.Path == current {
				a = a.Class("current").Aria("current", "page")
			}
			return a
		}),
	)
}

// Both helpers below put a placeholder where they show nothing, so that the
// elements after them keep their places when OnMount turns on embed mode or
// adds a notice: go-app would otherwise re-mount the components that follow,
// and panic.

// pageNav is siteNav(current), or a placeholder in embed mode, and the
// offline bar (the update notice and, not embedded, "Save for offline").
func pageNav(current string, embed bool) app.UI {
	return app.Div().Class("site-bar").Body(
		app.If(!embed, siteNav(current)).Else(app.Span().Class("sr-only")),
		newOfflineBar(embed),
	)
}

// noticeList shows the polite notices about a link's parameters.
// failedNotice says why a page could not load. It keeps its place in the
// page while there is nothing to say: a child inserted before the page's
// components makes go-app mount them twice, panic and exit.
func failedNotice(msg string) app.UI {
	return app.If(msg != "", app.P().Class("notice error").Role("alert").Text(msg)).Else(app.Span().Class("sr-only"))
}

func noticeList(notices []string) app.UI {
	return app.If(len(notices) > 0,
		app.Div().ID("notice").Class("notice").Role("status").Body(
			app.Range(notices).Slice(func(i int) app.UI { return app.P().Text(notices[i]) }),
		),
	).Else(app.Span().Class("sr-only"))
}
