package core

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestTransferRun: however the work is cut (steps of any size, crafts in
// any order), a TransferRun's cells are EvaluateAttack's.
func TestTransferRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var ms []*Model
	for _, m := range tinyModels(rng) {
		if slices.Contains([]string{"softmax", "mlp", "maxout"}, m.Name) {
			ms = append(ms, m)
		}
	}
	if len(ms) != 3 {
		t.Fatalf("%d models", len(ms))
	}
	const n = 23
	x := mat.NewDense(n, 12, nil)
	labels := make([]int, n)
	for i := range n {
		labels[i] = rng.IntN(10)
		for j := range 12 {
			x.Set(i, j, rng.Float64())
		}
	}
	o := Options{Epsilon: 0.3}

	steps := NewTransferRun(ms, ms, x, labels, o)
	for k := 0; !steps.Step(1 + k%5); k++ {
		if p := steps.Progress(); p <= 0 || p >= 1 {
			t.Fatalf("progress %v before the end", p)
		}
	}
	if steps.Progress() != 1 {
		t.Fatalf("progress %v at the end", steps.Progress())
	}
	got := steps.Results()
	for i, c := range ms {
		for j, tg := range ms {
			want := EvaluateAttack(c, tg, x, labels, FGSMAttack(o))
			g := got[i][j]
			if g.N != want.N || g.Error != want.Error || math.Abs(g.Confidence-want.Confidence) > 1e-12 {
				t.Errorf("%s on %s: %+v, EvaluateAttack %+v", c.Name, tg.Name, g, want)
			}
		}
	}

	// Each craft model on its own, last first, in steps of 4.
	crafts := NewTransferRun(ms, ms, x, labels, o)
	for i := crafts.Crafts() - 1; i >= 0; i-- {
		for !crafts.StepCraft(i, 4) {
			if p := crafts.CraftProgress(i); p <= 0 || p >= 1 {
				t.Fatalf("craft %d: progress %v before its end", i, p)
			}
		}
	}
	if !reflect.DeepEqual(crafts.Results(), got) {
		t.Errorf("crafts one by one: %+v; steps: %+v", crafts.Results(), got)
	}
	for i := range ms {
		if !reflect.DeepEqual(crafts.Mistakes(i, i), steps.Mistakes(i, i)) {
			t.Errorf("%s: mistakes differ", ms[i].Name)
		}
	}
}
