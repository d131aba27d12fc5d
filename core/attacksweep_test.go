package core

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// An attack sweep gives, at each ε, what crafting each digit on its own
// with Craft gives (the digit's own random start, seeded by its index), at
// ε = 0 too, however it is sliced; and it moves the error.
func TestAttackSweepRunMatchesCraft(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	eps := []float64{0, 0.05, 0.2, 1}
	const seed = 9
	moved := map[Attack]bool{}
	for _, m := range sweepModels(rng) {
		for _, a := range []Attack{AttackPGD, AttackFGM} {
			t.Run(m.Name+"/"+string(a), func(t *testing.T) {
				x := mnistLike(rng, 7, 12)
				labels := predicted(m, x)
				base := Options{Steps: 5}
				want := make([]Result, len(eps))
				for k, e := range eps {
					var tally Tally
					for i := range labels {
						o := base
						o.Epsilon, o.Rand = e, rand.New(rand.NewPCG(seed, uint64(i)))
						xi := x.Slice(i, i+1, 0, 12).(*mat.Dense)
						_, adv := Craft(m, xi, labels[i:i+1], a, o)
						tally.Add(m.Predict(adv), labels[i:i+1])
					}
					want[k] = tally.Result()
				}
				for _, units := range []int{1, 3, 1000} {
					r := NewAttackSweepRun(m, x, labels, a, eps, base, seed)
					steps := 0
					for !r.Step(units) {
						steps++
						if p := r.Progress(); p <= 0 || p >= 1 {
							t.Fatalf("progress %v after %d steps of %d", p, steps, units)
						}
					}
					sameResults(t, r.Results(), want)
				}
				if want[0].Error != 0 {
					t.Errorf("error %v at ε = 0 on the model's own answers", want[0].Error)
				}
				moved[a] = moved[a] || want[len(eps)-1].Error > 0
			})
		}
	}
	for _, a := range []Attack{AttackPGD, AttackFGM} {
		if !moved[a] {
			t.Errorf("%s at ε = %v fooled none of the models on any digit", a, eps[len(eps)-1])
		}
	}
}

// Only an untargeted attack with a budget can be swept over ε.
func TestAttackSweepRunRefuses(t *testing.T) {
	x := mat.NewDense(1, 12, nil)
	for _, a := range []Attack{AttackDeepFool, AttackJSMA, AttackTargeted} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewAttackSweepRun took %s", a)
				}
			}()
			NewAttackSweepRun(tinyModels(rand.New(rand.NewPCG(1, 1)))[0], x, []int{0}, a, []float64{0.1}, Options{}, 1)
		}()
	}
}

// A step counts only the pairs it attacks: the ε = 0 pairs on its way
// come free, so that every unit costs about the same.
func TestAttackSweepRunCountsAttacks(t *testing.T) {
	m := tinyModels(rand.New(rand.NewPCG(2, 2)))[2]
	x := mnistLike(rand.New(rand.NewPCG(3, 3)), 2, 12)
	r := NewAttackSweepRun(m, x, []int{0, 1}, AttackPGD, []float64{0, 0.1, 0.2}, Options{Steps: 2}, 1)
	// The pairs are (digit 0: ε = 0, 0.1, 0.2), (digit 1: ε = 0, 0.1, 0.2).
	for i, want := range []float64{2.0 / 6, 3.0 / 6, 5.0 / 6, 1} {
		r.Step(1)
		if got := r.Progress(); got != want {
			t.Errorf("after step %d of one unit: progress %v, want %v", i+1, got, want)
		}
	}
	if !r.Done() {
		t.Error("not done after every pair")
	}
}
