//go:build e2e && !js

// The lab's nearest-adversarial panel: what it finds and ranks, stopping a
// search, its time on each model (a benchmark) and screenshots.
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
)

// nnRow is one row of the nearest-adversarial panel as the page shows it.
type nnRow struct {
	Attack, Norm, Distance, Text string
	Thumb                        bool
}

// readNearest reads the panel's rows, in the order shown.
func readNearest(ctx context.Context) ([]nnRow, error) {
	var rows []nnRow
	err := chromedp.Run(ctx, eval(`[...document.querySelectorAll("#nearest .nn-row")].map(r => ({
		Attack: r.dataset.attack, Norm: r.dataset.norm, Distance: r.dataset.distance,
		Text: r.textContent, Thumb: !!r.querySelector("img.nn-thumb")}))`, &rows))
	return rows, err
}

// settled waits until the lab has done what it does after its first
// result (the test digits, the gallery), as a visitor who reads it first.
func settled(url string) chromedp.Action {
	return chromedp.Tasks{waitReady(url), poll(`!!document.querySelector('.thumb[data-sample="0"]')`), chromedp.Sleep(500 * time.Millisecond)}
}

// findNearest presses the panel's button.
func findNearest() chromedp.Action {
	return chromedp.Tasks{poll(`!!document.getElementById("nn-find") && !document.getElementById("nn-find").disabled`),
		eval(`document.getElementById("nn-find").click(), true`, nil)}
}

const nnState = `document.getElementById("nearest").dataset.state`

// The panel, on the mlp and a test digit: every attack gets a distance or
// says it found none; each norm is ranked, closest first; FGSM's ε is no
// smaller than PGD's by more than the bisection's 1/255 (PGD takes 10
// steps in the same ε-ball); found rows show x̃; no main-thread task
// passes 50 ms while it searches (on a machine no busier than its cores);
// and Cancel, a new digit or a new model stops a search.
func TestNearestPanel(t *testing.T) {
	srv := labServer(t)
	ctx := newTabWithin(t, 3*time.Minute)
	var lt longTasks
	var slice string
	loadBefore, load1 := loadAverage()
	err := chromedp.Run(ctx, watchLongTasks(), settled(srv.URL+"/?sample=4"),
		resetLongTasks(), findNearest(), poll(nnState+` === "done"`), readLongTasks(&lt),
		eval(`document.getElementById("nearest").dataset.longestSliceMs`, &slice))
	if err != nil {
		t.Fatal(err)
	}
	loadAfter, load2 := loadAverage()
	// On a machine busier than its cores, a task's wall time includes the
	// time the system gave to other processes (a PGD step of 0.3 ms was
	// seen to end 140 ms after it began, at load 12 on 2 cores), so the
	// limit then grows with twice the ratio of load to cores. A search that
	// did not yield would be one task of seconds.
	limit := 50.0
	if load, cores := max(load1, load2), float64(goruntime.NumCPU()); load > cores {
		limit *= 2 * load / cores
	}
	t.Logf("during the search: %.0f main-thread tasks over 50 ms, the longest %.0f ms; the search's longest slice %s ms; load %s before, %s after",
		lt.Count, lt.Longest, slice, loadBefore, loadAfter)
	if lt.Longest > limit {
		t.Errorf("a main-thread task took %.0f ms during the search (limit %.0f ms at this load)", lt.Longest, limit)
	}
	rows, err := readNearest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(nearestPlan()) {
		t.Fatalf("%d rows, want one per attack (%d)", len(rows), len(nearestPlan()))
	}
	dist := map[string]float64{}
	last := map[string]float64{}
	for _, r := range rows {
		d := math.Inf(1)
		switch {
		case r.Distance == "none":
			if !strings.Contains(r.Text, "not found") {
				t.Errorf("%s found nothing but does not say so: %q", r.Attack, r.Text)
			}
		case r.Distance == "":
			t.Errorf("%s has no distance after the search: %q", r.Attack, r.Text)
		default:
			d, err = strconv.ParseFloat(r.Distance, 64)
			if err != nil || !(d > 0) {
				t.Errorf("%s: distance %q", r.Attack, r.Distance)
			}
			if !r.Thumb {
				t.Errorf("%s found an example but shows no x̃", r.Attack)
			}
		}
		if d < last[r.Norm] {
			t.Errorf("%s norm: %s (%g) is ranked below a larger distance (%g)", r.Norm, r.Attack, d, last[r.Norm])
		}
		last[r.Norm], dist[r.Attack] = d, d
	}
	if math.IsInf(dist["pgd"], 1) || dist["fgsm"] < dist["pgd"]-1.0/255 {
		t.Errorf("FGSM's ε %g is below PGD's %g by more than the bisection's 1/255", dist["fgsm"], dist["pgd"])
	}
	if math.IsInf(dist["fgsm"], 1) || math.IsInf(dist["deepfool"], 1) {
		t.Errorf("FGSM (%g) or DeepFool (%g) found nothing on the mlp", dist["fgsm"], dist["deepfool"])
	}

	// Cancel stops the search: the state stays cancelled and no more rows
	// come.
	var doneBefore, doneAfter int
	const doneRows = `document.querySelectorAll('#nearest .nn-row:not(.pending)').length`
	err = chromedp.Run(ctx, findNearest(),
		poll(`document.querySelectorAll('#nearest .nn-row:not(.pending)').length >= 4`),
		eval(`document.getElementById("nn-cancel").click(), true`, nil),
		poll(nnState+` === "cancelled"`), eval(doneRows, &doneBefore),
		chromedp.Sleep(1500*time.Millisecond), eval(doneRows, &doneAfter))
	if err != nil {
		t.Fatal("cancel: ", err)
	}
	if doneAfter != doneBefore || doneBefore == len(rows) {
		t.Errorf("after Cancel: %d rows done, then %d a moment later (of %d)", doneBefore, doneAfter, len(rows))
	}

	// A new digit stops a running search and clears the results.
	var note string
	err = chromedp.Run(ctx, findNearest(), poll(nnState+` === "running"`),
		clickThumb(1), poll(nnState+` === "idle"`), chromedp.Sleep(1500*time.Millisecond),
		eval(doneRows, &doneAfter), eval(nnState, &note))
	if err != nil {
		t.Fatal("new digit: ", err)
	}
	if doneAfter != 0 || note != "idle" {
		t.Errorf("after a new digit: %d rows done, state %q; want none, idle", doneAfter, note)
	}

	// So does a new model, and the panel says why the results went.
	err = chromedp.Run(ctx, findNearest(), poll(`document.querySelectorAll('#nearest .nn-row:not(.pending)').length >= 2`),
		eval(`(() => { const s = document.getElementById("model"); s.value = "softmax";
			s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, nil),
		poll(nnState+` === "idle"`), chromedp.Sleep(1500*time.Millisecond),
		eval(doneRows, &doneAfter), eval(`document.querySelector("#nearest .nn-note")?.textContent ?? ""`, &note))
	if err != nil {
		t.Fatal("new model: ", err)
	}
	if doneAfter != 0 || !strings.Contains(note, "model changed") {
		t.Errorf("after a new model: %d rows done, note %q; want none, and a note that the model changed", doneAfter, note)
	}
}

// TestNearestBench times the panel, from the button press to the last
// result, on each model the lab offers, FGSMLAB_BENCH_RUNS times (3 by
// default), and reports the medians: the wall time, and the main thread's
// CPU time meanwhile (DevTools' TaskDuration in thread ticks), which a
// busy machine does not inflate. The issue asks for at most 2 s on each of
// the six shipped models that came first (mlp, softmax, maxout,
// maxout-adv, rbf, cnn: the first six of the lab's picker); cnn-adv is
// timed too. It fails at a median CPU time over 2 s, or a median wall time
// over 2 s scaled up by load/cores when the machine was busier than its
// cores.
func TestNearestBench(t *testing.T) {
	if os.Getenv("FGSMLAB_BENCH") == "" {
		t.Skip("FGSMLAB_BENCH=1 runs the benchmarks (make bench-browser)")
	}
	runs := 3
	if n, err := strconv.Atoi(os.Getenv("FGSMLAB_BENCH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	srv := labServer(t)
	ctx := newTabWithin(t, 15*time.Minute)
	loadBefore, load1 := loadAverage()
	var lines []string
	var lt longTasks
	wallMed, cpuMed := map[string]float64{}, map[string]float64{}
	models := []string{"mlp", "softmax", "maxout", "maxout-adv", "rbf", "cnn", "cnn-adv"}
	for _, m := range models {
		var wall, cpu, slice []float64
		var perAttack string
		err := chromedp.Run(ctx, watchLongTasks(), settled(srv.URL+"/?sample=4&model="+m),
			performance.Enable().WithTimeDomain(performance.EnableTimeDomainThreadTicks), resetLongTasks())
		if err != nil {
			t.Fatal(m, err)
		}
		for range runs {
			var ms [2]string
			var c0, c1 float64
			err := chromedp.Run(ctx, taskSeconds(&c0), findNearest(), poll(nnState+` === "done"`), taskSeconds(&c1),
				eval(`[document.getElementById("nearest").dataset.wallMs, document.getElementById("nearest").dataset.longestSliceMs]`, &ms),
				eval(`[...document.querySelectorAll("#nearest .nn-row")].map(r => r.dataset.attack + " " + r.querySelector(".nn-ms").textContent.replace(" ms", "")).join(", ")`, &perAttack))
			if err != nil {
				t.Fatal(m, err)
			}
			v, _ := strconv.ParseFloat(ms[0], 64)
			s, _ := strconv.ParseFloat(ms[1], 64)
			wall, cpu, slice = append(wall, v), append(cpu, 1000*(c1-c0)), append(slice, s)
		}
		if err := chromedp.Run(ctx, readLongTasks(&lt)); err != nil {
			t.Fatal(err)
		}
		wallMed[m], cpuMed[m] = median(wall), median(cpu)
		lines = append(lines, fmt.Sprintf("%-10s wall %5.0f ms, main-thread CPU %5.0f ms (runs: wall %.0f, CPU %.0f); longest slice %.0f ms; tasks over 50 ms: %.0f, the longest %.0f ms\n               last run's computing (ms): %s",
			m, wallMed[m], cpuMed[m], wall, cpu, slices.Max(slice), lt.Count, lt.Longest, perAttack))
	}
	loadAfter, load2 := loadAverage()
	t.Logf("nearest-adversarial panel, 13 attacks on test digit 4, button press to last result, medians of %d runs, %s; load %s before, %s after:\n  %s",
		runs, machine(), loadBefore, loadAfter, strings.Join(lines, "\n  "))
	limit := 2000 * max(1, max(load1, load2)/float64(goruntime.NumCPU()))
	for _, m := range models[:6] {
		if cpuMed[m] > 2000 || wallMed[m] > limit {
			t.Errorf("%s: median %.0f ms wall, %.0f ms main-thread CPU; the target is 2 s (%.0f ms wall allowed at this load)", m, wallMed[m], cpuMed[m], limit)
		}
	}
}

// taskSeconds reads the main thread's busy time so far, in seconds: in
// thread ticks (CPU time) once performance.Enable asked for them.
func taskSeconds(s *float64) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		ms, err := performance.GetMetrics().Do(ctx)
		for _, m := range ms {
			if m.Name == "TaskDuration" {
				*s = m.Value
			}
		}
		return err
	})
}

// TestNearestScreenshots writes the panel at desktop and phone widths,
// while it searches, done, and cleared by a new digit, when FGSMLAB_SHOTS
// names a directory.
func TestNearestScreenshots(t *testing.T) {
	dir := os.Getenv("FGSMLAB_SHOTS")
	if dir == "" {
		t.Skip("set FGSMLAB_SHOTS=dir to write screenshots")
	}
	srv := labServer(t)
	for _, s := range []struct {
		name string
		w, h int64
	}{{"nearest-desktop", 1280, 1000}, {"nearest-phone-412", 412, 823}} {
		ctx := newTab(t)
		var png, running, cleared []byte
		err := chromedp.Run(ctx,
			emulation.SetDeviceMetricsOverride(s.w, s.h, 1, s.w < 600),
			settled(srv.URL+"/?sample=4"), findNearest(),
			poll(`document.querySelectorAll('#nearest .nn-row:not(.pending)').length >= 7`),
			eval(`document.getElementById("h-nearest").scrollIntoView(), true`, nil),
			chromedp.CaptureScreenshot(&running),
			poll(nnState+` === "done"`),
			chromedp.FullScreenshot(&png, 100),
			clickThumb(1), poll(nnState+` === "idle"`),
			eval(`document.getElementById("h-nearest").scrollIntoView(), true`, nil),
			chromedp.CaptureScreenshot(&cleared),
		)
		if err != nil {
			t.Fatal(s.name, err)
		}
		os.WriteFile(filepath.Join(dir, s.name+"-running.png"), running, 0o644)
		os.WriteFile(filepath.Join(dir, s.name+"-cleared.png"), cleared, 0o644)
		if err := os.WriteFile(filepath.Join(dir, s.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
