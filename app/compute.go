package main

import (
	"math/rand/v2"
	"slices"

	"fgsmlab/core"
	"gonum.org/v1/gonum/mat"
)

// outcome is what the lab shows for one input, model and attack.
type outcome struct {
	X, Adv, Eta []float64 // x, x̃ and η = x̃ − x, 28×28 each
	Clean, Fool []float64 // class probabilities of x and x̃
	CleanLabel  int
	AdvLabel    int
	// Success says whether the attack did what it aims at: any other
	// class for the untargeted attacks, the target for the targeted one.
	Success bool
}

// attack runs the attack s describes on x. The untargeted attacks use the
// model's own prediction as the label y, so that a drawing, which has no
// true label, is attacked the same way as a test digit.
func attack(m *core.Model, x []float64, s settings) outcome {
	o := outcome{X: x}
	batch := mat.NewDense(1, len(x), slices.Clone(x))
	// The clean forward pass is also the one FGSM differentiates, so the
	// one-step attacks go straight to Backward.
	o.Clean = slices.Clone(m.Predict(batch).RawRowView(0))
	o.CleanLabel = core.Argmax(o.Clean)
	opt := core.Options{Epsilon: s.Eps(), NoClip: !s.Clip, Round8: s.Round}
	label := []int{o.CleanLabel}
	var adv *mat.Dense
	switch s.Attack {
	case core.AttackTargeted:
		adv = core.SignStep(batch, m.Backward([]int{s.Target}, false, 1), -opt.Epsilon, opt)
	case core.AttackIterative:
		adv = core.Iterative{Steps: s.Steps}.Attack(m, batch, label, opt)
	case core.AttackRandomSign:
		// A fixed seed keeps the noise still while ε moves, and makes a
		// shared link reproduce it.
		adv = core.RandomSign(rand.New(rand.NewPCG(1, 2)), batch, opt)
	default:
		adv = core.SignStep(batch, m.Backward(label, false, 1), opt.Epsilon, opt)
	}
	o.Adv = adv.RawRowView(0)
	o.Eta = core.Perturbation(batch, adv).RawRowView(0)
	o.Fool = slices.Clone(m.PredictOne(o.Adv))
	o.AdvLabel = core.Argmax(o.Fool)
	if s.Attack == core.AttackTargeted {
		o.Success = o.AdvLabel == s.Target
	} else {
		o.Success = o.AdvLabel != o.CleanLabel
	}
	return o
}
