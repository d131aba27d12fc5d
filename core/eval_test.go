package core

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestEvaluateCounts(t *testing.T) {
	// A fixed logistic regression: class "7" when the first pixel is bright.
	ts := map[string]Tensor{"w": {Shape: []int{1, 2}, Data: []float64{20, 0}}, "b": {Shape: []int{1}, Data: []float64{-10}}}
	m, err := Build("rule", []LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "sigmoid"}}, []string{"3", "7"}, ts)
	if err != nil {
		t.Fatal(err)
	}
	x := mat.NewDense(4, 2, []float64{1, 0, 0, 0, 1, 1, 0, 1})
	labels := []int{1, 0, 0, 0} // the third is a mistake
	r := Evaluate(m, x, labels)
	top := 1 / (1 + math.Exp(-10))
	want := Result{N: 4, Error: 0.25, Confidence: top, MistakeConfidence: top}
	if r.N != want.N || r.Error != want.Error || math.Abs(r.Confidence-want.Confidence) > 1e-12 ||
		math.Abs(r.MistakeConfidence-want.MistakeConfidence) > 1e-12 {
		t.Errorf("Evaluate = %+v, want %+v", r, want)
	}
}

func TestSweepStartsClean(t *testing.T) {
	d := blobs(300, 10)
	m := blobModel(rand.New(rand.NewPCG(11, 11)))
	Train(m, d, TrainConfig{Epochs: 10, BatchSize: 32, Optimizer: &Adam{LR: 0.01}})
	clean := Evaluate(m, d.Images, d.Labels)
	eps := []float64{0, 0.1, 0.3, 0.6}
	for _, kind := range []Attack{AttackFGSM, AttackRandomSign, AttackUniform} {
		rs := Sweep(m, d.Images, d.Labels, kind, eps, Options{}, 1)
		if rs[0] != clean {
			t.Errorf("%s at ε = 0 gives %+v, clean gives %+v", kind, rs[0], clean)
		}
	}
	fgsm := Sweep(m, d.Images, d.Labels, AttackFGSM, eps, Options{}, 1)
	noise := Sweep(m, d.Images, d.Labels, AttackRandomSign, eps, Options{}, 1)
	for i := 1; i < len(eps); i++ {
		if fgsm[i].Error < fgsm[i-1].Error {
			t.Errorf("FGSM error falls from %.3f to %.3f as ε grows to %g", fgsm[i-1].Error, fgsm[i].Error, eps[i])
		}
	}
	if !(fgsm[3].Error > noise[3].Error) {
		t.Errorf("at ε = 0.6 FGSM error %.3f is not above random noise %.3f: direction should matter", fgsm[3].Error, noise[3].Error)
	}
}

func TestTransferDiagonalIsWhiteBox(t *testing.T) {
	d := blobs(150, 12)
	a, b := blobModel(rand.New(rand.NewPCG(13, 13))), blobModel(rand.New(rand.NewPCG(14, 14)))
	o := Options{Epsilon: 0.2}
	r := Transfer([]*Model{a, b}, []*Model{a, b}, d.Images, d.Labels, o)
	for i, m := range []*Model{a, b} {
		got := r[i][i]
		if got.Error > 0 && got.Agreement != 1 {
			t.Errorf("r[%d][%d] agrees with itself on %g of its mistakes, want 1", i, i, got.Agreement)
		}
		got.Agreement = 0
		if want := EvaluateAttack(m, m, d.Images, d.Labels, FGSMAttack(o)); got != want {
			t.Errorf("r[%d][%d] = %+v, white-box FGSM gives %+v", i, i, got, want)
		}
	}
	got := r[0][1]
	got.Agreement = 0
	if want := EvaluateAttack(a, b, d.Images, d.Labels, FGSMAttack(o)); got != want {
		t.Errorf("r[0][1] = %+v, transfer gives %+v", got, want)
	}
}

func TestRubbish(t *testing.T) {
	// A model that always says class 0 with probability ≈ 1 finds every
	// noise image "rubbish"; one with uniform outputs finds none.
	sure := map[string]Tensor{"w": {Shape: []int{2, 3}, Data: make([]float64, 6)}, "b": {Shape: []int{2}, Data: []float64{30, 0}}}
	unsure := map[string]Tensor{"w": {Shape: []int{2, 3}, Data: make([]float64, 6)}, "b": {Shape: []int{2}, Data: []float64{0, 0}}}
	arch := []LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "softmax"}}
	for _, c := range []struct {
		ts   map[string]Tensor
		want float64
	}{{sure, 1}, {unsure, 0}} {
		m, _ := Build("c", arch, []string{"a", "b"}, c.ts)
		if r := Rubbish(m, 1200, 1); r.Error != c.want || r.N != 1200 {
			t.Errorf("Rubbish = %+v, want rate %g", r, c.want)
		}
	}
}
