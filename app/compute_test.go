package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"fgsmlab/core"
)

// tinyModel is a random 784 → 10 softmax classifier.
func tinyModel(t *testing.T) *core.Model {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	w := make([]float64, 10*Pixels)
	for i := range w {
		w[i] = rng.NormFloat64() * 0.05
	}
	arch := []core.LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "softmax"}}
	classes := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	m, err := core.Build("tiny", arch, classes, map[string]core.Tensor{
		"w": {Shape: []int{10, Pixels}, Data: w},
		"b": {Shape: []int{10}, Data: make([]float64, 10)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAttackOutcome(t *testing.T) {
	m := tinyModel(t)
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, Pixels)
	for i := range x {
		x[i] = rng.Float64()
	}
	for _, a := range labAttacks {
		name := a.Attack
		for _, eps := range []int{0, 1, 30, maxEps255} {
			s := defaultSettings()
			s.setAttack(name)
			s.Eps255, s.EpsL2, s.Target = eps, float64(eps)/255*8, 3
			o := attack(m, x, s)
			worst := 0.0
			for i := range x {
				if d := math.Abs(o.Adv[i] - x[i]); d > worst {
					worst = d
				}
				if o.Adv[i] < 0 || o.Adv[i] > 1 {
					t.Fatalf("%s ε=%d: x̃[%d] = %v is outside [0, 1] with clipping on", name, eps, i, o.Adv[i])
				}
				if o.Eta[i] != o.Adv[i]-x[i] {
					t.Fatalf("%s: η ≠ x̃ − x at %d", name, i)
				}
			}
			switch {
			case s.sized():
			case name.L2() && o.L2 > s.EpsL2+1e-9:
				t.Errorf("%s ε=%v: ‖x̃ − x‖₂ = %v > ε", name, s.EpsL2, o.L2)
			case !name.L2() && worst > s.Eps()+1e-12:
				t.Errorf("%s ε=%d/255: ‖x̃ − x‖∞ = %v > ε", name, eps, worst)
			}
			if math.Abs(o.LInf-worst) > 1e-12 {
				t.Errorf("%s: outcome's ‖η‖∞ = %v, want %v", name, o.LInf, worst)
			}
			if o.CleanLabel != core.Argmax(o.Clean) || o.AdvLabel != core.Argmax(o.Fool) {
				t.Errorf("%s: labels are not the argmax of the probabilities", name)
			}
			want := o.AdvLabel != o.CleanLabel
			if name.Targeted() {
				want = o.AdvLabel == 3
			}
			if o.Success != want {
				t.Errorf("%s ε=%d: Success = %v with labels %d → %d", name, eps, o.Success, o.CleanLabel, o.AdvLabel)
			}
			if eps == 0 && !s.sized() && o.AdvLabel != o.CleanLabel {
				t.Errorf("%s: ε = 0 changed the label", name)
			}
		}
	}
}
