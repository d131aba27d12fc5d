package core

import "math"

// An Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step moves every parameter against its Grad.
	Step(params []*Param)
	// Scale multiplies the learning rate, for schedules.
	Scale(f float64)
}

// Adam is Kingma and Ba's optimiser. Zero Beta1, Beta2 and Eps mean 0.9,
// 0.999 and 1e-8.
type Adam struct {
	LR, Beta1, Beta2, Eps float64

	t    int
	m, v [][]float64
}

func (a *Adam) Scale(f float64) { a.LR *= f }

func (a *Adam) Step(params []*Param) {
	if a.Beta1 == 0 {
		a.Beta1, a.Beta2, a.Eps = 0.9, 0.999, 1e-8
	}
	if a.m == nil {
		for _, p := range params {
			a.m = append(a.m, make([]float64, len(p.Data)))
			a.v = append(a.v, make([]float64, len(p.Data)))
		}
	}
	a.t++
	lr := a.LR * math.Sqrt(1-math.Pow(a.Beta2, float64(a.t))) / (1 - math.Pow(a.Beta1, float64(a.t)))
	for i, p := range params {
		adamStep(p.Data, p.Grad, a.m[i], a.v[i], lr, a.Beta1, a.Beta2, a.Eps)
	}
}

func adamStep(w, g, m, v []float64, lr, b1, b2, eps float64) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for j, gj := range g {
		m[j] = b1*m[j] + (1-b1)*gj
		v[j] = b2*v[j] + (1-b2)*gj*gj
		w[j] -= lr * m[j] / (math.Sqrt(v[j]) + eps)
	}
}

// SGD is stochastic gradient descent with classical momentum.
type SGD struct {
	LR, Momentum float64

	vel [][]float64
}

func (s *SGD) Scale(f float64) { s.LR *= f }

func (s *SGD) Step(params []*Param) {
	if s.vel == nil {
		for _, p := range params {
			s.vel = append(s.vel, make([]float64, len(p.Data)))
		}
	}
	for i, p := range params {
		v := s.vel[i]
		for j, g := range p.Grad {
			v[j] = s.Momentum*v[j] - s.LR*g
			p.Data[j] += v[j]
		}
	}
}

// Adversarial is the paper's adversarial objective (§6, eq. 6):
//
//	J̃(θ, x, y) = α·J(θ, x, y) + (1 − α)·J(θ, x + ε·sign(∇ₓJ(θ, x, y)), y).
//
// The adversarial inputs are made on the fly from the current parameters,
// with the same dropout mask as the clean pass, and clipped to [0, 1].
//
// Attack chooses the perturbation of the second term. AttackFGSM (or "")
// is eq. 6. AttackRandomSign (η = ±ε per pixel) and AttackUniform (η
// uniform in [−ε, ε]) are §6's controls, training on noise of the same
// max-norm: J̃ = α·J(θ, x, y) + (1 − α)·J(θ, x + η, y), with η drawn from
// a source seeded by TrainConfig.Seed and x + η clipped to [0, 1].
type Adversarial struct {
	Alpha, Epsilon float64
	Attack         Attack
}

// noisy reports whether a trains on noise rather than on FGSM examples.
func (a *Adversarial) noisy() bool {
	return a.Attack == AttackRandomSign || a.Attack == AttackUniform
}

// TrainConfig sets up Train. Zero Epochs and BatchSize mean 1 and 128.
type TrainConfig struct {
	Epochs, BatchSize int
	Optimizer         Optimizer
	// Decay multiplies the learning rate after every epoch; 0 means 1.
	Decay float64
	// Seed fixes the shuffling, and dropout masks of layers without an Rng.
	Seed uint64
	// Adversarial, when set, trains on the adversarial objective.
	Adversarial *Adversarial
	// L1 adds L1·‖W‖₁, summed over every weight matrix and kernel (not the
	// biases), to each batch's mean cost: the L1 weight decay that §5
	// compares adversarial training with. Its subgradient L1·sign(W) joins
	// the weights' gradients before each step. The epoch statistics report
	// the cost without it.
	L1 float64
	// Progress, when set, is called after every batch with the batch's
	// mean cost and error.
	Progress func(epoch, batch, batches int, loss, errRate float64)
}

// EpochStats summarises one epoch of training on the training batches
// (with dropout active, and the clean part of the objective only).
type EpochStats struct {
	Epoch       int
	Loss, Error float64
}

// Train fits m to d with mini-batches in a shuffled order. It returns the
// statistics of each epoch. Training uses both cores through the parallel
// matrix products. It panics if cfg has no Optimizer, an adversarial α
// outside (0, 1] or an adversarial Attack other than FGSM, random sign and
// uniform.
func Train(m *Model, d *Dataset, cfg TrainConfig) []EpochStats {
	s := NewStepper(m, d, cfg)
	for !s.Done() {
		s.Step(s.Batches())
	}
	return s.Stats()
}
