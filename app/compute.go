package main

import (
	"math"
	"slices"
	"time"

	"fgsmlab/core"
	"gonum.org/v1/gonum/mat"
)

// outcome is what the lab shows for one input, model and attack.
type outcome struct {
	X, Adv, Eta []float64 // x, x̃ and η = x̃ − x, 28×28 each
	Clean, Fool []float64 // class probabilities of x and x̃
	CleanLabel  int
	AdvLabel    int
	// The size of η in three norms: the largest change of a pixel, the
	// Euclidean length, and the number of pixels changed by more than
	// half a grey level.
	LInf, L2 float64
	L0       int
	// Took is how long the lab took to compute it, 0 when it was not timed
	// (the page's pre-rendered example).
	Took time.Duration
	// Success says whether the attack did what it aims at: any other
	// class for the untargeted attacks, the target for the targeted one.
	Success bool
}

// attack runs the attack s describes on x. The untargeted attacks move
// away from the model's own prediction, so that a drawing, which has no
// true label, is attacked the same way as a test digit.
func attack(m *core.Model, x []float64, s settings) outcome {
	return attackWith(m, x, s, nil)
}

// attackWith is attack with an Options.Yield for the iterative attacks
// (see lab.runSliced), whose caller discards the outcome when it stopped
// the attack.
func attackWith(m *core.Model, x []float64, s settings, yield func() bool) outcome {
	batch := mat.NewDense(1, len(x), slices.Clone(x))
	opt := s.options()
	opt.Yield = yield
	var labels []int // the clean prediction
	if s.Attack.Targeted() {
		labels = []int{s.Target}
	}
	clean, adv := core.Craft(m, batch, labels, s.Attack, opt)
	return outcomeOf(m, x, clean.RawRowView(0), adv.RawRowView(0), s)
}

// outcomeOf completes the outcome of x̃ = adv for x, whose clean
// probabilities are clean.
func outcomeOf(m *core.Model, x, clean, adv []float64, s settings) outcome {
	o := outcome{X: x, Clean: clean, Adv: adv}
	o.CleanLabel = core.Argmax(o.Clean)
	o.Eta = make([]float64, len(x))
	for i := range x {
		e := adv[i] - x[i]
		o.Eta[i] = e
		o.LInf = max(o.LInf, math.Abs(e))
		o.L2 += e * e
		if math.Abs(e) > 0.5/255 {
			o.L0++
		}
	}
	o.L2 = math.Sqrt(o.L2)
	o.Fool = slices.Clone(m.PredictOne(o.Adv))
	o.AdvLabel = core.Argmax(o.Fool)
	if s.Attack.Targeted() {
		o.Success = o.AdvLabel == s.Target
	} else {
		o.Success = o.AdvLabel != o.CleanLabel
	}
	return o
}

// gradientCache keeps, for the one-step attacks, what does not depend on
// ε: the clean probabilities and the sign of the input gradient (§4). While
// ε moves, an outcome then costs one forward pass instead of three, which
// keeps the slider live on a model of millions of parameters.
type gradientCache struct {
	m      *core.Model
	x      []float64 // a copy of the input the cache is for
	kind   core.Attack
	target int
	clean  []float64
	step   []float64 // sign(∇ₓJ), negated for the targeted attack
}

// attack is attack(m, x, s), from the cache when only ε, clipping or
// rounding changed since the last call.
func (c *gradientCache) attack(m *core.Model, x []float64, s settings) outcome {
	if s.Attack != core.AttackFGSM && s.Attack != core.AttackTargeted {
		*c = gradientCache{}
		return attack(m, x, s)
	}
	if !c.holds(m, x, s) {
		*c = gradientCache{m: m, x: slices.Clone(x), kind: s.Attack, target: s.Target}
		c.clean = slices.Clone(m.PredictOne(x))
		label, sign := core.Argmax(c.clean), 1.0
		if s.Attack == core.AttackTargeted {
			label, sign = s.Target, -1
		}
		g := m.InputGradientOne(x, label)
		c.step = make([]float64, len(g))
		for i, v := range g {
			c.step[i] = sign * core.Sign(v)
		}
	}
	// As core's signStep: x + ε·sign(g), then clipped and rounded.
	eps := s.Eps()
	adv := make([]float64, len(x))
	for i, v := range c.step {
		adv[i] = x[i] + eps*v
	}
	if s.Clip {
		for i, v := range adv {
			adv[i] = min(max(v, 0), 1)
		}
	}
	if s.Round {
		for i, v := range adv {
			adv[i] = math.Round(v*255) / 255
		}
	}
	return outcomeOf(m, x, slices.Clone(c.clean), adv, s)
}

func (c *gradientCache) holds(m *core.Model, x []float64, s settings) bool {
	return c.m == m && slices.Equal(c.x, x) &&
		c.kind == s.Attack && (s.Attack != core.AttackTargeted || c.target == s.Target)
}
