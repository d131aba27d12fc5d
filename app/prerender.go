package main

import (
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The explanation pages are rendered by the server with their results
// (each page's OnPreRender runs the same loading and computing as its
// OnMount, natively), so that a visitor reads them before the runtime
// arrives. The runtime cannot adopt their state as the lab adopts its
// example (firstexample.go): it recomputes it. Until it has, the page keeps
// showing the server's HTML as it was (held), so that nothing flickers or
// moves, and its controls say "starting…".

// serverLink is, on the server, the query of the page being rendered, which
// pageLink reads: a page must read its link before its first render (a
// change of structure after it makes go-app panic). The server renders
// one page at a time (render in page.go).
var serverLink string

// prerenderAttr names, on a page's root in the server's HTML, the link the
// page was rendered for, as "q:" and the query, escaped so that go-app may
// write it in an attribute.
const prerenderAttr = "data-rendered-for"

func renderedFor(query string) string { return "q:" + url.QueryEscape(query) }

// markRendered adds prerenderAttr to a page's root on the server; in the
// page it returns root as it is.
func markRendered(root app.HTMLDiv, query string) app.HTMLDiv {
	if app.IsClient {
		return root
	}
	return root.Attr(prerenderAttr, renderedFor(query))
}

// heldHTML returns the server's HTML of the page root id when it was
// rendered for the address the page has; "" otherwise, and after the first
// page of a visit, whose HTML the runtime has replaced.
func heldHTML(id string) string {
	if !app.IsClient {
		return ""
	}
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return ""
	}
	at := el.Call("getAttribute", prerenderAttr)
	query := strings.TrimPrefix(app.Window().Get("location").Get("search").String(), "?")
	if at.IsNull() || at.String() != renderedFor(query) {
		return ""
	}
	return el.Get("outerHTML").String()
}

// liveClass is the class a page's root has once the runtime renders it,
// which hides its "starting…" marks (lab.css).
func liveClass() string {
	if app.IsClient {
		return " page-live"
	}
	return ""
}
