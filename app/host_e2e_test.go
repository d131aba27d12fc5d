//go:build e2e && !js

// Embedding: the README's host page drives the lab through messages, and
// the lab starts framed from another site, sandboxed, and in browsers that
// block third-party cookies or all storage.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

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

// embedAnswers drives the lab in the host page through the message API: it
// waits for the lab's first state, changes the model and ε, and waits for
// the state that says so.
func embedAnswers(host string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(host),
		poll(`states.length > 0`),
		eval(`send({type: "fgsmlab:set", model: "softmax", eps: 0.1}), true`, nil),
		poll(`states.some(s => s.model === "softmax" && Math.abs(s.eps - 26/255) < 1e-9)`),
	}
}

// profileTab starts a Chromium of its own whose profile has the given
// preferences (the JSON of the Preferences file, as the browser's settings
// page writes it) and returns a tab in it.
func profileTab(t *testing.T, prefs string, flags ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	// Not t.TempDir: Chromium's helpers may still be writing to the profile
	// for a moment after the browser is gone.
	dir, err := os.MkdirTemp("", "fgsmlab-profile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(prefs), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := cmp.Or(os.Getenv("CHROMIUM"), "/usr/bin/chromium")
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(exe, append(flags, chromedp.UserDataDir(dir))...)...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancel(); cancelAlloc() })
	return ctx
}

// The settings "Block third-party cookies" and "Don't allow sites to save
// data" (chrome://settings/cookies), as Chromium stores them. (Chromium 156
// still gives a cross-site frame partitioned storage when third-party
// cookies are blocked; with all cookies blocked it denies storage to every
// page, framed or not.)
const (
	blockThirdParty = `{"profile": {"cookie_controls_mode": 1, "block_third_party_cookies": true}}`
	blockAll        = `{"profile": {"default_content_setting_values": {"cookies": 2}}}`
)

// TestEmbedStartsCrossSite frames the lab from another site as a course
// platform does: plainly, sandboxed as LMSs do, and with the browser's
// third-party cookie restriction on.
func TestEmbedStartsCrossSite(t *testing.T) {
	lab := labServer(t)
	for _, c := range []struct {
		name, attrs string
		block3p     bool
	}{
		{"cross-site iframe", "", false},
		{"sandboxed iframe", `sandbox="allow-scripts allow-same-origin"`, false},
		{"third-party cookies restricted", "", true},
		{"sandboxed, third-party cookies restricted", `sandbox="allow-scripts allow-same-origin"`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := newTab(t)
			if c.block3p {
				if err := chromedp.Run(ctx, network.SetCookieControls(true, true, true)); err != nil {
					t.Fatal(err)
				}
			}
			host := crossSiteHost(t, lab.URL, "?embed=1", c.attrs)
			if err := chromedp.Run(ctx, embedAnswers(host)); err != nil {
				t.Fatalf("the framed lab does not answer: %v", err)
			}
			fctx := labFrame(t, ctx, lab.URL)
			checkStorage(t, fctx, false)
		})
	}
}

// TestLabStartsWhereStorageIsBlocked starts the lab in browsers whose
// settings block cookies and site data: framed from another site (plain and
// sandboxed) and, with all cookies blocked, also as a page of its own. Where
// the browser denies storage the loader's in-memory storage stands in.
func TestLabStartsWhereStorageIsBlocked(t *testing.T) {
	besideOthers(t)
	lab := labServer(t)
	for _, c := range []struct {
		name, prefs, attrs string
		memory             bool
	}{
		{"third-party cookies blocked, framed", blockThirdParty, "", false},
		{"all cookies blocked, framed", blockAll, "", true},
		{"all cookies blocked, sandboxed frame", blockAll, `sandbox="allow-scripts allow-same-origin"`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := profileTab(t, c.prefs)
			host := crossSiteHost(t, lab.URL, "?embed=1", c.attrs)
			if err := chromedp.Run(ctx, embedAnswers(host)); err != nil {
				t.Fatalf("the framed lab does not answer: %v", err)
			}
			fctx := labFrame(t, ctx, lab.URL)
			checkStorage(t, fctx, c.memory)
		})
	}
	t.Run("all cookies blocked, top level", func(t *testing.T) {
		ctx := profileTab(t, blockAll)
		if err := chromedp.Run(ctx, waitReady(lab.URL+"/?model=softmax&eps=0.1")); err != nil {
			t.Fatalf("the lab does not start: %v", err)
		}
		checkStorage(t, ctx, true)
	})
}

// checkStorage checks whether the page runs on the loader's in-memory
// storage, so that a test knows it exercised the denial it meant to.
func checkStorage(t *testing.T, ctx context.Context, memory bool) {
	t.Helper()
	var mode string
	if err := chromedp.Run(ctx, eval(`document.documentElement.dataset.fgsmlabStorage || "browser"`, &mode)); err != nil {
		t.Fatal(err)
	}
	if want := map[bool]string{true: "memory", false: "browser"}[memory]; mode != want {
		t.Errorf("the lab's storage is %q, want %q", mode, want)
	}
}
