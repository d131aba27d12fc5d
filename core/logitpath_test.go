package core

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// pathCase is a model and the range of ε to follow it over.
type pathCase struct {
	m      *Model
	lo, hi float64
}

// pathModels are the tiny piecewise-linear models (softmax, logreg, mlp,
// maxout), a deeper one with ReLU and maxout stages, and the shipped maxout
// network over Figure 4's range.
func pathModels(t testing.TB) []pathCase {
	rng := rand.New(rand.NewPCG(13, 2))
	var cs []pathCase
	for _, m := range tinyModels(rng) {
		switch m.Name {
		case "softmax", "logreg", "mlp", "maxout":
			cs = append(cs, pathCase{m, -20, 20})
		}
	}
	deep, err := BuildInput("deep", Shape{12}, []LayerSpec{
		{Kind: "dense", Weight: "a.weight", Bias: "a.bias"}, {Kind: "relu"},
		{Kind: "dense", Weight: "b.weight", Bias: "b.bias"}, {Kind: "maxout", Pieces: 4}, {Kind: "dropout", P: 0.5},
		{Kind: "dense", Weight: "c.weight", Bias: "c.bias"}, {Kind: "relu"},
		{Kind: "dense", Weight: "d.weight", Bias: "d.bias"}, {Kind: "softmax"}},
		[]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, map[string]Tensor{
			"a.weight": randTensor(rng, 16, 12), "a.bias": randTensor(rng, 16),
			"b.weight": randTensor(rng, 24, 16), "b.bias": randTensor(rng, 24),
			"c.weight": randTensor(rng, 9, 6), "c.bias": randTensor(rng, 9),
			"d.weight": randTensor(rng, 10, 9), "d.bias": randTensor(rng, 10)})
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, pathCase{deep, -20, 20})
	b, err := os.ReadFile("../models/maxout.safetensors")
	if err != nil {
		t.Fatal("the shipped maxout network: ", err)
	}
	m, err := ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	m.Name = "shipped-maxout"
	return append(cs, pathCase{m, -15, 15})
}

func randTensor(rng *rand.Rand, shape ...int) Tensor {
	t := Tensor{Shape: shape, Data: make([]float64, Shape(shape).Size())}
	for i := range t.Data {
		t.Data[i] = 0.5 * rng.NormFloat64()
	}
	return t
}

// ring is a stand-in digit: a bright ring on black, in [0, 1], of n pixels
// (28×28 when n = 784, else a row).
func ring(n int) []float64 {
	x := make([]float64, n)
	side := int(math.Sqrt(float64(n)))
	for i := range x {
		if side*side != n {
			x[i] = float64((i*37)%11) / 10
			continue
		}
		r := math.Hypot(float64(i%side)-13.5, float64(i/side)-13.5)
		x[i] = math.Max(0, 1-math.Abs(r-8)/3)
	}
	return x
}

// plainScores is the reference: one ordinary test-mode pass on x + ε·s.
func plainScores(m *Model, x, s []float64, eps float64) []float64 {
	in := make([]float64, len(x))
	for i := range x {
		in[i] = x[i] + eps*s[i]
	}
	return slices.Clone(m.Scores(mat.NewDense(1, len(in), in)).RawRowView(0))
}

// pattern is the activation pattern of the last Scores call: each maxout
// unit's winning input and each ReLU unit's sign.
func pattern(m *Model) string {
	var b strings.Builder
	for _, l := range m.Layers {
		switch l := l.(type) {
		case *Maxout:
			for _, a := range l.arg {
				b.WriteByte(byte('a' + a%l.Pieces))
			}
		case *ReLU:
			for _, v := range l.y.RawMatrix().Data {
				b.WriteByte("-+"[b2i(v > 0)])
			}
		}
		b.WriteByte('|')
	}
	return b.String()
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

func patternAt(m *Model, x, s []float64, eps float64) string {
	plainScores(m, x, s, eps)
	return pattern(m)
}

func maxAbsOf(v []float64) float64 {
	a := 0.0
	for _, x := range v {
		a = max(a, math.Abs(x))
	}
	return a
}

func TestLogitPathMatchesForwardPass(t *testing.T) {
	for _, c := range pathModels(t) {
		t.Run(c.m.Name, func(t *testing.T) {
			m := c.m
			x := ring(m.InputSize())
			label := 1
			s := FGSMDirection(m, x, label)
			p, err := NewLogitPath(m, x, s, c.lo, c.hi)
			if err != nil {
				t.Fatal(err)
			}
			linear := len(m.Layers) == 1 // a dense layer: one piece
			if linear != (p.Pieces() == 1) {
				t.Fatalf("%d pieces over [%g, %g]", p.Pieces(), c.lo, c.hi)
			}
			if !linear && (!slices.IsSorted(p.Breaks) || p.Breaks[0] <= c.lo || p.Breaks[len(p.Breaks)-1] >= c.hi) {
				t.Fatalf("breakpoints not increasing inside (%g, %g): %v", c.lo, c.hi, p.Breaks)
			}
			// Many ε: an even grid, each breakpoint, and just either side of it.
			var eps []float64
			for i := range 301 {
				eps = append(eps, c.lo+(c.hi-c.lo)*float64(i)/300)
			}
			for _, b := range p.Breaks {
				eps = append(eps, b, b-1e-7, b+1e-7)
			}
			for _, e := range eps {
				if e < c.lo || e > c.hi {
					continue
				}
				want := plainScores(m, x, s, e)
				got := p.At(e, nil)
				tol := 1e-9 * (1 + maxAbsOf(want))
				for k := range want {
					if math.Abs(got[k]-want[k]) > tol {
						t.Fatalf("ε = %.12g, class %d: path %.12g, forward pass %.12g", e, k, got[k], want[k])
					}
				}
			}
			t.Logf("%s: %d pieces over [%g, %g]", m.Name, p.Pieces(), c.lo, c.hi)
		})
	}
}

// Between consecutive breakpoints the forward pass itself is affine (its
// value at the midpoint is the mean of its values at the ends) and keeps
// one activation pattern, which differs on either side of every
// breakpoint.
func TestLogitPathPiecesAreLinearAndBreaksChangePattern(t *testing.T) {
	for _, c := range pathModels(t) {
		t.Run(c.m.Name, func(t *testing.T) {
			m := c.m
			x := ring(m.InputSize())
			s := FGSMDirection(m, x, 1)
			p, err := NewLogitPath(m, x, s, c.lo, c.hi)
			if err != nil {
				t.Fatal(err)
			}
			ends := append(append([]float64{c.lo}, p.Breaks...), c.hi)
			for i := range p.Pieces() {
				a, b := ends[i], ends[i+1]
				if b-a < 1e-6 {
					continue // too short to probe inside without rounding deciding
				}
				fa, fb, fm := plainScores(m, x, s, a), plainScores(m, x, s, b), plainScores(m, x, s, (a+b)/2)
				tol := 1e-9 * (1 + maxAbsOf(fa) + maxAbsOf(fb))
				for k := range fm {
					if math.Abs(fm[k]-(fa[k]+fb[k])/2) > tol {
						t.Fatalf("piece %d [%g, %g], class %d: midpoint %g, mean of the ends %g", i, a, b, k, fm[k], (fa[k]+fb[k])/2)
					}
				}
				q1, q3 := patternAt(m, x, s, a+(b-a)/4), patternAt(m, x, s, b-(b-a)/4)
				if q1 != q3 {
					t.Fatalf("piece %d [%g, %g] holds two activation patterns", i, a, b)
				}
			}
			for i, b := range p.Breaks {
				d := 1e-7 * max(1, math.Abs(b))
				d = min(d, (b-ends[i])/3, (ends[i+2]-b)/3)
				if patternAt(m, x, s, b-d) == patternAt(m, x, s, b+d) {
					t.Fatalf("breakpoint %d at ε = %.12g: the pattern is the same at ε ± %g", i, b, d)
				}
			}
		})
	}
}

// Wins agrees with the argmax of the scores on a fine grid.
func TestLogitPathWins(t *testing.T) {
	for _, c := range pathModels(t) {
		t.Run(c.m.Name, func(t *testing.T) {
			m := c.m
			x := ring(m.InputSize())
			s := FGSMDirection(m, x, 1)
			p, err := NewLogitPath(m, x, s, c.lo, c.hi)
			if err != nil {
				t.Fatal(err)
			}
			for class := range p.Classes {
				in := p.Wins(class)
				for i := range 2001 {
					e := c.lo + (c.hi-c.lo)*float64(i)/2000
					inside, near := false, false
					for _, iv := range in {
						inside = inside || (e >= iv.Lo && e <= iv.Hi)
						near = near || math.Abs(e-iv.Lo) < 1e-9 || math.Abs(e-iv.Hi) < 1e-9
					}
					if wins := Argmax(p.At(e, nil)) == class; wins != inside && !near {
						t.Fatalf("class %d at ε = %g: argmax says %v, Wins %v says %v", class, e, wins, in, inside)
					}
				}
			}
		})
	}
}

func TestLogitPathRefusesOtherLayers(t *testing.T) {
	for _, m := range tinyModels(rand.New(rand.NewPCG(1, 1))) {
		switch m.Name {
		case "rbf", "cnn", "cnn2":
			x := ring(m.InputSize())
			if _, err := NewLogitPath(m, x, FGSMDirection(m, x, 1), -1, 1); err == nil {
				t.Errorf("%s: no error for a model a path cannot follow", m.Name)
			}
		}
	}
}

// BenchmarkLogitPath is Figure 4 for one digit on the shipped maxout
// network: the FGSM direction, the exact path over [−15, 15] and the
// scores at 301 values of ε, with a walker made once, as the page does.
func BenchmarkLogitPath(b *testing.B) {
	raw, err := os.ReadFile("../models/maxout.safetensors")
	if err != nil {
		b.Skip("models/maxout.safetensors: ", err)
	}
	m, err := ReadModel(raw)
	if err != nil {
		b.Fatal(err)
	}
	x := ring(m.InputSize())
	dst := make([]float64, len(m.Classes))
	pieces := 0
	w, err := NewPathWalker(m)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s := FGSMDirection(m, x, 1)
		p := w.Path(x, s, -15, 15)
		for i := range 301 {
			p.At(-15+30*float64(i)/300, dst)
		}
		pieces = p.Pieces()
	}
	b.ReportMetric(float64(pieces), "pieces")
}

// logitGolden is, per model of pathModels, the path's breakpoints and its
// scores at ε = lo, −1, 0, 0.5 and hi. The file is written natively (go test
// -run LogitPathGolden -update) and checked natively and under js/wasm
// (make test-wasm), so that the page's Figure 4 is the command line's.
type logitGolden map[string]struct {
	Breaks []float64
	Scores [][]float64
}

func computeLogitGolden(t *testing.T) logitGolden {
	g := logitGolden{}
	for _, c := range pathModels(t) {
		x := ring(c.m.InputSize())
		p, err := NewLogitPath(c.m, x, FGSMDirection(c.m, x, 1), c.lo, c.hi)
		if err != nil {
			t.Fatal(err)
		}
		e := g[c.m.Name]
		e.Breaks = p.Breaks
		for _, eps := range []float64{c.lo, -1, 0, 0.5, c.hi} {
			e.Scores = append(e.Scores, p.At(eps, nil))
		}
		g[c.m.Name] = e
	}
	return g
}

func TestLogitPathGolden(t *testing.T) {
	got := computeLogitGolden(t)
	want := goldenFile(t, "testdata/logitpath.json", got)
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }
	for name, w := range want {
		g := got[name]
		if len(g.Breaks) != len(w.Breaks) {
			t.Errorf("%s: %d breakpoints, golden %d", name, len(g.Breaks), len(w.Breaks))
			continue
		}
		for i := range w.Breaks {
			if !near(g.Breaks[i], w.Breaks[i]) {
				t.Errorf("%s: breakpoint %d at %.17g, golden %.17g", name, i, g.Breaks[i], w.Breaks[i])
				break
			}
		}
		for i := range w.Scores {
			for k := range w.Scores[i] {
				if !near(g.Scores[i][k], w.Scores[i][k]) {
					t.Errorf("%s: score %d at ε #%d = %.17g, golden %.17g", name, k, i, g.Scores[i][k], w.Scores[i][k])
				}
			}
		}
	}
}
