//go:build e2e && !js

// When Go cannot run or stops: a fault that ends the Go program shows a
// Reload that brings the lab back, ?wasm=false still runs, and a browser
// without WebAssembly is told so.
package main

import (
	"context"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

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

func TestNoWebAssemblyMessage(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var label string
	err := chromedp.Run(ctx,
		// A browser without WebAssembly (such as a locked-down or JIT-less one).
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := cdppage.AddScriptToEvaluateOnNewDocument(`delete globalThis.WebAssembly`).Do(ctx)
			return err
		}),
		chromedp.Navigate(srv.URL+"/"),
		poll(`document.getElementById("app-wasm-loader-label").textContent.includes("WebAssembly")`),
		eval(`document.getElementById("app-wasm-loader-label").textContent`, &label),
	)
	if err != nil {
		t.Fatalf("without WebAssembly the page does not say so (label %q): %v", label, err)
	}
}
