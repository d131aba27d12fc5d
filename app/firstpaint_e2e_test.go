//go:build e2e && !js

// First paint: the HTML of the lab and of /linear already shows their
// results without scripts, a linked page shows placeholders rather than
// another example, and the runtime takes over without a visible change.
package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// shownExample reads, from the page as it is, the result it shows: the
// captions under x and x̃, whether the three images are pictures that have
// loaded, and the widest "after" bar's class.
const shownExample = `(() => {
	const img = (id) => { const e = document.getElementById(id); return !!e && e.tagName === "IMG" && e.complete && e.naturalWidth === 28; };
	const caps = Array.from(document.querySelectorAll(".figure .pred")).map((e) => e.textContent);
	let top = "", best = -1;
	for (const row of document.querySelectorAll(".probs .bar-row")) {
		const w = parseFloat(row.querySelector(".bar.adv").style.width);
		if (w > best) { best = w; top = row.querySelector("th").textContent; }
	}
	return {images: img("img-x") && img("img-eta") && img("img-adv") && img("seen"), clean: caps[0] || "", adv: caps[2] || "", top,
		placeholder: getComputedStyle(document.getElementById("img-x") || document.body).filter.includes("brightness")};
})()`

type example struct {
	Images      bool
	Clean, Adv  string
	Top         string
	Placeholder bool
}

// wantExample is what the lab must show for settings s on test digit i,
// computed natively.
func wantExample(t *testing.T, s settings) (clean, adv string) {
	t.Helper()
	m := nativeModel(t, s.Model)
	o := attack(m, samples(t).Image(s.Sample), s)
	return fmt.Sprintf("“%d”", o.CleanLabel), fmt.Sprintf("“%d”", o.AdvLabel)
}

// TestFirstPaintShowsTheExample opens the lab with scripts turned off, so
// that only the HTML counts: the plain link of the static site and of `make
// run`, and a link with parameters from `make run`, which computes any
// link's example. Each shows x, η, x̃, their labels and the bars.
func TestFirstPaintShowsTheExample(t *testing.T) {
	static := staticFileServer(t, staticSite(t, "/fgsmlab"))
	run := labServer(t)
	def := defaultSettings()
	linked := defaultSettings()
	linked.Sample, linked.Eps255 = 4, 26
	ctx := newTab(t)
	if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(true)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		url string
		s   settings
	}{
		{static.URL + "/fgsmlab/", def},
		{run.URL + "/", def},
		{run.URL + "/?sample=4&eps=0.102", linked},
	} {
		var got example
		if err := chromedp.Run(ctx, chromedp.Navigate(c.url), eval(shownExample, &got)); err != nil {
			t.Fatal(c.url, err)
		}
		clean, adv := wantExample(t, c.s)
		if !got.Images || !strings.HasPrefix(got.Clean, clean) || !strings.HasPrefix(got.Adv, adv) ||
			"“"+got.Top+"”" != adv || got.Placeholder {
			t.Errorf("%s without scripts shows %+v, want the images, %s → %s and its bars", c.url, got, clean, adv)
		}
	}
}

// TestLinkedPageShowsPlaceholders: the static site has one HTML file per
// page, rendered for the plain link. Opened with a link that names another
// example, it must not show the default one as if it were the link's: the
// result shows as placeholders until the runtime computes the right one.
func TestLinkedPageShowsPlaceholders(t *testing.T) {
	static := staticFileServer(t, staticSite(t, "/fgsmlab"))
	ctx := newTab(t)
	var got example
	err := chromedp.Run(ctx,
		network.Enable(),
		network.SetBlockedURLs([]string{"*app.wasm"}), // the runtime never comes
		chromedp.Navigate(static.URL+"/fgsmlab/?sample=4&eps=0.102"),
		eval(shownExample, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Placeholder {
		t.Errorf("a linked page of the static site shows the default example as its own: %+v", got)
	}
	// With the runtime, the link's own example replaces the placeholders.
	ctx = newTab(t)
	err = chromedp.Run(ctx, waitReady(static.URL+"/fgsmlab/?sample=4&eps=0.102"), eval(shownExample, &got))
	if err != nil {
		t.Fatal(err)
	}
	s := defaultSettings()
	s.Sample, s.Eps255 = 4, 26
	clean, adv := wantExample(t, s)
	if got.Placeholder || !got.Images || !strings.HasPrefix(got.Clean, clean) || !strings.HasPrefix(got.Adv, adv) {
		t.Errorf("the live page shows %+v, want %s → %s", got, clean, adv)
	}
}

// TestTakeoverIsInvisible loads the lab (and /linear, whose HTML the server
// also renders with its results) on a throttled network and, on
// every animation frame from the first one, checks that the result images
// are on screen; it sums the layout shifts until after the first live
// prediction. When the runtime takes over, nothing may flicker or move:
// the images it renders are the very ones the HTML had.
func TestTakeoverIsInvisible(t *testing.T) {
	besideOthers(t)
	for _, c := range []struct{ name, path, img, ready string }{
		{"make run", "/", "#img-adv", `window.fgsmlabFirstPrediction !== undefined`},
		{"static site", "/fgsmlab/", "#img-adv", `window.fgsmlabFirstPrediction !== undefined`},
		{"/linear", "/linear", "#linear img.pix", `document.getElementById("linear")?.dataset.ready === "true"`},
		// A linked embed of the static site: placeholders, laid out as an
		// embed, until the runtime shows the link's example. Only the
		// layout shift is checked: the placeholders do give way.
		{"static embed", "/fgsmlab/?embed=1&sample=3", "", `window.fgsmlabFirstPrediction !== undefined`},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := labServer(t).URL + c.path
			if strings.HasPrefix(c.name, "static") {
				// Gzip, as GitHub Pages sends it: the throttled download of an
				// uncompressed app.wasm took half a minute a case.
				url = staticGzipServer(t, staticSite(t, "/fgsmlab")).URL + c.path
			}
			ctx := newTab(t)
			var res struct {
				Frames, Missing int
				Changed         bool
				CLS             float64
				Shifts          []string
			}
			err := chromedp.Run(ctx,
				network.Enable(),
				network.EmulateNetworkConditions(false, 40, 4e6/8, 1e6/8),
				emulation.SetDeviceMetricsOverride(412, 823, 1.75, true),
				chromedp.ActionFunc(func(ctx context.Context) error {
					_, err := cdppage.AddScriptToEvaluateOnNewDocument(strings.ReplaceAll(takeoverProbe, "IMAGE", c.img)).Do(ctx)
					return err
				}),
				chromedp.Navigate(url),
				poll(c.ready),
				chromedp.Sleep(1500*time.Millisecond),
				eval(`window.fgsmlabProbe.report()`, &res),
			)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d frames watched, %d without the result; CLS %.4f %v", res.Frames, res.Missing, res.CLS, res.Shifts)
			if c.img != "" && (res.Frames < 10 || res.Missing > 0 || res.Changed) {
				t.Errorf("the result left the screen in %d of %d frames, or its image changed (%v)", res.Missing, res.Frames, res.Changed)
			}
			if res.CLS > 0.02 {
				t.Errorf("layout shift %.4f while the lab started, want ≤ 0.02: %v", res.CLS, res.Shifts)
			}
		})
	}
}

// takeoverProbe runs before the page's scripts. From the frame in which the
// result image (the selector IMAGE) is first there, every frame must still
// show a loaded image with the same picture until the runtime's result.
const takeoverProbe = `(() => {
	const p = { frames: 0, missing: 0, first: "", changed: false, cls: 0, shifts: [] };
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) {
			if (e.hadRecentInput) continue;
			p.cls += e.value;
			p.shifts.push(e.value.toFixed(4) + " " + e.sources.map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : "?").join(","));
		}
	}).observe({ type: "layout-shift", buffered: true });
	const tick = () => {
		const img = "IMAGE" ? document.querySelector("IMAGE") : null;
		if (p.first === "" && img && img.tagName === "IMG") {
			p.first = img.src;
		}
		if (p.first !== "") {
			p.frames++;
			if (!img || img.tagName !== "IMG" || !img.complete || img.naturalWidth === 0) p.missing++;
			else if (img.src !== p.first && !document.querySelector(".page-live")) p.changed = true;
		}
		requestAnimationFrame(tick);
	};
	requestAnimationFrame(tick);
	p.report = () => ({ Frames: p.frames, Missing: p.missing, Changed: p.changed, CLS: p.cls, Shifts: p.shifts });
	window.fgsmlabProbe = p;
})()`

// TestLinearFirstPaint: /linear's HTML, from the static site and from `make
// run` with a link, already holds Figure 2 (the weights, the digits and their
// FGSM versions), which a visitor reads without scripts.
func TestLinearFirstPaint(t *testing.T) {
	static := staticFileServer(t, staticSite(t, "/fgsmlab"))
	run := labServer(t)
	ctx := newTab(t)
	if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(true)); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{static.URL + "/fgsmlab/linear", run.URL + "/linear?eps=0.1"} {
		var got struct {
			Images  int
			Loading bool
		}
		err := chromedp.Run(ctx, chromedp.Navigate(url), eval(`({
			Images: Array.from(document.querySelectorAll("#linear img.pix")).filter((e) => e.complete && e.naturalWidth > 0).length,
			Loading: document.body.textContent.includes("Loading logreg37"),
		})`, &got))
		if err != nil {
			t.Fatal(url, err)
		}
		t.Logf("%s: %+v", url, got)
		if got.Images < 8 || got.Loading {
			t.Errorf("%s without scripts: %+v, want Figure 2's images", url, got)
		}
	}
}
