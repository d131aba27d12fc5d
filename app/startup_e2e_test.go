//go:build e2e && !js

// Startup: the lab's start is split into short browser tasks where it can
// be, and the test logs what the long ones are.
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
// tasks over 50 ms (with their end), the lab's performance marks and the
// downloads, in ms since navigation, in time order.
const startupTimeline = `(() => {
	const rows = [];
	for (const e of window.fgsmlabStartTasks) rows.push({At: e.startTime, End: e.startTime + e.duration, What: "long task " + Math.round(e.duration) + " ms"});
	for (const m of performance.getEntriesByType("mark")) rows.push({At: m.startTime, What: m.name});
	for (const r of performance.getEntriesByType("resource")) {
		if (/app\.wasm|digits\.bin|mlp\.safetensors/.test(r.name)) rows.push({At: r.responseEnd, What: "fetched " + r.name.replace(/.*\//, "")});
	}
	return rows.sort((a, b) => a.At - b.At);
})()`

type timelineRow struct {
	At, End float64 // End is set for long tasks only
	What    string
}

// TestStartupLongTasks loads the lab and checks that its start is split
// into browser tasks where it can be: Go's start (up to the main package's
// init) and go-app's first render are two tasks, and so are the first
// prediction and the gallery of test digits. Durations depend on the
// machine's load; which marks share a task does not. It logs the timeline,
// which names what the startup tasks are.
func TestStartupLongTasks(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var rows []timelineRow
	err := chromedp.Run(ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := cdppage.AddScriptToEvaluateOnNewDocument(`window.fgsmlabStartTasks = [];
				new PerformanceObserver((l) => window.fgsmlabStartTasks.push(...l.getEntries()))
					.observe({type: "longtask", buffered: true});`).Do(ctx)
			return err
		}),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Poll(`performance.getEntriesByName("fgsmlab:gallery-shown").length > 0`, nil, chromedp.WithPollingTimeout(90*time.Second)),
		chromedp.Sleep(500*time.Millisecond), // the observer's last entries
		eval(startupTimeline, &rows))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	marks := map[string]float64{}
	for _, r := range rows {
		fmt.Fprintf(&b, "%7.0f ms  %s\n", r.At, r.What)
		if strings.HasPrefix(r.What, "fgsmlab:") {
			marks[r.What] = r.At
		}
	}
	t.Logf("the lab's start:\n%s", b.String())
	for _, pair := range [][2]string{
		{"fgsmlab:go-init", "fgsmlab:mounted"},
		{"fgsmlab:first-prediction", "fgsmlab:gallery-shown"},
	} {
		a, okA := marks[pair[0]]
		z, okZ := marks[pair[1]]
		if !okA || !okZ {
			t.Errorf("the page marked no %s or no %s", pair[0], pair[1])
			continue
		}
		for _, r := range rows {
			if r.End > 0 && r.At <= a && z <= r.End {
				t.Errorf("%s and %s happened in one task (%s at %.0f ms)", pair[0], pair[1], r.What, r.At)
			}
		}
	}
}
