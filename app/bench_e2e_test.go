//go:build e2e && !js

// Benchmarks in Chromium: a first visit's bytes and time and the lab's
// predict + FGSM, a phone's first visit, and each attack's time. The long
// ones run only with FGSMLAB_BENCH=1 (make bench-browser).
package main

import (
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
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

// TestPhoneFirstVisit measures issue 12's table: a phone's first visit to
// the plain link, in headless Chromium throttled through the DevTools
// protocol (150 ms round trips, 1.6 Mbps down, 750 kbps up, the CPU slowed
// 4×, a 412×823 touch screen at 1.75 dpr), with the cache disabled and the
// service worker bypassed so that every run is a first visit. It reports:
//
//   - "result readable": when the Figure-1 result (the images img-x,
//     img-eta, img-adv, the bars and captions) is on screen. Once the result
//     is pre-rendered as HTML carrying elementtiming="result", this is the
//     latest of the first paints of those elements (Element Timing,
//     renderTime, or loadTime when renderTime is 0), and the three images
//     must be among them; an element the runtime paints again later keeps
//     its first paint. Until then, the result is painted by Go into
//     canvases, which Element Timing does not see: it is the end of the
//     frame after the 'fgsmlab:first-prediction' mark. The table says which;
//   - "first live prediction": the 'fgsmlab:first-prediction' mark;
//   - CLS (layout shifts without recent input, from navigation to 2 s after
//     the first live prediction) and LCP (its time and element). Chromium
//     counts an upscaled image at its natural size: a 28×28 PNG shown at
//     84×84 weighs 784 px² and loses to a line of text, so the result image
//     becomes the LCP only when it is written at its displayed size;
//   - the bytes the page received on the wire (the DevTools protocol's
//     encodedDataLength, headers included) and app.wasm's Content-Encoding.
//     The server's own count is logged too: it includes the service
//     worker's install fetches (app.wasm a second time, among others), which
//     the throttling set on the page does not slow (it is active within a
//     few seconds), whereas a real phone's one link would carry them too.
//
// Three modes, each run FGSMLAB_BENCH_RUNS times (3 by default), the runs
// of the modes interleaved so that a busy spell on the machine does not
// fall on one mode; the table gives the medians and every value:
//  1. slow 4G + 4× CPU, the static site of `make site` under /fgsmlab/,
//     gzipped on the fly as GitHub Pages does (pagesGzip);
//  2. slow 4G + 4× CPU, the server of `make run`, its compression cache
//     warmed first;
//  3. fast wifi: no throttling at all, the server of `make run`.
//
// It runs only with FGSMLAB_BENCH=1 (`make bench-browser` sets it), so that
// `make test` stays within its time. The machine is shared and may be
// busy, so it fails only far beyond the targets: at 3× a target (a first
// live prediction over 33 s with gzip, 27 s from `make run`, 4.5 s on fast
// wifi; a result readable after 7.5 s), or at 3× the target times
// load/cores when the load average exceeded the number of cores; and at a
// CLS over 0.06.
// "Readable" is checked only once Element Timing measures it: before the
// pre-rendering lands it is the first prediction's time, and only reported.
func TestPhoneFirstVisit(t *testing.T) {
	if os.Getenv("FGSMLAB_BENCH") != "1" {
		t.Skip("a benchmark of a few minutes: set FGSMLAB_BENCH=1 (make bench-browser does)")
	}
	runs := 3
	if n, err := strconv.Atoi(os.Getenv("FGSMLAB_BENCH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	if labHandler == nil {
		labHandler = newServer(webDir, "e2e")
	}
	loadBefore, load1 := loadAverage()

	// Warm `make run`'s compression cache with what Chromium accepts, so
	// that compressing app.wasm and the other files is not timed.
	start := time.Now()
	filepath.WalkDir(webDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(webDir, p)
		req := httptest.NewRequest("GET", "/web/"+filepath.ToSlash(rel), nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		labHandler.ServeHTTP(httptest.NewRecorder(), req)
		return nil
	})
	t.Logf("warmed make run's compression cache in %.1f s", time.Since(start).Seconds())

	site := &servedLog{}
	siteSrv := httptest.NewServer(site.count(pagesGzip(staticSiteHandler(staticSite(t, "/fgsmlab")))))
	defer siteSrv.Close()
	run := &servedLog{}
	runSrv := httptest.NewServer(run.count(labHandler))
	defer runSrv.Close()
	modes := []*phoneMode{
		{key: "site-gzip", name: "static site, gzip on the fly", url: siteSrv.URL + "/fgsmlab/", slow: true, served: site},
		{key: "make-run", name: "`make run`", url: runSrv.URL + "/", slow: true, served: run},
		{key: "wifi", name: "fast wifi, `make run`", url: runSrv.URL + "/", served: run},
	}
	for i := range runs {
		for _, m := range modes {
			t.Run(fmt.Sprintf("%s/%d", m.key, i+1), func(t *testing.T) {
				r := phoneVisit(t, m)
				m.runs = append(m.runs, r)
				t.Logf("%s", r.summary())
			})
		}
	}
	for _, m := range modes {
		if len(m.runs) == 0 {
			t.Fatalf("%s: no run finished", m.name)
		}
	}

	_, product, _, _, _, _ := browser.GetVersion().Do(cdp.WithExecutor(browserCtx, chromedp.FromContext(browserCtx).Browser))
	loadAfter, load2 := loadAverage()
	// Fail only far beyond a target: 3×, and more in proportion when the
	// machine had more runnable tasks than cores.
	busy := max(1, max(load1, load2)/float64(goruntime.NumCPU()))
	limit := func(target float64) float64 { return 3 * target * busy }
	gz, mr, wifi := modes[0], modes[1], modes[2]
	var tb strings.Builder
	fmt.Fprintf(&tb, "phone first visit, plain link, N = %d, UNDER LOAD (a shared machine): %s (the README's reference: 2 cores, Xeon @ 2.5 GHz), %s; load average %s before, %s after\n",
		runs, machine(), product, loadBefore, loadAfter)
	fmt.Fprintf(&tb, "slow 4G = 150 ms RTT, 1.6 Mbps down, 750 kbps up, CPU 4× slower, 412×823 @1.75 touch; cache disabled, service worker bypassed; fails beyond 3× a target × %.1f for the load\n\n", busy)
	fmt.Fprintf(&tb, "| what | measured median (all runs) | target |\n|---|--:|--:|\n")
	row := func(what, val, target string) { fmt.Fprintf(&tb, "| %s | %s | %s |\n", what, val, target) }
	for _, m := range []*phoneMode{gz, mr} {
		row(fmt.Sprintf("slow 4G, 4× CPU, plain link: the Figure-1 result readable, %s (%s)", m.label(), m.readableHow()),
			m.seconds(func(r phoneRun) float64 { return r.Readable }), "≤ 2.5 s")
	}
	row("slow 4G, 4× CPU: first live prediction, "+gz.label(), gz.seconds(phoneRun.first), "≤ 11 s")
	row("slow 4G, 4× CPU: first live prediction, "+mr.label(), mr.seconds(phoneRun.first), "≤ 9 s (brotli)")
	row("fast wifi: first live prediction, `make run`", wifi.seconds(phoneRun.first), "≤ 1.5 s")
	row("fast wifi: the Figure-1 result readable ("+wifi.readableHow()+")", wifi.seconds(func(r phoneRun) float64 { return r.Readable }), "–")
	for _, m := range modes {
		row("CLS, navigation to 2 s after the first live prediction, "+m.label(), m.values(func(r phoneRun) float64 { return r.CLS }, "%.3f", 1, ""), "≤ 0.02")
	}
	for _, m := range modes {
		target := "≤ 2.5 s, the result image"
		if !m.slow {
			target = "–"
		}
		row("LCP, "+m.label()+", element: "+m.lcpElements(), m.seconds(func(r phoneRun) float64 { return r.LCP.T }), target)
	}
	for _, m := range modes {
		row(fmt.Sprintf("bytes on the wire up to the first live prediction, %s (app.wasm: %s)", m.label(), m.wasm()),
			m.values(func(r phoneRun) float64 { return r.BytesByFirst }, "%.2f", 1<<20, " MiB"), "fewer")
	}
	t.Logf("%s", tb.String())

	for _, c := range []struct {
		m      *phoneMode
		target float64 // ms
	}{{gz, 11000}, {mr, 9000}, {wifi, 1500}} {
		if f := c.m.median(phoneRun.first); f > limit(c.target) {
			t.Errorf("%s: first live prediction after %.1f s, far beyond the target %.1f s", c.m.name, f/1000, c.target/1000)
		}
		// Layout shift does not depend on the machine's speed.
		if cls := c.m.median(func(r phoneRun) float64 { return r.CLS }); cls > 3*0.02 {
			t.Errorf("%s: CLS %.3f, more than 3× the target 0.02", c.m.name, cls)
		}
	}
	for _, m := range []*phoneMode{gz, mr} {
		if rd := m.median(func(r phoneRun) float64 { return r.Readable }); m.readableHow() == readableElementTiming && rd > limit(2500) {
			t.Errorf("%s: the result readable after %.1f s, far beyond the target 2.5 s", m.name, rd/1000)
		}
	}
}

// phoneMode is one way of serving the lab to the phone, and its runs.
type phoneMode struct {
	key, name, url string
	slow           bool
	served         *servedLog
	runs           []phoneRun
}

// label is the mode's name with the encoding app.wasm was served with.
func (m *phoneMode) label() string {
	if m.key == "make-run" {
		return m.name + " (served " + m.encodings() + ")"
	}
	return m.name
}

func (m *phoneMode) encodings() string {
	seen := map[string]bool{}
	var e []string
	for _, r := range m.runs {
		enc := cmp.Or(r.WasmEncoding, "identity")
		if !seen[enc] {
			seen[enc] = true
			e = append(e, enc)
		}
	}
	return strings.Join(e, ", ")
}

func (m *phoneMode) wasm() string {
	return fmt.Sprintf("%s, %s", m.encodings(), formatKB(m.median(func(r phoneRun) float64 { return r.WasmBytes })))
}

const (
	readableElementTiming = "Element Timing"
	readableMark          = "mark + a frame: no elementtiming"
)

// readableHow says how "readable" was measured, in every run.
func (m *phoneMode) readableHow() string {
	how := m.runs[0].ReadableHow
	for _, r := range m.runs[1:] {
		if r.ReadableHow != how {
			return "measured both ways"
		}
	}
	return how
}

func (m *phoneMode) lcpElements() string {
	seen := map[string]bool{}
	var e []string
	for _, r := range m.runs {
		el := cmp.Or(r.LCP.El, "(gone from the page when observed)")
		if !seen[el] {
			seen[el] = true
			e = append(e, el)
		}
	}
	return strings.Join(e, ", ")
}

func (m *phoneMode) median(f func(phoneRun) float64) float64 {
	var xs []float64
	for _, r := range m.runs {
		xs = append(xs, f(r))
	}
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// values prints the median of f over the runs and, in brackets, every run's
// value, each divided by div and printed with format and unit.
func (m *phoneMode) values(f func(phoneRun) float64, format string, div float64, unit string) string {
	var all []string
	for _, r := range m.runs {
		all = append(all, fmt.Sprintf(format, f(r)/div))
	}
	return fmt.Sprintf(format, m.median(f)/div) + unit + " (" + strings.Join(all, ", ") + ")"
}

func (m *phoneMode) seconds(f func(phoneRun) float64) string {
	return m.values(f, "%.2f", 1000, " s")
}

// phoneRun is what one first visit measured; times are in ms from the
// navigation's start.
type phoneRun struct {
	Readable     float64
	ReadableHow  string
	ResultParts  int // elements with elementtiming="result" painted
	First        float64
	CLS          float64
	Shifts       []phoneShift
	LCP          phoneLCP
	BytesByFirst float64 // the page's bytes on the wire up to the first live prediction
	BytesAll     float64 // … up to 2 s after it
	WasmEncoding string
	WasmBytes    float64
	Requests     int
	Served       string  // the server's view: bytes sent, what was sent twice
	SWReady      float64 // when the service worker was installed and active (0: not by the end)
}

func (r phoneRun) first() float64 { return r.First }

type phoneShift struct {
	T, V    float64
	Sources []string
}

type phoneLCP struct {
	T, Size float64
	ID, El  string
	URL     string
}

func (r phoneRun) summary() string {
	var shifts []string
	for _, s := range r.Shifts {
		shifts = append(shifts, fmt.Sprintf("%.4f at %.0f ms (%s)", s.V, s.T, strings.Join(s.Sources, " ")))
	}
	return fmt.Sprintf("readable %.0f ms (%s, %d result elements), first live prediction %.0f ms, CLS %.4f [%s], LCP %.0f ms %s (%.0f px²); "+
		"on the wire %s by the first prediction, %s by +2 s in %d requests, app.wasm %s %s; the service worker active at %.0f ms; the server sent %s",
		r.Readable, r.ReadableHow, r.ResultParts, r.First, r.CLS, strings.Join(shifts, "; "), r.LCP.T, r.LCP.El, r.LCP.Size,
		formatKB(r.BytesByFirst), formatKB(r.BytesAll), r.Requests, cmp.Or(r.WasmEncoding, "identity"), formatKB(r.WasmBytes), r.SWReady, r.Served)
}

// phoneObserver runs before the page's scripts: it keeps the Element
// Timing, layout-shift and LCP entries, and the end of the frame after the
// page's first-prediction mark (a rAF, then a task: the frame has painted).
const phoneObserver = `(() => {
  const b = window.__fgsmlabPhone = {elements: [], shifts: [], lcp: [], errors: [], frameAfterFirst: 0, swReady: 0};
  if (navigator.serviceWorker) navigator.serviceWorker.ready.then(() => { b.swReady = performance.now(); });
  const describe = n => !n || !n.tagName ? "" : n.tagName.toLowerCase() + (n.id ? "#" + n.id : "") +
    (n.classList && n.classList.length ? "." + [...n.classList].join(".") : "");
  const observers = [];
  const watch = (type, f) => {
    try {
      const o = new PerformanceObserver(l => l.getEntries().forEach(f));
      o.observe({type, buffered: true});
      observers.push([o, f]);
    } catch (e) { b.errors.push(type + ": " + e); }
  };
  watch("element", e => b.elements.push({identifier: e.identifier, id: e.id, t: e.renderTime || e.loadTime,
    key: e.id || describe(e.element) + ":" + ((e.element && e.element.textContent) || e.url || "").slice(0, 40)}));
  watch("layout-shift", e => { if (!e.hadRecentInput) b.shifts.push({t: e.startTime, v: e.value,
    sources: (e.sources || []).map(s => describe(s.node)).filter(Boolean)}); });
  watch("largest-contentful-paint", e => b.lcp.push({t: e.startTime, size: e.size, id: e.id, el: describe(e.element), url: e.url}));
  const mark = performance.mark;
  performance.mark = function (name, ...rest) {
    const r = mark.call(this, name, ...rest);
    if (name === "fgsmlab:first-prediction" && !b.frameAfterFirst) {
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { b.frameAfterFirst = performance.now(); };
        ch.port2.postMessage(0);
      });
    }
    return r;
  };
  b.read = () => {
    for (const [o, f] of observers) o.takeRecords().forEach(f);
    const {read, ...rest} = b;
    return JSON.stringify(rest);
  };
})();`

// phoneVisit is one first visit of m.url on a phone.
func phoneVisit(t *testing.T, m *phoneMode) phoneRun {
	ctx := newTabWithin(t, 4*time.Minute)
	if err := chromedp.Run(ctx); err != nil {
		t.Fatal(err)
	}
	type request struct {
		url, encoding string
		bytes         float64
		done          time.Time
	}
	var mu sync.Mutex
	reqs := map[network.RequestID]*request{}
	var navStart time.Time
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if e.Type == network.ResourceTypeDocument && navStart.IsZero() && e.Timestamp != nil {
				navStart = e.Timestamp.Time()
			}
			if reqs[e.RequestID] == nil {
				reqs[e.RequestID] = &request{url: e.Request.URL}
			}
		case *network.EventResponseReceived:
			if r := reqs[e.RequestID]; r != nil {
				for k, v := range e.Response.Headers {
					if strings.EqualFold(k, "Content-Encoding") {
						r.encoding = fmt.Sprint(v)
					}
				}
			}
		case *network.EventLoadingFinished:
			if r := reqs[e.RequestID]; r != nil && e.Timestamp != nil {
				r.bytes, r.done = e.EncodedDataLength, e.Timestamp.Time()
			}
		}
	})
	acts := []chromedp.Action{
		network.Enable(),
		network.SetCacheDisabled(true),
		network.SetBypassServiceWorker(true),
		emulation.SetDeviceMetricsOverride(412, 823, 1.75, true),
		emulation.SetTouchEmulationEnabled(true).WithMaxTouchPoints(5),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := cdppage.AddScriptToEvaluateOnNewDocument(phoneObserver).Do(ctx)
			return err
		}),
	}
	if m.slow {
		acts = append(acts,
			network.EmulateNetworkConditions(false, 150, 1.6e6/8, 750e3/8).WithConnectionType(network.ConnectionTypeCellular4g),
			emulation.SetCPUThrottlingRate(4))
	} else {
		acts = append(acts, emulation.SetCPUThrottlingRate(1))
	}
	m.served.reset()
	var first float64
	acts = append(acts,
		chromedp.Navigate(m.url),
		chromedp.Poll(`(() => { const e = performance.getEntriesByName("fgsmlab:first-prediction")[0];
			return e ? e.startTime : (window.fgsmlabFirstPrediction || false) })()`, &first,
			chromedp.WithPollingTimeout(3*time.Minute), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err := chromedp.Run(ctx, acts...); err != nil {
		t.Fatal("no first prediction: ", err)
	}
	var raw string
	err := chromedp.Run(ctx,
		chromedp.Poll(fmt.Sprintf(`performance.now() > %f`, first+2000), nil,
			chromedp.WithPollingTimeout(time.Minute), chromedp.WithPollingInterval(100*time.Millisecond)),
		eval(`new Promise(r => requestAnimationFrame(() => setTimeout(r, 50))).then(() => __fgsmlabPhone.read())`, &raw))
	if err != nil {
		t.Fatal(err)
	}
	var obs struct {
		Elements []struct {
			Identifier, ID, Key string
			T                   float64
		}
		Shifts          []phoneShift
		LCP             []phoneLCP
		Errors          []string
		FrameAfterFirst float64
		SWReady         float64
	}
	if err := json.Unmarshal([]byte(raw), &obs); err != nil {
		t.Fatalf("%v (%s)", err, raw)
	}
	if len(obs.Errors) > 0 {
		t.Logf("observers the browser refused: %s", strings.Join(obs.Errors, "; "))
	}
	end := first + 2000
	r := phoneRun{First: first, SWReady: obs.SWReady}

	// Each result element's first paint; the result is readable when the
	// last of them has painted.
	painted := map[string]float64{}
	for _, e := range obs.Elements {
		if e.Identifier != "result" {
			continue
		}
		if t0, ok := painted[e.Key]; !ok || e.T < t0 {
			painted[e.Key] = e.T
		}
	}
	_, x := painted["img-x"]
	_, eta := painted["img-eta"]
	_, adv := painted["img-adv"]
	r.ResultParts = len(painted)
	switch {
	case x && eta && adv:
		r.ReadableHow = readableElementTiming
		for _, at := range painted {
			r.Readable = max(r.Readable, at)
		}
	case obs.FrameAfterFirst > 0:
		r.ReadableHow, r.Readable = readableMark, obs.FrameAfterFirst
	default:
		r.ReadableHow, r.Readable = readableMark, first+1000.0/60
	}
	for _, s := range obs.Shifts {
		if s.T <= end {
			r.CLS += s.V
			r.Shifts = append(r.Shifts, s)
		}
	}
	for _, l := range obs.LCP {
		if l.T <= end {
			r.LCP = l
		}
	}
	mu.Lock()
	for _, q := range reqs {
		if q.done.IsZero() {
			continue
		}
		r.Requests++
		r.BytesAll += q.bytes
		if ms := float64(q.done.Sub(navStart)) / float64(time.Millisecond); ms <= first {
			r.BytesByFirst += q.bytes
		}
		if strings.HasSuffix(strings.SplitN(q.url, "?", 2)[0], "/app.wasm") {
			r.WasmEncoding, r.WasmBytes = q.encoding, q.bytes
		}
	}
	mu.Unlock()
	r.Served = m.served.String()
	return r
}

// servedLog counts what a server sent, by path.
type servedLog struct {
	mu     sync.Mutex
	bytes  map[string]int
	times  map[string]int
	accept string // what the browser accepted for app.wasm
}

func (s *servedLog) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bytes, s.times, s.accept = map[string]int{}, map[string]int{}, ""
}

func (s *servedLog) count(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		h.ServeHTTP(cw, r)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.bytes == nil {
			return
		}
		s.bytes[r.URL.Path] += cw.n
		s.times[r.URL.Path]++
		if strings.HasSuffix(r.URL.Path, "/app.wasm") {
			s.accept = r.Header.Get("Accept-Encoding")
		}
	})
}

// String is the total sent, and the files sent more than once (the page's
// fetch and the service worker's install).
func (s *servedLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	total, n := 0, 0
	var twice []string
	for p, b := range s.bytes {
		total += b
		n += s.times[p]
		if s.times[p] > 1 {
			twice = append(twice, fmt.Sprintf("%s %d× (%s)", p, s.times[p], formatKB(float64(b))))
		}
	}
	sort.Strings(twice)
	return fmt.Sprintf("%s in %d responses, sent more than once: [%s]; the browser accepted %q for app.wasm",
		formatKB(float64(total)), n, strings.Join(twice, ", "), s.accept)
}

// pagesGzip compresses responses on the fly as GitHub Pages does: gzip at
// its default level (6), for text-like types (HTML, CSS, JavaScript, JSON,
// SVG, WebAssembly). Files of no known type (the models, the digit files)
// go as application/octet-stream, uncompressed: GitHub does not publish
// its list, and this is the common CDN default.
func pagesGzip(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ext := path.Ext(r.URL.Path); ext != "" && mime.TypeByExtension(ext) == "" {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.ServeHTTP(w, r)
			return
		}
		r.Header.Del("Range")
		zw := &pagesGzipWriter{ResponseWriter: w}
		defer zw.close()
		h.ServeHTTP(zw, r)
	})
}

type pagesGzipWriter struct {
	http.ResponseWriter
	zw      *gzip.Writer
	started bool
}

func (g *pagesGzipWriter) WriteHeader(status int) {
	if g.started {
		return
	}
	g.started = true
	h := g.Header()
	h.Add("Vary", "Accept-Encoding")
	ct := h.Get("Content-Type")
	if status == http.StatusOK && (strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") ||
		strings.Contains(ct, "json") || strings.Contains(ct, "xml") || strings.Contains(ct, "wasm") || strings.Contains(ct, "manifest")) {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		g.zw, _ = gzip.NewWriterLevel(g.ResponseWriter, 6)
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *pagesGzipWriter) Write(b []byte) (int, error) {
	if !g.started {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		return g.zw.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

func (g *pagesGzipWriter) close() {
	if g.zw != nil {
		g.zw.Close()
	}
}

// TestAttackBench times, in Chromium, each attack of the lab on one test
// digit with the shipped mlp and the attacks' default settings, through the
// lab's own compute path (window.fgsmlabBench): the computation alone, not
// the page's slices. Issue 11 asks for PGD-40 within 40× one predict +
// FGSM + predict, and DeepFool within 10 ms (medians). It fails only far
// beyond those, since the machine may be busy; the log has the numbers.
func TestAttackBench(t *testing.T) {
	if os.Getenv("FGSMLAB_BENCH") == "" {
		t.Skip("a benchmark: make bench-browser runs it")
	}
	srv := labServer(t)
	ctx := newTabWithin(t, 10*time.Minute)
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/?model=mlp&sample=0")); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Median float64 `json:"median_ms"`
		Attack string  `json:"attack"`
		AMed   float64 `json:"attack_ms"`
		AP90   float64 `json:"attack_p90_ms"`
		OK     bool    `json:"attack_success"`
		L2     float64 `json:"attack_l2"`
	}
	// ms holds each attack's median; fgsm the median of predict + FGSM +
	// predict timed in the same call as PGD, so that both see the same
	// machine.
	var fgsm float64
	ms := map[string]float64{}
	for _, a := range attackNames {
		rounds := 21
		if slow(core.Attack(a)) {
			rounds = 11
		}
		var raw string
		if err := chromedp.Run(ctx, eval(fmt.Sprintf(`fgsmlabBench(%d, %q)`, rounds, a), &raw)); err != nil {
			t.Fatal(err)
		}
		var r result
		if err := json.Unmarshal([]byte(raw), &r); err != nil || r.Attack != a {
			t.Fatalf("fgsmlabBench(%s): %v (%.200s)", a, err, raw)
		}
		if a == string(core.AttackPGD) {
			fgsm = r.Median
		}
		ms[a] = r.AMed
		t.Logf("%-9s median %8.3f ms, p90 %8.3f ms (%d rounds); fooled: %v, ‖η‖₂ %.2f", a, r.AMed, r.AP90, rounds, r.OK, r.L2)
	}
	t.Logf("predict + FGSM + predict on mlp: median %.3f ms; PGD-40 is %.1f× that (target ≤ 40×); DeepFool %.2f ms (target ≤ 10 ms)",
		fgsm, ms["pgd"]/fgsm, ms["deepfool"])
	if ms["pgd"] > 80*fgsm || ms["deepfool"] > 20 {
		t.Errorf("far beyond the targets: PGD-40 %.1f× FGSM, DeepFool %.2f ms", ms["pgd"]/fgsm, ms["deepfool"])
	}
}
