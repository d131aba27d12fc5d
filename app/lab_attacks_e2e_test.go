//go:build e2e && !js

// The lab's attacks: every attack of the menu on a drawn digit against core,
// their settings from links, messages and controls, and a long attack that
// runs in slices and gives way to the visitor.
package main

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

// chooseAttack picks an attack in the menu as a visitor does.
func chooseAttack(a core.Attack) chromedp.Action {
	return eval(fmt.Sprintf(`(() => { const s = document.getElementById("attack"); s.value = %q;
		s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, a), nil)
}

// setControl types v into the control with the given id and commits it.
func setControl(id string, v string) chromedp.Action {
	return eval(fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q;
		e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, id, v), nil)
}

// drawSeven draws a 7 on the pad and waits for the model to read it.
func drawSeven() chromedp.Action {
	seven := append(line([2]float64{75, 55}, [2]float64{205, 55}, 10), line([2]float64{205, 55}, [2]float64{125, 235}, 14)...)
	return chromedp.Tasks{
		drawStroke(seven...),
		poll(`location.search.includes("x=")`),
	}
}

// TestEveryAttackOnADrawnDigit drives each attack of the menu on a drawn
// digit with its default settings: the panel shows the attack's own
// controls, the link names it, x̃ keeps to the attack's budget in its
// norm, and the page's result is core's (computed natively from the
// link's input and settings) to the last digits.
func TestEveryAttackOnADrawnDigit(t *testing.T) {
	srv := labServer(t)
	ctx := newTabWithin(t, 4*time.Minute)
	m := nativeModel(t, "mlp")
	// The drawing settles (its last stroke's result posted) before the
	// first attack is read.
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/?model=mlp"), keepState(), drawSeven(), chromedp.Sleep(time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, info := range labAttacks {
		a := info.Attack
		acts := chromedp.Tasks{chooseAttack(a)}
		if a.Targeted() {
			acts = append(acts, poll(`!!document.getElementById("target")`), setControl("target", "3"))
			acts = append(acts, poll(`window.lastState.target === 3`))
		}
		var st attackState
		var search string
		acts = append(acts, stateFor(a, &st), poll(fmt.Sprintf(`location.search.includes("attack=%s&")`, a)), eval(`location.search`, &search))
		if err := chromedp.Run(ctx, acts...); err != nil {
			t.Fatalf("%s: %v", a, err)
		}

		// Its own controls, each with a line of help, and only those.
		var ids []string
		if err := chromedp.Run(ctx, eval(`[...document.querySelectorAll('.attack [id^="p-"]:not([id$="-help"])')].map(e => e.id)`, &ids)); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, u := range info.Params {
			want = append(want, "p-"+params[u.ID].Key)
			if _, ok := st.Settings[params[u.ID].Key]; !ok {
				t.Errorf("%s: fgsmlab:state's settings have no %q: %v", a, params[u.ID].Key, st.Settings)
			}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: the panel has the controls %v, want %v", a, ids, want)
		}

		// The budget, in the attack's norm.
		switch {
		case !a.Budgeted():
			if st.Norm != "none" || st.Eps != 0 {
				t.Errorf("%s takes no budget; the state says norm %q, eps %v", a, st.Norm, st.Eps)
			}
		case a.L2():
			if st.Norm != "l2" || st.Eta.L2 > st.Eps+1e-9 {
				t.Errorf("%s: ‖η‖₂ = %v with an L2 budget of %v (norm %q)", a, st.Eta.L2, st.Eps, st.Norm)
			}
		default:
			if st.Norm != "linf" || st.Eta.LInf > st.Eps+1e-9 {
				t.Errorf("%s: ‖η‖∞ = %v with a budget of %v (norm %q)", a, st.Eta.LInf, st.Eps, st.Norm)
			}
		}

		// The same result as core's, natively, for the link's input and
		// settings.
		q, err := url.ParseQuery(strings.TrimPrefix(search, "?"))
		if err != nil {
			t.Fatal(err)
		}
		link := parseLink(q.Encode())
		s := parseSettings(link)
		if len(link.bad) > 0 || s.Input == nil || s.Attack != a {
			t.Fatalf("%s: the lab's link %s reads back as %+v (invalid: %v)", a, search, s, link.bad)
		}
		o := attack(m, s.Input, s)
		if o.AdvLabel != st.Adversarial.Label || math.Abs(o.L2-st.Eta.L2) > 1e-6 || o.L0 != st.Eta.L0 {
			t.Errorf("%s: the page found class %d with ‖η‖₂ = %.6f, %d pixels; core natively %d, %.6f, %d",
				a, st.Adversarial.Label, st.Eta.L2, st.Eta.L0, o.AdvLabel, o.L2, o.L0)
		}
		for c, p := range o.Fool {
			if c < len(st.Adversarial.Probs) && math.Abs(p-st.Adversarial.Probs[c]) > 1e-9 {
				t.Errorf("%s: p(%d | x̃) is %v in the page, %v natively", a, c, st.Adversarial.Probs[c], p)
				break
			}
		}
		var took string
		chromedp.Run(ctx, eval(`document.getElementById("took").textContent`, &took))
		t.Logf("%-10s → class %d (from %d), ‖η‖∞ %.3f, ‖η‖₂ %.2f, %d pixels; %s", a, st.Adversarial.Label, st.Clean.Label, st.Eta.LInf, st.Eta.L2, st.Eta.L0, took)
		if !strings.HasPrefix(took, "Computed in") {
			t.Errorf("%s: the figure says %q about the time it took", a, took)
		}
	}
}

// TestAttackSettingsFromLinksMessagesAndControls: an attack's settings come
// from a link, from fgsmlab:set and from its controls, and each way shows
// in the others; a setting that does not fit the attack gets an
// fgsmlab:error.
func TestAttackSettingsFromLinksMessagesAndControls(t *testing.T) {
	srv := labServer(t)
	ctx := newTabWithin(t, 3*time.Minute)
	var st attackState
	var values []string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/?attack=cw&c=0.5&search=2&steps=30&sample=0"),
		keepState(),
		stateFor(core.AttackCW, &st),
		eval(`["p-c", "p-search", "p-steps", "p-kappa"].map(id => document.getElementById(id).value)`, &values),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(values, []string{"0.5", "2", "30", "0"}) {
		t.Errorf("the link's C&W settings show as %v", values)
	}
	if st.Settings["c"] != 0.5 || st.Settings["search"] != 2 || st.Settings["steps"] != 30 || st.Norm != "none" {
		t.Errorf("C&W from the link: state %+v", st)
	}
	var noSlider bool
	chromedp.Run(ctx, eval(`!!document.getElementById("eps-none") && !document.getElementById("eps")`, &noSlider))
	if !noSlider {
		t.Error("C&W takes no budget, yet the ε slider shows")
	}

	// A message: the attack first, whatever the order of its fields.
	var slider struct{ Max, Value string }
	err = chromedp.Run(ctx,
		eval(`postMessage({type: "fgsmlab:set", steps: 5, eps: 3, attack: "pgd-l2"}, location.origin), true`, nil),
		stateFor(core.AttackPGDL2, &st),
		eval(`({Max: document.getElementById("eps").max, Value: document.getElementById("eps").value})`, &slider),
	)
	if err != nil {
		t.Fatal(err)
	}
	if st.Settings["steps"] != 5 || st.Settings["random_start"] != 1 || st.Eps != 3 || st.Norm != "l2" || st.Eta.L2 > 3+1e-9 {
		t.Errorf("PGD-L2 from a message: state %+v", st)
	}
	if slider.Max != "200" || slider.Value != "60" {
		t.Errorf("the L2 slider is at %s of %s, want 60 of 200 (3 in steps of 0.05)", slider.Value, slider.Max)
	}

	// A control: the link and the state follow.
	err = chromedp.Run(ctx,
		setControl("p-steps", "7"),
		poll(`window.lastState.settings.steps === 7 && location.search.includes("steps=7")`),
	)
	if err != nil {
		t.Errorf("the steps control did not take: %v", err)
	}

	// Settings that do not fit the attack are refused, with the reason.
	var errs []string
	err = chromedp.Run(ctx,
		eval(`postMessage({type: "fgsmlab:set", attack: "fgsm", eps: 3}, location.origin), true`, nil),
		stateFor(core.AttackFGSM, &st),
		eval(`postMessage({type: "fgsmlab:set", overshoot: 0.1}, location.origin), true`, nil),
		poll(`window.labErrors.length >= 2`),
		eval(`window.labErrors`, &errs),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) < 2 || !strings.Contains(errs[0], "0 to 0.5") || !strings.Contains(errs[1], "no such setting") {
		t.Errorf("errors for ε = 3 on FGSM and an overshoot for FGSM: %q", errs)
	}
	if st.Eps != 64.0/255 {
		t.Errorf("a refused ε changed FGSM's: %v", st.Eps)
	}
}

// TestSlicedAttackGivesWay: a long attack runs in slices and gives way to
// the visitor: the page answers during it, and choosing another attack
// stops it, so that its result never replaces the newer one.
func TestSlicedAttackGivesWay(t *testing.T) {
	srv := labServer(t)
	ctx := newTabWithin(t, 3*time.Minute)
	var lt longTasks
	err := chromedp.Run(ctx,
		watchLongTasks(),
		waitReady(srv.URL+"/?model=cnn&sample=0"),
		keepState(),
		resetLongTasks(),
		// C&W at ten values of c, 200 Adam steps each, on the conv net:
		// seconds of work.
		eval(`postMessage({type: "fgsmlab:set", attack: "cw", search: 10, steps: 200}, location.origin), true`, nil),
		poll(`document.querySelector(".figure").dataset.running === "true"`),
		chromedp.Sleep(1500*time.Millisecond),
		readLongTasks(&lt),
		chooseAttack(core.AttackFGSM),
		poll(`window.lastState && window.lastState.attack === "fgsm" && document.querySelector(".figure").dataset.ready === "true"`),
		chromedp.Sleep(3*time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Unsliced, C&W here is one task of seconds. Sliced, its tasks are
	// about 20 ms; the garbage collector and a busy machine lengthen some,
	// which the benchmark measures, not this test.
	t.Logf("while C&W ran on cnn: %v tasks over 50 ms, the longest %.0f ms", lt.Count, lt.Longest)
	if lt.Longest > 1000 {
		t.Errorf("C&W blocked the page for %.0f ms at a time; it should yield every ~20 ms", lt.Longest)
	}
	var after struct {
		Attack, Running string
		Panel           string
	}
	chromedp.Run(ctx, eval(`({Attack: window.lastState.attack, Running: document.querySelector(".figure").dataset.running,
		Panel: document.querySelector(".attack").dataset.attack})`, &after))
	if after.Attack != "fgsm" || after.Running != "false" || after.Panel != "fgsm" {
		t.Errorf("after switching to FGSM during C&W: %+v; the stopped run must not come back", after)
	}
}
