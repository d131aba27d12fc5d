package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"fgsmlab/core"
	"gonum.org/v1/gonum/mat"
)

// §5's identity: the cost of x̃ = x − ε·y·sign(w) is ζ(−y(wᵀx + b) +
// ε‖w‖₁), and the plain cost is core's sigmoid cross-entropy.
func TestL1StatsIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const n, d = 40, 784
	w := make([]float64, d)
	for i := range w {
		w[i] = 0.05 * rng.NormFloat64()
	}
	w[3] = 0 // sign(0) = 0: that pixel does not move
	b := 0.3
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		y[i] = i % 2
		for j := range d {
			x.Set(i, j, rng.Float64())
		}
	}
	m, err := core.Build("lr", []core.LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "sigmoid"}}, []string{"3", "7"},
		map[string]core.Tensor{"w": {Shape: []int{1, d}, Data: w}, "b": {Shape: []int{1}, Data: []float64{b}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, eps := range []float64{0, 0.01, 0.1, 0.25} {
		s := newL1Stats("lr", w, b, x, y, eps)
		if math.Abs(s.Adv-s.AdvDirect) > 1e-9*max(1, s.Adv) {
			t.Errorf("ε = %g: formula %v, FGSM examples %v", eps, s.Adv, s.AdvDirect)
		}
		m.Forward(x, false)
		if want := m.Out.Loss(y) / n; math.Abs(s.Loss-want) > 1e-9 { // Loss sums over the batch
			t.Errorf("plain cost %v, core's %v", s.Loss, want)
		}
		if r := core.Evaluate(m, x, y); math.Abs(s.CleanErr-r.Error) > 1e-12 {
			t.Errorf("clean error %v, core's %v", s.CleanErr, r.Error)
		}
		if eps == 0 && (s.Adv != s.Loss || s.FGSMErr != s.CleanErr) {
			t.Errorf("ε = 0 changed something: %+v", s)
		}
		if s.Decay-s.Loss-l1Lambda*s.L1 > 1e-12 {
			t.Errorf("decay %v ≠ loss %v + λ‖w‖₁", s.Decay, s.Loss)
		}
	}
}
