//go:build e2e && !js

// The link half of the hostile-input tests: odd URL parameters on every
// page, and on the lab in detail. The message half is
// hostile_messages_e2e_test.go.
package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hostileScript would run if a page put a link's text into its HTML.
const hostileScript = "%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D2%22%3E"

// hostileLink is one odd link: the parameters its notice must name, and
// whether it must say that part of the link is not valid URL encoding.
type hostileLink struct {
	query   string
	names   []string
	garbled bool
}

// hostileLinks are the odd links for a page whose parameters p and q are
// a number and anything.
func hostileLinks(p, q string) []hostileLink {
	return []hostileLink{
		// %zz is not URL encoding: the parameter is named and embed=1 stands.
		{fmt.Sprintf("embed=1&%s=%%zz&%%zz=1", p), []string{p}, true},
		{fmt.Sprintf("embed=1&%s=%s&%s=NaN&%s=Infinity", p, hostileScript, q, q), []string{p, q}, false},
		// A number of 20,000 digits, a negative one, and a fragment
		// url.Parse refuses.
		{fmt.Sprintf("embed=1&%s=%s&%s=-1#%%zz", p, strings.Repeat("9876", 5000), q), []string{p, q}, false},
		{fmt.Sprintf("embed=1&%s=%%EF%%BC%%91&%s=0.1&%s=0.1", q, p, p), []string{q, p}, false},
	}
}

// hostilePages gives each page's two parameters for hostileLinks.
var hostilePages = map[string][2]string{
	"/": {"eps", "model"}, "/linear": {"eps", "n"}, "/sweeps": {"n", "models"}, "/defence": {"eps", "sample"},
	"/train": {"eps", "kind"}, "/rbf": {"eps", "n"}, "/rubbish": {"eps", "k"},
}

// TestHostileLinks opens every page with odd links: each starts embedded,
// answers, names the bad parameters politely and puts none of their text
// in the page.
func TestHostileLinks(t *testing.T) {
	besideOthers(t)
	srv := labServer(t)
	ctx := newTabWithin(t, 15*time.Minute) // one visitor following every link in turn
	f := watchGo(ctx)
	for _, c := range everyPage {
		params := hostilePages[c.path]
		links := hostileLinks(params[0], params[1])
		if c.path == "/" {
			// A drawing (x) of 200,000 characters.
			links = append(links, hostileLink{"embed=1&x=" + strings.Repeat("A", 200000), []string{"x"}, false})
		}
		for i, l := range links {
			t.Run(fmt.Sprintf("%s/%d", c.path, i), func(t *testing.T) {
				url := srv.URL + c.path + "?" + l.query
				startsAndAnswers(ctx, t, f, url, c)
				checkNotice(t, ctx, l)
			})
		}
	}
}

// checkNotice checks the page the tab shows for the link: embedded, its
// notice naming what it must, and no text from the link in the page.
func checkNotice(t *testing.T, ctx context.Context, l hostileLink) {
	t.Helper()
	var got struct {
		Nav, Pwned, Echoed bool
		Notice             string
	}
	err := chromedp.Run(ctx, eval(`({Nav: !!document.querySelector(".site-nav"), Pwned: window.pwned !== undefined,
		Echoed: /pwned|onerror|１|98769876/i.test(document.body.innerHTML),
		Notice: document.getElementById("notice")?.textContent ?? ""})`, &got))
	if err != nil {
		t.Fatal(err)
	}
	if got.Nav || got.Pwned || got.Echoed {
		t.Errorf("%.80s: navigation %v, script ran %v, link text in the page %v; want none", l.query, got.Nav, got.Pwned, got.Echoed)
	}
	_, list, _ := strings.Cut(got.Notice, "reset to their defaults: ")
	list, _, _ = strings.Cut(list, ".")
	named := strings.Split(list, ", ")
	for _, name := range l.names {
		if !slices.Contains(named, name) {
			t.Errorf("%.80s: the notice %q does not name %s", l.query, got.Notice, name)
		}
	}
	if garbled := strings.Contains(got.Notice, "not valid URL encoding"); garbled != l.garbled {
		t.Errorf("%.80s: the notice %q; want it to say the encoding is broken: %v", l.query, got.Notice, l.garbled)
	}
}

func TestHostileParams(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	hostile := "/?embed=1" +
		"&model=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E" +
		"&eps=1e308" +
		"&target=%22%3E%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D1%3E" +
		"&x=%3Csvg%20onload%3Dwindow.pwned%3D1%3E" +
		"&sample=999999999999999999999999"
	var got struct {
		Notice string
		Pwned  bool
		HTML   bool
		Model  string
	}
	err := chromedp.Run(ctx,
		waitReady(srv.URL+hostile),
		eval(`({Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : "",
			Pwned: window.pwned !== undefined,
			HTML: /pwned|<script|onerror|onload/i.test(document.body.innerHTML),
			Model: document.getElementById("model").value})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pwned || got.HTML {
		t.Errorf("hostile parameters reached the page: pwned=%v, in the DOM=%v", got.Pwned, got.HTML)
	}
	for _, name := range []string{"model", "eps", "target", "sample", "x"} {
		if !strings.Contains(got.Notice, name) {
			t.Errorf("the notice %q does not name %s", got.Notice, name)
		}
	}
	if got.Model != "mlp" {
		t.Errorf("the model fell back to %q, want mlp", got.Model)
	}
}
