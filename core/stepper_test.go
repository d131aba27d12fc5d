package core

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// rbfBlobModel is an RBF network for blobs with its centres far from the
// data, so that the first steps drive the widths below 0 and the optimiser
// must project them.
func rbfBlobModel(rng *rand.Rand) *Model {
	c := Tensor{Shape: []int{3, 12}, Data: make([]float64, 36)}
	for i := range c.Data {
		c.Data[i] = 3 + 0.5*rng.Float64()
	}
	b := Tensor{Shape: []int{3, 12}, Data: make([]float64, 36)}
	for i := range b.Data {
		b.Data[i] = 1
	}
	ts := map[string]Tensor{"c": c, "b": b}
	m, err := Build("rbf", []LayerSpec{{Kind: "rbf", Centres: "c", Beta: "b"}, {Kind: "gaussian"}}, []string{"a", "b", "c"}, ts)
	if err != nil {
		panic(err)
	}
	return m
}

type progressCall struct {
	epoch, batch, batches int
	loss, err             float64
}

// A Stepper, however its steps are cut, trains exactly as Train does.
func TestStepperMatchesTrain(t *testing.T) {
	d := blobs(200, 30) // 7 batches of 32, the last one of 8
	cases := []struct {
		name  string
		model func(*rand.Rand) *Model
		cfg   func() TrainConfig
	}{
		{"adam", blobModel, func() TrainConfig {
			return TrainConfig{Epochs: 3, BatchSize: 32, Optimizer: &Adam{LR: 0.01}, Seed: 4}
		}},
		{"sgd with decay", blobModel, func() TrainConfig {
			return TrainConfig{Epochs: 3, BatchSize: 32, Optimizer: &SGD{LR: 0.05, Momentum: 0.9}, Decay: 0.7, Seed: 5}
		}},
		{"adversarial", blobModel, func() TrainConfig {
			return TrainConfig{Epochs: 3, BatchSize: 32, Optimizer: &Adam{LR: 0.01}, Decay: 0.9, Seed: 6,
				Adversarial: &Adversarial{Alpha: 0.5, Epsilon: 0.2}}
		}},
		{"uniform noise", blobModel, func() TrainConfig {
			return TrainConfig{Epochs: 2, BatchSize: 32, Optimizer: &Adam{LR: 0.01}, Seed: 8,
				Adversarial: &Adversarial{Alpha: 0.5, Epsilon: 0.2, Attack: AttackUniform}}
		}},
		{"rbf, projected", rbfBlobModel, func() TrainConfig {
			return TrainConfig{Epochs: 2, BatchSize: 32, Optimizer: &SGD{LR: 0.1}, Seed: 7,
				Adversarial: &Adversarial{Alpha: 0.5, Epsilon: 0.1}}
		}},
	}
	steps := []struct {
		n      int
		passes bool // StepPasses, not Step
	}{{1, false}, {3, false}, {100, false}, {1, true}, {3, true}, {5, true}}
	for _, c := range cases {
		for _, step := range steps {
			unit := map[bool]string{false: "batches", true: "passes"}[step.passes]
			t.Run(fmt.Sprintf("%s/%d %s a step", c.name, step.n, unit), func(t *testing.T) {
				var trainCalls, stepCalls []progressCall
				record := func(calls *[]progressCall) func(int, int, int, float64, float64) {
					return func(e, b, n int, l, r float64) { *calls = append(*calls, progressCall{e, b, n, l, r}) }
				}
				want := c.model(rand.New(rand.NewPCG(1, 1)))
				cfg := c.cfg()
				cfg.Progress = record(&trainCalls)
				wantStats := Train(want, d, cfg)

				got := c.model(rand.New(rand.NewPCG(1, 1)))
				cfg = c.cfg()
				cfg.Progress = record(&stepCalls)
				s := NewStepper(got, d, cfg)
				for !s.Done() {
					if step.passes {
						s.StepPasses(step.n)
					} else {
						s.Step(step.n)
					}
				}
				for i, p := range want.Params() {
					if !slices.Equal(p.Data, got.Params()[i].Data) {
						t.Fatalf("%s differs from Train's", p.Name)
					}
				}
				if !slices.Equal(s.Stats(), wantStats) {
					t.Errorf("stats %+v, Train gives %+v", s.Stats(), wantStats)
				}
				if !slices.Equal(stepCalls, trainCalls) {
					t.Errorf("progress calls differ from Train's:\n%v\n%v", stepCalls, trainCalls)
				}
			})
		}
	}
}

func TestStepperSteps(t *testing.T) {
	d := blobs(100, 31) // 4 batches of 32
	s := NewStepper(blobModel(rand.New(rand.NewPCG(2, 2))), d, TrainConfig{Epochs: 2, BatchSize: 32, Optimizer: &Adam{LR: 0.01}})
	if s.Batches() != 4 || s.Epoch() != 0 || s.Done() || s.Progress() != 0 {
		t.Fatalf("new stepper: %d batches, epoch %d, done %t, progress %g", s.Batches(), s.Epoch(), s.Done(), s.Progress())
	}
	steps := []struct {
		batches   int
		epochDone bool
		epoch     int
		progress  float64
	}{
		{3, false, 0, 3.0 / 8},
		{3, true, 1, 4.0 / 8}, // stops at the end of the epoch
		{0, false, 1, 4.0 / 8},
		{5, true, 2, 1},
		{5, false, 2, 1}, // done: nothing more
	}
	for i, st := range steps {
		if got := s.Step(st.batches); got != st.epochDone || s.Epoch() != st.epoch || s.Progress() != st.progress {
			t.Errorf("step %d: epoch done %t, epoch %d, progress %g; want %t, %d, %g",
				i, got, s.Epoch(), s.Progress(), st.epochDone, st.epoch, st.progress)
		}
		if len(s.Stats()) != s.Epoch() {
			t.Errorf("step %d: %d epoch stats after %d epochs", i, len(s.Stats()), s.Epoch())
		}
	}
	if !s.Done() {
		t.Errorf("not done after every epoch")
	}

	// With the adversarial objective a batch is four passes, and the
	// progress counts each as a quarter of a batch.
	s = NewStepper(blobModel(rand.New(rand.NewPCG(2, 2))), d, TrainConfig{Epochs: 1, BatchSize: 32, Optimizer: &Adam{LR: 0.01},
		Adversarial: &Adversarial{Alpha: 0.5, Epsilon: 0.1}})
	for i, want := range []float64{0.25 / 4, 0.5 / 4, 0.75 / 4, 1.0 / 4, 1.25 / 4} {
		if s.StepPasses(1) || s.Progress() != want {
			t.Errorf("after %d passes: progress %g, want %g", i+1, s.Progress(), want)
		}
	}
	if s.StepPasses(100) != true || !s.Done() || s.Progress() != 1 {
		t.Errorf("100 more passes: not at the end of the epoch (progress %g)", s.Progress())
	}
}

func TestStepperMisuse(t *testing.T) {
	d := blobs(10, 32)
	m := blobModel(rand.New(rand.NewPCG(3, 3)))
	for _, cfg := range []TrainConfig{{}, {Optimizer: &Adam{LR: 0.01}, Adversarial: &Adversarial{Alpha: 0}},
		{Optimizer: &Adam{LR: 0.01}, Adversarial: &Adversarial{Alpha: 0.5, Attack: AttackPGD}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewStepper(%+v) does not panic", cfg)
				}
			}()
			NewStepper(m, d, cfg)
		}()
	}
}

// benchSoftmaxEpoch is the page's training demo: softmax regression on
// 10,000 MNIST-like digits with the adversarial objective, α = 0.5.
func benchSoftmaxEpoch() (*Model, *Dataset, func() TrainConfig) {
	rng := rand.New(rand.NewPCG(40, 40))
	ts := map[string]Tensor{"w": {Shape: []int{10, 784}, Data: make([]float64, 7840)}, "b": {Shape: []int{10}, Data: make([]float64, 10)}}
	for i := range ts["w"].Data {
		ts["w"].Data[i] = 0.01 * rng.NormFloat64()
	}
	m, err := Build("softmax", []LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "softmax"}}, benchMLP().Classes, ts)
	if err != nil {
		panic(err)
	}
	d := &Dataset{Images: mnistLike(rng, 10000, 784), Labels: make([]int, 10000)}
	for i := range d.Labels {
		d.Labels[i] = rng.IntN(10)
	}
	return m, d, func() TrainConfig {
		return TrainConfig{Epochs: 1, BatchSize: 128, Optimizer: &Adam{LR: 0.001}, Adversarial: &Adversarial{Alpha: 0.5, Epsilon: 0.25}}
	}
}

func BenchmarkStepperEpoch(b *testing.B) {
	m, d, cfg := benchSoftmaxEpoch()
	for b.Loop() {
		s := NewStepper(m, d, cfg())
		for !s.Step(10) {
		}
	}
}

// BenchmarkStepperBatch is one adversarial mini-batch of 128 of softmax
// regression.
func BenchmarkStepperBatch(b *testing.B) {
	m, d, cfg := benchSoftmaxEpoch()
	c := cfg()
	c.Epochs = 1 << 20
	s := NewStepper(m, d, c)
	for b.Loop() {
		s.Step(1)
	}
}

// BenchmarkStepperPassMLP is one pass of adversarial training (forward or
// backward over a mini-batch of 128, a quarter of the batch's work) of an
// MLP shaped as the training page's, 784-64-10: the smallest piece of work
// the page does between two yields.
func BenchmarkStepperPassMLP(b *testing.B) {
	m := benchDense(784, 64, 10)
	_, d, cfg := benchSoftmaxEpoch()
	c := cfg()
	c.Epochs = 1 << 20
	s := NewStepper(m, d, c)
	for b.Loop() {
		s.StepPasses(1)
	}
}
