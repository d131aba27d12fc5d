package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// mnistLike returns n rows of dim pixels that are mostly 0, some 1 and some
// mid-grey, as in MNIST, where clipping matters.
func mnistLike(rng *rand.Rand, n, dim int) *mat.Dense {
	x := mat.NewDense(n, dim, nil)
	for i := range n {
		row := x.RawRowView(i)
		for j := range row {
			switch u := rng.Float64(); {
			case u < 0.8:
				row[j] = 0
			case u < 0.88:
				row[j] = 1
			case u < 0.9:
				row[j] = 0.5
			default:
				row[j] = rng.Float64()
			}
		}
	}
	return x
}

// predicted labels each row with the model's clean answer, so that the
// clean error is 0 and FGSM has something to break.
func predicted(m *Model, x *mat.Dense) []int {
	p := m.Predict(x)
	labels := make([]int, p.RawMatrix().Rows)
	for i := range labels {
		labels[i] = Argmax(p.RawRowView(i))
	}
	return labels
}

// sweepModels are tiny random models of every shape the sweep treats
// differently, each taking 12 inputs.
func sweepModels(rng *rand.Rand) []*Model {
	ms := tinyModels(rng)
	ts := map[string]Tensor{}
	widths := []int{12, 16, 8, 10}
	var arch []LayerSpec
	for i := 1; i < len(widths); i++ {
		p := fmt.Sprint("l", i)
		if i > 1 {
			arch = append(arch, LayerSpec{Kind: "relu"})
		}
		arch = append(arch, LayerSpec{Kind: "dense", Weight: p + ".w", Bias: p + ".b"})
		w := Tensor{Shape: []int{widths[i], widths[i-1]}, Data: make([]float64, widths[i]*widths[i-1])}
		b := Tensor{Shape: []int{widths[i]}, Data: make([]float64, widths[i])}
		for j := range w.Data {
			w.Data[j] = 0.5 * rng.NormFloat64()
		}
		for j := range b.Data {
			b.Data[j] = 0.1 * rng.NormFloat64()
		}
		ts[p+".w"], ts[p+".b"] = w, b
	}
	deep, err := Build("mlp2", append(arch, LayerSpec{Kind: "softmax"}), ms[0].Classes, ts)
	if err != nil {
		panic(err)
	}
	// The first five and cnn (whose first layer is not dense, so the
	// sweep takes its general path); cnn2's sigmoid flattens it too much
	// for its results to move.
	return append(ms[:6:6], deep)
}

// sameResults checks that got matches Sweep's want: the same N and error,
// and confidences to 1e-9.
func sameResults(t *testing.T, got, want []Result) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.N != w.N || g.Error != w.Error || math.Abs(g.Confidence-w.Confidence) > 1e-9 ||
			math.Abs(g.MistakeConfidence-w.MistakeConfidence) > 1e-9 {
			t.Errorf("result %d = %+v, plain sweep gives %+v", i, g, w)
		}
	}
}

// Unsorted, with a repeat, past the breakpoints of mid-grey pixels and past
// 1, where even pixels at 0 or 1 clip.
var sweepEps = []float64{0.3, 0, 0.05, 0.1, 0.25, 0, 0.5, 0.75, 1, 1.5}

func TestSweepRunMatchesSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	options := []Options{{}, {NoClip: true}, {Round8: true}, {NoClip: true, Round8: true}}
	for _, m := range sweepModels(rng) {
		x := mnistLike(rng, 150, 12)
		labels := predicted(m, x)
		for _, o := range options {
			for _, kind := range []Attack{AttackFGSM, AttackRandomSign, AttackUniform} {
				t.Run(fmt.Sprintf("%s/%s/clip=%t/round8=%t", m.Name, kind, !o.NoClip, o.Round8), func(t *testing.T) {
					want := Sweep(m, x, labels, kind, sweepEps, o, 7)
					r := NewSweepRun(m, x, labels, kind, sweepEps, o, 7)
					linear := m.Name != "rbf" && !strings.HasPrefix(m.Name, "cnn") && !o.Round8
					if (r.head != nil) != linear {
						t.Errorf("linear head used: %t, want %t", r.head != nil, linear)
					}
					for !r.Step(1000) {
					}
					sameResults(t, r.Results(), want)
					if kind == AttackFGSM {
						sameResults(t, fastSweep(m, x, labels, sweepEps, o), want)
						if want[1].Error != 0 || math.Abs(want[9].Confidence-want[1].Confidence) < 1e-3 {
							t.Errorf("at ε = 0 and 1.5: %+v and %+v: the case tests nothing", want[1], want[9])
						}
					}
				})
			}
		}
	}
}

// Inputs outside [0, 1] and negative ε leave the linear path when clipping,
// and still give Sweep's results.
func TestSweepRunOutsideTheLinearCase(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	m := sweepModels(rng)[6] // mlp2
	x := mnistLike(rng, 60, 12)
	wide := mat.DenseCopyOf(x)
	wide.Set(3, 4, -0.2)
	wide.Set(7, 1, 1.3)
	cases := []struct {
		name   string
		x      *mat.Dense
		eps    []float64
		o      Options
		linear bool
	}{
		{"pixels outside [0, 1]", wide, sweepEps, Options{}, false},
		{"pixels outside [0, 1], no clipping", wide, sweepEps, Options{NoClip: true}, true},
		{"negative ε", x, []float64{-0.2, 0, 0.1}, Options{}, false},
		{"negative ε, no clipping", x, []float64{-0.2, 0, 0.1}, Options{NoClip: true}, true},
		{"no ε", x, nil, Options{}, true},
		{"only ε = 0", x, []float64{0}, Options{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			labels := predicted(m, c.x)
			if r := NewSweepRun(m, c.x, labels, AttackFGSM, c.eps, c.o, 0); (r.head != nil) != c.linear {
				t.Errorf("linear head used: %t, want %t", r.head != nil, c.linear)
			}
			sameResults(t, fastSweep(m, c.x, labels, c.eps, c.o), Sweep(m, c.x, labels, AttackFGSM, c.eps, c.o, 0))
		})
	}
}

// Stepping a few digits at a time gives the same results as one call, and
// partial results cover the digits done.
func TestSweepRunSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 23))
	m := sweepModels(rng)[3] // maxout, with a leading dropout
	x := mnistLike(rng, 90, 12)
	labels := predicted(m, x)
	for _, kind := range []Attack{AttackFGSM, AttackRandomSign} {
		for _, o := range []Options{{}, {Round8: true}} {
			want := Sweep(m, x, labels, kind, sweepEps, o, 3)
			for _, step := range []int{1, 7, 64} {
				t.Run(fmt.Sprintf("%s/round8=%t/%d digits", kind, o.Round8, step), func(t *testing.T) {
					r := NewSweepRun(m, x, labels, kind, sweepEps, o, 3)
					if r.Progress() != 0 || r.Done() {
						t.Fatalf("a new run has progress %g, done %t", r.Progress(), r.Done())
					}
					for steps := 1; !r.Step(step); steps++ {
						done := min(steps*step, 90)
						if p := r.Progress(); p != float64(done)/90 {
							t.Fatalf("progress %g after %d steps of %d digits", p, steps, step)
						}
						if n := r.Results()[0].N; n != done {
							t.Fatalf("partial results over %d digits, want %d", n, done)
						}
					}
					if r.Progress() != 1 {
						t.Errorf("finished with progress %g", r.Progress())
					}
					sameResults(t, r.Results(), want)
				})
			}
		}
	}
}

func TestSweepRunMisuse(t *testing.T) {
	m := sweepModels(rand.New(rand.NewPCG(24, 24)))[0]
	x := mat.NewDense(2, 12, nil)
	cases := []struct {
		name string
		f    func()
	}{
		{"labels", func() { NewSweepRun(m, x, []int{1}, AttackFGSM, sweepEps, Options{}, 0) }},
		{"kind", func() { NewSweepRun(m, x, []int{1, 2}, AttackIterative, sweepEps, Options{}, 0) }},
		{"step", func() { NewSweepRun(m, x, []int{1, 2}, AttackFGSM, sweepEps, Options{}, 0).Step(0) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			c.f()
		})
	}
}

// benchSweep is the page's default sweep: 1,000 MNIST-like digits and 11 ε
// from 0 to 0.5 on a random model shaped like the shipped mlp.
func benchSweep() (*Model, *mat.Dense, []int, []float64) {
	m := benchMLP()
	x := mnistLike(rand.New(rand.NewPCG(31, 31)), 1000, 784)
	eps := make([]float64, 11)
	for i := range eps {
		eps[i] = 0.05 * float64(i)
	}
	return m, x, predicted(m, x), eps
}

func BenchmarkSweepRun(b *testing.B) {
	m, x, labels, eps := benchSweep()
	for b.Loop() {
		fastSweep(m, x, labels, eps, Options{})
	}
}

func BenchmarkPlainSweep(b *testing.B) {
	m, x, labels, eps := benchSweep()
	for b.Loop() {
		Sweep(m, x, labels, AttackFGSM, eps, Options{}, 0)
	}
}

// BenchmarkFastNoiseSweep is the random ±ε baseline of the same sweep.
func BenchmarkFastNoiseSweep(b *testing.B) {
	m, x, labels, eps := benchSweep()
	for b.Loop() {
		r := NewSweepRun(m, x, labels, AttackRandomSign, eps, Options{}, 1)
		for !r.Step(1000) {
		}
	}
}

// BenchmarkSweepStep20 is one step of 20 digits, the work the page would do
// between two yields to the browser.
func BenchmarkSweepStep20(b *testing.B) {
	m, x, labels, eps := benchSweep()
	r := NewSweepRun(m, x, labels, AttackFGSM, eps, Options{}, 0)
	for b.Loop() {
		if r.Step(20) {
			r = NewSweepRun(m, x, labels, AttackFGSM, eps, Options{}, 0)
		}
	}
}

// fastSweep runs an FGSM SweepRun to the end in batches of sweepRows digits.
func fastSweep(m *Model, x *mat.Dense, labels []int, eps []float64, o Options) []Result {
	r := NewSweepRun(m, x, labels, AttackFGSM, eps, o, 0)
	for !r.Step(sweepRows) {
	}
	return r.Results()
}
