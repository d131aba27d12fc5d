//go:build e2e && !js

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

// startupTimeline is the lab's start as the page saw it: the main-thread
// tasks over 50 ms, the lab's performance marks and app.wasm's download,
// in ms since navigation, in time order.
const startupTimeline = `(() => {
	const rows = [];
	for (const e of window.fgsmlabStartTasks) rows.push([e.startTime, "long task " + Math.round(e.duration) + " ms"]);
	for (const m of performance.getEntriesByType("mark")) rows.push([m.startTime, m.name]);
	for (const r of performance.getEntriesByType("resource")) {
		if (/app\.wasm|digits\.bin|mlp\.safetensors/.test(r.name)) rows.push([r.responseEnd, "fetched " + r.name.replace(/.*\//, "")]);
	}
	return rows.sort((a, b) => a[0] - b[0]).map((r) => [Math.round(r[0]), r[1]]);
})()`

// TestStartupLongTasks reports the main-thread tasks over 50 ms from the
// navigation to the lab's first prediction and its gallery, among the lab's
// marks, so that the startup task can be named; it fails if one exceeds
// FGSMLAB_STARTUP_TASK_MS (default: no bound, the timings depend on load).
func TestStartupLongTasks(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var rows [][2]any
	err := chromedp.Run(ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := cdppage.AddScriptToEvaluateOnNewDocument(`window.fgsmlabStartTasks = [];
				new PerformanceObserver((l) => window.fgsmlabStartTasks.push(...l.getEntries()))
					.observe({type: "longtask", buffered: true});`).Do(ctx)
			return err
		}),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Poll(`performance.getEntriesByName("fgsmlab:gallery-shown").length > 0`, nil, chromedp.WithPollingTimeout(90*time.Second)),
		chromedp.Sleep(500*time.Millisecond),
		eval(startupTimeline, &rows))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%6v ms  %v\n", r[0], r[1])
	}
	t.Logf("the lab's start:\n%s", b.String())
}
