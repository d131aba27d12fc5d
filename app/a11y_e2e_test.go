//go:build e2e && !js

// Accessibility: every page, once it shows its results, checked for the
// faults Lighthouse's audits have found on this site.
package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAccessibleNames checks every page, once it shows its results, for
// the faults in a11yFaults.
func TestAccessibleNames(t *testing.T) {
	besideOthers(t)
	srv := labServer(t)
	ctx := newTabWithin(t, 10*time.Minute) // one visitor, every page in turn
	done := func(id string) string {
		return fmt.Sprintf(`document.getElementById(%q) && document.getElementById(%q).dataset.state === "done"`, id, id)
	}
	for _, pg := range []struct{ path, ready string }{
		{"/", `document.querySelector(".figure") && document.querySelector(".figure").dataset.ready === "true"`},
		{"/?embed=1", `document.querySelector(".figure") && document.querySelector(".figure").dataset.ready === "true"`},
		{"/linear", `document.getElementById("err-fgsm") !== null`},
		{"/sweeps?n=100&curves=fgsm", done("sweeps")},
		{"/defence?n=100", done("defence")},
		{"/train", `document.documentElement.dataset.fgsmlab === "train-mounted"`},
		{"/rbf?n=100", done("rbf")},
		{"/rubbish", `document.getElementById("target") && document.getElementById("target").dataset.done === "true"`},
	} {
		var bad []string
		err := chromedp.Run(ctx,
			chromedp.Navigate(srv.URL+pg.path),
			chromedp.Poll(pg.ready, nil, chromedp.WithPollingTimeout(120*time.Second)),
			eval(a11yFaults, &bad))
		if err != nil {
			t.Fatal(pg.path, err)
		}
		if len(bad) > 0 {
			t.Errorf("%s:\n  %s", pg.path, strings.Join(bad, "\n  "))
		}
	}
}
