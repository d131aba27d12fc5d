package core

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// linfDist returns ‖a − b‖∞.
func linfDist(a, b *mat.Dense) float64 {
	var d float64
	bs := b.RawMatrix().Data
	for i, v := range a.RawMatrix().Data {
		d = max(d, math.Abs(v-bs[i]))
	}
	return d
}

func TestAttacksStayInTheBall(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	m := tinyModels(rng)[2] // the mlp
	x := randDense(rng, 5, 12, 0.4)
	x.Apply(func(i, j int, v float64) float64 { return min(max(v+0.5, 0), 1) }, x)
	labels := []int{0, 1, 2, 3, 4}
	attacks := []struct {
		name string
		run  func(o Options) *mat.Dense
	}{
		{"fgsm", func(o Options) *mat.Dense { return FGSM(m, x, labels, o) }},
		{"targeted", func(o Options) *mat.Dense { return targetedFGSM(m, x, []int{9, 9, 9, 9, 9}, o) }},
		{"iterative", func(o Options) *mat.Dense { return Iterative{Steps: 5}.Attack(m, x, labels, o) }},
		{"iterative targeted", func(o Options) *mat.Dense {
			return Iterative{Steps: 7, StepSize: 0.1, Targeted: true}.Attack(m, x, labels, o)
		}},
		{"random sign", func(o Options) *mat.Dense { return randomSign(rng, x, o) }},
		{"uniform", func(o Options) *mat.Dense { return uniformNoise(rng, x, o) }},
	}
	for _, a := range attacks {
		for _, eps := range []float64{0, 1.0 / 255, 0.1, 0.25, 0.5} {
			for _, o := range []Options{{Epsilon: eps}, {Epsilon: eps, NoClip: true}, {Epsilon: eps, Round8: true}} {
				adv := a.run(o)
				d := linfDist(adv, x)
				bound := eps
				if o.Round8 {
					bound += 0.5/255 + 1e-12
				}
				if d > bound+1e-12 {
					t.Errorf("%s %+v: ‖x̃ − x‖∞ = %g > %g", a.name, o, d, bound)
				}
				for _, v := range adv.RawMatrix().Data {
					if !o.NoClip && (v < 0 || v > 1) {
						t.Fatalf("%s %+v: pixel %g outside [0, 1]", a.name, o, v)
					}
					if o.Round8 && math.Abs(v*255-math.Round(v*255)) > 1e-9 {
						t.Fatalf("%s %+v: pixel %g is not an 8-bit grey level", a.name, o, v)
					}
				}
			}
		}
	}
}

func TestFGSMIsEpsilonTimesSign(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	m := tinyModels(rng)[0]
	x := mat.NewDense(1, 12, nil)
	x.Apply(func(i, j int, v float64) float64 { return 0.5 }, x)
	g := mat.DenseCopyOf(m.InputGradient(x, []int{3}))
	cases := []struct {
		name   string
		adv    *mat.Dense
		factor float64
	}{
		{"untargeted adds", FGSM(m, x, []int{3}, Options{Epsilon: 0.1}), 0.1},
		{"targeted subtracts", targetedFGSM(m, x, []int{3}, Options{Epsilon: 0.1}), -0.1},
	}
	for _, c := range cases {
		for j := range 12 {
			want := 0.5 + c.factor*Sign(g.At(0, j))
			if got := c.adv.At(0, j); math.Abs(got-want) > 1e-15 {
				t.Errorf("%s: pixel %d = %g, want %g", c.name, j, got, want)
			}
		}
	}
}

func TestAttacksChangeTheCostTheRightWay(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, m := range tinyModels(rng) {
		x := randDense(rng, 20, 12, 0.2)
		x.Apply(func(i, j int, v float64) float64 { return min(max(v+0.5, 0), 1) }, x)
		labels := make([]int, 20)
		loss := func(x *mat.Dense, y []int) float64 { m.Predict(x); return m.Out.Loss(y) }
		o := Options{Epsilon: 0.05}
		clean := loss(x, labels)
		if up := loss(FGSM(m, x, labels, o), labels); !(up > clean) {
			t.Errorf("%s: FGSM cost %g not above clean %g", m.Name, up, clean)
		}
		if up := loss(Iterative{}.Attack(m, x, labels, o), labels); !(up > clean) {
			t.Errorf("%s: iterative cost %g not above clean %g", m.Name, up, clean)
		}
		if down := loss(targetedFGSM(m, x, labels, o), labels); !(down < clean) {
			t.Errorf("%s: targeted FGSM cost of the target %g not below clean %g", m.Name, down, clean)
		}
	}
}

// On a linear model, FGSM moves the activation by exactly ε·‖w‖₁ (§3).
func TestLinearActivationChange(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	m := tinyModels(rng)[1] // logistic regression
	w := m.Layers[0].(*Dense).W.Data
	x := mat.NewDense(1, 12, nil)
	x.Apply(func(i, j int, v float64) float64 { return 0.5 }, x)
	eps := 0.01
	adv := FGSM(m, x, []int{0}, Options{Epsilon: eps, NoClip: true})
	var l1, change float64
	for j, wj := range w {
		l1 += math.Abs(wj)
		change += wj * (adv.At(0, j) - x.At(0, j))
	}
	// Label 0 is "3": the attack raises σ(z), the probability of "7".
	if math.Abs(change-eps*l1) > 1e-12 {
		t.Errorf("w·η = %g, want ε‖w‖₁ = %g", change, eps*l1)
	}
}

func targetedFGSM(m *Model, x *mat.Dense, targets []int, o Options) *mat.Dense {
	_, adv := Craft(m, x, targets, AttackTargeted, o)
	return adv
}

// Craft's one forward pass serves both the clean probabilities and the
// gradient: it gives what Predict and FGSM give, and nil labels attack the
// clean prediction.
func TestCraftIsPredictAndFGSM(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	m := tinyModels(rng)[2] // the mlp
	x := randDense(rng, 5, 12, 0.4)
	o := Options{Epsilon: 0.1}
	want := mat.DenseCopyOf(m.Predict(x))
	labels := predictions(want)
	for _, c := range []struct {
		name   string
		labels []int
	}{{"given labels", labels}, {"nil labels", nil}} {
		clean, adv := Craft(m, x, c.labels, AttackFGSM, o)
		if !mat.Equal(clean, want) {
			t.Errorf("%s: clean probabilities differ from Predict's", c.name)
		}
		if !mat.Equal(adv, FGSM(m, x, labels, o)) {
			t.Errorf("%s: x̃ differs from FGSM's", c.name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Craft of an unknown attack did not panic")
		}
	}()
	Craft(m, x, labels, Attack("nope"), o)
}
