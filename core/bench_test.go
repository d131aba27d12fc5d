package core

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchMLP is a random model with the shape of the shipped mlp.
func benchMLP() *Model { return benchDense(784, 256, 128, 10) }

// benchDense is a random ReLU network with the given widths and a softmax.
func benchDense(widths ...int) *Model {
	rng := rand.New(rand.NewPCG(12, 12))
	ts := map[string]Tensor{}
	arch := []LayerSpec{}
	for i := 1; i < len(widths); i++ {
		p := string(rune('a' + i))
		if i > 1 {
			arch = append(arch, LayerSpec{Kind: "relu"})
		}
		arch = append(arch, LayerSpec{Kind: "dense", Weight: p + ".w", Bias: p + ".b"})
		w := Tensor{Shape: []int{widths[i], widths[i-1]}, Data: make([]float64, widths[i]*widths[i-1])}
		for j := range w.Data {
			w.Data[j] = 0.05 * rng.NormFloat64()
		}
		ts[p+".w"], ts[p+".b"] = w, Tensor{Shape: []int{widths[i]}, Data: make([]float64, widths[i])}
	}
	m, err := Build("mlp", append(arch, LayerSpec{Kind: "softmax"}), []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, ts)
	if err != nil {
		panic(err)
	}
	return m
}

// benchInput is mostly black with some white and grey pixels, like a digit.
func benchInput(rows int) *mat.Dense {
	return mnistLike(rand.New(rand.NewPCG(13, 13)), rows, 784)
}

func BenchmarkPredict(b *testing.B) {
	m, x := benchMLP(), benchInput(1).RawRowView(0)
	for b.Loop() {
		m.PredictOne(x)
	}
}

func BenchmarkFGSM(b *testing.B) {
	m, x := benchMLP(), benchInput(1)
	for b.Loop() {
		FGSM(m, x, []int{3}, Options{Epsilon: 0.25})
	}
}

// BenchmarkPredictFGSMPredict is what the lab does on each change: predict
// x, differentiate that same forward pass, step, predict x̃.
func BenchmarkPredictFGSMPredict(b *testing.B) {
	m, x := benchMLP(), benchInput(1)
	o := Options{Epsilon: 0.25}
	for b.Loop() {
		_, adv := Craft(m, x, nil, AttackFGSM, o)
		m.Predict(adv)
	}
}

func BenchmarkFGSMBatch1000(b *testing.B) {
	m, x := benchMLP(), benchInput(1000)
	labels := make([]int, 1000)
	for b.Loop() {
		EvaluateAttack(m, m, x, labels, FGSMAttack(Options{Epsilon: 0.25}))
	}
}

// benchCNN is a random model with the shape of the shipped cnn (see
// models/recipes.go): two 5×5 convolution and 2×2 max-pool blocks of 16
// and 32 maps, then 128 ReLU units.
func benchCNN() *Model {
	rng := rand.New(rand.NewPCG(14, 14))
	gauss := func(std float64, shape ...int) Tensor {
		t := Tensor{Shape: shape, Data: make([]float64, Shape(shape).Size())}
		for i := range t.Data {
			t.Data[i] = std * rng.NormFloat64()
		}
		return t
	}
	arch := []LayerSpec{
		{Kind: "conv2d", Weight: "c0.w", Bias: "c0.b"}, {Kind: "relu"}, {Kind: "maxpool2d", Size: 2},
		{Kind: "conv2d", Weight: "c1.w", Bias: "c1.b"}, {Kind: "relu"}, {Kind: "maxpool2d", Size: 2},
		{Kind: "flatten"}, {Kind: "dense", Weight: "l0.w", Bias: "l0.b"}, {Kind: "relu"}, {Kind: "dropout", P: 0.5},
		{Kind: "dense", Weight: "l1.w", Bias: "l1.b"}, {Kind: "softmax"},
	}
	ts := map[string]Tensor{
		"c0.w": gauss(0.28, 16, 1, 5, 5), "c0.b": gauss(0, 16),
		"c1.w": gauss(0.07, 32, 16, 5, 5), "c1.b": gauss(0, 32),
		"l0.w": gauss(0.06, 128, 512), "l0.b": gauss(0, 128),
		"l1.w": gauss(0.12, 10, 128), "l1.b": gauss(0, 10),
	}
	m, err := Build("cnn", arch, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, ts)
	if err != nil {
		panic(err)
	}
	return m
}

// BenchmarkCNNPredictFGSMPredict is the lab's job on the cnn: predict a
// digit, craft its FGSM image and predict that.
func BenchmarkCNNPredictFGSMPredict(b *testing.B) {
	m, x := benchCNN(), benchInput(1)
	o := Options{Epsilon: 0.25}
	for b.Loop() {
		_, adv := Craft(m, x, nil, AttackFGSM, o)
		m.Predict(adv)
	}
}

// BenchmarkCNNTrainBatch is one training step's gradient on a batch of
// 128, as core.Train computes it (forward with dropout, then the
// parameter gradients).
func BenchmarkCNNTrainBatch(b *testing.B) {
	m, x := benchCNN(), benchInput(128)
	labels := make([]int, 128)
	for b.Loop() {
		m.Forward(x, true)
		m.BackwardParams(labels, 1)
	}
}

// BenchmarkAttack times each attack of Craft on one digit (the first test
// digit) with the shipped mlp, at ε = 0.1 (L∞) or 1 (L2) and the attacks'
// default settings. It skips when the model or MNIST is missing.
func BenchmarkAttack(b *testing.B) {
	raw, err := os.ReadFile("../models/mlp.safetensors")
	if err != nil {
		b.Skip("models/mlp.safetensors is missing: ", err)
	}
	m, err := ReadModel(raw)
	if err != nil {
		b.Fatal(err)
	}
	x := mat.NewDense(1, ImageSize, slices.Clone(testDigits(b).Image(0)))
	for _, a := range Attacks {
		o := Options{Epsilon: 0.1}
		if a.L2() {
			o.Epsilon = 1
		}
		b.Run(string(a), func(b *testing.B) {
			for b.Loop() {
				Craft(m, x, nil, a, o)
			}
		})
	}
}

// BenchmarkReadModel decodes the shipped maxout network (1.4 MB of float16
// weights), as a page does before its first prediction with it.
func BenchmarkReadModel(b *testing.B) {
	raw, err := os.ReadFile("../models/maxout.safetensors")
	if err != nil {
		b.Skip("models/maxout.safetensors: ", err)
	}
	for b.Loop() {
		if _, err := ReadModel(raw); err != nil {
			b.Fatal(err)
		}
	}
}
