package main

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// linkParams is the one reader of link parameters, for the lab and every
// explanation page. A page asks for each parameter it knows, with its
// default:
//   - missing: the default;
//   - invalid, repeated or not valid URL encoding: the default, and the
//     parameter is named in the page's notice;
//   - unknown: ignored, as links gather tracking parameters.
//
// Names are from the page's own list and values are never echoed, so a
// hostile link cannot put its text on the page.
type linkParams struct {
	values    map[string][]string
	undecoded map[string]bool // keys whose value is not valid URL encoding
	garbled   bool            // a key that is not valid URL encoding
	bad       []string
	notes     []string // notices of their own, for parameters that need more words
}

// maxParamLen bounds a value: no parameter but the lab's drawing (x) needs
// more than a few characters.
const maxParamLen = 100

// parseLink reads a query as browsers write it (without its "?"). Unlike
// url.ParseQuery it keeps track of a pair it cannot decode instead of
// dropping it silently, and, like the browser's URLSearchParams, splits
// only on "&".
func parseLink(rawQuery string) *linkParams {
	p := &linkParams{values: map[string][]string{}, undecoded: map[string]bool{}}
	for pair := range strings.SplitSeq(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			p.garbled = true
			continue
		}
		if v, err = url.QueryUnescape(v); err != nil {
			p.undecoded[key] = true
			continue
		}
		p.values[key] = append(p.values[key], v)
	}
	return p
}

// pageLink reads the link the page was opened with. It reads
// location.search itself: go-app's Window().URL() is nil for an address
// url.Parse refuses (a "%zz" in the fragment). On the server it reads the
// link of the page being rendered (serverLink).
//
// The page's head script (linkScript) marks the document "embed" from the
// address before the runtime arrives, so that the pre-rendered page is laid
// out as an embed; this parser has the last word.
func pageLink() *linkParams {
	if !app.IsClient {
		return parseLink(serverLink)
	}
	p := parseLink(strings.TrimPrefix(app.Window().Get("location").Get("search").String(), "?"))
	app.Window().Get("document").Get("documentElement").Get("classList").Call("toggle", "embed", p.flag("embed", false))
	return p
}

// note adds a notice of its own. It must not repeat a parameter's value
// beyond what its checks allow (a scheme's name, say).
func (p *linkParams) note(say string) { p.notes = append(p.notes, say) }

func (p *linkParams) fail(name string) {
	if !slices.Contains(p.bad, name) {
		p.bad = append(p.bad, name)
	}
}

// value returns the parameter when it is given once, decodes and is at
// most maxParamLen bytes long.
func (p *linkParams) value(name string) (string, bool) { return p.valueUpTo(name, maxParamLen) }

// valueUpTo is value for a parameter that may be up to max bytes long.
func (p *linkParams) valueUpTo(name string, max int) (string, bool) {
	v, ok := p.values[name]
	switch {
	case p.undecoded[name]:
		p.fail(name)
		return "", false
	case !ok:
		return "", false
	case len(v) != 1 || len(v[0]) > max:
		p.fail(name)
		return "", false
	}
	return v[0], true
}

// flag reads 1/true or 0/false.
func (p *linkParams) flag(name string, def bool) bool {
	v, ok := p.value(name)
	switch {
	case !ok:
		return def
	case v == "1" || v == "true":
		return true
	case v == "0" || v == "false":
		return false
	}
	p.fail(name)
	return def
}

// count reads N, one of digitCounts.
func (p *linkParams) count(name string, def int) int {
	n := p.intIn(name, 0, math.MaxInt32, def)
	if !slices.Contains(digitCounts, n) {
		p.fail(name)
		return def
	}
	return n
}

// fraction reads a number in [lo, hi]; NaN and the infinities are not.
func (p *linkParams) fraction(name string, lo, hi, def float64) float64 {
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
func (p *linkParams) index(name string, n, def int) int { return p.intIn(name, 0, n-1, def) }

// intIn reads an integer in [lo, hi].
func (p *linkParams) intIn(name string, lo, hi, def int) int {
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
func (p *linkParams) eps255(name string, def int) int {
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
func (p *linkParams) eps100(name string, def int) int {
	return int(math.Round(100 * p.fraction(name, 0, 0.5, float64(def)/100)))
}

// choice reads one of options.
func (p *linkParams) choice(name string, options []string, def string) string {
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

// list reads a comma-separated list of options, each kept once.
func (p *linkParams) list(name string, options, def []string) []string {
	v, ok := p.value(name)
	if !ok {
		return def
	}
	var out []string
	for _, o := range strings.Split(v, ",") {
		if !slices.Contains(options, o) {
			p.fail(name)
			return def
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// notices returns the polite notice about the link, if it needs one.
func (p *linkParams) notices() []string {
	var say []string
	if len(p.bad) > 0 {
		say = append(say, badParamsNotice(p.bad))
	}
	if p.garbled || len(p.undecoded) > 0 {
		say = append(say, "Part of the link is not valid URL encoding (a “%” must be followed by two hexadecimal digits) and was ignored.")
	}
	return append(say, p.notes...)
}

// badParamsNotice lists URL parameters that were not understood; it names
// them and never repeats their values, which could be anything.
func badParamsNotice(bad []string) string {
	return "Some settings in the link were not understood and were reset to their defaults: " + strings.Join(bad, ", ") + "."
}

// repairAddress makes the address one url.Parse accepts before go-app
// reads it: go-app's Window().URL() is nil for "#%zz", and its start then
// dereferences it and Go exits. Browsers keep a stray "%" in the path and
// the fragment as it is; here it becomes "%25". The query is left alone:
// url.Parse does not check it, and linkParams names what it cannot decode.
func repairAddress() {
	if !app.IsClient {
		return
	}
	href := app.Window().Get("location").Get("href").String()
	if _, err := url.Parse(href); err == nil {
		return
	}
	app.Window().Get("history").Call("replaceState", nil, "", repairedAddress(href))
}

// repairedAddress escapes the stray "%" of href's path and fragment.
func repairedAddress(href string) string {
	rest, frag, hasFrag := strings.Cut(href, "#")
	path, query, hasQuery := strings.Cut(rest, "?")
	out := escapeStrayPercents(path)
	if hasQuery {
		out += "?" + query
	}
	if hasFrag {
		out += "#" + escapeStrayPercents(frag)
	}
	return out
}

// escapeStrayPercents writes "%25" for each "%" not followed by two
// hexadecimal digits.
func escapeStrayPercents(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '%' && !(i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])) {
			b.WriteString("25")
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
