package core

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// blobs makes a separable 3-class problem in 12 dimensions: class c lights
// up pixels 4c…4c+3.
func blobs(n int, seed uint64) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := &Dataset{Images: mat.NewDense(n, 12, nil), Labels: make([]int, n)}
	for i := range n {
		c := i % 3
		d.Labels[i] = c
		row := d.Images.RawRowView(i)
		for j := range row {
			row[j] = 0.2 * rng.Float64()
			if j/4 == c {
				row[j] += 0.6
			}
		}
	}
	return d
}

func blobModel(rng *rand.Rand) *Model {
	ts := map[string]Tensor{
		"a.weight": {Shape: []int{12, 12}, Data: make([]float64, 144)}, "a.bias": {Shape: []int{12}, Data: make([]float64, 12)},
		"b.weight": {Shape: []int{3, 4}, Data: make([]float64, 12)}, "b.bias": {Shape: []int{3}, Data: make([]float64, 3)},
	}
	for _, n := range []string{"a.weight", "b.weight"} {
		for i := range ts[n].Data {
			ts[n].Data[i] = 0.3 * rng.NormFloat64()
		}
	}
	m, err := Build("blob", []LayerSpec{{Kind: "dense", Weight: "a.weight", Bias: "a.bias"}, {Kind: "maxout", Pieces: 3},
		{Kind: "dropout", P: 0.1}, {Kind: "dense", Weight: "b.weight", Bias: "b.bias"}, {Kind: "softmax"}}, []string{"a", "b", "c"}, ts)
	if err != nil {
		panic(err)
	}
	return m
}

func TestTrainLearns(t *testing.T) {
	train, test := blobs(600, 1), blobs(300, 2)
	cases := []struct {
		name string
		cfg  TrainConfig
	}{
		{"adam", TrainConfig{Epochs: 15, BatchSize: 32, Optimizer: &Adam{LR: 0.01}}},
		{"sgd momentum", TrainConfig{Epochs: 15, BatchSize: 32, Optimizer: &SGD{LR: 0.05, Momentum: 0.9}}},
		{"adversarial", TrainConfig{Epochs: 15, BatchSize: 32, Optimizer: &Adam{LR: 0.01}, Adversarial: &Adversarial{Alpha: 0.5, Epsilon: 0.1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := blobModel(rand.New(rand.NewPCG(3, 3)))
			stats := Train(m, train, c.cfg)
			if first, last := stats[0].Loss, stats[len(stats)-1].Loss; !(last < first/2) {
				t.Errorf("training loss went from %g to %g", first, last)
			}
			if r := Evaluate(m, test.Images, test.Labels); r.Error > 0.02 {
				t.Errorf("test error %.3f on a separable problem", r.Error)
			}
		})
	}
}

func TestTrainIsReproducible(t *testing.T) {
	d := blobs(200, 4)
	run := func() []float64 {
		m := blobModel(rand.New(rand.NewPCG(5, 5)))
		Train(m, d, TrainConfig{Epochs: 2, BatchSize: 16, Optimizer: &Adam{LR: 0.01}, Seed: 9})
		return m.Params()[0].Data
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("weight %d differs between two runs with one seed: %g vs %g", i, a[i], b[i])
		}
	}
}

// Adversarial training must make FGSM less effective than plain training
// on the same data (§6).
func TestAdversarialTrainingResists(t *testing.T) {
	train, test := blobs(900, 6), blobs(300, 7)
	o := Options{Epsilon: 0.3}
	errAt := func(adv *Adversarial) float64 {
		m := blobModel(rand.New(rand.NewPCG(8, 8)))
		Train(m, train, TrainConfig{Epochs: 30, BatchSize: 32, Optimizer: &Adam{LR: 0.01}, Adversarial: adv})
		return EvaluateAttack(m, m, test.Images, test.Labels, FGSMAttack(o)).Error
	}
	plain, robust := errAt(nil), errAt(&Adversarial{Alpha: 0.5, Epsilon: 0.3})
	if !(robust < plain) {
		t.Errorf("FGSM error %.3f after adversarial training, %.3f after plain training", robust, plain)
	}
}

// gradRecorder is an Optimizer that keeps a copy of the gradients it is
// given and moves nothing.
type gradRecorder struct{ grads [][]float64 }

func (g *gradRecorder) Step(params []*Param) {
	g.grads = nil
	for _, p := range params {
		g.grads = append(g.grads, append([]float64(nil), p.Grad...))
	}
}
func (g *gradRecorder) Scale(float64) {}

// The L1 penalty adds L1·sign(W), the subgradient of L1·‖W‖₁, to the
// gradient of every weight matrix, and nothing to the biases.
func TestL1PenaltyGradient(t *testing.T) {
	d := blobs(32, 5)
	grads := func(l1 float64) ([][]float64, []*Param) {
		m := blobModel(rand.New(rand.NewPCG(7, 7)))
		rec := &gradRecorder{}
		s := NewStepper(m, d, TrainConfig{Epochs: 1, BatchSize: 32, Optimizer: rec, L1: l1, Seed: 1})
		s.Step(1)
		var params []*Param
		for _, l := range m.Layers {
			params = append(params, l.Params()...)
		}
		return rec.grads, params
	}
	plain, _ := grads(0)
	const l1 = 0.0025
	pen, params := grads(l1)
	if len(plain) == 0 || len(pen) != len(plain) {
		t.Fatalf("recorded %d and %d gradients", len(plain), len(pen))
	}
	for k, p := range params {
		for i, w := range p.Data {
			want := plain[k][i]
			if len(p.Shape) >= 2 {
				want += l1 * Sign(w)
			}
			if math.Abs(pen[k][i]-want) > 1e-15 {
				t.Fatalf("%s[%d]: gradient %v with L1, want %v", p.Name, i, pen[k][i], want)
			}
		}
	}
}

// A strong L1 penalty keeps a model from fitting what it fits without one.
func TestStrongL1Underfits(t *testing.T) {
	train := blobs(600, 1)
	fit := func(l1 float64) float64 {
		m := blobModel(rand.New(rand.NewPCG(3, 3)))
		Train(m, train, TrainConfig{Epochs: 15, BatchSize: 32, Optimizer: &Adam{LR: 0.01}, L1: l1})
		return Evaluate(m, train.Images, train.Labels).Error
	}
	if plain, strong := fit(0), fit(1); !(plain < 0.02 && strong > 0.3) {
		t.Errorf("training error %.3f without L1, %.3f with L1 = 1; want a fit and a failure to fit", plain, strong)
	}
}

// noDropBlobModel is blobModel without its dropout, so that two passes over one
// batch see one function.
func noDropBlobModel(rng *rand.Rand) *Model {
	m := blobModel(rng)
	m.Layers = slices.DeleteFunc(m.Layers, func(l Layer) bool { _, ok := l.(*Dropout); return ok })
	return m
}

// meanGrad is the gradient of the mean cost of m over the batch (x, labels).
func meanGrad(m *Model, x *mat.Dense, labels []int) [][]float64 {
	rec := &gradRecorder{}
	d := &Dataset{Images: mat.DenseCopyOf(x), Labels: slices.Clone(labels)}
	NewStepper(m, d, TrainConfig{BatchSize: len(labels), Optimizer: rec}).Step(1)
	return rec.grads
}

// Training on noise (§6's controls) takes the gradient of
// α·J(x) + (1 − α)·J(x + η): the plain gradients at x and at the noisy
// batch, mixed by α. η is ±ε in every pixel for random sign and within
// ±ε for uniform noise, before the clip to [0, 1].
func TestNoiseObjective(t *testing.T) {
	d := blobs(32, 11)
	const alpha, eps = 0.3, 0.15
	for _, a := range []Attack{AttackRandomSign, AttackUniform} {
		t.Run(string(a), func(t *testing.T) {
			m := noDropBlobModel(rand.New(rand.NewPCG(7, 7)))
			rec := &gradRecorder{}
			s := NewStepper(m, d, TrainConfig{BatchSize: 32, Optimizer: rec, Seed: 3,
				Adversarial: &Adversarial{Alpha: alpha, Epsilon: eps, Attack: a}})
			s.Step(1)
			x, noisy := s.xb, s.xadv
			clean, atNoise := meanGrad(m, x, s.labels), meanGrad(m, noisy, s.labels)
			for k := range rec.grads {
				for i, g := range rec.grads[k] {
					if want := alpha*clean[k][i] + (1-alpha)*atNoise[k][i]; math.Abs(g-want) > 1e-12 {
						t.Fatalf("parameter %d[%d]: gradient %v, want α·∇J(x) + (1−α)·∇J(x+η) = %v", k, i, g, want)
					}
				}
			}
			var inside int // pixels where x + η was not clipped
			xs := x.RawMatrix().Data
			for i, v := range noisy.RawMatrix().Data {
				eta := math.Abs(v - xs[i])
				if v < 0 || v > 1 || eta > eps+1e-15 {
					t.Fatalf("pixel %d: x = %v, x + η = %v, outside [0, 1] or |η| > ε", i, xs[i], v)
				}
				if v > 0 && v < 1 {
					inside++
					if a == AttackRandomSign && math.Abs(eta-eps) > 1e-15 {
						t.Fatalf("pixel %d: |η| = %v, want ε = %v", i, eta, eps)
					}
				}
			}
			if inside < len(xs)/2 {
				t.Errorf("only %d of %d pixels unclipped", inside, len(xs))
			}
		})
	}
}

// The noise draws one value per pixel: ±ε with equal odds, or uniform in
// [−ε, ε].
func TestNoiseDraw(t *testing.T) {
	const n, eps = 20000, 0.25
	for _, a := range []Attack{AttackRandomSign, AttackUniform} {
		draw := noiseDraw(a, rand.New(rand.NewPCG(1, 1)), eps)
		var sum, small float64
		for range n {
			v := draw()
			if math.Abs(v) > eps || (a == AttackRandomSign && math.Abs(v) != eps) {
				t.Fatalf("%s: drew %v with ε = %v", a, v, eps)
			}
			sum += v
			if math.Abs(v) < eps/2 {
				small++
			}
		}
		if mean := sum / n; math.Abs(mean) > 0.01 {
			t.Errorf("%s: mean %v, want about 0", a, mean)
		}
		if a == AttackUniform && math.Abs(small/n-0.5) > 0.02 {
			t.Errorf("uniform: %.3f of draws within ε/2, want about 0.5", small/n)
		}
	}
}

// Training on noise is reproducible for a seed, and the seed matters.
func TestNoiseTrainingIsReproducible(t *testing.T) {
	d := blobs(200, 4)
	run := func(a Attack, seed uint64) []float64 {
		m := blobModel(rand.New(rand.NewPCG(5, 5)))
		Train(m, d, TrainConfig{Epochs: 2, BatchSize: 16, Optimizer: &Adam{LR: 0.01}, Seed: seed,
			Adversarial: &Adversarial{Alpha: 0.5, Epsilon: 0.25, Attack: a}})
		return m.Params()[0].Data
	}
	for _, a := range []Attack{AttackRandomSign, AttackUniform} {
		if x, y := run(a, 9), run(a, 9); !slices.Equal(x, y) {
			t.Errorf("%s: two runs with one seed differ", a)
		}
		if x, y := run(a, 9), run(a, 10); slices.Equal(x, y) {
			t.Errorf("%s: seeds 9 and 10 give the same weights", a)
		}
	}
}
