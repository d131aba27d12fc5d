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
