//go:build e2e && !js

package main

import (
	"fmt"
	"math"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestLinearL1Panel: /linear's L1 panel shows logreg37 and its two twins
// with the figures native core gives on the same bundled digits, follows
// the page's ε, and checks §5's identity in the page.
func TestLinearL1Panel(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	x, y := threesAndSevens(samples(t))
	for _, g := range []int{64, 10} {
		url := fmt.Sprintf("%s/linear?panel=l1&eps=%.4f", srv.URL, float64(g)/255)
		var got []struct {
			Model string
			FGSM  float64
		}
		var check struct{ Formula, Direct float64 }
		err := chromedp.Run(ctx,
			chromedp.Navigate(url),
			poll(`document.querySelectorAll("#l1 .l1-model").length === 3`),
			eval(`[...document.querySelectorAll("#l1 .l1-model")].map(e => ({Model: e.dataset.model, FGSM: +e.dataset.fgsm}))`, &got),
			eval(`({Formula: +document.getElementById("l1-check").dataset.formula, Direct: +document.getElementById("l1-check").dataset.direct})`, &check),
		)
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range l1Models {
			w, b, err := linearWeights(nativeModel(t, name))
			if err != nil {
				t.Fatal(err)
			}
			want := newL1Stats(name, w, b, x, y, float64(g)/255)
			if i >= len(got) || got[i].Model != name || math.Abs(got[i].FGSM-want.FGSMErr) > 1e-12 {
				t.Errorf("ε = %d/255: the page shows %+v; core natively gives %s an FGSM error of %v", g, got, name, want.FGSMErr)
			}
			if name == "logreg37-adv" && math.Abs(check.Formula-want.Adv) > 1e-9 {
				t.Errorf("ε = %d/255: the page's adversarial cost %v, native %v", g, check.Formula, want.Adv)
			}
		}
		if math.Abs(check.Formula-check.Direct) > 1e-9 {
			t.Errorf("the page's two ways to the adversarial cost disagree: %+v", check)
		}
	}
}
