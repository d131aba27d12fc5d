package core

import (
	"math/rand/v2"
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
