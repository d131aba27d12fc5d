package core

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Stepper is training cut into steps, for a page that must yield to the
// browser between mini-batches and may stop at any point. Train is a Stepper
// run to the end, so stepping gives bit for bit the weights Train gives.
//
// A step can be as small as one pass, forward or backward, over one
// mini-batch. A mini-batch takes two: forward and backward on the clean
// batch; with the adversarial objective it takes four, the backward pass on
// the clean batch making the FGSM (or noisy) batch, then forward and
// backward on that.
// The weights change after the last.
type Stepper struct {
	m      *Model
	d      *Dataset
	cfg    TrainConfig
	epochs int
	bs     int
	rng    *rand.Rand
	noise  func() float64 // one pixel's noise, for the noise objectives
	order  []int
	params []*Param

	epoch   int // epochs finished
	batch   int // batches done in the current epoch
	passes  int // passes done in the current batch
	sumLoss float64
	sumErr  float64
	stats   []EpochStats

	xb         *mat.Dense // the batch
	xadv       *mat.Dense // its FGSM (or noisy) version
	labels     []int
	loss, errs float64 // the batch's summed clean cost and mistakes
}

// NewStepper prepares to train m on d as Train(m, d, cfg) would, and sets
// the random source of each dropout layer that has none, as Train does. It
// panics as Train does.
func NewStepper(m *Model, d *Dataset, cfg TrainConfig) *Stepper {
	if cfg.Optimizer == nil {
		panic("core: a Stepper needs an Optimizer")
	}
	if a := cfg.Adversarial; a != nil && !(a.Alpha > 0 && a.Alpha <= 1) {
		panic(fmt.Sprintf("core: adversarial α = %v is not in (0, 1]", a.Alpha))
	}
	if a := cfg.Adversarial; a != nil && a.Attack != "" && a.Attack != AttackFGSM && !a.noisy() {
		panic(fmt.Sprintf("core: adversarial training with %q: only fgsm, random and uniform are objectives", a.Attack))
	}
	s := &Stepper{m: m, d: d, cfg: cfg, epochs: max(cfg.Epochs, 1), bs: cfg.BatchSize, params: m.Params()}
	if s.bs <= 0 {
		s.bs = 128
	}
	s.rng = rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	if a := cfg.Adversarial; a != nil && a.noisy() {
		// A source of its own, so that the batches come in the order
		// they would with FGSM.
		s.noise = noiseDraw(a.Attack, rand.New(rand.NewPCG(cfg.Seed, 0x6e6f697365)), a.Epsilon)
	}
	for i, l := range m.Layers {
		if dr, ok := l.(*Dropout); ok && dr.Rng == nil {
			dr.Rng = rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		}
	}
	s.order = make([]int, d.Len())
	for i := range s.order {
		s.order[i] = i
	}
	s.labels = make([]int, 0, s.bs)
	return s
}

// Batches is the number of mini-batches in one epoch.
func (s *Stepper) Batches() int { return (len(s.order) + s.bs - 1) / s.bs }

// Step trains on up to batches more mini-batches, stopping early at the end
// of an epoch, and reports whether an epoch ended. It does nothing once the
// training is done.
func (s *Stepper) Step(batches int) (epochDone bool) {
	return s.step(batches, false)
}

// StepPasses is Step counted in passes (see Stepper): the smallest piece of
// work, for a page whose time between yields is shorter than a mini-batch.
func (s *Stepper) StepPasses(passes int) (epochDone bool) {
	return s.step(passes, true)
}

// step does up to n batches, or n passes, stopping at the end of an epoch.
func (s *Stepper) step(n int, passes bool) (epochDone bool) {
	for done := 0; !s.Done(); {
		if s.batch == s.Batches() {
			s.endEpoch()
			return true
		}
		if done == n {
			return false
		}
		if s.pass() || passes {
			done++
		}
	}
	return false
}

// Epoch is the number of epochs finished.
func (s *Stepper) Epoch() int { return s.epoch }

// Done reports whether every epoch is finished.
func (s *Stepper) Done() bool { return s.epoch == s.epochs }

// Progress is the fraction of the training done, in [0, 1].
func (s *Stepper) Progress() float64 {
	total := s.epochs * s.Batches()
	if total == 0 {
		return float64(s.epoch) / float64(s.epochs)
	}
	done := float64(s.epoch*s.Batches()+s.batch) + float64(s.passes)/float64(s.batchPasses())
	return done / float64(total)
}

// Stats returns the statistics of the epochs finished, as Train returns
// them.
func (s *Stepper) Stats() []EpochStats { return slices.Clone(s.stats) }

// batchPasses is the number of passes in a mini-batch.
func (s *Stepper) batchPasses() int {
	if s.cfg.Adversarial != nil {
		return 4
	}
	return 2
}

// pass is one pass of Train's inner loop and reports whether it finished
// the mini-batch. The passes are:
//
//  0. gather the batch (shuffling first at the start of an epoch) and run it
//     forward, in training mode;
//  1. backward: the parameter gradients of the clean part of the mean cost,
//     α·J(x), and with the adversarial objective the FGSM batch
//     x̃ = x + ε·sign(∇ₓJ), as signStep makes it, or with a noise
//     objective x̃ = x + η, which needs no input gradient;
//  2. x̃ forward;
//  3. backward: the gradients of (1 − α)·J(x̃) are added.
//
// After the last, the optimizer takes its step. Between passes the model
// holds the batch's activations, so nothing else may use it.
func (s *Stepper) pass() (batchDone bool) {
	adv := s.cfg.Adversarial
	switch s.passes {
	case 0:
		n, dim := s.d.Images.Dims()
		if s.batch == 0 {
			s.rng.Shuffle(n, func(i, j int) { s.order[i], s.order[j] = s.order[j], s.order[i] })
		}
		idx := s.order[s.batch*s.bs : min((s.batch+1)*s.bs, n)]
		x := reuse(&s.xb, len(idx), dim)
		s.labels = s.labels[:0]
		for r, i := range idx {
			copy(x.RawRowView(r), s.d.Images.RawRowView(i))
			s.labels = append(s.labels, s.d.Labels[i])
		}
		s.m.ZeroGrad()
		p := s.m.Forward(x, true)
		s.loss, s.errs = s.m.Out.Loss(s.labels), 0
		for i, y := range s.labels {
			if Argmax(p.RawRowView(i)) != y {
				s.errs++
			}
		}
	case 1:
		scale := 1 / float64(len(s.labels))
		if adv == nil {
			s.m.BackwardParams(s.labels, scale)
			break
		}
		r, c := s.xb.Dims()
		xadv := reuse(&s.xadv, r, c)
		as := xadv.RawMatrix().Data
		if s.noise != nil {
			s.m.BackwardParams(s.labels, adv.Alpha*scale)
			addNoise(as, s.xb.RawMatrix().Data[:len(as)], s.noise)
		} else {
			g := s.m.backward(s.labels, paramGrads{add: ParamGrads, scale: adv.Alpha * scale})
			addSign(as, s.xb.RawMatrix().Data[:len(as)], g.RawMatrix().Data[:len(as)], adv.Epsilon)
		}
		finish(as, Options{})
	case 2:
		s.m.Forward(s.xadv, true)
	case 3:
		s.m.BackwardParams(s.labels, (1-adv.Alpha)/float64(len(s.labels)))
	}
	s.passes++
	if s.passes < s.batchPasses() {
		return false
	}
	s.passes = 0
	s.update()
	return true
}

// update ends a mini-batch: the optimizer's step, the layers' projections
// and the epoch's sums.
func (s *Stepper) update() {
	if l1 := s.cfg.L1; l1 != 0 {
		for _, p := range s.params {
			if len(p.Shape) < 2 {
				continue // a bias
			}
			for i, w := range p.Data {
				p.Grad[i] += l1 * Sign(w)
			}
		}
	}
	s.cfg.Optimizer.Step(s.params)
	for _, l := range s.m.Layers {
		if p, ok := l.(projector); ok {
			p.Project()
		}
	}
	s.sumLoss += s.loss
	s.sumErr += s.errs
	s.batch++
	if s.cfg.Progress != nil {
		n := float64(len(s.labels))
		s.cfg.Progress(s.epoch+1, s.batch, s.Batches(), s.loss/n, s.errs/n)
	}
}

func (s *Stepper) endEpoch() {
	n := float64(len(s.order))
	s.epoch++
	s.stats = append(s.stats, EpochStats{Epoch: s.epoch, Loss: s.sumLoss / n, Error: s.sumErr / n})
	s.batch, s.sumLoss, s.sumErr = 0, 0, 0
	if s.cfg.Decay > 0 {
		s.cfg.Optimizer.Scale(s.cfg.Decay)
	}
}
