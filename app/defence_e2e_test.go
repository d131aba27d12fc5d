//go:build e2e && !js

// /defence: the transfer tables, a digit's verdicts and the weights against
// core, embed mode and notices; and how long /defence and /rbf block the
// main thread while they compute.
package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

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
