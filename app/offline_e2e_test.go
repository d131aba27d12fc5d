//go:build e2e && !js

// The service worker and offline use: after a first visit the lab and a
// shared link work offline, a changed file reaches a returning visitor,
// "Save for offline" makes every page and model work without the network,
// and without it an unvisited page says plainly that it needs the network
// once. Most run on `make run` and on the static site under a sub-path.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// offlineSite is the lab served from its own copy of web/, so that a test
// can change a file as a new release would.
type offlineSite struct {
	name    string
	root    string // the lab's URL: server, sub-path, slash
	web     string // the copy of web/
	srv     *httptest.Server
	publish func() // after a change in web: what a release does
}

// newOfflineSite serves the lab as `make run` does, or as the static site
// under /fgsmlab/.
func newOfflineSite(t *testing.T, static bool) *offlineSite {
	t.Helper()
	web := filepath.Join(t.TempDir(), "web")
	if err := os.CopyFS(web, os.DirFS(webDir)); err != nil {
		t.Fatal(err)
	}
	s := &offlineSite{name: "make run", web: web, publish: func() {}}
	if !static {
		s.srv = httptest.NewServer(newServer(web, "e2e")) // it notices changes itself
		s.root = s.srv.URL + "/"
		t.Cleanup(s.srv.Close)
		return s
	}
	dist := filepath.Join(t.TempDir(), "dist")
	s.publish = func() {
		if err := generateSite(dist, web, "/fgsmlab"); err != nil {
			t.Fatal(err)
		}
	}
	s.publish()
	s.srv = staticFileServer(t, dist)
	s.name, s.root = "static /fgsmlab", s.srv.URL+"/fgsmlab/"
	return s
}

// stop takes the site off the network, for the page and its worker alike.
func (s *offlineSite) stop() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// workerInControl waits until the service worker has installed and
// controls the page.
func workerInControl() chromedp.Action {
	return chromedp.Tasks{
		eval(`navigator.serviceWorker.ready.then(() => true)`, nil),
		poll(`navigator.serviceWorker.controller !== null`),
	}
}

// tabBeside opens another tab in the browser context of tab, so with the
// same caches and service worker, as a visitor opening the site again
// would; it has a time limit of its own, and closes when the test ends.
func tabBeside(t *testing.T, tab context.Context) context.Context {
	t.Helper()
	ctx, done := openBeside(t, tab)
	t.Cleanup(done)
	return ctx
}

// inTabBeside runs check in a tab of its own beside tab (as tabBeside),
// then closes that tab: the pages a test visits in turn do not keep
// running, and computing, while it opens the next.
func inTabBeside(t *testing.T, tab context.Context, check func(ctx context.Context)) {
	t.Helper()
	ctx, done := openBeside(t, tab)
	defer done()
	check(ctx)
}

func openBeside(t *testing.T, tab context.Context) (context.Context, func()) {
	t.Helper()
	exec := cdp.WithExecutor(browserCtx, chromedp.FromContext(browserCtx).Browser)
	bc := tab.Value(browserContextKey{}).(cdp.BrowserContextID)
	id, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).Do(exec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithTargetID(id))
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	return context.WithValue(ctx, browserContextKey{}, bc), func() {
		cancelT()
		cancel()
		target.CloseTarget(id).Do(exec)
	}
}

// pollLong is poll for pages that compute or load a while.
func pollLong(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

func TestOfflineAfterFirstVisit(t *testing.T) {
	besideOthers(t)
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

// offlinePages are the site's pages with what each shows once it has
// fetched and used its files (small digit counts keep them quick).
var offlinePages = []struct{ path, ready string }{
	{"", `document.querySelector(".figure") && document.querySelector(".figure").dataset.ready === "true"`},
	{"linear", `document.getElementById("linear") && document.getElementById("linear").dataset.ready === "true"`},
	// FGSM only: the PGD curves add minutes of compute and nothing offline.
	// The computing pages are ready once they compute: their models and
	// digits have loaded (what follows is the same offline as online).
	{"sweeps?n=100&curves=fgsm", computing("sweeps")},
	{"defence?n=100", computing("defence")},
	{"train", `document.getElementById("train") && document.getElementById("train").dataset.state === "ready"`},
	{"rbf?n=100", computing("rbf")},
	{"rubbish", `document.getElementById("rubbish") && document.getElementById("rubbish").dataset.ready === "true"`},
}

// computing is true once the explanation page id has loaded and computes,
// or has computed.
func computing(id string) string {
	return fmt.Sprintf(`["running", "done"].includes(document.getElementById(%q)?.dataset.state)`, id)
}

func TestOfflinePagesCoverEveryPage(t *testing.T) {
	if len(offlinePages) != len(pages) {
		t.Fatalf("the offline tests know %d pages; the site has %d", len(offlinePages), len(pages))
	}
}

// TestUpdatedFileReachesReturningVisitor replaces a model file, as a
// release fixing a broken model would: the returning visitor's next load
// offers the new version, and reloading uses the new file.
func TestUpdatedFileReachesReturningVisitor(t *testing.T) {
	besideOthers(t)
	for _, static := range []bool{false, true} {
		site := newOfflineSite(t, static)
		t.Run(site.name, func(t *testing.T) {
			ctx := newTab(t)
			size := fmt.Sprintf(`fetch(%q).then(r => r.arrayBuffer()).then(b => b.byteLength)`, site.root+"web/models/mlp.safetensors")
			var before, after int
			if err := chromedp.Run(ctx, chromedp.Navigate(site.root), pollLong(offlinePages[0].ready), workerInControl(), eval(size, &before)); err != nil {
				t.Fatal(err)
			}
			fixed, err := os.ReadFile(filepath.Join(webDir, "models", "softmax.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if len(fixed) == before {
				t.Fatal("the replacement must differ in size from the file it replaces")
			}
			if err := os.WriteFile(filepath.Join(site.web, "models", "mlp.safetensors"), fixed, 0o644); err != nil {
				t.Fatal(err)
			}
			site.publish()
			ctx = tabBeside(t, ctx)
			err = chromedp.Run(ctx,
				chromedp.Navigate(site.root),
				pollLong(`!!document.getElementById("update-notice")`),
				eval(`window.fgsmlabBefore = true; document.getElementById("update-reload").click(), true`, nil),
				pollAcrossLoad(`!window.fgsmlabBefore && document.querySelector(".figure") && document.querySelector(".figure").dataset.ready === "true"`),
				eval(size, &after),
			)
			if err != nil {
				t.Fatalf("after the release, no notice of a new version or no reload: %v", err)
			}
			if after != len(fixed) {
				t.Errorf("after the reload the model file has %d bytes; the release has %d (the old one %d)", after, len(fixed), before)
			}
		})
	}
}

// TestSaveForOffline saves the site, then opens every page and every
// model with the server gone.
func TestSaveForOffline(t *testing.T) {
	besideOthers(t)
	for _, static := range []bool{false, true} {
		site := newOfflineSite(t, static)
		t.Run(site.name, func(t *testing.T) {
			ctx := newTab(t)
			var offer string
			err := chromedp.Run(ctx,
				chromedp.Navigate(site.root), pollLong(offlinePages[0].ready), workerInControl(),
				eval(`document.querySelector("#save-offline button").click(), true`, nil),
				poll(`document.getElementById("save-offline").dataset.state === "confirm"`),
				eval(`document.getElementById("save-offline").innerText`, &offer),
			)
			if err != nil {
				t.Fatal(err)
			}
			if want := megabytes(listed(t, site.root+"offline.json").size()); !strings.Contains(offer, want) {
				t.Errorf("the offer %q does not show the size of the offline list, %s", offer, want)
			}
			err = chromedp.Run(ctx,
				eval(`document.getElementById("save-offline-go").click(), true`, nil),
				chromedp.Poll(`document.getElementById("save-offline").dataset.state === "done"`, nil, chromedp.WithPollingTimeout(60*time.Second)),
			)
			if err != nil {
				var state string
				chromedp.Run(ctx, eval(`document.getElementById("save-offline").innerText`, &state))
				t.Fatalf("saving did not finish (%q): %v", state, err)
			}
			// Every file the offer listed is in the cache, in both modes.
			var missing []string
			urls, _ := json.Marshal(listedURLs(t, site.root+"offline.json"))
			if err := chromedp.Run(ctx, eval(`Promise.all(`+string(urls)+`.map((u) => caches.match(u).then((r) => r ? "" : u))).then((a) => a.filter(Boolean))`, &missing)); err != nil || len(missing) > 0 {
				t.Errorf("after saving, not in the cache: %v (%v)", missing, err)
			}
			site.stop()
			// Offline, every page and every model of the lab opens on the
			// static site, which is what hosts serve; `make run` shares the
			// worker, so the lab and /linear (which opens logreg37) do.
			pages, models := offlinePages, modelNames
			if !static {
				pages, models = offlinePages[:2], modelNames[:1]
			}
			for _, p := range pages {
				inTabBeside(t, ctx, func(ctx context.Context) {
					if err := chromedp.Run(ctx, chromedp.Navigate(site.root+p.path), pollLong(p.ready)); err != nil {
						t.Errorf("offline, /%s did not work: %v (%s)", p.path, err, pageText(ctx))
					}
				})
			}
			for _, name := range models {
				inTabBeside(t, ctx, func(ctx context.Context) {
					var shown string
					err := chromedp.Run(ctx, chromedp.Navigate(site.root+"?model="+name), pollLong(offlinePages[0].ready),
						eval(`document.getElementById("lab").dataset.model`, &shown))
					if err != nil || shown != name {
						t.Errorf("offline, the lab with model %s shows %q: %v (%s)", name, shown, err, pageText(ctx))
					}
				})
			}
		})
	}
}

// pollAcrossLoad waits until expr is true in a page the tab is loading:
// poll fails when the page it evaluates in goes away.
func pollAcrossLoad(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			var ok bool
			if err = chromedp.Run(ctx, eval(expr, &ok)); err == nil && ok {
				return nil
			}
		}
		return fmt.Errorf("%s is still false (%v)", expr, err)
	})
}

// listed fetches the offline list.
func listed(t *testing.T, url string) offlineList {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var list offlineList
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list
}

// listedURLs are the offline list's URLs.
func listedURLs(t *testing.T, url string) []string {
	var urls []string
	for _, f := range listed(t, url).Files {
		urls = append(urls, f.URL)
	}
	return urls
}

// pageText is the start of what the page says, for failure messages.
func pageText(ctx context.Context) string {
	var s string
	chromedp.Run(ctx, eval(`document.body ? document.body.innerText.slice(0, 300) : ""`, &s))
	return s
}

// TestOfflineUnsavedSaysNetworkOnce: without "Save for offline", a page
// and a model never opened online say plainly that they need the network
// once, instead of the browser's fetch error.
func TestOfflineUnsavedSaysNetworkOnce(t *testing.T) {
	besideOthers(t)
	for _, static := range []bool{false, true} {
		site := newOfflineSite(t, static)
		t.Run(site.name, func(t *testing.T) {
			ctx := newTab(t)
			if err := chromedp.Run(ctx, chromedp.Navigate(site.root), pollLong(offlinePages[0].ready), workerInControl()); err != nil {
				t.Fatal(err)
			}
			site.stop()
			plain := `document.body.innerText.includes("needs it once")`
			for _, path := range []string{"train", "sweeps?models=softmax&n=100", "?model=softmax"} {
				inTabBeside(t, ctx, func(ctx context.Context) {
					var raw bool
					err := chromedp.Run(ctx, chromedp.Navigate(site.root+path), pollLong(plain),
						eval(`document.body.innerText.includes("Failed to fetch")`, &raw))
					if err != nil {
						t.Errorf("offline, /%s does not say it needs the network once: %v (%s)", path, err, pageText(ctx))
					}
					if raw {
						t.Errorf("offline, /%s shows the raw fetch error: %s", path, pageText(ctx))
					}
				})
			}
		})
	}
}

// TestOfflineBarScreenshots saves the offline bar's states (the offer,
// its size, saved, the update notice; desktop and phone width) into
// $FGSMLAB_SHOTS (skipped when unset), for people to look at.
func TestOfflineBarScreenshots(t *testing.T) {
	dir := os.Getenv("FGSMLAB_SHOTS")
	if dir == "" {
		t.Skip("set FGSMLAB_SHOTS to a directory to take screenshots")
	}
	srv := labServer(t)
	for _, w := range []int64{1280, 360} {
		ctx := newTab(t)
		shot := func(name string) chromedp.Action {
			return chromedp.ActionFunc(func(ctx context.Context) error {
				var buf []byte
				if err := chromedp.Run(ctx, chromedp.Sleep(300*time.Millisecond), chromedp.FullScreenshot(&buf, 100)); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(dir, fmt.Sprintf("offline-%s-%d.png", name, w)), buf, 0o644)
			})
		}
		err := chromedp.Run(ctx,
			emulation.SetDeviceMetricsOverride(w, 900, 1, w < 600),
			chromedp.Navigate(srv.URL+"/"), pollLong(offlinePages[0].ready), workerInControl(), shot("idle"),
			eval(`document.querySelector("#save-offline button").click(), true`, nil),
			poll(`document.getElementById("save-offline").dataset.state === "confirm"`), shot("confirm"),
			eval(`document.getElementById("save-offline-go").click(), true`, nil),
			chromedp.Poll(`document.getElementById("save-offline").dataset.state === "done"`, nil, chromedp.WithPollingTimeout(60*time.Second)),
			eval(`goappOnUpdate(), true`, nil), // as go-app does when a new worker has installed
			poll(`!!document.getElementById("update-notice")`), shot("done-update"),
		)
		if err != nil {
			t.Fatalf("%v (%s)", err, pageText(ctx))
		}
		ctx = tabBeside(t, ctx)
		err = chromedp.Run(ctx,
			emulation.SetDeviceMetricsOverride(w, 900, 1, w < 600),
			chromedp.Navigate(srv.URL+"/?embed=1"), pollLong(offlinePages[0].ready),
			eval(`goappOnUpdate(), true`, nil), poll(`!!document.getElementById("update-notice")`), shot("embed-update"),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
}
