package main

import (
	"os"
	"slices"
	"testing"

	"fgsmlab/core"
)

// TestGradientCacheIsAttack: the outcome from the cached gradient sign is
// exactly core's, for every setting the slider and toggles reach.
func TestGradientCacheIsAttack(t *testing.T) {
	b, err := os.ReadFile("../models/mlp.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, Pixels)
	for i := range x {
		if r, c := i/28, i%28; c > 10 && c < 16 && r > 4 && r < 24 {
			x[i] = float64((r*7+c)%5) / 4
		}
	}
	var c gradientCache
	for _, a := range []core.Attack{core.AttackFGSM, core.AttackTargeted} {
		for _, eps := range []int{0, 1, 20, 64, 127, 3} {
			for _, clip := range []bool{true, false} {
				for _, round := range []bool{false, true} {
					s := defaultSettings()
					s.Attack, s.Eps255, s.Clip, s.Round, s.Target = a, eps, clip, round, 3
					got, want := c.attack(m, x, s), attack(m, x, s)
					if !slices.Equal(got.Adv, want.Adv) || !slices.Equal(got.Fool, want.Fool) ||
						!slices.Equal(got.Clean, want.Clean) || !slices.Equal(got.Eta, want.Eta) || got.Success != want.Success {
						t.Errorf("%s ε=%d/255 clip %v round %v: the cached outcome differs from core's", a, eps, clip, round)
					}
				}
			}
		}
	}
}
