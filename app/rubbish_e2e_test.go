//go:build e2e && !js

// /rubbish: the noise images each model calls a digit and the targeted
// attack from noise against core, Cancel and embed mode. Its links are
// tested with /linear's in linear_e2e_test.go.
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
	"gonum.org/v1/gonum/mat"
)

// rubbishExpect computes natively what /rubbish?n=…&k=3&model=maxout&eps=0.25
// shows: core.Rubbish per model, and the targeted attack from the first
// noise image of the same stream.
func rubbishExpect(t *testing.T, n int) (map[string]core.Result, float64) {
	res := map[string]core.Result{}
	for _, name := range modelNames {
		res[name] = core.Rubbish(nativeModel(t, name), n, 1)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x0 := mat.NewDense(1, core.ImageSize, nil)
	for i := range core.ImageSize {
		x0.Set(0, i, rng.NormFloat64())
	}
	m, eps := nativeModel(t, "maxout"), 64.0/255
	adv := core.Iterative{Steps: 10, StepSize: 2.5 * eps / 10, Targeted: true}.Attack(m, x0, []int{3}, core.Options{Epsilon: eps, NoClip: true})
	return res, m.Predict(adv).At(0, 3)
}

func TestRubbishPageMatchesCore(t *testing.T) {
	const n = 300
	want, wantFinal := rubbishExpect(t, n)
	srv := labServer(t)
	ctx := newTab(t)
	type row struct {
		Hits, N float64
		Conf    string
	}
	var got struct {
		Rows   map[string]row
		Final  float64
		Frames int
	}
	var lt longTasks
	err := chromedp.Run(ctx,
		watchLongTasks(),
		chromedp.Navigate(srv.URL+fmt.Sprintf("/rubbish?n=%d&k=3&model=maxout&eps=0.25", n)),
		poll(`document.getElementById("fraction") && document.getElementById("fraction").dataset.done === "true" &&
			document.getElementById("target").dataset.done === "true"`),
		eval(`({Rows: Object.fromEntries(Array.from(document.querySelectorAll("#rub-table tbody tr")).map(r =>
				[r.id.slice(4), {Hits: Number(r.dataset.hits), N: Number(r.dataset.n), Conf: r.children[2].textContent}])),
			Final: `+dataNum("#target-readout", "final")+`,
			Frames: document.querySelectorAll(".filmstrip .frame").length})`, &got),
		// The longest task while the fraction is measured again.
		resetLongTasks(),
		eval(`document.getElementById("rub-run").click(), true`, nil),
		poll(`document.getElementById("fraction").dataset.done === "false"`),
		poll(`document.getElementById("fraction").dataset.done === "true"`),
		readLongTasks(&lt),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range modelNames {
		r, w := got.Rows[name], want[name]
		if r.N != n || int(r.Hits) != int(math.Round(w.Error*n)) {
			t.Errorf("%s: the page has %v of %v noise images above 0.5; core.Rubbish has %.0f of %d", name, r.Hits, r.N, w.Error*n, n)
		}
		if wc := pct(w.Confidence, 1); w.Error > 0 && r.Conf != wc {
			t.Errorf("%s: confidence %q, core says %s", name, r.Conf, wc)
		}
	}
	if got.Frames != targetSteps+1 {
		t.Errorf("the filmstrip has %d frames, want %d", got.Frames, targetSteps+1)
	}
	near(t, "p(3) after 10 targeted steps on maxout", got.Final, wantFinal, 1e-9)
	t.Logf("rubbish over %d images: maxout %.1f%%, softmax %.1f%%, rbf %.1f%%; p(3) from noise %.3f; longest main-thread task during a run %.0f ms (0: none over 50 ms)",
		n, 100*want["maxout"].Error, 100*want["softmax"].Error, 100*want["rbf"].Error, wantFinal, lt.Longest)
}

func TestRubbishCancelAndEmbed(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var status string
	var done float64
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/rubbish?n=10000&embed=1&panel=fraction"),
		poll(`document.getElementById("rub-cancel") !== null && Number(document.getElementById("rub-progress").value) > 0`),
		eval(`document.getElementById("rub-cancel").click()`, nil),
		poll(`document.getElementById("rub-status").textContent.startsWith("Cancelled")`),
		eval(`document.getElementById("rub-status").textContent`, &status),
		eval(dataNum("#rub-maxout", "n"), &done),
	)
	if err != nil {
		t.Fatalf("cancel: %v (status %q)", err, status)
	}
	if done <= 0 || done >= 10000 {
		t.Errorf("after cancelling, %v images were measured", done)
	}
	var embed struct{ Embed, Nav, Grid, Target bool }
	chromedp.Run(ctx, eval(`({Embed: document.getElementById("rubbish").classList.contains("embed"),
		Nav: !!document.querySelector(".site-nav"), Grid: !!document.getElementById("noise-grid"),
		Target: !!document.getElementById("target")})`, &embed))
	if !embed.Embed || embed.Nav || embed.Grid || embed.Target {
		t.Errorf("?embed=1&panel=fraction gave %+v; want the fraction panel alone", embed)
	}
	// The count stays where it was cancelled.
	var later float64
	chromedp.Run(ctx, chromedp.Sleep(300*time.Millisecond), eval(dataNum("#rub-maxout", "n"), &later))
	if later != done {
		t.Errorf("the run went on after Cancel: %v → %v images", done, later)
	}
}
