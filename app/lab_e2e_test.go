//go:build e2e && !js

// The lab at /: drawing digits, FGSM on a test digit and back at ε = 0, an
// embed link's presets, the copied link and the downloaded PNG. Its attacks,
// nearest-adversarial panel and "Open your model…" are in lab_*_e2e_test.go.
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

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
		// The readout moves with the slider; the outcome follows.
		poll(`document.getElementById("eps-value").textContent.startsWith("0.000")`),
		poll(`document.querySelector(".figure").dataset.eps255 === "0" && document.querySelector(".figure").dataset.running === "false"`),
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
