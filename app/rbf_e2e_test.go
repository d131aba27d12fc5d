//go:build e2e && !js

// /rbf: the transfer matrix and rbf's confidence against core, at the link's
// ε, in embed mode. How long it blocks is in defence_e2e_test.go.
package main

import (
	"fmt"
	"strings"
	"testing"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

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
