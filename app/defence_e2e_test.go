//go:build e2e && !js

// /defence: the transfer tables, a digit's verdicts and the weights against
// core, embed mode and notices; and how long /defence and /rbf block the
// main thread while they compute.
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

// checkTransfer compares the page's transfer table over the named networks
// with core's.
func checkTransfer(t *testing.T, ctx context.Context, names []string, d *core.Dataset) {
	t.Helper()
	var ms []*core.Model
	for _, name := range names {
		ms = append(ms, nativeModel(t, name))
	}
	var cells int
	chromedp.Run(ctx, eval(`document.querySelectorAll(".transfer-table td").length`, &cells))
	if cells != len(names)*len(names) {
		t.Errorf("the transfer table has %d cells for %d networks", cells, len(names))
	}
	for i := range ms {
		for j := range ms {
			want := core.EvaluateAttack(ms[i], ms[j], d.Images, d.Labels, core.FGSMAttack(core.Options{Epsilon: 0.25}))
			var got string
			chromedp.Run(ctx, eval(fmt.Sprintf(`document.getElementById("transfer-%d-%d").dataset.error`, i, j), &got))
			if got != fmtPct(want.Error) {
				t.Errorf("transfer %s → %s: the page shows %s, core.EvaluateAttack %s", names[i], names[j], got, fmtPct(want.Error))
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
		checkTransfer(t, ctx, pair[:], d)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/defence?n=%d&sample=3&eps=0.2", n)), pageState("defence", "done")); err != nil {
		t.Fatal(err)
	}
	checkTransfer(t, ctx, append(defenceModels[:], defenceControls["maxout"]...), d)
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
	if want := (2 + len(defenceControls["maxout"])) * weightFilters; painted != want {
		t.Errorf("%d weight images painted, want %d", painted, want)
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

// TestTransferResponsiveness checks §6's controls on /defence over 100
// digits (checkNoiseControls), then logs the longest main-thread task while
// /defence and /rbf recompute for a new number of digits (sweeps and
// transfer matrices of the maxout networks, five models crafting and
// scoring on /rbf): 250, and 500 with FGSMLAB_BENCH=1 (make bench-browser).
// It fails only far beyond the 50 ms the issue asks for: a page that does
// not yield makes a task of seconds.
func TestTransferResponsiveness(t *testing.T) {
	srv := labServer(t)
	n := "250"
	if os.Getenv("FGSMLAB_BENCH") != "" {
		n = "500"
	}
	for _, pg := range []struct{ id, path, field string }{
		{"defence", "/defence?n=100", "def-n"}, {"rbf", "/rbf?n=100", "rbf-n"},
	} {
		ctx := newTab(t)
		var load, lt longTasks
		var secs string
		err := chromedp.Run(ctx,
			watchLongTasks(),
			chromedp.Navigate(srv.URL+pg.path), pageState(pg.id, "done"),
			readLongTasks(&load))
		if err != nil {
			t.Fatal(pg.id, err)
		}
		if pg.id == "defence" {
			// The page over 100 digits is what §6's controls are checked
			// on, before the timed part.
			t.Run("noise controls", func(t *testing.T) { checkNoiseControls(t, ctx, 100) })
		}
		err = chromedp.Run(ctx,
			resetLongTasks(),
			eval(fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q;
				s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, pg.field, n), nil),
			pageState(pg.id, "running"), pageState(pg.id, "done"),
			readLongTasks(&lt),
			eval(`document.querySelector(".run-progress .small").textContent`, &secs),
		)
		if err != nil {
			t.Fatal(pg.id, err)
		}
		t.Logf("/%s over %s digits (%s): main-thread tasks over 50 ms: %.0f, longest %.0f ms (while the page loaded and first computed over 100: %.0f, longest %.0f ms)",
			pg.id, n, secs, lt.Count, lt.Longest, load.Count, load.Longest)
		if lt.Longest > 1000 {
			t.Errorf("/%s: a main-thread task took %.0f ms: the page does not yield", pg.id, lt.Longest)
		}
	}
}

// checkNoiseControls checks §6's controls on /defence, which the tab shows
// computed over the first n digits: the noise-trained networks' FGSM
// curves equal core's sweeps, their first-layer weights are painted from
// the models' own weights, and the sentence under the transfer table gives
// the diagonal the page measured. (TestTransferResponsiveness loads the
// page it needs.)
func checkNoiseControls(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	d := samples(t).Slice(0, n)
	names := append(defenceModels[:], defenceControls["maxout"]...)
	diag := map[string]string{}
	for _, name := range names {
		m := nativeModel(t, name)
		r := core.NewSweepRun(m, d.Images, d.Labels, core.AttackFGSM, epsGrid(), core.Options{}, sweepSeed)
		for !r.Step(n) {
		}
		var got []string
		chromedp.Run(ctx, eval(fmt.Sprintf(`Array.from(document.querySelectorAll('#chart-defence g[data-series="%s · FGSM"] circle')).map(c => c.dataset.y)`, name), &got))
		want := r.Results()
		if len(got) != len(want) {
			t.Errorf("%s: %d points on the FGSM curve, want %d", name, len(got), len(want))
			continue
		}
		for i, w := range want {
			if got[i] != strconv.FormatFloat(w.Error, 'g', -1, 64) {
				t.Errorf("%s at ε = %v: the curve shows %s, core %v", name, epsGrid()[i], got[i], w.Error)
			}
		}
		diag[name] = fmtPct(want[5].Error) // ε = 0.25
	}
	for _, name := range defenceControls["maxout"] {
		m := nativeModel(t, name)
		filters, _ := firstFilters(m, weightFilters)
		for _, u := range []int{0, weightFilters - 1} {
			w := filters[u]
			scale := 0.0
			for _, v := range w {
				scale = max(scale, math.Abs(v))
			}
			var got []int
			chromedp.Run(ctx, eval(fmt.Sprintf(`Array.from(document.getElementById("w-%s-%d").getContext("2d").getImageData(0, 0, 28, 28).data)`, name, u), &got))
			var want []int
			for _, b := range divergingRGBA(w, scale) {
				want = append(want, int(b))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, unit %d: the painted weights differ from the model's", name, u)
			}
		}
	}
	var text string
	chromedp.Run(ctx, eval(`document.getElementById("def-noise").textContent`, &text))
	for _, name := range names {
		if !strings.Contains(text, name+" on "+diag[name]) && !strings.Contains(text, diag[name]+" for "+name) {
			t.Errorf("the controls' sentence %q does not give %s's FGSM error %s", text, name, diag[name])
		}
	}
	t.Logf("/defence, §6's controls: %s", text)
}
