//go:build e2e && !js

// Browser tests of /linear and /rubbish: the numbers the pages show must be
// the ones core computes natively from the same model files and digits.
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
	"gonum.org/v1/gonum/mat"
)

// near fails the test when the page's value is not the native one.
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s: the page shows %v, core computes %v", what, got, want)
	}
}

func dataNum(sel, key string) string {
	return fmt.Sprintf(`Number(document.querySelector(%q).dataset[%q])`, sel, key)
}

func TestLinearPageMatchesCore(t *testing.T) {
	// Native: logreg37 on the bundled 3s (label 0) and 7s (label 1).
	m := nativeModel(t, "logreg37")
	d := samples(t)
	var rows [][]float64
	var y []int
	for i, l := range d.Labels {
		if l == 3 || l == 7 {
			rows = append(rows, d.Image(i))
			y = append(y, map[int]int{3: 0, 7: 1}[l])
		}
	}
	x := mat.NewDense(len(rows), core.ImageSize, nil)
	for i, r := range rows {
		copy(x.RawRowView(i), r)
	}
	eps := 64.0 / 255
	clean := core.Evaluate(m, x, y)
	fgsm := core.EvaluateAttack(m, m, x, y, core.FGSMAttack(core.Options{Epsilon: eps}))
	var l1 float64
	for _, w := range m.Layers[0].(*core.Dense).W.Data {
		l1 += math.Abs(w)
	}
	// Flips at 0.3 of a grey level, unclipped and rounded to 8 bits.
	sub := 0.3 / 255
	flips := func(o core.Options) int {
		p0, p1 := mat.DenseCopyOf(m.Predict(x)), m.Predict(core.FGSM(m, x, y, o))
		n := 0
		for i := range y {
			if core.Argmax(p0.RawRowView(i)) != core.Argmax(p1.RawRowView(i)) {
				n++
			}
		}
		return n
	}
	wantUnclipped, wantRounded := flips(core.Options{Epsilon: sub, NoClip: true}), flips(core.Options{Epsilon: sub, Round8: true})
	if wantRounded != 0 {
		t.Errorf("natively, FGSM at 0.3/255 rounded to 8 bits flips %d digits; rounding should undo it", wantRounded)
	}

	srv := labServer(t)
	ctx := newTab(t)
	var got struct {
		Clean, FGSM, Shift, L1, Margin float64
		CleanText, FGSMText            string
		Unclipped, Rounded             float64
		SubShift                       float64
		DimFGSM                        float64
		Nav                            bool
	}
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/linear?eps=0.25"),
		// The server's HTML already holds the results; wait for the live page.
		poll(`!!document.querySelector("#linear.page-live") && document.getElementById("err-fgsm") !== null`),
		eval(`(() => { const e = document.getElementById("sub"); e.value = 3;
			e.dispatchEvent(new Event("input", {bubbles: true}));
			const n = document.getElementById("dim-n"); n.value = 3072;
			n.dispatchEvent(new Event("input", {bubbles: true})); return true })()`, nil),
		poll(`document.getElementById("sub-value").textContent.startsWith("0.3/255") &&
			document.getElementById("dim-n-value").textContent === "3072"`),
		eval(`({Clean: `+dataNum("#err-clean", "value")+`, FGSM: `+dataNum("#err-fgsm", "value")+`,
			CleanText: document.getElementById("err-clean").textContent,
			FGSMText: document.getElementById("err-fgsm").firstChild.textContent,
			Shift: `+dataNum("#num-shift", "value")+`, L1: `+dataNum("#num-l1", "value")+`,
			Margin: `+dataNum("#num-margin", "value")+`,
			Unclipped: `+dataNum("#prec-unclipped", "flips")+`, Rounded: `+dataNum("#prec-rounded", "flips")+`,
			SubShift: `+dataNum("#prec-unclipped", "shift")+`,
			DimFGSM: `+dataNum("#dim-readout", "fgsm")+`,
			Nav: !!document.querySelector(".site-nav")})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "clean error", got.Clean, clean.Error, 1e-12)
	near(t, "FGSM error at ε = 64/255", got.FGSM, fgsm.Error, 1e-12)
	if want := pct(clean.Error, 1); got.CleanText != want {
		t.Errorf("clean error reads %q, want %q", got.CleanText, want)
	}
	if want := pct(fgsm.Error, 1); got.FGSMText != want {
		t.Errorf("FGSM error reads %q, want %q", got.FGSMText, want)
	}
	near(t, "‖w‖₁", got.L1, l1, 1e-9)
	near(t, "ε·‖w‖₁", got.Shift, eps*l1, 1e-9)
	near(t, "score change at 0.3/255, unclipped", got.SubShift, sub*l1, 1e-9)
	near(t, "digits flipped at 0.3/255, unclipped", got.Unclipped, float64(wantUnclipped), 0)
	near(t, "digits flipped at 0.3/255, rounded", got.Rounded, float64(wantRounded), 0)
	near(t, "ε·m·n at n = 3072", got.DimFGSM, eps*l1/784*3072, 1e-9)
	if got.Margin <= 0 || !got.Nav {
		t.Errorf("margin %v, navigation shown %v", got.Margin, got.Nav)
	}
	t.Logf("logreg37 on %d 3s and 7s: clean %.2f%%, FGSM(64/255) %.1f%%, ε‖w‖₁ = %.2f, flips at 0.3/255: %d unclipped, %d rounded",
		len(y), 100*clean.Error, 100*fgsm.Error, eps*l1, wantUnclipped, wantRounded)
}

func TestLinearEmbedPanelAndBadParams(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var got struct {
		Embed, Nav, Fig2, Dim, Prec bool
		Notice                      string
		HTML                        bool
	}
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/linear?embed=1&panel=dim&n=%3Cscript%3E&sub=7"),
		poll(`document.getElementById("linear") && document.getElementById("linear").dataset.ready === "true" && !!document.getElementById("dim-readout")`),
		eval(`({Embed: document.getElementById("linear").classList.contains("embed"),
			Nav: !!document.querySelector(".site-nav"), Fig2: !!document.getElementById("fig2"),
			Dim: !!document.getElementById("dim"), Prec: !!document.getElementById("precision"),
			Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : "",
			HTML: /<script/i.test(document.getElementById("linear").innerHTML)})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Embed || got.Nav || got.Fig2 || !got.Dim || got.Prec || got.HTML {
		t.Errorf("?embed=1&panel=dim gave %+v; want the dimensionality panel alone, embedded, no navigation", got)
	}
	for _, name := range []string{"n", "sub"} {
		if !strings.Contains(got.Notice, name) {
			t.Errorf("the notice %q does not name %s", got.Notice, name)
		}
	}
}

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

// TestLinearAndRubbishLinks moves controls on /linear and /rubbish and
// checks that the address bar follows, so that a copied link reproduces
// what the page shows; then it opens that link and checks the controls.
func TestLinearAndRubbishLinks(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	setRange := func(id string, v int) chromedp.Action {
		return eval(fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %d;
			e.dispatchEvent(new Event("input", {bubbles: true})); return true })()`, id, v), nil)
	}
	var link string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/linear"),
		poll(`document.getElementById("linear") && document.getElementById("linear").dataset.ready === "true"`),
		setRange("dim-n", 100),
		setRange("sub", 3),
		poll(`new URLSearchParams(location.search).get("n") === "100" && new URLSearchParams(location.search).get("sub") === "0.3"`),
		eval(`location.href`, &link),
	)
	if err != nil {
		t.Fatalf("/linear: %v", err)
	}
	var dim, sub string
	err = chromedp.Run(ctx,
		chromedp.Navigate(link),
		poll(`document.getElementById("linear") && document.getElementById("linear").dataset.ready === "true"`),
		eval(`document.getElementById("dim-n").value`, &dim),
		eval(`document.getElementById("sub").value`, &sub),
	)
	if err != nil || dim != "100" || sub != "3" {
		t.Errorf("the link %s shows n = %q, sub = %q tenths (%v); want 100 and 3", link, dim, sub, err)
	}

	var pressed string
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/rubbish?n=100"),
		poll(`document.getElementById("fraction") && document.getElementById("fraction").dataset.done === "true"`),
		eval(`(() => { const s = document.getElementById("rub-k"); s.value = "5";
			s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, nil),
		eval(`document.querySelectorAll(".noise-pick")[2].click(), true`, nil),
		poll(`new URLSearchParams(location.search).get("k") === "5" && new URLSearchParams(location.search).get("image") === "2"`),
		eval(`location.href`, &link),
		chromedp.Navigate(srv.URL+"/rubbish?n=100&k=7&image=13&model=softmax"),
		poll(`!!document.querySelector("#rubbish.page-live") && document.querySelectorAll(".noise-pick[aria-pressed=true]").length === 1`),
		eval(`document.querySelector(".noise-pick[aria-pressed=true]").parentElement.dataset.index + "," +
			document.getElementById("rub-k").value + "," + document.getElementById("rub-model").value`, &pressed),
	)
	if err != nil {
		t.Fatalf("/rubbish: %v", err)
	}
	if pressed != "13,7,softmax" {
		t.Errorf("/rubbish?k=7&image=13&model=softmax starts from image, k, model %q; want 13,7,softmax", pressed)
	}

	// An image far down the stream would take seconds to draw: refused.
	var far struct {
		Notice string
		Start  string
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/rubbish?n=100&image=1000000"),
		poll(`!!document.querySelector("#rubbish.page-live") && document.querySelectorAll(".noise-pick[aria-pressed=true]").length === 1`),
		eval(`({Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : "",
			Start: document.querySelector(".noise-pick[aria-pressed=true]").parentElement.dataset.index})`, &far),
	)
	if err != nil || !strings.Contains(far.Notice, "image") || far.Start != "0" {
		t.Errorf("/rubbish?image=1000000: notice %q, starts from image %q (%v); want a notice naming image, and image 0", far.Notice, far.Start, err)
	}
}
