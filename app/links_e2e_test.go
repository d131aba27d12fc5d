//go:build e2e && !js

// Links: every page starts and answers from every link (embedded or not,
// each panel) within its Content-Security-Policy, the static site works
// under a sub-path, and the navigation bar reads the new page's link.
package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// watchCSP records, in every document the tab opens, the Content-Security-
// Policy violations the page reports.
func watchCSP() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := cdppage.AddScriptToEvaluateOnNewDocument(`window.cspViolations = [];
addEventListener("securitypolicyviolation", (e) => cspViolations.push(e.violatedDirective + " " + e.blockedURI));`).Do(ctx)
		return err
	})
}

// checkCSP checks the page the tab shows: it broke none of its
// Content-Security-Policy (watchCSP records the violations) and the policy
// is in force (an inline script added now is refused).
func checkCSP(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var got struct {
		Violations []string
		Inline     bool
	}
	err := chromedp.Run(ctx, eval(`(() => {
		const v = (window.cspViolations || ["the violations were not watched"]).slice();
		const s = document.createElement("script");
		s.textContent = "window.inlineRan = true";
		document.head.append(s);
		return {Violations: v, Inline: window.inlineRan === true};
	})()`, &got))
	if err != nil {
		t.Fatalf("%.80s: %v", page, err)
	}
	if len(got.Violations) > 0 {
		t.Errorf("%.80s breaks its Content-Security-Policy: %s", page, strings.Join(got.Violations, "; "))
	}
	if got.Inline {
		t.Errorf("%.80s ran an inline script: the Content-Security-Policy is not in force", page)
	}
}

// TestEveryPageStarts opens every page, embedded or not, with every panel
// it has and with none, and checks that Go starts, stays and answers, and
// that the page keeps to its Content-Security-Policy. The pages share one
// tab, as a visitor's, so app.wasm is fetched and compiled once.
func TestEveryPageStarts(t *testing.T) {
	besideOthers(t)
	srv := labServer(t)
	ctx := newTabWithin(t, 15*time.Minute)
	f := watchGo(ctx)
	if err := chromedp.Run(ctx, watchCSP()); err != nil {
		t.Fatal(err)
	}
	for _, c := range everyPage {
		for _, panel := range c.panels {
			for _, embed := range []string{"0", "1"} {
				q := "?embed=" + embed
				if panel != "" {
					q += "&panel=" + panel
				}
				t.Run(c.path+q, func(t *testing.T) {
					startsAndAnswers(ctx, t, f, srv.URL+c.path+q, c)
					checkCSP(t, ctx, c.path+q)
				})
			}
		}
	}
}

// TestNavigationReadsTheNewLink follows the navigation bar from a page
// whose link sets ε to /train: go-app makes the new page before it puts
// the new address in the address bar, so a page that read its link then
// took the old page's ε.
func TestNavigationReadsTheNewLink(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	f := watchGo(ctx)
	var got struct {
		Eps, Search string
		Notice      bool
	}
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/linear?eps=0.1&n=30"),
		poll(`document.getElementById("linear")?.dataset.ready === "true"`),
		eval(`document.querySelector('.site-nav a[href="/train"]').click()`, nil),
		poll(`document.getElementById("train")?.dataset.state === "ready"`),
		eval(`({Eps: document.getElementById("tr-eps").value, Search: location.search, Notice: !!document.getElementById("notice")})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got.Eps != "64" || got.Notice {
		t.Errorf("/linear?eps=0.1 → /train shows ε slider %s, a notice %v (address %q); want the default 64 and no notice", got.Eps, got.Notice, got.Search)
	}
	if bad := f.take(); len(bad) > 0 {
		t.Errorf("Go said %q", bad)
	}
}

func TestStaticSiteUnderSubPath(t *testing.T) {
	site := staticFileServer(t, staticSite(t, "/fgsmlab")).URL
	ctx := newTabWithin(t, 5*time.Minute)
	if err := chromedp.Run(ctx, watchCSP(), waitReady(site+"/fgsmlab/?sample=2")); err != nil {
		t.Fatal("the static site under /fgsmlab/ did not load and classify: ", err)
	}
	want := fmt.Sprint(sampleLabel(t, 2))
	if clean, _, _ := labels(ctx); clean != want {
		t.Errorf("test digit 2 is a %s; the lab under /fgsmlab/ says %s", want, clean)
	}
	// The navigation's links work from a plain file server too, which has
	// no train.html for /train.
	for _, p := range pages[1:] {
		id := strings.TrimPrefix(p.Path, "/")
		if err := chromedp.Run(ctx, chromedp.Navigate(site+"/fgsmlab"+p.Path), poll(fmt.Sprintf(`!!document.getElementById(%q)`, id))); err != nil {
			t.Errorf("/fgsmlab%s from a plain file server: %v", p.Path, err)
		}
		checkCSP(t, ctx, "/fgsmlab"+p.Path)
	}
}
