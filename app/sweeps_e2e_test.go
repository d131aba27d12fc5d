//go:build e2e && !js

// /sweeps: the table against core's native sweeps of the same models on the
// same bundled digits (FGSM and PGD), embed mode and Cancel, and how long
// the page blocks the main thread while it sweeps.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

// sweepCells reads the sweep table: model/kind/eps → [error, conf].
func sweepCells(ctx context.Context, t *testing.T) map[string][2]string {
	t.Helper()
	var cells []struct{ Model, Kind, Eps, Error, Conf string }
	if err := chromedp.Run(ctx, eval(`Array.from(document.querySelectorAll("#sweep-table td")).map(td => ({
		Model: td.dataset.model, Kind: td.dataset.kind, Eps: td.dataset.eps, Error: td.dataset.error, Conf: td.dataset.conf}))`, &cells)); err != nil {
		t.Fatal(err)
	}
	out := map[string][2]string{}
	for _, c := range cells {
		out[c.Model+"/"+c.Kind+"/"+c.Eps] = [2]string{c.Error, c.Conf}
	}
	return out
}

// nativeCurve computes one curve of the page natively: core's sweep, or
// for PGD core's attack sweep on the first digits the page attacks.
func nativeCurve(t *testing.T, m *core.Model, k sweepKind, n int) []core.Result {
	t.Helper()
	d := samples(t).Slice(0, k.digits(n))
	if k.kind == core.AttackPGD {
		r := core.NewAttackSweepRun(m, d.Images, d.Labels, k.kind, epsGrid(), pgdOptions(), sweepSeed)
		for !r.Step(1 << 20) {
		}
		return r.Results()
	}
	r := core.NewSweepRun(m, d.Images, d.Labels, k.kind, epsGrid(), core.Options{}, sweepSeed)
	for !r.Step(n) {
	}
	return r.Results()
}

// checkSweep compares the page's table with core's native sweeps, of
// every kind or of the kinds given.
func checkSweep(t *testing.T, got map[string][2]string, name string, n int, overAll bool, kinds ...core.Attack) {
	t.Helper()
	m := nativeModel(t, name)
	eps := epsGrid()
	for _, k := range sweepKinds {
		if kinds != nil && !slices.Contains(kinds, k.kind) {
			continue
		}
		for i, r := range nativeCurve(t, m, k, n) {
			conf := r.MistakeConfidence
			if overAll {
				conf = r.Confidence
			}
			key := fmt.Sprintf("%s/%s/%v", name, k.kind, eps[i])
			w := [2]string{fmtPct(r.Error), fmtPct(conf)}
			if got[key] != w {
				t.Errorf("%s: the page shows error · confidence %v, core natively %v", key, got[key], w)
			}
		}
	}
}

func TestSweepsPageMatchesNative(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/sweeps?models=mlp&n=1000"), pageState("sweeps", "done")); err != nil {
		t.Fatal(err)
	}
	got := sweepCells(ctx, t)
	if len(got) != 44 {
		t.Fatalf("the table has %d cells for mlp, want 4 curves × 11 ε", len(got))
	}
	checkSweep(t, got, "mlp", 1000, false)
	var paths int
	chromedp.Run(ctx, eval(`document.querySelectorAll("#chart-error svg path[d]").length`, &paths))
	if paths != 4 { // mlp has no paper point
		t.Errorf("the error chart has %d paths, want the 4 curves", paths)
	}
	if f := frameOf(ctx, t, "sweeps"); f.Embed || !f.Nav || f.Notice != "" {
		t.Errorf("the full page: %+v; want the navigation and no notice", f)
	}

}

func TestSweepsEmbedAndCancel(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/sweeps?embed=1&models=softmax&n=100&conf=%3Cb%3E"),
		pageState("sweeps", "done"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if f := frameOf(ctx, t, "sweeps"); !f.Embed || f.Nav || !strings.Contains(f.Notice, "conf") || strings.Contains(f.Notice, "<b>") {
		t.Errorf("embed mode with a bad conf: %+v; want embed, no navigation, a notice naming conf", f)
	}
	checkSweep(t, sweepCells(ctx, t), "softmax", 100, false)
	// The conf toggle switches the confidence to all digits.
	if err := chromedp.Run(ctx, eval(`document.getElementById("conf-all").click(), true`, nil),
		poll(`location.search.includes("conf=all")`)); err != nil {
		t.Fatal(err)
	}
	checkSweep(t, sweepCells(ctx, t), "softmax", 100, true)
	// Cancel: a run over 1,000 digits stops where it is.
	var state string
	err = chromedp.Run(ctx,
		eval(`(() => { const s = document.getElementById("sweep-n"); s.value = "1000"; s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, nil),
		pageState("sweeps", "running"),
		eval(`document.getElementById("sweep-progress-cancel").click(), true`, nil),
		pageState("sweeps", "cancelled"),
		chromedp.Sleep(300*time.Millisecond),
		eval(`document.getElementById("sweeps").dataset.state`, &state),
	)
	if err != nil || state != "cancelled" {
		t.Fatalf("cancel: state %q, %v", state, err)
	}
}

// On /sweeps the PGD curve of maxout-adv is drawn dashed beside FGSM's,
// on the first pgdDigits digits, with the page's numbers equal to core's;
// at ε = 0.25 PGD finds far more errors than FGSM (the adversarial training
// masked FGSM's gradient); and the curve goes when its box is unticked.
func TestSweepsPGDBreaksMaxoutAdv(t *testing.T) {
	srv := labServer(t)
	ctx := newTabWithin(t, 6*time.Minute)
	const n = 250
	done := chromedp.Poll(`document.getElementById("sweeps").dataset.state === "done"`, nil,
		chromedp.WithPollingTimeout(4*time.Minute), chromedp.WithPollingInterval(100*time.Millisecond))
	if err := chromedp.Run(ctx, chromedp.Navigate(fmt.Sprintf("%s/sweeps?models=maxout-adv&n=%d&curves=fgsm,pgd", srv.URL, n)), done); err != nil {
		t.Fatal(err)
	}
	got := sweepCells(ctx, t)
	if len(got) != 22 {
		t.Fatalf("the table has %d cells, want FGSM and PGD × 11 ε", len(got))
	}
	checkSweep(t, got, "maxout-adv", n, false, core.AttackFGSM, core.AttackPGD)
	var counts struct{ FGSM, PGD string }
	if err := chromedp.Run(ctx, eval(`({FGSM: document.querySelector('#sweep-table td[data-kind="fgsm"]').dataset.n,
		PGD: document.querySelector('#sweep-table td[data-kind="pgd"]').dataset.n})`, &counts)); err != nil {
		t.Fatal(err)
	}
	if counts.FGSM != fmt.Sprint(n) || counts.PGD != fmt.Sprint(pgdDigits) {
		t.Errorf("FGSM over %s digits and PGD over %s; want %d and %d", counts.FGSM, counts.PGD, n, pgdDigits)
	}
	fgsm, pgd := pctOf(t, got["maxout-adv/fgsm/0.25"][0]), pctOf(t, got["maxout-adv/pgd/0.25"][0])
	t.Logf("maxout-adv at ε = 0.25: FGSM %.1f%% wrong, PGD-%d %.1f%%", 100*fgsm, pgdSteps, 100*pgd)
	if pgd < fgsm+0.3 || pgd < 2*fgsm {
		t.Errorf("maxout-adv at ε = 0.25: PGD %.1f%% wrong, FGSM %.1f%%; want PGD far above", 100*pgd, 100*fgsm)
	}
	var drawn struct {
		Dash, Legend, Why, What string
		Points                  int
	}
	pgdKind := sweepKinds[len(sweepKinds)-1]
	if err := chromedp.Run(ctx, eval(fmt.Sprintf(`(() => {
		const g = document.querySelector('#chart-error g[data-series="maxout-adv · %s"]');
		const path = g && g.querySelector("path");
		return {Dash: path ? path.getAttribute("stroke-dasharray") : "", Points: g ? g.querySelectorAll("circle").length : 0,
			Legend: document.querySelector("#chart-error").closest("figure").querySelector(".chart-legend").textContent,
			Why: (document.getElementById("pgd-why") || {}).textContent || "",
			What: (document.getElementById("pgd-what") || {}).textContent || ""};
	})()`, pgdKind.name), &drawn)); err != nil {
		t.Fatal(err)
	}
	if drawn.Dash != pgdKind.dash || drawn.Points != 11 {
		t.Errorf("the PGD curve: dash %q and %d points; want %q and 11", drawn.Dash, drawn.Points, pgdKind.dash)
	}
	if !strings.Contains(drawn.Legend, fmt.Sprintf("%s (first %d digits)", pgdKind.name, pgdDigits)) {
		t.Errorf("the legend %q does not name the PGD curve with its digits", drawn.Legend)
	}
	if !strings.Contains(drawn.Why, "gradient masking") || !strings.Contains(drawn.What, fmt.Sprintf("first %d digits", pgdDigits)) {
		t.Errorf("the page does not say why PGD wins (%q) or what it ran (%q)", drawn.Why, drawn.What)
	}
	var times struct {
		Curves  map[string]float64 `json:"curves_ms"`
		Longest float64            `json:"longest_slice_ms"`
		Wall    float64            `json:"wall_ms"`
		Slices  int                `json:"slices"`
		Over50  int                `json:"slices_over_50ms"`
	}
	var js string
	if err := chromedp.Run(ctx, eval(`window.fgsmlabSweepTimes`, &js)); err != nil || json.Unmarshal([]byte(js), &times) != nil {
		t.Fatalf("no timings: %v %q", err, js)
	}
	t.Logf("PGD-%d on %d digits × 11 ε on maxout-adv: %.0f ms computing; FGSM on %d digits %.0f ms; wall %.0f ms; "+
		"longest slice %.1f ms, %d of %d slices over 50 ms",
		pgdSteps, pgdDigits, times.Curves["maxout-adv/pgd"], n, times.Curves["maxout-adv/fgsm"], times.Wall,
		times.Longest, times.Over50, times.Slices)
	var left int
	if err := chromedp.Run(ctx, eval(`document.getElementById("c-pgd").click(), true`, nil),
		poll(`location.search.includes("curves=fgsm&") || location.search.endsWith("curves=fgsm")`),
		done,
		eval(`document.querySelectorAll('#chart-error g[data-series*="PGD"], #sweep-table td[data-kind="pgd"]').length`, &left)); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("after unticking PGD, %d PGD curves or cells are left", left)
	}
}

// pctOf reads a percentage the page wrote with fmtPct.
func pctOf(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		t.Fatalf("%q is not a percentage", s)
	}
	return v / 100
}

// TestSweepResponsiveness measures, in headless Chromium, the longest
// main-thread task while the page sweeps (a PerformanceObserver for
// "longtask") and the time of the FGSM sweep over 1,000 digits × 11 ε on
// mlp (the target: ≤ 1 s). It fails only far beyond the targets,
// since the machine may be busy: a sweep that does not yield at all makes
// one task of seconds. It sweeps once, and five times with FGSMLAB_BENCH=1
// (make bench-browser).
func TestSweepResponsiveness(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	if err := chromedp.Run(ctx, watchLongTasks(), chromedp.Navigate(srv.URL+"/sweeps?models=mlp&n=1000&curves=fgsm"), pageState("sweeps", "done")); err != nil {
		t.Fatal(err)
	}
	var fgsm, wall, longest []float64
	runs := 1
	if os.Getenv("FGSMLAB_BENCH") != "" {
		runs = 5
	}
	for range runs {
		var lt longTasks
		var times string
		err := chromedp.Run(ctx,
			resetLongTasks(),
			eval(`document.getElementById("sweep-run").click(), true`, nil),
			pageState("sweeps", "done"),
			readLongTasks(&lt),
			eval(`window.fgsmlabSweepTimes`, &times),
		)
		if err != nil {
			t.Fatal(err)
		}
		var tm struct {
			Curves  map[string]float64 `json:"curves_ms"`
			Wall    float64            `json:"wall_ms"`
			Longest float64            `json:"longest_slice_ms"`
		}
		if err := json.Unmarshal([]byte(times), &tm); err != nil {
			t.Fatal(err)
		}
		fgsm = append(fgsm, tm.Curves["mlp/fgsm"])
		wall = append(wall, tm.Wall)
		longest = append(longest, lt.Longest)
		t.Logf("run: FGSM sweep %.0f ms computing, %.0f ms wall with yields, longest slice %.1f ms; long tasks %.0f, longest %.0f ms",
			tm.Curves["mlp/fgsm"], tm.Wall, tm.Longest, lt.Count, lt.Longest)
	}
	t.Logf("median of %d runs: FGSM sweep of 1,000 digits × 11 ε on mlp: %.0f ms computing, %.0f ms wall (target ≤ 1000 ms); longest main-thread task over all runs %.0f ms (0: none over 50 ms)",
		runs, median(fgsm), median(wall), slices.Max(longest))
	if median(wall) > 5000 {
		t.Errorf("the FGSM sweep took %.0f ms, far beyond the 1 s target", median(wall))
	}
	if median(longest) > 1000 {
		t.Errorf("a main-thread task took %.0f ms during the sweep: the page does not yield", median(longest))
	}
}
