//go:build e2e && !js

// Screenshots of the lab and of the other pages at desktop and phone widths,
// for people to look at: written to $FGSMLAB_SHOTS, skipped when it is unset.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

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
		poll(`/Loading [0-9.]*[1-9]/.test(document.getElementById("app-wasm-loader-label").textContent)`),
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

// TestExplainScreenshots saves each explanation page at desktop and phone
// width into $FGSMLAB_SHOTS (skipped when unset), for people to look at.
func TestExplainScreenshots(t *testing.T) {
	dir := os.Getenv("FGSMLAB_SHOTS")
	if dir == "" {
		t.Skip("set FGSMLAB_SHOTS to a directory to take screenshots")
	}
	srv := labServer(t)
	done := func(id string) string {
		return fmt.Sprintf(`document.getElementById(%q) && document.getElementById(%q).dataset.state === "done"`, id, id)
	}
	for _, pg := range []struct {
		name, path string
		ready      string // a JavaScript condition
		click      string // the id of a button to press first, if any
	}{
		{"linear", "/linear", `document.getElementById("err-fgsm") !== null`, ""},
		{"linear-embed", "/linear?embed=1&panel=precision", `document.getElementById("prec-table") !== null`, ""},
		{"sweeps", "/sweeps?n=500", done("sweeps"), ""},
		{"sweeps-embed", "/sweeps?embed=1&models=softmax,rbf&n=250", done("sweeps"), ""},
		{"defence", "/defence?n=250", done("defence"), ""},
		{"train", "/train?epochs=3", `document.querySelector("#train").dataset.state === "done"`, "tr-start"},
		{"rbf", "/rbf?n=250", done("rbf"), ""},
		{"rubbish", "/rubbish", `document.getElementById("target") && document.getElementById("target").dataset.done === "true" && document.getElementById("fraction").dataset.done === "true"`, ""},
	} {
		for _, w := range []int64{1280, 360} {
			ctx := newTabWithin(t, 4*time.Minute) // /sweeps runs PGD on each model after FGSM
			var buf []byte
			actions := []chromedp.Action{
				emulation.SetDeviceMetricsOverride(w, 900, 1, w < 600),
				chromedp.Navigate(srv.URL + pg.path),
			}
			if pg.click != "" {
				actions = append(actions,
					poll(fmt.Sprintf(`document.getElementById(%q) && !document.getElementById(%q).disabled`, pg.click, pg.click)),
					eval(fmt.Sprintf(`document.getElementById(%q).click(), true`, pg.click), nil))
			}
			actions = append(actions,
				chromedp.Poll(pg.ready, nil, chromedp.WithPollingTimeout(3*time.Minute)),
				chromedp.Sleep(300*time.Millisecond),
				// Hover a chart, if there is one, to show its readout.
				eval(`(() => { const s = document.querySelector("#chart-error svg, #chart-defence svg, #train-chart svg");
					if (!s) return true; const r = s.getBoundingClientRect();
					s.dispatchEvent(new PointerEvent("pointermove", {clientX: r.left + r.width * 0.52, clientY: r.top + 40, bubbles: true})); return true })()`, nil),
				chromedp.Sleep(200*time.Millisecond),
				chromedp.FullScreenshot(&buf, 100),
			)
			if err := chromedp.Run(ctx, actions...); err != nil {
				t.Fatal(pg.name, err)
			}
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", pg.name, w)), buf, 0o644)
		}
	}
}
