//go:build e2e && !js

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserBench measures, in headless Chromium, what a visitor waits
// for: the bytes of a first visit (as served: brotli), the time from
// navigation to the first prediction, and the median of predict + FGSM +
// predict on the default model (the issue asks for ≤ 1.0 ms and ≤ 3 s).
// It fails only far beyond those targets, since the machine may be busy.
func TestBrowserBench(t *testing.T) {
	if labHandler == nil {
		labHandler = newServer(webDir, "e2e")
	}
	// Warm the server's compressed copies of the first visit's large files,
	// the best brotli ones included (the disk cache usually has them), so
	// that compressing is not timed and the bytes are those of a server
	// that has been running a while.
	for _, f := range []string{"app.wasm", "digits.bin", "models/mlp.safetensors"} {
		if err := warmStatic(filepath.Join(webDir, f)); err != nil {
			t.Fatal(err)
		}
	}

	var mu sync.Mutex
	served := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		labHandler.ServeHTTP(cw, r)
		mu.Lock()
		served[r.URL.Path] += cw.n
		mu.Unlock()
	}))
	defer srv.Close()
	ctx := newTab(t)
	var first float64
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/"), eval(`window.fgsmlabFirstPrediction`, &first)); err != nil {
		t.Fatal(err)
	}
	report := func(what string) {
		mu.Lock()
		defer mu.Unlock()
		total := 0
		var lines []string
		for u, n := range served {
			total += n
			lines = append(lines, fmt.Sprintf("%s %s", u, formatKB(float64(n))))
		}
		sort.Strings(lines)
		t.Logf("%s: %s of response bodies as served (brotli):\n  %s", what, formatKB(float64(total)), strings.Join(lines, "\n  "))
	}
	report("first visit, up to the first prediction")
	t.Logf("navigation to first prediction: %.0f ms (cold: fresh profile, wasm compiled on the way)", first)
	var timeline string
	chromedp.Run(ctx, eval(`JSON.stringify(Object.fromEntries([
		...performance.getEntriesByType("resource").map(e => [e.name.replace(location.origin, ""), [Math.round(e.startTime), Math.round(e.responseEnd)]]),
		...performance.getEntriesByType("mark").map(e => [e.name, Math.round(e.startTime)])]))`, &timeline))
	t.Logf("timeline (ms from navigation: [start, end] of each fetch, marks): %s", timeline)
	if err := chromedp.Run(ctx, eval(`navigator.serviceWorker.ready.then(() => true)`, nil)); err != nil {
		t.Fatal(err)
	}
	report("first visit, with the service worker's offline copy")

	var warm float64
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/"), eval(`window.fgsmlabFirstPrediction`, &warm)); err != nil {
		t.Fatal(err)
	}
	t.Logf("navigation to first prediction, second visit: %.0f ms", warm)

	var raw string
	if err := chromedp.Run(ctx, eval(`fgsmlabBench(41)`, &raw)); err != nil {
		t.Fatal(err)
	}
	var b struct {
		Model  string
		Median float64 `json:"median_ms"`
		P90    float64 `json:"p90_ms"`
		Pred   float64 `json:"predict_ms"`
		Grad   float64 `json:"gradient_ms"`
	}
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		t.Fatalf("fgsmlabBench: %v (%s)", err, raw)
	}
	t.Logf("predict + FGSM + predict on %s: median %.3f ms, p90 %.3f ms (41 rounds of 20); one predict %.3f ms, one input gradient %.3f ms",
		b.Model, b.Median, b.P90, b.Pred, b.Grad)
	if b.Median > 10 || first > 30000 {
		t.Errorf("far slower than the targets (1 ms, 3 s): %.3f ms, %.0f ms", b.Median, first)
	}
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += n
	return n, err
}

// formatKB prints a size in KiB to one decimal, or in MiB to two, without
// trailing zeros.
func formatKB(b float64) string {
	if b >= 1<<20 {
		return strconv.FormatFloat(math.Round(b/(1<<20)*100)/100, 'f', -1, 64) + " MiB"
	}
	return strconv.FormatFloat(math.Round(b/1024*10)/10, 'f', -1, 64) + " KiB"
}

// TestScreenshots writes screenshots of the lab for people to look at, when
// FGSMLAB_SHOTS names a directory.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("FGSMLAB_SHOTS")
	if dir == "" {
		t.Skip("set FGSMLAB_SHOTS=dir to write screenshots")
	}
	srv := labServer(t)
	shots := []struct {
		name  string
		w, h  int64
		query string
	}{
		{"desktop", 1280, 1000, "/?sample=4"},
		{"phone-360", 360, 780, "/?sample=4"},
		{"embed", 900, 700, "/?embed=1&model=softmax&eps=0.1&sample=11"},
		{"targeted", 1280, 1000, "/?attack=targeted&target=3&eps=0.15&sample=4"},
		{"hostile", 360, 780, "/?model=%3Cscript%3E&eps=9"},
	}
	// The loading screen, on a network slow enough to see it.
	ctx := newTab(t)
	var loading []byte
	err := chromedp.Run(ctx,
		network.Enable(),
		network.EmulateNetworkConditions(false, 20, 1<<20, 1<<20),
		emulation.SetDeviceMetricsOverride(800, 500, 1, false),
		chromedp.Navigate(srv.URL+"/"),
		poll(`/[1-9]\d*%/.test(document.getElementById("app-wasm-loader-label").textContent)`),
		chromedp.CaptureScreenshot(&loading),
	)
	if err != nil {
		t.Fatal("loading screen: ", err)
	}
	os.WriteFile(filepath.Join(dir, "loading.png"), loading, 0o644)
	for _, s := range shots {
		ctx := newTab(t)
		var png []byte
		err := chromedp.Run(ctx,
			emulation.SetDeviceMetricsOverride(s.w, s.h, 1, s.w < 600),
			waitReady(srv.URL+s.query),
			chromedp.FullScreenshot(&png, 100),
		)
		if err != nil {
			t.Fatal(s.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
