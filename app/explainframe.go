package main

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// This file holds what the sweep, defence and RBF pages share: their frame
// (the lab's header, the navigation, notices), their URL parameters, the
// colours of the models and a progress bar with a cancel button.

// modelColor gives each shipped model one colour on every chart.
var modelColor = map[string]string{
	"mlp":        "#6d28d9", // the accent
	"softmax":    "#d97706",
	"maxout":     "#dc2626",
	"maxout-adv": "#0f766e",
	"rbf":        "#2563eb",
}

// digitCounts are the N a page offers for "over N test digits".
var digitCounts = []int{100, 250, 500, 1000}

// explainFrame lays out a page like the lab: header, navigation (not when
// embedded), notices, then the body.
func explainFrame(id, path, title, tagline string, embed bool, state string, notices []string, body ...app.UI) app.UI {
	class := "lab explain"
	if embed {
		class += " embed"
	}
	return app.Div().ID(id).Class(class).DataSet("state", state).Body(
		app.Header().Class("top").Body(
			app.Img().Class("logo").Src("/web/icon.svg").Alt(""),
			app.Div().Class("titles").Body(
				app.H1().Text(title),
				app.P().Class("tagline").Text(tagline),
			),
			app.A().Class("paper").Href("https://arxiv.org/abs/1412.6572").Text("The paper: Goodfellow, Shlens & Szegedy, 2015"),
		),
		pageNav(path, embed),
		noticeList(notices),
		app.Main().Class("explain-main").Body(body...),
	)
}

// pageParams reads the parameters the explanation pages share from a query.
// Invalid values keep their default; their names (never their values) are
// collected for a notice.
type pageParams struct {
	q   url.Values
	bad []string
}

func newPageParams(q url.Values) *pageParams { return &pageParams{q: q} }

func (p *pageParams) fail(name string) { p.bad = append(p.bad, name) }

// value returns the parameter when it is given once; given twice it is bad.
func (p *pageParams) value(name string) (string, bool) {
	v, ok := p.q[name]
	if !ok {
		return "", false
	}
	if len(v) != 1 || len(v[0]) > 100 {
		p.fail(name)
		return "", false
	}
	return v[0], true
}

func (p *pageParams) flag(name string) bool {
	v, ok := p.value(name)
	switch {
	case !ok:
		return false
	case v == "1" || v == "true":
		return true
	case v == "0" || v == "false":
		return false
	}
	p.fail(name)
	return false
}

// count reads N, one of digitCounts.
func (p *pageParams) count(name string, def int) int {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || !slices.Contains(digitCounts, n) {
		p.fail(name)
		return def
	}
	return n
}

// fraction reads a number in [lo, hi].
func (p *pageParams) fraction(name string, lo, hi, def float64) float64 {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= lo && f <= hi) {
		p.fail(name)
		return def
	}
	return f
}

// index reads an integer in [0, n).
func (p *pageParams) index(name string, n, def int) int {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 || i >= n {
		p.fail(name)
		return def
	}
	return i
}

// intIn reads an integer in [lo, hi].
func (p *pageParams) intIn(name string, lo, hi, def int) int {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < lo || i > hi {
		p.fail(name)
		return def
	}
	return i
}

// eps255 reads ε in [0, 0.5] and rounds it to grey levels, as the lab does.
func (p *pageParams) eps255(name string, def int) int {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	e, err := parseEps(v)
	if err != nil {
		p.fail(name)
		return def
	}
	return e
}

// eps100 reads ε in [0, 0.5] as hundredths, the steps of epsField.
func (p *pageParams) eps100(name string, def int) int {
	return int(math.Round(100 * p.fraction(name, 0, 0.5, float64(def)/100)))
}

// choice reads one of options.
func (p *pageParams) choice(name string, options []string, def string) string {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	if !slices.Contains(options, v) {
		p.fail(name)
		return def
	}
	return v
}

// models reads a comma-separated list of shipped model names.
func (p *pageParams) models(name string, def []string) []string {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	var out []string
	for _, m := range strings.Split(v, ",") {
		if !slices.Contains(modelNames, m) {
			p.fail(name)
			return def
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// kinds reads a comma-separated list of sweep curves (attack kinds).
func (p *pageParams) kinds(name string, def []string) []string {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	var out []string
	for _, k := range strings.Split(v, ",") {
		if !slices.ContainsFunc(sweepKinds, func(s sweepKind) bool { return s.kind == k }) {
			p.fail(name)
			return def
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// notices returns the polite notice for the bad parameters, if any.
func (p *pageParams) notices() []string {
	if len(p.bad) == 0 {
		return nil
	}
	return []string{badParamsNotice(p.bad)}
}

// badParamsNotice lists URL parameters that were not understood; it names
// them and never repeats their values, which could be anything.
func badParamsNotice(bad []string) string {
	return fmt.Sprintf("Some settings in the link were not understood and were reset to their defaults: %s.", strings.Join(bad, ", "))
}

// progressRow shows a running job's progress and a cancel button.
func progressRow(id string, busy bool, frac float64, what string, onCancel app.EventHandler) app.UI {
	return app.Div().Class("run-progress").Body(
		app.Progress().ID(id).Max(1).Value(fmt.Sprintf("%.3f", frac)).
			Aria("label", what),
		app.Span().Class("small muted").Text(fmt.Sprintf("%s %.0f%%", what, 100*frac)),
		app.Button().Class("btn").ID(id+"-cancel").Text("Cancel").Disabled(!busy).OnClick(onCancel),
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
