package core

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ScoreGradient is the input gradient of Σᵢ dsᵢ·s(xᵢ), checked against
// finite differences on every tiny model, and the largest score is the
// most probable class.
func TestScoreGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 30))
	for _, m := range tinyModels(rng) {
		t.Run(m.Name, func(t *testing.T) {
			x := randDense(rng, 3, 12, 0.5)
			classes := len(m.Classes)
			ds := randDense(rng, 3, classes, 1)
			f := func() float64 {
				s := m.Scores(x)
				var sum float64
				for i, v := range s.RawMatrix().Data {
					sum += v * ds.RawMatrix().Data[i]
				}
				return sum
			}
			g := mat.DenseCopyOf(m.ScoreGradient(x, ds))
			for i := range x.RawMatrix().Data {
				if want := numeric(f, x.RawMatrix().Data, i); !closeEnough(g.RawMatrix().Data[i], want) {
					t.Fatalf("∇ₓ(ds·s)[%d] = %g, finite difference %g", i, g.RawMatrix().Data[i], want)
				}
			}
			s := mat.DenseCopyOf(m.Scores(x))
			p := m.Predict(x)
			for i := range 3 {
				if a, b := Argmax(s.RawRowView(i)), Argmax(p.RawRowView(i)); a != b {
					t.Errorf("row %d: largest score %d, most probable class %d", i, a, b)
				}
			}
		})
	}
}

// The scores are what the output kind defines: the logits of a softmax,
// [0, z] for a sigmoid, log p for the Gaussian output.
func TestScoresByOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	x := randDense(rng, 2, 12, 0.5)
	for _, m := range tinyModels(rng) {
		var ref func(p []float64, k int) float64 // the score from the probabilities, up to a constant per row
		switch m.Out.Kind() {
		case "softmax":
			ref = func(p []float64, k int) float64 { return math.Log(p[k]) - math.Log(p[0]) }
		case "sigmoid":
			ref = func(p []float64, k int) float64 { return math.Log(p[k]) - math.Log(p[0]) }
		case "gaussian":
			ref = func(p []float64, k int) float64 { return math.Log(p[k]) }
		}
		s := mat.DenseCopyOf(m.Scores(x))
		p := m.Predict(x)
		for i := range 2 {
			base := 0.0
			if m.Out.Kind() != "gaussian" {
				base = s.At(i, 0)
			}
			for k := range len(m.Classes) {
				if got, want := s.At(i, k)-base, ref(p.RawRowView(i), k); !closeEnough(got, want) {
					t.Errorf("%s row %d: score %d − score 0 = %g, want %g", m.Name, i, k, got, want)
				}
			}
		}
	}
}
