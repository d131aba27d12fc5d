//go:build e2e && !js

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// a11yFaults lists, for the page in the tab, the faults that Lighthouse's
// accessibility audits (axe) flag and this site has had:
//   - an aria-label on an element with no role that takes a name (a plain
//     div or span), which screen readers ignore;
//   - a control whose accessible name does not contain its visible text, so
//     speech users cannot name what they see ("label in name", WCAG 2.5.3).
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
	return bad;
})()`

// TestAccessibleNames checks every page, once it shows its results, for
// the faults in a11yFaults.
func TestAccessibleNames(t *testing.T) {
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
