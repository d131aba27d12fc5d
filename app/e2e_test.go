//go:build e2e && !js

// End-to-end tests: the real page in headless Chromium, driven with
// chromedp, served on 127.0.0.1. They need the built web/ directory
// (app.wasm, digits.bin, models/): run them with `make test-browser`.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

const webDir = "../web"

// browserCtx is one Chromium shared by the tests; each test opens its own
// browser context (its own caches and service workers) in it.
var browserCtx context.Context

func TestMain(m *testing.M) {
	for _, need := range []string{"app.wasm", "digits.bin", "models/mlp.safetensors", "lab.css"} {
		if _, err := os.Stat(filepath.Join(webDir, need)); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: web/%s is missing; build it with `make web` (or run `make test-browser`)\n", need)
			os.Exit(1)
		}
	}
	exe := cmp.Or(os.Getenv("CHROMIUM"), "/usr/bin/chromium")
	if _, err := os.Stat(exe); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: no Chromium at %s (install Debian's chromium, or set CHROMIUM)\n", exe)
		os.Exit(1)
	}
	routes()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(exe)...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting Chromium:", err)
		os.Exit(1)
	}
	browserCtx = ctx
	code := m.Run()
	cancel()
	cancelAlloc()
	os.Exit(code)
}

func browserOptions(exe string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 1000),
	)
	return append(opts, extra...)
}

// newTab opens a window in a fresh browser context, with its own caches
// and service workers. (chromedp.WithNewBrowserContext opens a tab, which
// this Chromium refuses when the context has no window yet.)
func newTab(t *testing.T) context.Context {
	t.Helper()
	return newTabWithin(t, 90*time.Second)
}

// newTabWithin is newTab for a tab that a test uses for a while (several
// pages in turn): the tab's actions must all end within d.
func newTabWithin(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	exec := cdp.WithExecutor(browserCtx, chromedp.FromContext(browserCtx).Browser)
	bc, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(exec)
	if err != nil {
		t.Fatal(err)
	}
	id, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(exec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithTargetID(id))
	ctx, cancelT := context.WithTimeout(ctx, d)
	ctx = context.WithValue(ctx, browserContextKey{}, bc)
	t.Cleanup(func() {
		cancelT()
		cancel()
		target.DisposeBrowserContext(bc).Do(exec)
	})
	return ctx
}

type browserContextKey struct{}

var labHandler http.Handler

// labServer serves the lab as `make run` does.
func labServer(t *testing.T) *httptest.Server {
	t.Helper()
	if labHandler == nil {
		labHandler = newServer(webDir, "e2e")
	}
	srv := httptest.NewServer(labHandler)
	t.Cleanup(srv.Close)
	return srv
}

// staticSite writes the static site for the base path into a temporary
// directory, as `make site` does.
func staticSite(t *testing.T, base string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dist")
	if err := generate(dir, webDir, base, "e2e"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitReady waits until the lab shows a result.
func waitReady(url string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(url),
		poll(`document.querySelector(".figure") && document.querySelector(".figure").dataset.ready === "true"`),
	}
}

// clickThumb clicks gallery digit i, once the gallery is there: the lab
// shows it after the first prediction.
func clickThumb(i int) chromedp.Action {
	sel := fmt.Sprintf(`document.querySelector('.thumb[data-sample="%d"]')`, i)
	return chromedp.Tasks{poll("!!" + sel), eval(sel+".click()", nil)}
}

func poll(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(20*time.Millisecond))
}

func eval(expr string, res any) chromedp.Action {
	return chromedp.Evaluate(expr, res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	})
}

// watchLongTasks makes every page the tab loads from now on keep the
// longest main-thread task over 50 ms (a PerformanceObserver for
// "longtask") and their count in window.fgsmlabLongTasks.
func watchLongTasks() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := cdppage.AddScriptToEvaluateOnNewDocument(`window.fgsmlabLongTasks = {longest: 0, count: 0};
			new PerformanceObserver(l => { for (const e of l.getEntries()) {
				const lt = window.fgsmlabLongTasks; lt.longest = Math.max(lt.longest, e.duration); lt.count++ } })
				.observe({type: "longtask", buffered: true});`).Do(ctx)
		return err
	})
}

// longTasks is the longest task over 50 ms (0: none) and the number of
// such tasks since the page loaded or since the last resetLongTasks.
type longTasks struct{ Longest, Count float64 }

// readLongTasks waits a moment for the observer's last entries and reads
// them into lt.
func readLongTasks(lt *longTasks) chromedp.Action {
	return chromedp.Tasks{chromedp.Sleep(100 * time.Millisecond), eval(`window.fgsmlabLongTasks`, lt)}
}

// resetLongTasks starts the count again.
func resetLongTasks() chromedp.Action {
	return eval(`window.fgsmlabLongTasks = {longest: 0, count: 0}, true`, nil)
}

// labels returns the clean and adversarial labels the figure shows.
func labels(ctx context.Context) (clean, adv string, err error) {
	var l struct{ Clean, Adv string }
	err = chromedp.Run(ctx, eval(`({Clean: document.querySelector(".figure").dataset.clean, Adv: document.querySelector(".figure").dataset.adv})`, &l))
	return l.Clean, l.Adv, err
}

// setEps moves the ε slider as a user would, to g/255.
func setEps(g int) chromedp.Action {
	return eval(fmt.Sprintf(`(() => { const e = document.getElementById("eps"); e.value = %d;
		e.dispatchEvent(new Event("input", {bubbles: true})); return true })()`, g), nil)
}

// drawStroke draws one line through pts, given in pad pixels (0–280).
func drawStroke(pts ...[2]float64) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var r struct{ X, Y, W, H float64 }
		if err := chromedp.Run(ctx, eval(`(() => { const r = document.getElementById("pad").getBoundingClientRect();
			return {X: r.left, Y: r.top, W: r.width, H: r.height} })()`, &r)); err != nil {
			return err
		}
		at := func(p [2]float64) (float64, float64) { return r.X + p[0]*r.W/padSize, r.Y + p[1]*r.H/padSize }
		x, y := at(pts[0])
		if err := input.DispatchMouseEvent(input.MousePressed, x, y).WithButton(input.Left).WithButtons(1).WithClickCount(1).Do(ctx); err != nil {
			return err
		}
		for _, p := range pts[1:] {
			x, y = at(p)
			if err := input.DispatchMouseEvent(input.MouseMoved, x, y).WithButton(input.Left).WithButtons(1).Do(ctx); err != nil {
				return err
			}
		}
		return input.DispatchMouseEvent(input.MouseReleased, x, y).WithButton(input.Left).WithClickCount(1).Do(ctx)
	})
}

// line returns n+1 points from a to b.
func line(a, b [2]float64, n int) [][2]float64 {
	var pts [][2]float64
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		pts = append(pts, [2]float64{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
	}
	return pts
}

func TestDrawDigits(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var ellipse [][2]float64
	for i := 0; i <= 40; i++ {
		a := 2 * math.Pi * float64(i) / 40
		ellipse = append(ellipse, [2]float64{140 + 62*math.Sin(a), 140 - 90*math.Cos(a)})
	}
	seven := append(line([2]float64{75, 55}, [2]float64{205, 55}, 10), line([2]float64{205, 55}, [2]float64{125, 235}, 14)...)
	digits := []struct {
		want    string
		strokes [][][2]float64
	}{
		{"1", [][][2]float64{line([2]float64{145, 45}, [2]float64{135, 235}, 16)}},
		{"0", [][][2]float64{ellipse}},
		{"7", [][][2]float64{seven}},
	}
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	for i, d := range digits {
		var acts []chromedp.Action
		if i > 0 {
			// Clear is enabled once the pad has re-rendered after the last
			// stroke; clicking it earlier would draw over the last digit.
			acts = append(acts, poll(`!document.getElementById("clear").disabled`),
				eval(`document.getElementById("clear").click()`, nil),
				poll(`document.getElementById("clear").disabled`))
		}
		for _, s := range d.strokes {
			acts = append(acts, drawStroke(s...))
		}
		if err := chromedp.Run(ctx, acts...); err != nil {
			t.Fatal(err)
		}
		var got string
		err := chromedp.Run(ctx, poll(fmt.Sprintf(`document.getElementById("live-label") && document.getElementById("live-label").textContent === %q`, d.want)))
		chromedp.Run(ctx, eval(`document.getElementById("live-label") ? document.getElementById("live-label").textContent : ""`, &got))
		if err != nil {
			t.Errorf("drew a %s; the model says %q", d.want, got)
		}
	}
	// A drawing makes the URL hold the input, so a link reproduces it.
	var href string
	if err := chromedp.Run(ctx, chromedp.Sleep(400*time.Millisecond), eval(`location.href`, &href)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(href, "x=") {
		t.Errorf("after drawing, the URL %s holds no input", href)
	}
}

func TestSampleFGSMFlipsAndZeroRestores(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	err := chromedp.Run(ctx,
		waitReady(srv.URL+"/"),
		clickThumb(4),
		poll(`location.search.includes("sample=4")`),
		setEps(0),
		poll(`document.getElementById("eps-value").textContent.startsWith("0.000")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	clean0, adv0, err := labels(ctx)
	if err != nil || clean0 == "" || clean0 != adv0 {
		t.Fatalf("at ε = 0 the labels are %q and %q (%v); want equal", clean0, adv0, err)
	}
	if err := chromedp.Run(ctx, setEps(64),
		poll(`document.querySelector(".figure").dataset.adv !== document.querySelector(".figure").dataset.clean`)); err != nil {
		c, a, _ := labels(ctx)
		t.Fatalf("FGSM at ε = 64/255 on mlp did not flip the prediction: %s → %s", c, a)
	}
	var verdict string
	chromedp.Run(ctx, eval(`document.getElementById("verdict").className`, &verdict))
	if !strings.Contains(verdict, "success") {
		t.Errorf("the verdict does not say the attack succeeded (class %q)", verdict)
	}
	if err := chromedp.Run(ctx, setEps(0),
		poll(`document.querySelector(".figure").dataset.adv === document.querySelector(".figure").dataset.clean`)); err != nil {
		t.Fatal("moving ε back to 0 did not restore the prediction")
	}
	if c, _, _ := labels(ctx); c != clean0 {
		t.Errorf("the clean label changed from %s to %s", clean0, c)
	}
}

func TestEmbedPresets(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var got struct {
		Embed  bool
		Model  string
		Loaded string
		Eps    string
		Notice bool
	}
	err := chromedp.Run(ctx,
		waitReady(srv.URL+"/?embed=1&model=softmax&eps=0.1"),
		poll(`document.getElementById("lab").dataset.model === "softmax"`),
		eval(`({Embed: document.getElementById("lab").classList.contains("embed"),
			Model: document.getElementById("model").value,
			Loaded: document.getElementById("lab").dataset.model,
			Eps: document.getElementById("eps").value,
			Notice: !!document.getElementById("notice")})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Embed || got.Model != "softmax" || got.Loaded != "softmax" || got.Eps != "26" || got.Notice {
		t.Errorf("?embed=1&model=softmax&eps=0.1 gave %+v; want embed, softmax, ε slider at 26/255, no notice", got)
	}
}

func TestHostileParams(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	hostile := "/?embed=1" +
		"&model=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E" +
		"&eps=1e308" +
		"&target=%22%3E%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D1%3E" +
		"&x=%3Csvg%20onload%3Dwindow.pwned%3D1%3E" +
		"&sample=999999999999999999999999"
	var got struct {
		Notice string
		Pwned  bool
		HTML   bool
		Model  string
	}
	err := chromedp.Run(ctx,
		waitReady(srv.URL+hostile),
		eval(`({Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : "",
			Pwned: window.pwned !== undefined,
			HTML: /pwned|<script|onerror|onload/i.test(document.body.innerHTML),
			Model: document.getElementById("model").value})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pwned || got.HTML {
		t.Errorf("hostile parameters reached the page: pwned=%v, in the DOM=%v", got.Pwned, got.HTML)
	}
	for _, name := range []string{"model", "eps", "target", "sample", "x"} {
		if !strings.Contains(got.Notice, name) {
			t.Errorf("the notice %q does not name %s", got.Notice, name)
		}
	}
	if got.Model != "mlp" {
		t.Errorf("the model fell back to %q, want mlp", got.Model)
	}
}

func TestStaticSiteUnderSubPath(t *testing.T) {
	site := staticFileServer(t, staticSite(t, "/fgsmlab")).URL
	ctx := newTabWithin(t, 5*time.Minute)
	if err := chromedp.Run(ctx, watchCSP(), waitReady(site+"/fgsmlab/?sample=2")); err != nil {
		t.Fatal("the static site under /fgsmlab/ did not load and classify: ", err)
	}
	want := fmt.Sprint(sampleLabel(t, 2))
	if clean, _, _ := labels(ctx); clean != want {
		t.Errorf("test digit 2 is a %s; the lab under /fgsmlab/ says %s", want, clean)
	}
	// The navigation's links work from a plain file server too, which has
	// no train.html for /train.
	for _, p := range pages[1:] {
		id := strings.TrimPrefix(p.Path, "/")
		if err := chromedp.Run(ctx, chromedp.Navigate(site+"/fgsmlab"+p.Path), poll(fmt.Sprintf(`!!document.getElementById(%q)`, id))); err != nil {
			t.Errorf("/fgsmlab%s from a plain file server: %v", p.Path, err)
		}
		checkCSP(t, ctx, "/fgsmlab"+p.Path)
	}
}

func TestOfflineAfterFirstVisit(t *testing.T) {
	srv := staticFileServer(t, staticSite(t, "/fgsmlab"))
	ctx := newTab(t)
	var cached int
	trainReady := poll(`document.querySelector("#train") && document.querySelector("#train").dataset.state === "ready"`)
	err := chromedp.Run(ctx,
		waitReady(srv.URL+"/fgsmlab/"),
		eval(`navigator.serviceWorker.ready.then(() => true)`, nil),
		poll(`navigator.serviceWorker.controller !== null`),
		// The training page fetches its digits on demand.
		chromedp.Navigate(srv.URL+"/fgsmlab/train"),
		trainReady,
		eval(`caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.keys())))).then(ls => ls.flat().length)`, &cached),
	)
	if err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	srv.Close()
	// A shared link, with its state in the query, must work offline too.
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/fgsmlab/?sample=3&eps=0.1")); err != nil {
		t.Fatalf("with the server stopped, the page did not reload and classify (%d cached responses): %v", cached, err)
	}
	if clean, _, _ := labels(ctx); clean != fmt.Sprint(sampleLabel(t, 3)) {
		t.Errorf("offline, test digit 3 is classified as %s", clean)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/fgsmlab/train"), trainReady); err != nil {
		t.Errorf("offline, the training page did not get its digits: %v", err)
	}
}

func TestCopyLinkReproducesExample(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	bc := ctx.Value(browserContextKey{}).(cdp.BrowserContextID)
	var link string
	err := chromedp.Run(ctx,
		browser.GrantPermissions([]browser.PermissionType{browser.PermissionTypeClipboardReadWrite, browser.PermissionTypeClipboardSanitizedWrite}).
			WithOrigin(srv.URL).WithBrowserContextID(bc),
		waitReady(srv.URL+"/"),
		clickThumb(7),
		setEps(20),
		eval(`document.getElementById("attack").value = "targeted";
			document.getElementById("attack").dispatchEvent(new Event("change", {bubbles: true}))`, nil),
		poll(`document.querySelector(".figure").dataset.ready === "true" && !!document.getElementById("target")`),
		eval(`document.getElementById("copy-link").click()`, nil),
		poll(`document.querySelector(".share .status").textContent !== ""`),
		eval(`navigator.clipboard.readText()`, &link),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sample=7", "attack=targeted", "eps=0.0784", "model=mlp", "target=0"} {
		if !strings.Contains(link, want) {
			t.Errorf("the copied link %q does not hold %s", link, want)
		}
	}
	var clean, adv string
	fresh := newTab(t)
	if err := chromedp.Run(fresh, waitReady(link)); err != nil {
		t.Fatal(err)
	}
	c0, a0, _ := labels(ctx)
	clean, adv, _ = labels(fresh)
	if clean != c0 || adv != a0 {
		t.Errorf("the link shows %s → %s; the page it was copied from showed %s → %s", clean, adv, c0, a0)
	}
}

func TestDownloadedPNGIsShownImage(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	dir := t.TempDir()
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/?sample=5&eps=0.2")); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 4)
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			done <- e.GUID
		}
	})
	bc := ctx.Value(browserContextKey{}).(cdp.BrowserContextID)
	var shown []int
	err := chromedp.Run(ctx,
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).
			WithDownloadPath(dir).WithEventsEnabled(true).WithBrowserContextID(bc),
		eval(`(() => {
			const c = document.createElement("canvas");
			c.width = c.height = 28;
			const g = c.getContext("2d");
			g.drawImage(document.getElementById("img-adv"), 0, 0);
			return Array.from(g.getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0));
		})()`, &shown),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		button string
		scale  int
	}{{"dl-28", 1}, {"dl-big", 10}} {
		if err := chromedp.Run(ctx, eval(fmt.Sprintf(`document.getElementById(%q).click()`, c.button), nil)); err != nil {
			t.Fatal(err)
		}
		var guid string
		select {
		case guid = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no download", c.button)
		}
		b, err := os.ReadFile(filepath.Join(dir, guid))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: the download is not a PNG: %v", c.button, err)
		}
		if got := img.Bounds(); got != image.Rect(0, 0, 28*c.scale, 28*c.scale) {
			t.Fatalf("%s: the PNG is %v, want %d×%d", c.button, got, 28*c.scale, 28*c.scale)
		}
		for i, want := range shown {
			x, y := (i%28)*c.scale+c.scale/2, (i/28)*c.scale+c.scale/2
			r, _, _, _ := img.At(x, y).RGBA()
			if int(r>>8) != want {
				t.Fatalf("%s: pixel %d is %d in the PNG and %d on the page", c.button, i, r>>8, want)
			}
		}
	}
}

// hostPage is the README's example host page, with the lab's origin filled in.
const hostPage = `<!doctype html>
<meta charset="utf-8">
<title>A course page</title>
<iframe id="lab" src="LAB/PATH" width="900" height="720" title="fgsmlab" ATTRS></iframe>
<script>
  const lab = document.getElementById("lab");
  const labOrigin = "LAB";
  window.states = [];
  window.errors = [];
  addEventListener("message", (e) => {
    if (e.origin !== labOrigin || e.source !== lab.contentWindow) return;
    if (e.data.type === "fgsmlab:state") states.push(e.data);
    if (e.data.type === "fgsmlab:error") errors.push(e.data.error);
  });
  function send(msg) { lab.contentWindow.postMessage(msg, labOrigin); }
</script>`

func TestHostPageDrivesLab(t *testing.T) {
	lab := labServer(t)
	host := crossSiteHost(t, lab.URL, "?embed=1", "")
	d := samples(t)
	var three int
	for three = 0; d.Labels[three] != 3; three++ {
	}
	pixels, _ := json.Marshal(d.Image(three))
	ctx := newTab(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate(host),
		poll(`states.length > 0`),
		eval(`send({type: "fgsmlab:set", model: "softmax", attack: "targeted", target: 2, eps: 0.2}), true`, nil),
		poll(`states.some(s => s.model === "softmax" && s.attack === "targeted" && s.target === 2 &&
			Math.abs(s.eps - 51/255) < 1e-9 && s.clean.probs.length === 10 && s.adversarial.probs.length === 10)`),
		eval(`send({type: "fgsmlab:set", model: "mlp", attack: "fgsm"}), true`, nil),
		poll(`states.length > 0 && states[states.length - 1].model === "mlp"`),
		eval(`states.length = 0; send({type: "fgsmlab:draw", pixels: `+string(pixels)+`}), true`, nil),
		poll(`states.some(s => s.model === "mlp" && s.clean.label === 3)`),
		eval(`send({type: "fgsmlab:set", eps: 7}), send({type: "fgsmlab:draw", pixels: [1, 2]}), true`, nil),
		poll(`errors.length === 2`),
	)
	if err != nil {
		var dump string
		chromedp.Run(ctx, eval(`JSON.stringify({states: states.slice(-2), errors})`, &dump))
		t.Fatalf("%v; the host saw %s", err, dump)
	}
}

func TestNoWebAssemblyMessage(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	var label string
	err := chromedp.Run(ctx,
		// A browser without WebAssembly (such as a locked-down or JIT-less one).
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := cdppage.AddScriptToEvaluateOnNewDocument(`delete globalThis.WebAssembly`).Do(ctx)
			return err
		}),
		chromedp.Navigate(srv.URL+"/"),
		poll(`document.getElementById("app-wasm-loader-label").textContent.includes("WebAssembly")`),
		eval(`document.getElementById("app-wasm-loader-label").textContent`, &label),
	)
	if err != nil {
		t.Fatalf("without WebAssembly the page does not say so (label %q): %v", label, err)
	}
}

// samples is the bundled test digits, as the page decodes them.
func samples(t *testing.T) *core.Dataset { return webDigits(t, testDigits) }

// webDigits decodes a bundled digit file as the page does.
func webDigits(t *testing.T, file string) *core.Dataset {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(webDir, file))
	if err != nil {
		t.Fatal(err)
	}
	d, err := core.DecodeSamples(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// nativeModel decodes a shipped model file as the page does.
func nativeModel(t *testing.T, name string) *core.Model {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(webDir, "models", name+".safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sampleLabel(t *testing.T, i int) int { return samples(t).Labels[i] }
