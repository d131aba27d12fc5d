//go:build e2e && !js

// End-to-end tests: the real pages in headless Chromium, driven with
// chromedp, served on 127.0.0.1. They need the built web/ directory
// (app.wasm, digits.bin, models/): run them with `make test-browser`.
// This file has TestMain and the helpers the test files share; each page's
// tests are in its own file (lab_*, linear, sweeps, defence, rbf, rubbish,
// train), and the other files test one concern across the pages.
package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fgsmlab/core"

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
	removeSites()
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

// labHandler is the lab's server as `make run` builds it, shared by the
// tests (it renders pages on request and caches compressed files).
var labHandler = sync.OnceValue(func() http.Handler { return newServer(webDir, "e2e") })

// labServer serves the lab as `make run` does.
func labServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(labHandler())
	t.Cleanup(srv.Close)
	return srv
}

// removeSites removes staticSite's sites, once the browser is gone.
func removeSites() {
	sites.Lock()
	if sites.root != "" {
		os.RemoveAll(sites.root)
	}
	sites.Unlock()
}

// besideOthers runs t beside the other tests that call it, once the
// package's other tests are done (go test runs -parallel of them at a time,
// by default as many as there are cores). A test may call it only if it
// has its own browser context and servers, changes nothing the others
// use, and checks nothing that depends on how much CPU time it gets (no
// long-task or latency bound; its time limits are generous). The
// responsiveness tests and the benchmarks stay sequential.
func besideOthers(t *testing.T) { t.Parallel() }

// generateSite is generate, one at a time: the tests that run beside
// others write sites too.
func generateSite(dir, web, base string) error {
	generateMu.Lock()
	defer generateMu.Unlock()
	return generate(dir, web, base, "e2e")
}

var generateMu sync.Mutex

// staticSite writes the static site for the base path, as `make site`
// does, once for the package: the tests only read it (a test that changes
// a site makes its own, as newOfflineSite does).
func staticSite(t *testing.T, base string) string {
	t.Helper()
	sites.Lock()
	defer sites.Unlock()
	if dir, ok := sites.dirs[base]; ok {
		return dir
	}
	if sites.root == "" {
		root, err := os.MkdirTemp("", "fgsmlab-e2e-sites")
		if err != nil {
			t.Fatal(err)
		}
		sites.root = root
	}
	dir := filepath.Join(sites.root, fmt.Sprint(len(sites.dirs)), "dist")
	if err := generateSite(dir, webDir, base); err != nil {
		t.Fatal(err)
	}
	if sites.dirs == nil {
		sites.dirs = map[string]string{}
	}
	sites.dirs[base] = dir
	return dir
}

// sites are staticSite's sites, by base path, in the directory root, which
// TestMain removes.
var sites struct {
	sync.Mutex
	root string
	dirs map[string]string
}

// staticFileServer serves the static site dist under /fgsmlab/ from a plain
// file server, as GitHub Pages would. Tests that go offline close it.
func staticFileServer(t *testing.T, dist string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(staticSiteHandler(dist))
	t.Cleanup(srv.Close)
	return srv
}

// staticSiteHandler is the plain file server of staticFileServer: the
// static site dist under /fgsmlab/.
func staticSiteHandler(dist string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/fgsmlab/", http.StripPrefix("/fgsmlab", http.FileServer(http.Dir(dist))))
	return mux
}

// staticGzipServer is staticFileServer as GitHub Pages serves a site:
// gzip-compressed to a browser that accepts it. It sends the .gz copies
// that the site's generation writes, as nginx's gzip_static does.
func staticGzipServer(t *testing.T, dist string) *httptest.Server {
	t.Helper()
	plain := staticSiteHandler(dist)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/fgsmlab/")
		if strings.HasSuffix(r.URL.Path, "/") {
			name += "index.html"
		}
		f, err := os.Open(filepath.Join(dist, filepath.FromSlash(path.Clean("/"+name))) + ".gz")
		if !ok || err != nil || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			if err == nil {
				f.Close()
			}
			plain.ServeHTTP(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Vary", "Accept-Encoding")
		http.ServeContent(w, r, name, st.ModTime(), f)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// crossSiteHost serves the README's host page framing the lab at
// labURL+path, and returns the host page's URL. The host is on
// http://localhost:P and the lab on http://127.0.0.1:Q: different sites, as
// a course platform and GitHub Pages are, so the browser treats the frame as
// third-party (its storage can be blocked, its origin differs). attrs are
// extra attributes of the iframe, such as `sandbox="allow-scripts"`.
func crossSiteHost(t *testing.T, labURL, path, attrs string) string {
	t.Helper()
	if !strings.HasPrefix(labURL, "http://127.0.0.1:") {
		t.Fatalf("the lab must be served on 127.0.0.1, not %s", labURL)
	}
	page := strings.NewReplacer("LAB", labURL, "PATH", path, "ATTRS", attrs).Replace(hostPage)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	t.Cleanup(host.Close)
	return strings.Replace(host.URL, "127.0.0.1", "localhost", 1) + "/"
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

// labFrame attaches to the lab's frame in the host page: the lab is on
// another site, so Chromium runs it in a process and target of its own.
func labFrame(t *testing.T, ctx context.Context, labURL string) context.Context {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range infos {
			if in.Type == "iframe" && strings.HasPrefix(in.URL, labURL) {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(in.TargetID))
				t.Cleanup(cancel)
				return fctx
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no frame target for the lab at %s", labURL)
	return nil
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

// pageState waits until the page's root (by id) reaches the state.
func pageState(id, state string) chromedp.Action {
	return chromedp.Poll(fmt.Sprintf(`(() => { const e = document.getElementById(%q); return !!e && e.dataset.state === %q })()`, id, state),
		nil, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(25*time.Millisecond))
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

// goFailures collects what the page's console and uncaught exceptions say
// about Go panicking or exiting.
type goFailures struct {
	sync.Mutex
	seen []string
}

// watchGo starts collecting the tab's Go failures.
func watchGo(ctx context.Context) *goFailures {
	f := &goFailures{}
	chromedp.ListenTarget(ctx, func(ev any) {
		var text string
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			for _, a := range e.Args {
				text += string(a.Value) + a.Description + " "
			}
		case *runtime.EventExceptionThrown:
			text = e.ExceptionDetails.Text
			if ex := e.ExceptionDetails.Exception; ex != nil {
				text += " " + ex.Description
			}
		default:
			return
		}
		if strings.Contains(text, "panic:") || strings.Contains(text, "Go program has already exited") {
			f.Lock()
			f.seen = append(f.seen, text)
			f.Unlock()
		}
	})
	return f
}

// take returns and forgets what was collected.
func (f *goFailures) take() []string {
	f.Lock()
	defer f.Unlock()
	s := f.seen
	f.seen = nil
	return s
}

// pageCheck says how to tell that a page started and still answers: ready
// is true once Go has loaded what the page needs (after any start-up panic
// would have struck); each poke moves one control and waits for what Go
// does in reply. A poke whose control the panel hides is skipped, but at
// least one must run.
type pageCheck struct {
	path   string
	panels []string // the values of ?panel, "" for none
	ready  string
	pokes  []poke
}

type poke struct {
	control string // element id
	value   string // set, then "input" and "change" are dispatched; "" clicks
	answer  string // JS expression Go makes true in reply
}

var everyPage = []pageCheck{
	{"/", []string{""}, `document.documentElement.dataset.fgsmlab === "mounted" && document.querySelector(".figure")?.dataset.ready === "true"`,
		[]poke{{"eps", "10", `document.getElementById("eps-value").textContent.startsWith("0.039")`},
			{"attack", "deepfool", `!!document.getElementById("eps-none") && location.search.includes("attack=deepfool")`},
			{"p-overshoot", "0.1", `location.search.includes("overshoot=0.1")`}}},
	{"/linear", []string{"", "figure", "dim", "precision", "logits", "l1"}, `document.getElementById("linear")?.dataset.ready === "true"`,
		[]poke{{"eps", "10", `document.getElementById("eps-value").textContent.startsWith("0.039")`},
			{"dim-n", "123", `document.getElementById("dim-n-value").textContent === "123"`},
			{"sub", "3", `document.getElementById("sub-value").textContent.startsWith("0.3/255")`},
			{"lg-next", "", `document.getElementById("logits")?.dataset.digit === "1" && location.search.includes("digit=1")`}}},
	{"/sweeps", []string{""}, `["running", "done"].includes(document.getElementById("sweeps")?.dataset.state)`,
		[]poke{{"sweep-n", "100", `location.search.includes("n=100")`}}},
	{"/defence", []string{""}, `["running", "done"].includes(document.getElementById("defence")?.dataset.state)`,
		[]poke{{"def-next", "", `document.getElementById("def-sample").value === "1"`},
			{"def-pair", "cnn", `location.search.includes("pair=cnn")`}}},
	{"/train", []string{""}, `document.getElementById("train")?.dataset.state === "ready"`,
		[]poke{{"tr-seed", "7", `location.search.includes("seed=7")`}}},
	{"/rbf", []string{""}, `["running", "done"].includes(document.getElementById("rbf")?.dataset.state)`,
		[]poke{{"rbf-eps", "10", `document.getElementById("rbf-eps-value").textContent === "0.10"`}}},
	{"/rubbish", []string{"", "grid", "fraction", "target"}, `document.getElementById("rubbish")?.dataset.ready === "true"`,
		[]poke{{"more-noise", "", `location.search.includes("image=8")`},
			{"rub-n", "100", `location.search.includes("n=100")`},
			{"rub-eps", "10", `location.search.includes("eps=0.0392")`}}},
}

// startsAndAnswers opens url and fails t unless the page gets ready, Go
// neither panics nor exits, and a control still gets its answer.
func startsAndAnswers(ctx context.Context, t *testing.T, f *goFailures, url string, c pageCheck) {
	t.Helper()
	// The pages that start computing at once take a while on a busy
	// machine: poll's 30 s is too short for them.
	err := chromedp.Run(ctx, chromedp.Navigate(url),
		chromedp.Poll(c.ready, nil, chromedp.WithPollingTimeout(75*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		err = fmt.Errorf("not ready: %w", err)
	}
	poked := 0
	for _, p := range c.pokes {
		if err != nil {
			break
		}
		var here bool
		if err = chromedp.Run(ctx, eval(fmt.Sprintf(`!!document.getElementById(%q)`, p.control), &here)); err != nil || !here {
			continue
		}
		poked++
		act := fmt.Sprintf(`document.getElementById(%q).click()`, p.control)
		if p.value != "" {
			act = fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q;
				for (const k of ["input", "change"]) e.dispatchEvent(new Event(k, {bubbles: true})) })()`, p.control, p.value)
		}
		if err = chromedp.Run(ctx, eval(act, nil), poll(p.answer)); err != nil {
			err = fmt.Errorf("%s did not answer: %w", p.control, err)
		}
	}
	if err == nil && poked == 0 {
		err = fmt.Errorf("no control to try")
	}
	time.Sleep(100 * time.Millisecond) // the console's last events
	if bad := f.take(); len(bad) > 0 || err != nil {
		t.Errorf("%.120s: %v; Go said %q", url, err, bad)
	}
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

// keepState makes the page keep the lab's last fgsmlab:state message (the
// lab posts it to its own window when it is not framed) in window.lastState,
// and every fgsmlab:error in window.labErrors.
func keepState() chromedp.Action {
	return eval(`window.labErrors = []; addEventListener("message", e => {
		if (e.data && e.data.type === "fgsmlab:state") window.lastState = e.data;
		if (e.data && e.data.type === "fgsmlab:error") window.labErrors.push(e.data.error) }), true`, nil)
}

// attackState is the part of fgsmlab:state the attack tests read.
type attackState struct {
	Attack   string
	Eps      float64
	Norm     string
	Settings map[string]float64
	Target   int
	Clean    struct{ Label int }
	// Adversarial's probabilities are compared with core's.
	Adversarial struct {
		Label int
		Probs []float64
	}
	Eta struct {
		LInf float64
		L2   float64
		L0   int
	}
}

// stateFor waits for the lab's fgsmlab:state about attack a, computed in
// full (no sliced run pending), and reads it.
func stateFor(a core.Attack, st *attackState) chromedp.Action {
	return chromedp.Tasks{
		poll(fmt.Sprintf(`window.lastState && window.lastState.attack === %q &&
			document.querySelector(".figure").dataset.ready === "true" &&
			document.querySelector(".attack").dataset.attack === %q`, a, a)),
		eval(`window.lastState`, st),
	}
}

// frame checks the embed mode: no navigation, the embed class, the notice.
type frame struct {
	Embed, Nav bool
	Notice     string
}

func frameOf(ctx context.Context, t *testing.T, id string) frame {
	t.Helper()
	var f frame
	if err := chromedp.Run(ctx, eval(fmt.Sprintf(`({Embed: document.getElementById(%q).classList.contains("embed"),
		Nav: !!document.querySelector(".site-nav"),
		Notice: document.getElementById("notice") ? document.getElementById("notice").textContent : ""})`, id), &f)); err != nil {
		t.Fatal(err)
	}
	return f
}

func dataNum(sel, key string) string {
	return fmt.Sprintf(`Number(document.querySelector(%q).dataset[%q])`, sel, key)
}

// a11yFaults lists, for the page in the tab, the faults that Lighthouse's
// accessibility audits (axe) flag and this site has had:
//   - an aria-label on an element with no role that takes a name (a plain
//     div or span), which screen readers ignore;
//   - a control whose accessible name does not contain its visible text, so
//     speech users cannot name what they see ("label in name", WCAG 2.5.3);
//   - text whose contrast with its background is under WCAG AA's 4.5:1
//     (3:1 for large text).
//
// Lighthouse itself runs in `make lighthouse`; this test keeps the faults
// from coming back without it.
const a11yFaults = `(() => {
	const norm = (s) => s.toLowerCase().replace(/\s+/g, " ").trim();
	const plain = new Set(["DIV", "SPAN", "P", "B", "I", "STRONG", "EM", "CODE", "PRE", "SMALL"]);
	const bad = [];
	for (const e of document.querySelectorAll("[aria-label], [aria-labelledby]")) {
		if (plain.has(e.tagName) && !e.hasAttribute("role")) bad.push("aria-label on a plain element: " + e.outerHTML.slice(0, 120));
	}
	for (const e of document.querySelectorAll("button[aria-label], a[aria-label], [role=button][aria-label]")) {
		// Like axe, leave out text with no letters or digits, such as "←".
		const seen = norm(e.innerText || "");
		if (/[\p{L}\p{N}]/u.test(seen) && !norm(e.getAttribute("aria-label")).includes(seen)) bad.push("name lacks the visible text " + JSON.stringify(seen) + ": " + e.outerHTML.slice(0, 120));
	}
	// Text contrast (WCAG AA, axe's color-contrast): 4.5:1, or 3:1 for
	// large text, against the backgrounds behind it composited up to the
	// first opaque one, with the opacity of the text's ancestors. Text on
	// an image or a canvas, or in an SVG, is left out, as axe leaves it
	// undecided.
	const rgba = (s) => { const m = s.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/); return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null; };
	const over = (top, under, a) => top.map((v, i) => v * a + under[i] * (1 - a));
	const lum = (c) => c.reduce((l, v, i) => { v /= 255; v = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; return l + [0.2126, 0.7152, 0.0722][i] * v; }, 0);
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	const seen = new Set();
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const e = n.parentElement;
		if (!e || seen.has(e) || !/[\p{L}\p{N}]/u.test(n.data) || e.closest("svg, [hidden], :disabled")) continue;
		seen.add(e);
		if (!e.getClientRects().length) continue;
		const st = getComputedStyle(e);
		if (st.visibility !== "visible") continue;
		let fg = rgba(st.color), opacity = 1, layers = [], image = false;
		for (let a = e; a; a = a.parentElement) {
			const s = getComputedStyle(a);
			opacity *= +s.opacity;
			if (s.backgroundImage !== "none") { image = true; break; }
			const b = rgba(s.backgroundColor);
			if (b && b[3] > 0) { layers.push(b); if (b[3] === 1) break; }
		}
		const r = e.getBoundingClientRect();
		image ||= document.elementsFromPoint(r.left + r.width / 2, r.top + r.height / 2).some((b) => /^(CANVAS|IMG|VIDEO)$/.test(b.tagName) && !e.contains(b));
		if (image || !fg) continue;
		let bg = [255, 255, 255];
		for (const b of layers.reverse()) bg = over(b.slice(0, 3), bg, b[3]);
		const text = over(fg.slice(0, 3), bg, fg[3] * opacity);
		const l1 = lum(text), l2 = lum(bg), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		const px = parseFloat(st.fontSize), bold = +st.fontWeight >= 700;
		const need = px >= 24 || (bold && px >= 18.66) ? 3 : 4.5;
		if (ratio < need - 0.02) bad.push("text contrast " + ratio.toFixed(2) + ":1, under " + need + ":1: " + JSON.stringify(n.data.trim().slice(0, 40)) + " in " + e.outerHTML.slice(0, 100));
	}
	return bad;
})()`

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

func sampleLabel(t *testing.T, i int) int { return samples(t).Labels[i] }

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

// near fails the test when the page's value is not the native one.
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s: the page shows %v, core computes %v", what, got, want)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[len(s)/2]
}

// formatKB prints a size in KiB to one decimal, or in MiB to two, without
// trailing zeros.
func formatKB(b float64) string {
	if b >= 1<<20 {
		return strconv.FormatFloat(math.Round(b/(1<<20)*100)/100, 'f', -1, 64) + " MiB"
	}
	return strconv.FormatFloat(math.Round(b/1024*10)/10, 'f', -1, 64) + " KiB"
}

// machine names the CPU, as the kernel reports it.
func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model, mhz := "", 0.0
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "model name" && model == "" {
			model = v
		}
		if k == "cpu MHz" && mhz == 0 {
			mhz, _ = strconv.ParseFloat(v, 64)
		}
	}
	return fmt.Sprintf("%d cores, %s @ %.1f GHz", goruntime.NumCPU(), cmp.Or(model, "unknown CPU"), mhz/1000)
}

// loadAverage is the kernel's load averages over 1, 5 and 15 minutes, and
// the first of them as a number (0 if unknown).
func loadAverage() (string, float64) {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?", 0
	}
	one, _ := strconv.ParseFloat(f[0], 64)
	return strings.Join(f[:3], " "), one
}
