//go:build e2e && !js

package main

import (
	"context"
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

// goRunning waits until the loader has started the Go program.
var goRunning = poll(`document.documentElement.dataset.fgsmlabGo === "running"`)

// TestEveryPageRunsUnderTheCSP opens every page, served as `make run` does
// and as a static site under a sub-path, and checks that the policy is
// enforced (an inline script is refused) and that the lab itself breaks
// none of it.
func TestEveryPageRunsUnderTheCSP(t *testing.T) {
	lab := labServer(t)
	site := staticFileServer(t, staticSite(t, "/fgsmlab"))
	for _, root := range []string{lab.URL, site + "/fgsmlab"} {
		for _, p := range pages {
			ctx := newTab(t)
			if err := chromedp.Run(ctx, watchCSP()); err != nil {
				t.Fatal(err)
			}
			url := root + p.Path
			var got struct {
				Violations []string
				Inline     bool
			}
			err := chromedp.Run(ctx,
				chromedp.Navigate(url),
				goRunning,
				chromedp.Sleep(time.Second), // the page fetches its models and digits
				eval(`(() => {
					const v = cspViolations.slice();
					const s = document.createElement("script");
					s.textContent = "window.inlineRan = true";
					document.head.append(s);
					return {Violations: v, Inline: window.inlineRan === true};
				})()`, &got),
			)
			if err != nil {
				t.Fatalf("%s: %v", url, err)
			}
			if len(got.Violations) > 0 {
				t.Errorf("%s breaks its Content-Security-Policy: %s", url, strings.Join(got.Violations, "; "))
			}
			if got.Inline {
				t.Errorf("%s ran an inline script: the Content-Security-Policy is not in force", url)
			}
		}
	}
}

// TestGoExitShowsReload makes the Go program die as an unforeseen fault
// would (a browser call it relies on throws), and checks that the page says
// so and offers a reload that brings the lab back.
func TestGoExitShowsReload(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var msg string
	err := chromedp.Run(ctx,
		waitReady(srv.URL+"/?eps=0.1"),
		eval(`history.replaceState = () => { throw new Error("a fault for the test") }, true`, nil),
		setEps(40),
		poll(`document.documentElement.dataset.fgsmlab === "stopped"`),
		eval(`(() => {
			const l = document.getElementById("app-wasm-loader");
			return getComputedStyle(l).display !== "none" && !!document.getElementById("fgsmlab-reload") ?
				l.textContent : "";
		})()`, &msg),
	)
	if err != nil {
		t.Fatalf("after Go exited the page does not say so: %v", err)
	}
	if !strings.Contains(msg, "The lab stopped") || !strings.Contains(msg, "Reload") {
		t.Fatalf("the message is %q", msg)
	}
	err = chromedp.Run(ctx,
		eval(`setTimeout(() => document.getElementById("fgsmlab-reload").click(), 10), true`, nil),
		chromedp.Sleep(time.Second),
		poll(`document.documentElement.dataset.fgsmlab === "mounted"`),
		poll(`document.querySelector(".figure") && document.querySelector(".figure").dataset.ready === "true"`),
	)
	if err != nil {
		t.Fatalf("Reload does not bring the lab back: %v", err)
	}
}

// TestWasmFalseStillRuns: go-app skips the program for ?wasm=false, which
// left a lab that looked alive and did nothing.
func TestWasmFalseStillRuns(t *testing.T) {
	srv := labServer(t)
	if err := chromedp.Run(newTab(t), waitReady(srv.URL+"/?wasm=false&model=softmax")); err != nil {
		t.Fatalf("?wasm=false: %v", err)
	}
}
