//go:build e2e && !js

package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

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

// TestEveryPageStarts opens every page, embedded or not, with every panel
// it has and with none, and checks that Go starts, stays and answers, and
// that the page keeps to its Content-Security-Policy. The pages share one
// tab, as a visitor's, so app.wasm is fetched and compiled once.
func TestEveryPageStarts(t *testing.T) {
	srv := labServer(t)
	ctx := newTabWithin(t, 15*time.Minute)
	f := watchGo(ctx)
	if err := chromedp.Run(ctx, watchCSP()); err != nil {
		t.Fatal(err)
	}
	for _, c := range everyPage {
		for _, panel := range c.panels {
			for _, embed := range []string{"0", "1"} {
				q := "?embed=" + embed
				if panel != "" {
					q += "&panel=" + panel
				}
				t.Run(c.path+q, func(t *testing.T) {
					startsAndAnswers(ctx, t, f, srv.URL+c.path+q, c)
					checkCSP(t, ctx, c.path+q)
				})
			}
		}
	}
}

// TestNavigationReadsTheNewLink follows the navigation bar from a page
// whose link sets ε to /train: go-app makes the new page before it puts
// the new address in the address bar, so a page that read its link then
// took the old page's ε.
func TestNavigationReadsTheNewLink(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	f := watchGo(ctx)
	var got struct {
		Eps, Search string
		Notice      bool
	}
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/linear?eps=0.1&n=30"),
		poll(`document.getElementById("linear")?.dataset.ready === "true"`),
		eval(`document.querySelector('.site-nav a[href="/train"]').click()`, nil),
		poll(`document.getElementById("train")?.dataset.state === "ready"`),
		eval(`({Eps: document.getElementById("tr-eps").value, Search: location.search, Notice: !!document.getElementById("notice")})`, &got),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got.Eps != "64" || got.Notice {
		t.Errorf("/linear?eps=0.1 → /train shows ε slider %s, a notice %v (address %q); want the default 64 and no notice", got.Eps, got.Notice, got.Search)
	}
	if bad := f.take(); len(bad) > 0 {
		t.Errorf("Go said %q", bad)
	}
}
