package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fgsmlab/core"
)

// The panel's link keeps the digit and the range; odd values keep the
// defaults and are named.
func TestLogitsLink(t *testing.T) {
	p := newLinearPage()
	p.parse(parseLink("panel=logits&digit=12&range=2"))
	if p.lg.digit != 12 || p.lg.half != 2 || p.panel != "logits" {
		t.Errorf("digit %d, range %g, panel %q; want 12, 2, logits", p.lg.digit, p.lg.half, p.panel)
	}
	q := p.query()
	if q.Get("digit") != "12" || q.Get("range") != "2" {
		t.Errorf("query %v does not keep the digit and the range", q)
	}
	p = newLinearPage()
	link := parseLink("digit=-1&range=NaN")
	p.parse(link)
	if p.lg.digit != 0 || p.lg.half != logitsDefaultRange || !slices.Equal(link.bad, []string{"digit", "range"}) {
		t.Errorf("digit %d, range %g, named %v; want the defaults and both named", p.lg.digit, p.lg.half, link.bad)
	}
}

// The chart has a line per class through every ε, a tick per breakpoint,
// and the strip marks exactly the inputs whose logits pick the label.
func TestLogitsFigure(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "models", logitsModel+".safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	w, err := core.NewPathWalker(m)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, core.ImageSize)
	for i := range x {
		if r, c := i/28, i%28; r > 6 && r < 22 && c > 12 && c < 16 {
			x[i] = 1 // a stroke, a "1"
		}
	}
	f := computeLogits(w, m, x, 0, 1, 5)
	svg := f.svg()
	if n := strings.Count(svg, "<polyline"); n != len(m.Classes) {
		t.Errorf("%d lines, want %d", n, len(m.Classes))
	}
	if n := strings.Count(svg, "v6"); n != len(f.path.Breaks) || n == 0 {
		t.Errorf("%d breakpoint ticks, want %d", n, len(f.path.Breaks))
	}
	if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Error("the chart holds NaN or Inf")
	}
	// A sample the chart leaves out lies on the line through its neighbours.
	keep, dropped := f.corners(), 0
	for i := 1; i+1 < len(keep); i++ {
		if keep[i] {
			continue
		}
		dropped++
		for k, v := range f.logits[i] {
			mid := (f.logits[i-1][k] + f.logits[i+1][k]) / 2
			if math.Abs(v-mid) > 1e-9*(1+math.Abs(v)) {
				t.Fatalf("sample %d (ε = %g) left out, but class %d's logit %g is not the neighbours' mean %g", i, f.eps[i], k, v, mid)
			}
		}
	}
	if dropped == 0 {
		t.Error("no sample left out over ε in [−5, 5]")
	}
	for _, in := range f.strip {
		pred := core.Argmax(m.PredictOne(shifted(x, core.FGSMDirection(m, x, 1), in.eps)))
		if in.right != (pred == 1) || in.pred != pred {
			t.Errorf("ε = %g: the strip says %d (right %v), a forward pass %d", in.eps, in.pred, in.right, pred)
		}
	}
}

func shifted(x, s []float64, eps float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] + eps*s[i]
	}
	return out
}
