//go:build e2e && !js

// /train: training in the page against core.Train, embed mode and bad links,
// how long it blocks the main thread, the digits' download progress, and
// Stop and Train again.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

// TestTrainPageMatchesNativeTraining trains softmax regression in the page
// (α = 0.5, ε = 0.25, plain comparison on) and checks the errors the page
// shows against core.Train of the same model, seed and settings on the
// same 10,000 digits, evaluated natively on the same 1,000 test digits.
// The page's matrix products under WebAssembly add up in another order
// than gonum's (core/dense_wasm.go), so the weights may differ in the last
// bits: the error rates must agree to within 2 test digits (0.2%), and the
// test logs how far apart they are. It then takes the trained model to the
// lab and logs the median training time of one epoch in Chromium.
func TestTrainPageMatchesNativeTraining(t *testing.T) {
	const epochs = 3
	spec := trainSpec{Kind: "softmax", Alpha20: 10, Eps255: 64, Epochs: epochs, LR: 0.002, Seed: 7, Plain: true}
	srv := labServer(t)
	ctx := newTab(t)
	url := srv.URL + "/train?" + spec.query().Encode()
	var ready bool
	var lt longTasks
	err := chromedp.Run(ctx,
		watchLongTasks(),
		chromedp.Navigate(url),
		poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready"`),
		eval(`document.getElementById("tr-start").textContent === "Train both"`, &ready),
		resetLongTasks(),
		eval(`document.getElementById("tr-start").click()`, nil),
		chromedp.Poll(`document.querySelector("#train").dataset.state === "done"`, nil,
			chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)),
		readLongTasks(&lt),
	)
	if err != nil {
		var state string
		chromedp.Run(ctx, eval(`document.querySelector("#train") ? document.querySelector("#train").dataset.state + ": " + document.querySelector("#train").innerText.slice(0, 400) : "no page"`, &state))
		t.Fatalf("%v (page: %s)", err, state)
	}
	if !ready {
		t.Error(`with the plain comparison on, the button does not say "Train both"`)
	}
	var page struct {
		Values  [][]string
		Texts   [][]string
		EpochMs string
		Longest string
		P50     string
		P90     string
		Links   []string
		Series  int
	}
	err = chromedp.Run(ctx, eval(`(() => {
		const rows = [0, 1].map(i => ["tr-clean-", "tr-fgsm-", "tr-fgsm25-"].map(p => document.getElementById(p + i)));
		const root = document.querySelector(".train-page");
		return {
			Values: rows.map(r => r.map(c => c ? c.dataset.value : "")),
			Texts: rows.map(r => r.map(c => c ? c.textContent : "")),
			EpochMs: root.dataset.epochMs, Longest: root.dataset.longestMs, P50: root.dataset.p50Ms, P90: root.dataset.p90Ms,
			Links: Array.from(document.querySelectorAll(".use-links a")).map(a => a.getAttribute("href")),
			Series: document.querySelectorAll("#train-chart g[data-series]").length,
		} })()`, &page))
	if err != nil {
		t.Fatal(err)
	}
	if page.Series != 4 {
		t.Errorf("the chart has %d series; want clean and FGSM for both models", page.Series)
	}

	train := webDigits(t, trainDigits)
	test := webDigits(t, testDigits)
	for i, s := range []trainSpec{spec, spec.plain()} {
		want := nativeTrainErrors(s, train, test)
		for j, name := range []string{"clean error", "FGSM error", "FGSM error at 0.25"} {
			got, err := strconv.ParseFloat(page.Values[i][j], 64)
			if err != nil {
				t.Fatalf("model %d: %s: the page shows %q", i, name, page.Values[i][j])
			}
			t.Logf("%s, %s: page %s (%.4f), native %s (%.4f)", s.modelName(), name, page.Texts[i][j], got, trainPct(want[j]), want[j])
			if d := math.Abs(got - want[j]); d > 0.002+1e-9 {
				t.Errorf("%s, %s: the page shows %s, native training gives %s", s.modelName(), name, page.Texts[i][j], trainPct(want[j]))
			}
		}
	}

	var times []float64
	if err := json.Unmarshal([]byte(page.EpochMs), &times); err != nil || len(times) != 2*epochs {
		t.Fatalf("epoch times %q: %v", page.EpochMs, err)
	}
	adv := append([]float64(nil), times[:epochs]...) // the adversarial run's epochs come first
	sort.Float64s(adv)
	t.Logf("in Chromium: one epoch of softmax training on 10,000 digits, α = 0.5: median %.0f ms (epochs %v ms); plain α = 1 epochs %v ms; slices of work: median %s ms, 90%% under %s ms, longest %s ms; main-thread tasks over 50 ms: %.0f, longest %.0f ms",
		adv[len(adv)/2], times[:epochs], times[epochs:], page.P50, page.P90, page.Longest, lt.Count, lt.Longest)
	if adv[len(adv)/2] > 2000 {
		t.Logf("NOTE: the median epoch misses the 2 s target")
	}
	// A slice holds at least one mini-batch, and the page packs no more
	// batches into it than fit in its 20 ms budget, so the typical slice
	// must end within 50 ms (or two batches' time, where the machine is so
	// loaded that one batch takes longer). The tail is logged, not checked:
	// on a busy machine the operating system stretches any slice.
	batch := adv[len(adv)/2] / 79
	if l, _ := strconv.ParseFloat(page.P50, 64); l > max(50, 2*batch) {
		t.Errorf("the median slice of work took %s ms; want under 50 (one batch takes %.0f ms)", page.P50, batch)
	}

	// The trained model is offered in the lab.
	if len(page.Links) != 2 || !strings.Contains(page.Links[0], "model=yours-softmax-a0.5") {
		t.Fatalf("the links to the lab are %q", page.Links)
	}
	var lab struct {
		Options []string
		Chosen  string
		Blurb   string
		Notice  bool
	}
	err = chromedp.Run(ctx,
		eval(`document.getElementById("tr-use-0").click()`, nil),
		poll(`document.getElementById("lab") && document.getElementById("lab").dataset.model === "yours-softmax-a0.5" &&
			document.querySelector(".figure").dataset.ready === "true"`),
		eval(`({Options: Array.from(document.querySelectorAll("#model option")).map(o => o.value),
			Chosen: document.getElementById("model").value,
			Blurb: document.querySelector(".blurb").textContent,
			Notice: !!document.getElementById("notice")})`, &lab),
	)
	if err != nil {
		t.Fatal("the lab did not open with the trained model: ", err)
	}
	for _, want := range []string{"mlp", "yours-softmax-a0.5", "yours-softmax-a1"} {
		if !slices.Contains(lab.Options, want) {
			t.Errorf("the lab's selector offers %v; it lacks %s", lab.Options, want)
		}
	}
	if lab.Chosen != "yours-softmax-a0.5" || !strings.HasPrefix(lab.Blurb, "Trained in this page") || lab.Notice {
		t.Errorf("the lab shows %+v", lab)
	}
}

// TestTrainPageEmbedAndBadLinks checks ?embed=1, a link with bad values,
// and that the lab refuses a trained model's name on a fresh visit.
func TestTrainPageEmbedAndBadLinks(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var got struct {
		Embed, Nav, Controls bool
		Notice, Kind, Alpha  string
		Pwned                bool
	}
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/train?embed=1&kind=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E&alpha=3&epochs=2&eps=0.1"),
		poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready"`),
		eval(`({Embed: document.getElementById("train").classList.contains("embed"),
			Nav: !!document.querySelector(".site-nav"),
			Controls: !!document.getElementById("tr-start") && !!document.getElementById("train-chart"),
			Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : "",
			Kind: document.getElementById("tr-kind").value, Alpha: document.getElementById("tr-alpha").value,
			Pwned: window.pwned !== undefined || /<script/i.test(document.body.innerHTML)})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Embed || got.Nav || !got.Controls || got.Pwned {
		t.Errorf("embedded training page: %+v; want embed, no navigation, controls, nothing injected", got)
	}
	if !strings.Contains(got.Notice, "kind") || !strings.Contains(got.Notice, "alpha") || strings.Contains(got.Notice, "eps") {
		t.Errorf("the notice %q should name kind and alpha only", got.Notice)
	}
	if got.Kind != "softmax" || got.Alpha != "10" {
		t.Errorf("bad values fell back to kind %q, α slider %q; want softmax, 10 (α = 0.5)", got.Kind, got.Alpha)
	}
	// Embedded without a notice: the navigation goes and the digits load.
	var plain struct{ Embed, Nav bool }
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/train?embed=1&epochs=1"),
		poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready" &&
			!document.getElementById("tr-start").disabled`),
		eval(`({Embed: document.getElementById("train").classList.contains("embed"), Nav: !!document.querySelector(".site-nav")})`, &plain),
	)
	if err != nil || !plain.Embed || plain.Nav {
		t.Errorf("/train?embed=1: %+v, %v; want embed, no navigation, ready to train", plain, err)
	}
	var lab struct {
		Model  string
		Notice string
	}
	err = chromedp.Run(ctx,
		waitReady(srv.URL+"/?model=yours-softmax-a0.5"),
		eval(`({Model: document.getElementById("model").value,
			Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : ""})`, &lab),
	)
	if err != nil {
		t.Fatal(err)
	}
	if lab.Model != "mlp" || !strings.Contains(lab.Notice, "model") {
		t.Errorf("a fresh lab asked for an untrained model shows %+v; want mlp and a notice naming model", lab)
	}
}

// TestTrainResponsiveness trains the small MLP for one epoch, with the
// plain comparison, and logs the longest main-thread task while the page
// loads its digits and while it trains (the issue asks for none over
// 50 ms). It fails only far beyond that, since the machine may be busy: a
// page that does not yield makes one task of seconds.
func TestTrainResponsiveness(t *testing.T) {
	spec := trainSpec{Kind: "mlp", Alpha20: 10, Eps255: 64, Epochs: 1, LR: 0.002, Seed: 7, Plain: true}
	srv := labServer(t)
	ctx := newTab(t)
	var load, train longTasks
	var slices struct{ P50, P90, Longest string }
	err := chromedp.Run(ctx,
		watchLongTasks(),
		chromedp.Navigate(srv.URL+"/train?"+spec.query().Encode()),
		poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready"`),
		readLongTasks(&load),
		resetLongTasks(),
		eval(`document.getElementById("tr-start").click()`, nil),
		chromedp.Poll(`document.querySelector("#train").dataset.state === "done"`, nil,
			chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)),
		readLongTasks(&train),
		eval(`(() => { const d = document.querySelector(".train-page").dataset;
			return {P50: d.p50Ms, P90: d.p90Ms, Longest: d.longestMs} })()`, &slices),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("in Chromium, /train with the MLP: main-thread tasks over 50 ms while loading the digits: %.0f, longest %.0f ms; while training one epoch of both models: %.0f, longest %.0f ms; slices of work: median %s ms, 90%% under %s ms, longest %s ms",
		load.Count, load.Longest, train.Count, train.Longest, slices.P50, slices.P90, slices.Longest)
	if train.Longest > 1000 {
		t.Errorf("a main-thread task took %.0f ms during training: the page does not yield", train.Longest)
	}
}

// TestTrainDownloadProgress serves the training digits slowly, in 64 KiB
// pieces over about three seconds, and checks that the page shows how much
// has arrived, with the file's size read from its header. (Chromium's own
// network throttling delivers a body in a few bursts at the end.)
func TestTrainDownloadProgress(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/"+trainDigits) {
			labHandler().ServeHTTP(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(webDir, trainDigits))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		const piece = 64 << 10
		pause := 3 * time.Second / time.Duration(len(b)/piece+1)
		for len(b) > 0 {
			n := min(piece, len(b))
			if _, err := w.Write(b[:n]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			b = b[n:]
			time.Sleep(pause)
		}
	})
	srv := httptest.NewServer(slow)
	t.Cleanup(srv.Close)
	ctx := newTab(t)
	var seen struct {
		Value, Max float64
		Status     string
	}
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/train"),
		poll(`(() => { const b = document.getElementById("tr-download"), s = document.getElementById("tr-status");
			if (!b || !s || !(b.max > 1 && b.value > 0 && b.value < b.max)) return false;
			window.seen = {Value: b.value, Max: b.max, Status: s.textContent};
			return true })()`),
		eval(`window.seen`, &seen),
		poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready"`),
	)
	if err != nil {
		t.Fatalf("%v (last seen %+v)", err, seen)
	}
	want := 9 + webDigits(t, trainDigits).Len()*785
	if int(seen.Max) != want || !strings.Contains(seen.Status, fmt.Sprintf("of %.1f MB", float64(want)/1e6)) {
		t.Errorf("during the download the bar was at %v of %v and the status said %q; want a total of %d bytes", seen.Value, seen.Max, seen.Status, want)
	}
	t.Logf("while downloading: %q", seen.Status)
}

// TestTrainStopAndAgain stops a run part-way: the page stops computing,
// says so and offers no half-trained model to the lab; Train then starts
// afresh and finishes.
func TestTrainStopAndAgain(t *testing.T) {
	spec := trainSpec{Kind: "mlp", Alpha20: 10, Eps255: 64, Epochs: 3, LR: 0.002, Seed: 7, Plain: false}
	srv := labServer(t)
	ctx := newTab(t)
	var stopped struct {
		State, Status string
		Links         int
		Marks         float64 // points and lines in the chart
	}
	var later float64
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/train?"+spec.query().Encode()),
		poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready"`),
		eval(`document.getElementById("tr-start").click(), true`, nil),
		poll(`document.getElementById("tr-progress") && Number(document.getElementById("tr-progress").value) > 0.1`),
		eval(`document.getElementById("tr-stop").click(), true`, nil),
		poll(`document.querySelector("#train").dataset.state === "ready"`),
		eval(`({State: document.querySelector("#train").dataset.state, Status: document.getElementById("tr-status").textContent,
			Links: document.querySelectorAll(".use-links a").length})`, &stopped),
		eval(`document.querySelectorAll("#train-chart g[data-series] circle, #train-chart g[data-series] path").length`, &stopped.Marks),
		chromedp.Sleep(500*time.Millisecond),
		eval(`document.querySelectorAll("#train-chart g[data-series] circle, #train-chart g[data-series] path").length`, &later),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stopped.Status, "Stopped") || stopped.Links != 0 || later != stopped.Marks {
		t.Errorf("after Stop: %+v, then %v chart marks; want a Stopped status, no links to the lab, and no more points", stopped, later)
	}
	var links int
	err = chromedp.Run(ctx,
		eval(`document.getElementById("tr-start").click(), true`, nil),
		chromedp.Poll(`document.querySelector("#train").dataset.state === "done"`, nil, chromedp.WithPollingTimeout(60*time.Second)),
		eval(`document.querySelectorAll(".use-links a").length`, &links),
	)
	if err != nil || links != 1 {
		t.Errorf("training again after Stop: %v, %d links to the lab (want 1)", err, links)
	}
}

// TestTrainObjective trains on §6's noise controls in the page, the
// objective once from the link and once from the control, and checks the
// errors against core.Train of the same objective natively (to within 2
// test digits, as TestTrainPageMatchesNativeTraining), the link the page
// writes, the lab's name for the model, and the verdict under the table.
func TestTrainObjective(t *testing.T) {
	srv := labServer(t)
	train := webDigits(t, trainDigits)
	test := webDigits(t, testDigits)
	base := trainSpec{Kind: "softmax", Alpha20: 10, Eps255: 64, Epochs: 2, LR: 0.002, Seed: 7, Plain: true}
	for _, c := range []struct {
		objective   string
		noise       core.Attack
		fromControl bool
	}{
		{"random", core.AttackRandomSign, false},
		{"uniform", core.AttackUniform, true},
	} {
		t.Run(c.objective, func(t *testing.T) {
			ctx := newTab(t)
			spec := base
			spec.Noise = c.noise
			start := spec
			if c.fromControl {
				start.Noise = ""
			}
			var page struct {
				Chosen, Search, Verdict string
				Values                  [][]string
				Links                   []string
			}
			actions := []chromedp.Action{
				chromedp.Navigate(srv.URL + "/train?" + start.query().Encode()),
				poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready"`),
			}
			if c.fromControl {
				actions = append(actions, eval(fmt.Sprintf(`(() => { const s = document.getElementById("tr-objective"); s.value = %q;
					s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, c.objective), nil),
					poll(fmt.Sprintf(`location.search.includes("objective=%s")`, c.objective)))
			}
			actions = append(actions,
				eval(`document.getElementById("tr-objective").value`, &page.Chosen),
				eval(`document.getElementById("tr-start").click()`, nil),
				chromedp.Poll(`document.querySelector("#train").dataset.state === "done"`, nil,
					chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)),
				eval(`(() => ({
					Search: location.search,
					Verdict: (document.getElementById("tr-verdict") || {}).textContent || "",
					Values: [0, 1].map(i => ["tr-clean-", "tr-fgsm-", "tr-fgsm25-"].map(p => (document.getElementById(p + i) || {dataset: {}}).dataset.value || "")),
					Links: Array.from(document.querySelectorAll(".use-links a")).map(a => a.getAttribute("href")),
				}))()`, &page),
			)
			if err := chromedp.Run(ctx, actions...); err != nil {
				t.Fatal(err)
			}
			if page.Chosen != c.objective || !strings.Contains(page.Search, "objective="+c.objective) {
				t.Errorf("the control shows %q and the link is %q; want objective %s", page.Chosen, page.Search, c.objective)
			}
			var fgsm [2]float64
			for i, s := range []trainSpec{spec, spec.plain()} {
				want := nativeTrainErrors(s, train, test)
				for j, name := range []string{"clean error", "FGSM error", "FGSM error at 0.25"} {
					got, err := strconv.ParseFloat(page.Values[i][j], 64)
					if err != nil {
						t.Fatalf("model %d: %s: the page shows %q", i, name, page.Values[i][j])
					}
					t.Logf("%s, %s: page %.4f, native %.4f", s.modelName(), name, got, want[j])
					if d := math.Abs(got - want[j]); d > 0.002+1e-9 {
						t.Errorf("%s, %s: the page shows %s, native training gives %s", s.modelName(), name, trainPct(got), trainPct(want[j]))
					}
					if j == 1 {
						fgsm[i] = got
					}
				}
			}
			name := "yours-softmax-" + c.objective + "-a0.5"
			if len(page.Links) != 2 || !strings.Contains(page.Links[0], "model="+name) {
				t.Errorf("the links to the lab are %q; want %s first", page.Links, name)
			}
			for _, want := range []string{spec.noiseWhat(), trainPct(fgsm[0]), trainPct(fgsm[1]), "barely helps"} {
				if !strings.Contains(page.Verdict, want) {
					t.Errorf("the verdict %q does not say %q", page.Verdict, want)
				}
			}
			t.Logf("verdict: %s", page.Verdict)
		})
	}
}

// nativeTrainErrors trains the model of s natively, as the page does, and
// returns what the page shows for it: the clean error and the FGSM errors
// at the trained ε and at 0.25.
func nativeTrainErrors(s trainSpec, train, test *core.Dataset) []float64 {
	m := newTrainee(s.Kind, s.Seed)
	core.Train(m, train, s.config())
	return []float64{
		core.Evaluate(m, test.Images, test.Labels).Error,
		core.EvaluateAttack(m, m, test.Images, test.Labels, core.FGSMAttack(core.Options{Epsilon: s.Eps()})).Error,
		core.EvaluateAttack(m, m, test.Images, test.Labels, core.FGSMAttack(core.Options{Epsilon: 0.25})).Error,
	}
}
