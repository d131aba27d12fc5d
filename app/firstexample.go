package main

import (
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// A phone on a slow network needs many seconds to fetch and start the
// runtime (app.wasm), so the lab's HTML already shows the result its link
// names: the server computes it natively when it renders the page (`make
// run`) or writes the site (`make site`, where each page has one HTML file
// and so shows the default example). The runtime then starts from that
// same example, carried in the page, and takes over without a visible
// change.

// firstExample is the example a page was rendered with.
type firstExample struct {
	// Link is the query string the example was computed for ("" for the
	// plain link). The runtime adopts the example only when its own
	// address has exactly this query.
	Link    string
	Out     outcome
	Card    modelCard
	Classes []string
}

// firstExampleID is the hidden element that carries the example, as JSON
// text, in the server's HTML.
const firstExampleID = "first-example"

// exampleKind says, for the page's CSS, which link the pre-rendered result
// belongs to: "default" for the plain link, "link" for the link the server
// was asked for, "" when there is none. A plain-link page opened with other
// parameters (the static site, or a page the service worker kept) shows
// placeholders instead of an example the link did not name; see the
// head script in page.go.
func (e *firstExample) kind() string {
	switch {
	case e == nil:
		return ""
	case e.Link == "":
		return "default"
	}
	return "link"
}

// readFirstExample returns the example the server rendered into this page,
// if its link is the page's own; nil otherwise, and always after the first
// page of a visit, whose HTML the runtime has replaced.
func readFirstExample() *firstExample {
	if !app.IsClient {
		return nil
	}
	el := app.Window().GetElementByID(firstExampleID)
	if !el.Truthy() {
		return nil
	}
	var e firstExample
	if json.Unmarshal([]byte(el.Get("textContent").String()), &e) != nil {
		return nil
	}
	query := strings.TrimPrefix(app.Window().Get("location").Get("search").String(), "?")
	if e.Link != query || len(e.Out.X) != Pixels || len(e.Out.Clean) == 0 {
		return nil
	}
	return &e
}

// exampleData renders the example as the hidden element readFirstExample
// reads (go-app escapes the text; an attribute would not be safe).
func exampleData(e *firstExample) app.UI {
	if e == nil {
		return nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil
	}
	return app.Div().ID(firstExampleID).Hidden(true).Text(string(b))
}
