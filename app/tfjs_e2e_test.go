//go:build e2e && !js

// TensorFlow.js: the lab's job on the cnn timed against the same network in
// TF.js's WebAssembly backend, a benchmark (FGSMLAB_BENCH=1).
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

// tfjsDir holds TensorFlow.js, pinned in tools/tfjs/package.json and
// installed there by `make bench-browser`: a test-only dependency.
const tfjsDir = "../tools/tfjs/node_modules"

// TestTFJSBench times the lab's job on the cnn (predict a digit, its FGSM
// image, predict that) against the same network with the same weights in
// TensorFlow.js 4.22 on its WebAssembly backend with SIMD, in one Chromium,
// in alternating blocks so that a busy spell on the machine falls on both;
// it reports each side's median and fastest block and the median of the
// blocks' ratios.
// The Go side is the lab's own compute path (window.fgsmlabBench on
// /?model=cnn); the TF.js side is app/testdata/tfjsbench.html. Both time
// rounds of 20 jobs after a warm-up and take medians. It checks that both
// compute the same thing: the clean probabilities agree to 1e-5 (TF.js
// computes in float32, the lab in float64), and so do TF.js's
// probabilities of the lab's x̃. The two x̃ may differ in a few pixels,
// where a gradient component is too small for float32 to resolve its sign,
// or in many when the clean prediction is so confident that float32 barely
// resolves 1 − p (see below).
//
// It runs only with FGSMLAB_BENCH=1 (`make bench-browser`), and reports
// rather than fails on speed: the machine may be busy.
func TestTFJSBench(t *testing.T) {
	if os.Getenv("FGSMLAB_BENCH") != "1" {
		t.Skip("a benchmark: set FGSMLAB_BENCH=1 (make bench-browser does)")
	}
	if _, err := os.Stat(filepath.Join(tfjsDir, "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm")); err != nil {
		t.Fatalf("TensorFlow.js is not installed in tools/tfjs (make bench-browser installs it): %v", err)
	}
	names := cnnTensorNames(t, filepath.Join(webDir, "models", "cnn.safetensors"))
	if labHandler == nil {
		labHandler = newServer(webDir, "e2e")
	}
	mux := http.NewServeMux()
	mux.Handle("/tfjs/node_modules/", http.StripPrefix("/tfjs/node_modules/", http.FileServer(http.Dir(tfjsDir))))
	mux.HandleFunc("/tfjs/bench.html", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, "testdata/tfjsbench.html")
	})
	mux.Handle("/", labHandler)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	goTab, tfTab := newTabWithin(t, 10*time.Minute), newTabWithin(t, 10*time.Minute)
	if err := chromedp.Run(goTab, waitReady(srv.URL+"/?model=cnn")); err != nil {
		t.Fatal(err)
	}
	var env struct {
		Backend, Version string
		SIMD, Threads    bool
	}
	var info string
	namesJSON, _ := json.Marshal(names)
	err := chromedp.Run(tfTab, chromedp.Navigate(srv.URL+"/tfjs/bench.html"),
		eval(`tfjsReady.then(JSON.stringify)`, &info),
		eval(fmt.Sprintf(`tfjsLoad("/web/models/cnn.safetensors", %s)`, namesJSON), nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(info), &env); err != nil {
		t.Fatal(err)
	}
	if env.Backend != "wasm" || !env.SIMD {
		t.Fatalf("TF.js runs on backend %q with SIMD %v; the reference is the wasm backend with SIMD", env.Backend, env.SIMD)
	}

	type result struct {
		Median float64   `json:"median_ms"`
		X      []float64 `json:"x"`
		Eps    float64   `json:"eps"`
		Clip   bool      `json:"clip"`
		Round  bool      `json:"round"`
		Clean  []float64 `json:"clean"`
		Adv    []float64 `json:"adv"`
		Fool   []float64 `json:"fool"`
	}
	const blocks, rounds = 15, 5
	var goMs, tfMs, ratios []float64
	var g, tf result
	for range blocks {
		var raw string
		if err := chromedp.Run(goTab, eval(fmt.Sprintf(`fgsmlabBench(%d)`, rounds), &raw)); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &g); err != nil {
			t.Fatalf("fgsmlabBench: %v (%.200s)", err, raw)
		}
		if !g.Clip || g.Round {
			t.Fatalf("the lab's settings clip %v, round %v; the TF.js page clips to [0, 1] and does not round", g.Clip, g.Round)
		}
		x, _ := json.Marshal(g.X)
		if err := chromedp.Run(tfTab, eval(fmt.Sprintf(`tfjsBench(%s, %g, %d)`, x, g.Eps, rounds), &raw)); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &tf); err != nil {
			t.Fatalf("tfjsBench: %v (%.200s)", err, raw)
		}
		goMs, tfMs = append(goMs, g.Median), append(tfMs, tf.Median)
		ratios = append(ratios, g.Median/tf.Median)
	}

	// TF.js's probabilities of the lab's x̃: the second predict alone.
	var onGoAdv []float64
	advJSON, _ := json.Marshal(g.Adv)
	if err := chromedp.Run(tfTab, eval(fmt.Sprintf(`tfjsPredict(%s)`, advJSON), &onGoAdv)); err != nil {
		t.Fatal(err)
	}
	dClean, dFool, dSame := maxAbsDiff(g.Clean, tf.Clean), maxAbsDiff(g.Fool, tf.Fool), maxAbsDiff(g.Fool, onGoAdv)
	moved := 0
	for i := range g.Adv {
		if math.Abs(g.Adv[i]-tf.Adv[i]) > 1e-6 {
			moved++
		}
	}
	load, _ := loadAverage()
	t.Logf("predict + FGSM + predict on cnn, one digit, ε = %.4f, in Chromium (load average %s on %d cores), medians of %d blocks of %d rounds of 20:\n"+
		"  fgsmlab (Go, WebAssembly, float64)        %7.3f ms, fastest block %.3f ms  (blocks %s)\n"+
		"  TF.js %s, wasm backend, SIMD %v, threads %v (float32)  %7.3f ms, fastest block %.3f ms  (blocks %s)\n"+
		"  Go / TF.js: median of the blocks' ratios %.2f (ratios %s)\n"+
		"  same work: max |Δp| clean %.1e; x̃ differs in %d of %d pixels (signs float32 does not resolve);\n"+
		"  max |Δp| of x̃: each on its own x̃ %.1e, both on the lab's x̃ %.1e",
		g.Eps, load, goruntime.NumCPU(), blocks, rounds,
		median(goMs), slices.Min(goMs), msList(goMs), env.Version, env.SIMD, env.Threads, median(tfMs), slices.Min(tfMs), msList(tfMs),
		median(ratios), msList(ratios), dClean, moved, len(g.Adv), dFool, dSame)
	if dClean > 1e-5 || dSame > 1e-5 {
		t.Errorf("the probabilities differ by %.1e (clean) and %.1e (the lab's x̃): the two do not compute the same network", dClean, dSame)
	}
	// When the clean prediction's probability p is within a few of
	// float32's spacings (6e-8) of 1, TF.js holds 1 − p, the predicted
	// class's term in the gradient of the cross-entropy (as large as all
	// the others together), only to tens of percent, or as 0: its gradient
	// then points elsewhere, and x̃ differs for a reason of precision, not
	// of implementation.
	top := slices.Max(g.Clean)
	t.Logf("clean prediction's probability: 1 − %.1e (float32 resolves 1 − p down to 6e-8)", 1-top)
	if 1-top > 1e-6 && moved > len(g.Adv)/20 {
		t.Errorf("x̃ differs in %d pixels: more than float32's rounding of tiny gradient components explains", moved)
	}
}

// cnnTensorNames reads the cnn's model file and returns the names of its
// tensors in the order the TF.js page takes them, after checking that its
// layers are the ones the page builds.
func cnnTensorNames(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (make web copies models/cnn.safetensors)", err)
	}
	m, err := core.ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	var kinds, names []string
	for _, l := range m.Layers {
		kinds = append(kinds, l.Kind())
		for _, p := range l.Params() {
			names = append(names, p.Name)
		}
	}
	kinds = append(kinds, m.Out.Kind())
	const want = "conv2d relu maxpool2d conv2d relu maxpool2d flatten dense relu dropout dense softmax"
	if got := strings.Join(kinds, " "); got != want || len(names) != 8 || !slices.Equal(m.Input, core.DigitShape) {
		t.Fatalf("%s: layers %q on %v; the TF.js page builds %q on 1×28×28", path, got, m.Input, want)
	}
	for _, l := range m.Layers {
		if c, ok := l.(*core.Conv2D); ok && (c.Stride != 1 || c.Padding != 0) {
			t.Fatalf("%s: %v; the TF.js page builds stride 1 without padding", path, c)
		}
		if p, ok := l.(*core.Pool2D); ok && (p.Size != 2 || p.Stride != 2) {
			t.Fatalf("%s: %v; the TF.js page builds 2×2 pools with stride 2", path, p)
		}
	}
	return names
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func msList(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%.2f", x))
	}
	return strings.Join(s, " ")
}
