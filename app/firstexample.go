package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
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
	attr := func(k string) string { return el.Call("getAttribute", "data-"+k).String() }
	e, err := decodeExample(el.Get("textContent").String(), attr("x"), attr("adv"), attr("eta"))
	if err != nil {
		return nil
	}
	query := strings.TrimPrefix(app.Window().Get("location").Get("search").String(), "?")
	if e.Link != query || len(e.Out.X) != Pixels || len(e.Out.Clean) == 0 {
		return nil
	}
	return e
}

// exampleData renders the example as the hidden element readFirstExample
// reads: JSON text (go-app escapes the text; an attribute would not be
// safe) with the three images as base64 of their float64 bits
// (little-endian) in attributes. They decode exactly, as the takeover
// needs, and without encoding/json, which took 43–134 ms of a cold start
// under Node's WebAssembly for the 2,352 numbers as decimal text, against
// 6–27 ms now (BenchmarkDecode of the session's note).
func exampleData(e *firstExample) app.UI {
	if e == nil {
		return nil
	}
	text, x, adv, eta, err := encodeExample(e)
	if err != nil {
		return nil
	}
	return app.Div().ID(firstExampleID).Hidden(true).DataSet("x", x).DataSet("adv", adv).DataSet("eta", eta).Text(text)
}

// encodeExample returns the example without its images as JSON, and the
// images.
func encodeExample(e *firstExample) (text, x, adv, eta string, err error) {
	rest := *e
	rest.Out.X, rest.Out.Adv, rest.Out.Eta = nil, nil, nil
	b, err := json.Marshal(rest)
	return string(b), floatsBase64(e.Out.X), floatsBase64(e.Out.Adv), floatsBase64(e.Out.Eta), err
}

// decodeExample reads what encodeExample wrote.
func decodeExample(text, x, adv, eta string) (*firstExample, error) {
	var e firstExample
	if err := json.Unmarshal([]byte(text), &e); err != nil {
		return nil, err
	}
	var err error
	for _, f := range []struct {
		dst *[]float64
		src string
	}{{&e.Out.X, x}, {&e.Out.Adv, adv}, {&e.Out.Eta, eta}} {
		if *f.dst, err = base64Floats(f.src); err != nil {
			return nil, err
		}
	}
	if len(e.Out.Adv) != len(e.Out.X) || len(e.Out.Eta) != len(e.Out.X) {
		return nil, fmt.Errorf("images of %d, %d and %d pixels", len(e.Out.X), len(e.Out.Adv), len(e.Out.Eta))
	}
	return &e, nil
}

func floatsBase64(v []float64) string {
	b := make([]byte, 8*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func base64Floats(s string) ([]float64, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("%d bytes are not float64s", len(b))
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v, nil
}
