//go:build e2e && !js

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"fgsmlab/core"
	"github.com/chromedp/chromedp"
	"gonum.org/v1/gonum/mat"
)

// logitsShown is what the Figure 4 panel publishes about its figure.
type logitsShown struct {
	Digit, Label, Pieces, Range string
	Strip                       string // JSON: per input of the strip, ε then the ten logits
	MS                          string
}

const logitsRead = `(() => { const d = document.getElementById("logits").dataset;
	return {Digit: d.digit, Label: d.label, Pieces: d.pieces, Range: d.range, Strip: d.strip, MS: d.ms} })()`

// logitsLive is true once the runtime (not the server's HTML) shows the
// panel's figure for the digit.
func logitsLive(digit int) string {
	return fmt.Sprintf(`document.getElementById("linear")?.classList.contains("page-live") &&
		document.getElementById("logits")?.dataset.state === "ready" && document.getElementById("logits").dataset.digit === "%d"`, digit)
}

// checkLogits compares the page's figure with core natively on the same
// digit: the number of linear pieces and the logits at the strip's ε, which
// the path gives and a plain forward pass of x + ε·s confirms.
func checkLogits(t *testing.T, got logitsShown, m *core.Model, d *core.Dataset, digit int, half float64) {
	t.Helper()
	x := d.Image(digit)
	label := d.Labels[digit]
	s := core.FGSMDirection(m, x, label)
	p, err := core.NewLogitPath(m, x, s, -half, half)
	if err != nil {
		t.Fatal(err)
	}
	if got.Label != strconv.Itoa(label) || got.Range != strconv.FormatFloat(half, 'f', -1, 64) {
		t.Errorf("digit %d: page shows label %s over ±%s; want %d over ±%g", digit, got.Label, got.Range, label, half)
	}
	if got.Pieces != strconv.Itoa(p.Pieces()) {
		t.Errorf("digit %d: the page finds %s linear pieces, core natively %d", digit, got.Pieces, p.Pieces())
	}
	var strip [][]float64
	if err := json.Unmarshal([]byte(got.Strip), &strip); err != nil || len(strip) != logitsStrip {
		t.Fatalf("digit %d: strip %q: %v", digit, got.Strip, err)
	}
	in := make([]float64, len(x))
	for _, row := range strip {
		eps := row[0]
		for j := range x {
			in[j] = x[j] + eps*s[j]
		}
		path := p.At(eps, nil)
		plain := m.Scores(mat.NewDense(1, len(in), in)).RawRowView(0)
		for k, v := range row[1:] {
			if math.Abs(v-path[k]) > 1e-6*(1+math.Abs(path[k])) || math.Abs(v-plain[k]) > 1e-6*(1+math.Abs(plain[k])) {
				t.Errorf("digit %d, ε = %g, class %d: page %g, core's path %g, a plain forward pass %g", digit, eps, k, v, path[k], plain[k])
			}
		}
	}
}

// TestLogitsPanelMatchesCore opens Figure 4 on a digit, compares it with
// core natively, then steps to the next digit and narrows the range.
func TestLogitsPanelMatchesCore(t *testing.T) {
	srv := labServer(t)
	ctx := newTab(t)
	f := watchGo(ctx)
	m, d := nativeModel(t, logitsModel), samples(t)
	var got logitsShown
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/linear?panel=logits&digit=7"),
		poll(logitsLive(7)),
		eval(logitsRead, &got))
	if err != nil {
		t.Fatal(err)
	}
	checkLogits(t, got, m, d, 7, logitsDefaultRange)
	var bad []string
	if err := chromedp.Run(ctx, eval(a11yFaults, &bad)); err != nil || len(bad) > 0 {
		t.Errorf("accessibility faults in the panel: %q (%v)", bad, err)
	}

	err = chromedp.Run(ctx,
		eval(`document.getElementById("lg-next").click()`, nil),
		poll(logitsLive(8)),
		eval(logitsRead, &got))
	if err != nil {
		t.Fatal(err)
	}
	checkLogits(t, got, m, d, 8, logitsDefaultRange)

	one := slices.Index(logitsRanges, 1)
	var search string
	err = chromedp.Run(ctx,
		eval(fmt.Sprintf(`(() => { const e = document.getElementById("lg-range"); e.value = "%d";
			e.dispatchEvent(new Event("input", {bubbles: true})) })()`, one), nil),
		poll(`document.getElementById("logits").dataset.range === "1"`),
		eval(logitsRead, &got),
		eval(`location.search`, &search))
	if err != nil {
		t.Fatal(err)
	}
	checkLogits(t, got, m, d, 8, 1)
	if !strings.Contains(search, "digit=8") || !strings.Contains(search, "range=1") {
		t.Errorf("address %q does not hold the digit and the range", search)
	}
	if bad := f.take(); len(bad) > 0 {
		t.Errorf("Go said %q", bad)
	}
}

// TestLogitsBench times Figure 4 in Chromium for 41 digits in turn: the
// FGSM direction, the exact path over ε in [−15, 15] and the logits at 301
// values of ε (the page's own timing, data-ms), and the whole update from
// the click to the next frame after the new figure is in the page.
func TestLogitsBench(t *testing.T) {
	if os.Getenv("FGSMLAB_BENCH") == "" {
		t.Skip("a benchmark: make bench-browser runs it")
	}
	srv := labServer(t)
	ctx := newTab(t)
	var raw string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/linear?panel=logits&digit=0"),
		poll(logitsLive(0)),
		eval(`(async () => {
			const out = [];
			const frame = () => new Promise(r => requestAnimationFrame(() => r()));
			for (let i = 1; i <= 41; i++) {
				const el = document.getElementById("logits");
				// The DOM update, timed as it happens; then the frame that shows it.
				const updated = new Promise(r => {
					const mo = new MutationObserver(() => {
						if (document.getElementById("logits").dataset.digit === String(i)) { mo.disconnect(); r(performance.now()); }
					});
					mo.observe(document.getElementById("linear"), {attributes: true, subtree: true, attributeFilter: ["data-digit"]});
				});
				const t0 = performance.now();
				document.getElementById("lg-next").click();
				const t1 = await updated;
				await frame();
				const t2 = performance.now();
				const d = document.getElementById("logits").dataset;
				out.push([Number(d.ms), t2 - t0, Number(d.pieces), Number(d.totalMs), t1 - t0]);
				await frame();
			}
			return JSON.stringify(out);
		})()`, &raw))
	if err != nil {
		t.Fatal(err)
	}
	var runs [][5]float64
	if err := json.Unmarshal([]byte(raw), &runs); err != nil {
		t.Fatal(err)
	}
	col := func(i int) []float64 {
		var v []float64
		for _, r := range runs {
			v = append(v, r[i])
		}
		sort.Float64s(v)
		return v
	}
	compute, update, pieces, total, dom := col(0), col(1), col(2), col(3), col(4)
	med := func(v []float64) float64 { return v[len(v)/2] }
	t.Logf("Figure 4 on maxout, 41 digits, 301 ε over [−15, 15]: direction + path + logits median %.1f ms (fastest %.1f, p90 %.1f), with the strip's images %.1f ms; click to the DOM updated median %.1f ms, to the next frame %.1f ms (p90 %.1f); %.0f linear pieces (median)",
		med(compute), compute[0], compute[len(compute)*9/10], med(total), med(dom), med(update), update[len(update)*9/10], med(pieces))
	load, _ := loadAverage()
	t.Logf("machine: %s, load average %s", machine(), load)
	if med(compute) > 100 {
		t.Errorf("far slower than the 20 ms target: %.1f ms", med(compute))
	}
}
