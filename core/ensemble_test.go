package core

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// tinyEnsemble returns the softmax members of tinyModels (softmax, mlp,
// maxout, cnn, cnn2: every layer kind but rbf, all on 12 inputs) and their
// ensemble.
func tinyEnsemble(t *testing.T, rng *rand.Rand) ([]*Model, *Model) {
	t.Helper()
	var members []*Model
	for _, m := range tinyModels(rng) {
		if _, ok := m.Out.(*Softmax); ok {
			members = append(members, m)
		}
	}
	e, err := NewEnsemble("ensemble", members...)
	if err != nil {
		t.Fatal(err)
	}
	return members, e
}

func TestEnsemblePredictsTheMeanProbability(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	members, e := tinyEnsemble(t, rng)
	x := randDense(rng, 4, 12, 0.5)
	want := mat.NewDense(4, 10, nil)
	for _, m := range members {
		want.Add(want, m.Predict(x))
	}
	want.Scale(1/float64(len(members)), want)
	if got := e.Predict(x); !mat.EqualApprox(got, want, 1e-14) {
		t.Fatalf("ensemble probabilities\n%v\nwant the members' mean\n%v", mat.Formatted(got), mat.Formatted(want))
	}
}

// The layer's backward for any dJ/dz, and the model's ∇ₓJ of the
// cross-entropy of the mean probability, against finite differences.
func TestEnsembleGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 1))
	_, e := tinyEnsemble(t, rng)
	layer := e.Layers[0]
	x := randDense(rng, 3, 12, 0.5)
	x.Apply(func(i, j int, v float64) float64 { return math.Abs(v) }, x)
	r := randDense(rng, 3, 10, 1)
	f := func() float64 { return mat.Sum(elemMul(layer.Forward(x, false), r)) }
	layer.Forward(x, false)
	dx := mat.DenseCopyOf(layer.Backward(r, InputGrad))
	for i := range x.RawMatrix().Data {
		if want := numeric(f, x.RawMatrix().Data, i); !closeEnough(dx.RawMatrix().Data[i], want) {
			t.Fatalf("layer: dJ/dx[%d] = %g, finite difference %g", i, dx.RawMatrix().Data[i], want)
		}
	}
	labels := []int{1, 7, 4}
	loss := func() float64 { e.Predict(x); return e.Out.Loss(labels) }
	g := mat.DenseCopyOf(e.InputGradient(x, labels))
	for i := range x.RawMatrix().Data {
		if want := numeric(loss, x.RawMatrix().Data, i); !closeEnough(g.RawMatrix().Data[i], want) {
			t.Fatalf("model: ∇ₓJ[%d] = %g, finite difference %g", i, g.RawMatrix().Data[i], want)
		}
	}
}

// For the cross-entropy the ensemble's ∇ₓJ is Σ_k w_k·∇ₓJ_k with
// w_k = p_ky / Σ_j p_jy (Ensemble.Backward).
func TestEnsembleGradientWeighsMembersByTheirBelief(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 1))
	members, e := tinyEnsemble(t, rng)
	x := randDense(rng, 2, 12, 0.5)
	labels := []int{3, 8}
	want := mat.NewDense(2, 12, nil)
	for i, y := range labels {
		row := x.Slice(i, i+1, 0, 12).(*mat.Dense)
		var total float64
		for _, m := range members {
			total += m.Predict(row).At(0, y)
		}
		for _, m := range members {
			w := m.Predict(row).At(0, y) / total
			floatsAddScaled(want.RawRowView(i), w, m.InputGradient(row, []int{y}).RawRowView(0))
		}
	}
	if got := e.InputGradient(x, labels); !mat.EqualApprox(got, want, 1e-12) {
		t.Fatalf("ensemble ∇ₓJ\n%v\nwant Σ w_k ∇ₓJ_k\n%v", mat.Formatted(got), mat.Formatted(want))
	}
}

func floatsAddScaled(dst []float64, a float64, s []float64) {
	for i, v := range s {
		dst[i] += a * v
	}
}

// A member so confident that its probabilities underflow leaves the
// ensemble's cost and gradient finite.
func TestEnsembleIsStableWhenMembersAreSure(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 1))
	members, e := tinyEnsemble(t, rng)
	for _, p := range members[0].Params() { // softmax: logits of size ~1e4
		for i := range p.Data {
			p.Data[i] *= 1e4
		}
	}
	x := randDense(rng, 3, 12, 1)
	g := e.InputGradient(x, []int{0, 1, 2})
	for _, v := range append(g.RawMatrix().Data, e.Out.Loss([]int{0, 1, 2})) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite value %g in the gradient or cost", v)
		}
	}
}

func TestOneMemberEnsembleIsTheMember(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 1))
	m := tinyModels(rng)[2] // the mlp
	e, err := NewEnsemble("one", m)
	if err != nil {
		t.Fatal(err)
	}
	x := randDense(rng, 3, 12, 0.5)
	labels := []int{0, 5, 9}
	if !mat.EqualApprox(e.Predict(x), mat.DenseCopyOf(m.Predict(x)), 1e-14) {
		t.Error("probabilities differ from the member's")
	}
	if !mat.EqualApprox(e.InputGradient(x, labels), mat.DenseCopyOf(m.InputGradient(x, labels)), 1e-14) {
		t.Error("input gradient differs from the member's")
	}
}

// The ensemble is a *Model: the attacks, Evaluate, Transfer and Clone take
// it as they take any model.
func TestEnsembleIsAModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(26, 1))
	members, e := tinyEnsemble(t, rng)
	x := randDense(rng, 6, 12, 0.3)
	x.Apply(func(i, j int, v float64) float64 { return min(max(v+0.5, 0), 1) }, x)
	labels := []int{0, 1, 2, 3, 4, 5}
	o := Options{Epsilon: 0.2}
	adv := FGSM(e, x, labels, o)
	want := signStep(x, mat.DenseCopyOf(e.InputGradient(x, labels)), o.Epsilon, o)
	if !mat.Equal(adv, want) {
		t.Error("FGSM on the ensemble is not x + ε·sign(∇ₓJ) of the ensemble")
	}
	if _, craft := Craft(e, x, labels, AttackFGSM, o); !mat.Equal(craft, adv) {
		t.Error("Craft's FGSM differs from FGSM")
	}
	for _, a := range []Attack{AttackPGD, AttackDeepFool, AttackCW} {
		_, adv := Craft(e, x, labels, a, Options{Epsilon: 0.2, Steps: 3, SearchSteps: 1})
		if r, c := adv.Dims(); r != 6 || c != 12 {
			t.Errorf("%s: x̃ is %d×%d", a, r, c)
		}
	}
	tr := Transfer([]*Model{members[1], e}, []*Model{e}, x, labels, o)
	if got, want := tr[1][0], EvaluateAttack(e, e, x, labels, FGSMAttack(o)); got.Error != want.Error {
		t.Errorf("Transfer's diagonal %v, EvaluateAttack %v", got, want)
	}
	c := e.Clone()
	if !mat.Equal(c.Predict(x), mat.DenseCopyOf(e.Predict(x))) {
		t.Error("the clone predicts otherwise")
	}
	if c.Layers[0].(*Ensemble).Members[0] == members[0] {
		t.Error("the clone shares its members")
	}
	if err := WriteModel(&bytes.Buffer{}, e, "F32"); err == nil {
		t.Error("WriteModel wrote an ensemble")
	}
}

func TestNewEnsembleRefuses(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 1))
	ms := tinyModels(rng)
	softmax, logreg, rbf := ms[0], ms[1], ms[4]
	wide, err := BuildInput("wide", Shape{13}, []LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "softmax"}},
		softmax.Classes, map[string]Tensor{"w": {Shape: []int{10, 13}, Data: make([]float64, 130)}, "b": {Shape: []int{10}, Data: make([]float64, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]*Model{nil, {softmax, rbf}, {softmax, logreg}, {softmax, wide}} {
		if _, err := NewEnsemble("bad", c...); err == nil {
			t.Errorf("NewEnsemble(%s) gave no error", names(c))
		}
	}
}

func names(ms []*Model) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Name)
	}
	return fmt.Sprint(s)
}
