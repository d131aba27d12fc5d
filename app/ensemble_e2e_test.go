//go:build e2e && !js

// /defence's ensemble panel (§9) against core.
package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"fgsmlab/core"
	"fgsmlab/models/facts"

	"github.com/chromedp/chromedp"
)

// TestEnsemblePanelMatchesNative: after the page has computed, the panel's
// two errors are core's on the same digits, with the same member files:
// FGSM crafted on the ensemble and on its first member, scored on the
// ensemble.
func TestEnsemblePanelMatchesNative(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	const n = 100
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/defence?n=%d", n)), pageState("defence", "done")); err != nil {
		var st string
		chromedp.Run(ctx, eval(`document.getElementById("defence").dataset.state + " | " + document.querySelector(".run-progress").innerText + " | " + document.getElementById("ensemble").innerText`, &st))
		t.Fatal("the page: ", err, st)
	}
	if err := chromedp.Run(ctx, pageState("ensemble", "done")); err != nil {
		var panel string
		chromedp.Run(ctx, eval(`document.getElementById("ensemble").innerText`, &panel))
		t.Fatalf("the panel: %v; it says %q", err, panel)
	}
	var members []*core.Model
	for _, name := range facts.PageEnsemble {
		members = append(members, nativeModel(t, name))
	}
	ens, err := core.NewEnsemble("ensemble", members...)
	if err != nil {
		t.Fatal(err)
	}
	d := samples(t).Slice(0, n)
	for i, craft := range []*core.Model{ens, members[0]} {
		want := core.EvaluateAttack(craft, ens, d.Images, d.Labels, core.FGSMAttack(core.Options{Epsilon: facts.PaperEpsilon}))
		var got struct{ Error, Confidence string }
		chromedp.Run(ctx, eval(fmt.Sprintf(`(({error, confidence}) => ({Error: error, Confidence: confidence}))(document.getElementById("ensemble-%d").dataset)`, i), &got))
		what := []string{"the ensemble", "a member"}[i]
		if got.Error != fmtPct(want.Error) {
			t.Errorf("crafted on %s: the page shows an error of %s, core %s", what, got.Error, fmtPct(want.Error))
		}
		// The confidence to 1e-6: the page's matrix products are not
		// gonum's native ones, so the last bits may differ.
		if c, err := strconv.ParseFloat(got.Confidence, 64); err != nil || math.Abs(c-want.MistakeConfidence) > 1e-6 {
			t.Errorf("crafted on %s: the page shows a confidence of %q on the mistakes, core %.6f", what, got.Confidence, want.MistakeConfidence)
		}
		t.Logf("crafted on %s: the ensemble's error %s, confidence %s on its mistakes, over %d digits", what, got.Error, got.Confidence, n)
	}
	// The panel, for people to look at, when FGSMLAB_SHOTS names a directory.
	if dir := os.Getenv("FGSMLAB_SHOTS"); dir != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.ScrollIntoView("#ensemble", chromedp.ByQuery), chromedp.Screenshot("#ensemble", &png, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "defence-ensemble.png"), png, 0o644)
	}
}
