package core

import (
	"math"
	"math/rand/v2"
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
	// The same up to rounding: under WebAssembly the kernels group rows
	// by four, so a batch's size changes the last bits.
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }
	for i, row := range crafts.Results() {
		for j, c := range row {
			g := got[i][j]
			if c.N != g.N || c.Error != g.Error || c.Agreement != g.Agreement ||
				!close(c.Confidence, g.Confidence) || !close(c.MistakeConfidence, g.MistakeConfidence) {
				t.Errorf("%s on %s, crafts one by one: %+v; in steps: %+v", ms[i].Name, ms[j].Name, c, g)
			}
		}
		a, b := crafts.Mistakes(i, i), steps.Mistakes(i, i)
		if len(a) != len(b) {
			t.Fatalf("%s: %d mistakes one by one, %d in steps", ms[i].Name, len(a), len(b))
		}
		for k := range a {
			if !close(a[k], b[k]) {
				t.Errorf("%s: mistake %d has confidence %v one by one, %v in steps", ms[i].Name, k, a[k], b[k])
			}
		}
	}
}
