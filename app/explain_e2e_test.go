//go:build e2e && !js

// Browser tests of the ε-sweep, adversarial-training and RBF pages: each
// page's numbers must equal core's native evaluation of the same models on
// the same bundled digits, to the precision the page shows.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// pageState waits until the page's root (by id) reaches the state.
func pageState(id, state string) chromedp.Action {
	return chromedp.Poll(fmt.Sprintf(`(() => { const e = document.getElementById(%q); return !!e && e.dataset.state === %q })()`, id, state),
		nil, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(25*time.Millisecond))
}

// frame checks the embed mode: no navigation, the embed class, the notice.
type frame struct {
	Embed, Nav bool
	Notice     string
}

func frameOf(ctx context.Context, t *testing.T, id string) frame {
	t.Helper()
	var f frame
	if err := chromedp.Run(ctx, eval(fmt.Sprintf(`({Embed: document.getElementById(%q).classList.contains("embed"),
		Nav: !!document.querySelector(".site-nav"),
		Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : ""})`, id), &f)); err != nil {
		t.Fatal(err)
	}
	return f
}

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

// TestSweepResponsiveness measures, in headless Chromium, the longest
// main-thread task while the page sweeps (a PerformanceObserver for
// "longtask") and the time of the FGSM sweep over 1,000 digits × 11 ε on
// mlp (the target: ≤ 1 s). It fails only far beyond the targets,
// since the machine may be busy: a sweep that does not yield at all makes
// one task of seconds.
func TestSweepResponsiveness(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	if err := chromedp.Run(ctx, watchLongTasks(), chromedp.Navigate(srv.URL+"/sweeps?models=mlp&n=1000&curves=fgsm"), pageState("sweeps", "done")); err != nil {
		t.Fatal(err)
	}
	var fgsm, wall, longest []float64
	for range 5 {
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
	t.Logf("median of 5 runs: FGSM sweep of 1,000 digits × 11 ε on mlp: %.0f ms computing, %.0f ms wall (target ≤ 1000 ms); longest main-thread task over all runs %.0f ms (0: none over 50 ms)",
		median(fgsm), median(wall), slices.Max(longest))
	if median(wall) > 5000 {
		t.Errorf("the FGSM sweep took %.0f ms, far beyond the 1 s target", median(wall))
	}
	if median(longest) > 1000 {
		t.Errorf("a main-thread task took %.0f ms during the sweep: the page does not yield", median(longest))
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

// checkTransfer compares the page's transfer table with core's.
func checkTransfer(t *testing.T, ctx context.Context, pair [2]string, d *core.Dataset) {
	t.Helper()
	ms := []*core.Model{nativeModel(t, pair[0]), nativeModel(t, pair[1])}
	for i := range 2 {
		for j := range 2 {
			want := core.EvaluateAttack(ms[i], ms[j], d.Images, d.Labels, core.FGSMAttack(core.Options{Epsilon: 0.25}))
			var got string
			chromedp.Run(ctx, eval(fmt.Sprintf(`document.getElementById("transfer-%d-%d").dataset.error`, i, j), &got))
			if got != fmtPct(want.Error) {
				t.Errorf("transfer %s → %s: the page shows %s, core.EvaluateAttack %s", pair[i], pair[j], got, fmtPct(want.Error))
			}
		}
	}
}

func TestDefencePageMatchesNative(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	const n = 100
	d := samples(t).Slice(0, n)
	// Each pair's transfer table matches core, the conv nets' too.
	for _, pair := range defencePairs[1:] {
		if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/defence?n=%d&pair=%s", n, pair[0])), pageState("defence", "done")); err != nil {
			t.Fatal(err)
		}
		checkTransfer(t, ctx, pair, d)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/defence?n=%d&sample=3&eps=0.2", n)), pageState("defence", "done")); err != nil {
		t.Fatal(err)
	}
	checkTransfer(t, ctx, defenceModels, d)
	ms := []*core.Model{nativeModel(t, "maxout"), nativeModel(t, "maxout-adv")}
	// The single digit: both models' verdicts match core at ε = 0.2.
	var pair []struct{ Model, Clean, Adv string }
	chromedp.Run(ctx, eval(`Array.from(document.querySelectorAll(".def-model")).map(e => ({Model: e.dataset.model, Clean: e.dataset.clean, Adv: e.dataset.adv}))`, &pair))
	full := samples(t)
	x := full.Slice(3, 4)
	for i, m := range ms {
		adv := core.FGSM(m, x.Images, x.Labels, core.Options{Epsilon: 0.2})
		c, a := core.Argmax(m.Predict(x.Images).RawRowView(0)), core.Argmax(m.Predict(adv).RawRowView(0))
		if len(pair) != 2 || pair[i].Clean != fmt.Sprint(c) || pair[i].Adv != fmt.Sprint(a) {
			t.Errorf("digit 3 at ε = 0.2 on %s: the page shows %+v, core %d → %d", defenceModels[i], pair, c, a)
		}
	}
	// The weights: 48 filters per model, painted (not all blank).
	var painted int
	chromedp.Run(ctx, eval(`Array.from(document.querySelectorAll(".weight-grid canvas")).filter(c =>
		c.getContext("2d").getImageData(0, 0, 28, 28).data.some((v, i) => i % 4 === 3 && v > 0)).length`, &painted))
	if painted != 2*weightFilters {
		t.Errorf("%d weight images painted, want %d", painted, 2*weightFilters)
	}
	// Embed mode.
	// Embed mode, without a notice: the navigation goes and nothing shifts.
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/defence?embed=1&n=100"), pageState("defence", "done")); err != nil {
		t.Fatal(err)
	}
	if f := frameOf(ctx, t, "defence"); !f.Embed || f.Nav || f.Notice != "" {
		t.Errorf("embed mode: %+v", f)
	}
	// A bad sample gets a notice naming it, never its value.
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/defence?n=100&sample=%3Cimg%3E"), pageState("defence", "done")); err != nil {
		t.Fatal(err)
	}
	if f := frameOf(ctx, t, "defence"); f.Embed || !f.Nav || !strings.Contains(f.Notice, "sample") || strings.Contains(f.Notice, "<img>") {
		t.Errorf("a bad sample: %+v", f)
	}
}

// TestTransferResponsiveness logs the longest main-thread task while
// /defence and /rbf compute over 500 digits (sweeps and transfer matrices
// of the maxout networks, five models crafting and scoring on /rbf). It
// fails only far beyond the 50 ms the issue asks for: a page that does not
// yield makes a task of seconds.
func TestTransferResponsiveness(t *testing.T) {
	srv := labServer(t)
	for _, pg := range []struct{ id, path, field string }{
		{"defence", "/defence?n=100", "def-n"}, {"rbf", "/rbf?n=100", "rbf-n"},
	} {
		ctx := newTab(t)
		var load, lt longTasks
		var secs string
		err := chromedp.Run(ctx,
			watchLongTasks(),
			chromedp.Navigate(srv.URL+pg.path), pageState(pg.id, "done"),
			readLongTasks(&load),
			resetLongTasks(),
			eval(fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = "500";
				s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, pg.field), nil),
			pageState(pg.id, "running"), pageState(pg.id, "done"),
			readLongTasks(&lt),
			eval(`document.querySelector(".run-progress .small").textContent`, &secs),
		)
		if err != nil {
			t.Fatal(pg.id, err)
		}
		t.Logf("/%s over 500 digits (%s): main-thread tasks over 50 ms: %.0f, longest %.0f ms (while the page loaded and first computed over 100: %.0f, longest %.0f ms)",
			pg.id, secs, lt.Count, lt.Longest, load.Count, load.Longest)
		if lt.Longest > 1000 {
			t.Errorf("/%s: a main-thread task took %.0f ms: the page does not yield", pg.id, lt.Longest)
		}
	}
}

func TestRBFPageMatchesNative(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	// Not the paper's 0.25: the page must compute at the ε of the link.
	const n, eps = 100, 0.1
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/rbf?embed=1&n=%d&eps=%v", n, eps)), pageState("rbf", "done")); err != nil {
		t.Fatal(err)
	}
	if f := frameOf(ctx, t, "rbf"); !f.Embed || f.Nav || f.Notice != "" {
		t.Errorf("embed mode: %+v", f)
	}
	d := samples(t).Slice(0, n)
	var ms []*core.Model
	for _, name := range modelNames {
		ms = append(ms, nativeModel(t, name))
	}
	want := core.Transfer(ms, ms, d.Images, d.Labels, core.Options{Epsilon: eps})
	var got [][]string
	chromedp.Run(ctx, eval(`Array.from(document.querySelectorAll("#transfer-matrix tbody tr")).map(r =>
		Array.from(r.querySelectorAll("td")).map(td => td.dataset.error))`, &got))
	if len(got) != len(ms) {
		t.Fatalf("the matrix has %d rows, want %d", len(got), len(ms))
	}
	for i := range ms {
		for j := range ms {
			if w := fmtPct(want[i][j].Error); got[i][j] != w {
				t.Errorf("crafted on %s, evaluated on %s: the page shows %s, core.Transfer %s", modelNames[i], modelNames[j], got[i][j], w)
			}
		}
	}
	var rbfConf, paper, slider string
	chromedp.Run(ctx,
		eval(`document.querySelector('#rbf-numbers tr[data-model="rbf"] .ours-conf b').textContent`, &rbfConf),
		eval(`document.querySelector('#rbf-numbers tr[data-model="rbf"] .ours-conf span').textContent`, &paper),
		eval(`document.getElementById("rbf-eps").value`, &slider))
	if w := fmtPct(want[4][4].MistakeConfidence); rbfConf != w {
		t.Errorf("rbf's confidence on its mistakes: the page shows %s, core %s", rbfConf, w)
	}
	if !strings.Contains(paper, "at ε = 0.25") || slider != "10" {
		t.Errorf("at ε = %v the paper's figure reads %q and the slider %q; want it marked as the paper's ε = 0.25, and 10", eps, paper, slider)
	}
	var bars int
	chromedp.Run(ctx, eval(`document.querySelectorAll(".hist svg rect").length`, &bars))
	if bars != 2*histBins {
		t.Errorf("the histogram has %d bars, want %d", bars, 2*histBins)
	}
}

// TestExplainScreenshots saves each explanation page at desktop and phone
// width into $FGSMLAB_SHOTS (skipped when unset), for people to look at.
func TestExplainScreenshots(t *testing.T) {
	dir := os.Getenv("FGSMLAB_SHOTS")
	if dir == "" {
		t.Skip("set FGSMLAB_SHOTS to a directory to take screenshots")
	}
	srv := labServer(t)
	done := func(id string) string {
		return fmt.Sprintf(`document.getElementById(%q) && document.getElementById(%q).dataset.state === "done"`, id, id)
	}
	for _, pg := range []struct {
		name, path string
		ready      string // a JavaScript condition
		click      string // the id of a button to press first, if any
	}{
		{"linear", "/linear", `document.getElementById("err-fgsm") !== null`, ""},
		{"linear-embed", "/linear?embed=1&panel=precision", `document.getElementById("prec-table") !== null`, ""},
		{"sweeps", "/sweeps?n=500", done("sweeps"), ""},
		{"sweeps-embed", "/sweeps?embed=1&models=softmax,rbf&n=250", done("sweeps"), ""},
		{"defence", "/defence?n=250", done("defence"), ""},
		{"train", "/train?epochs=3", `document.querySelector("#train").dataset.state === "done"`, "tr-start"},
		{"rbf", "/rbf?n=250", done("rbf"), ""},
		{"rubbish", "/rubbish", `document.getElementById("target") && document.getElementById("target").dataset.done === "true" && document.getElementById("fraction").dataset.done === "true"`, ""},
	} {
		for _, w := range []int64{1280, 360} {
			ctx := newTabWithin(t, 4*time.Minute) // /sweeps runs PGD on each model after FGSM
			var buf []byte
			actions := []chromedp.Action{
				emulation.SetDeviceMetricsOverride(w, 900, 1, w < 600),
				chromedp.Navigate(srv.URL + pg.path),
			}
			if pg.click != "" {
				actions = append(actions,
					poll(fmt.Sprintf(`document.getElementById(%q) && !document.getElementById(%q).disabled`, pg.click, pg.click)),
					eval(fmt.Sprintf(`document.getElementById(%q).click(), true`, pg.click), nil))
			}
			actions = append(actions,
				chromedp.Poll(pg.ready, nil, chromedp.WithPollingTimeout(3*time.Minute)),
				chromedp.Sleep(300*time.Millisecond),
				// Hover a chart, if there is one, to show its readout.
				eval(`(() => { const s = document.querySelector("#chart-error svg, #chart-defence svg, #train-chart svg");
					if (!s) return true; const r = s.getBoundingClientRect();
					s.dispatchEvent(new PointerEvent("pointermove", {clientX: r.left + r.width * 0.52, clientY: r.top + 40, bubbles: true})); return true })()`, nil),
				chromedp.Sleep(200*time.Millisecond),
				chromedp.FullScreenshot(&buf, 100),
			)
			if err := chromedp.Run(ctx, actions...); err != nil {
				t.Fatal(pg.name, err)
			}
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", pg.name, w)), buf, 0o644)
		}
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[len(s)/2]
}
