package core

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// float32Softmax3 is a 3-class softmax on 4 pixels whose bias gives class 0
// the logit margin over the others.
func float32Softmax3(t *testing.T, margin float64) *Model {
	t.Helper()
	m, err := BuildInput("softmax3", Shape{4}, []LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "softmax"}},
		[]string{"0", "1", "2"}, map[string]Tensor{
			"w": {Shape: []int{3, 4}, Data: []float64{1, -1, 0.5, 0, 0, 1, -1, 0.5, -0.5, 0, 1, -1}},
			"b": {Shape: []int{3}, Data: []float64{margin, 0, 0}},
		})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Options.Float32Softmax takes the cross-entropy's delta as float32 does. A
// digit classified with a margin of 200 has p_y = 1 and every other p_k = 0
// in float32, so ∇ₓJ = 0 and FGSM leaves it as it is; float64 still moves
// it. With a margin of 40 only p_y − 1 vanishes: ∇ₓJ = Σ_{k≠y} p_k·∇ₓz_k.
// With a margin of 2 the two agree in sign on every pixel.
func TestFloat32Softmax(t *testing.T) {
	x := mat.NewDense(1, 4, []float64{0.5, 0.5, 0.5, 0.5})
	y := []int{0}
	moved := func(adv *mat.Dense) bool { return !mat.Equal(adv, x) }
	for _, c := range []struct {
		margin                float64
		zero32, zero64, moved bool
	}{
		{margin: 200, zero32: true},
		{margin: 40},
		{margin: 2},
	} {
		m := float32Softmax3(t, c.margin)
		g64 := mat.DenseCopyOf(m.attackGradient(x, y, Options{}))
		g32 := mat.DenseCopyOf(m.attackGradient(x, y, Options{Float32Softmax: true}))
		if zero := mat.Norm(g32, math.Inf(1)) == 0; zero != c.zero32 {
			t.Errorf("margin %g: float32 gradient %v, want zero: %v", c.margin, g32.RawRowView(0), c.zero32)
		}
		if mat.Norm(g64, math.Inf(1)) == 0 {
			t.Errorf("margin %g: float64 gradient is 0", c.margin)
		}
		adv32 := FGSM(m, x, y, Options{Epsilon: 0.1, Float32Softmax: true})
		if moved(adv32) == c.zero32 {
			t.Errorf("margin %g: float32 FGSM moved the input: %v, want %v", c.margin, moved(adv32), !c.zero32)
		}
		if !moved(FGSM(m, x, y, Options{Epsilon: 0.1})) {
			t.Errorf("margin %g: float64 FGSM left the input as it was", c.margin)
		}
		switch c.margin {
		case 40: // ∇ₓJ = p₁·w₁ + p₂·w₂, the true class's row dropped
			p := m.Predict(x).RawRowView(0)
			w := m.Layers[0].(*Dense).W.Data
			for j, g := range g32.RawRowView(0) {
				want := p[1]*w[4+j] + p[2]*w[8+j]
				if math.Abs(g-want) > 1e-6*math.Abs(want) {
					t.Errorf("margin 40, pixel %d: float32 ∇ₓJ = %g, want Σ_{k≠y} p_k·w_k = %g", j, g, want)
				}
			}
		case 2:
			for j, g := range g32.RawRowView(0) {
				if Sign(g) != Sign(g64.At(0, j)) {
					t.Errorf("margin 2, pixel %d: float32 ∇ₓJ = %g, float64 %g", j, g, g64.At(0, j))
				}
			}
		}
	}
}

// The sigmoid output is the softmax of two classes: σ(30) = 1 − 9e-14 is 1
// in float32.
func TestFloat32Sigmoid(t *testing.T) {
	m, err := BuildInput("logreg", Shape{2}, []LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "sigmoid"}},
		[]string{"3", "7"}, map[string]Tensor{"w": {Shape: []int{1, 2}, Data: []float64{1, -1}}, "b": {Shape: []int{1}, Data: []float64{30}}})
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(1, 2, []float64{0.5, 0.5})
	if g := m.attackGradient(x, []int{1}, Options{Float32Softmax: true}).RawRowView(0); g[0] != 0 || g[1] != 0 {
		t.Errorf("float32 gradient %v, want 0", g)
	}
	if g := m.attackGradient(x, []int{1}, Options{}).RawRowView(0); g[0] == 0 {
		t.Errorf("float64 gradient %v, want nonzero", g)
	}
}

// Sweep and SweepRun take the option as FGSM does.
func TestFloat32SoftmaxSweeps(t *testing.T) {
	x := mat.NewDense(2, 4, []float64{0.5, 0.5, 0.5, 0.5, 0.2, 0.9, 0.1, 0.4})
	y := []int{0, 1}
	m := float32Softmax3(t, 200)
	eps := []float64{0, 0.25, 0.5}
	for _, f32 := range []bool{false, true} {
		o := Options{Float32Softmax: f32}
		run := NewSweepRun(m, x, y, AttackFGSM, eps, o, 0)
		for !run.Step(1) {
		}
		for i, r := range Sweep(m, x, y, AttackFGSM, eps, o, 0) {
			o.Epsilon = eps[i]
			want := EvaluateAttack(m, m, x, y, FGSMAttack(o))
			if got := run.Results()[i]; math.Abs(got.Error-want.Error) > 0 || math.Abs(r.Confidence-want.Confidence) > 1e-12 ||
				math.Abs(got.Confidence-want.Confidence) > 1e-12 {
				t.Errorf("float32 %v, ε = %g: Sweep %+v, SweepRun %+v, FGSM %+v", f32, eps[i], r, got, want)
			}
		}
	}
}
