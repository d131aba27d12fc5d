package main

import (
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

// attack runs the attack s describes on x. The untargeted attacks move
// away from the model's own prediction, so that a drawing, which has no
// true label, is attacked the same way as a test digit.
func attack(m *core.Model, x []float64, s settings) outcome {
	batch := mat.NewDense(1, len(x), slices.Clone(x))
	opt := core.Options{Epsilon: s.Eps(), NoClip: !s.Clip, Round8: s.Round, Steps: s.Steps}
	var labels []int // the clean prediction
	if s.Attack == core.AttackTargeted {
		labels = []int{s.Target}
	}
	clean, adv := core.Craft(m, batch, labels, s.Attack, opt)
	o := outcome{X: x, Clean: clean.RawRowView(0), Adv: adv.RawRowView(0)}
	o.CleanLabel = core.Argmax(o.Clean)
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
