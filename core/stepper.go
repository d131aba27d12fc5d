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
type Stepper struct {
	m      *Model
	d      *Dataset
	cfg    TrainConfig
	epochs int
	bs     int
	rng    *rand.Rand
	order  []int
	params []*Param

	epoch   int // epochs finished
	batch   int // batches done in the current epoch
	sumLoss float64
	sumErr  float64
	stats   []EpochStats

	xb     *mat.Dense
	labels []int
}

// NewStepper prepares to train m on d as Train(m, d, cfg) would, and sets
// the random source of each dropout layer that has none, as Train does. It
// panics if cfg has no Optimizer or an adversarial α outside (0, 1].
func NewStepper(m *Model, d *Dataset, cfg TrainConfig) *Stepper {
	if cfg.Optimizer == nil {
		panic("core: a Stepper needs an Optimizer")
	}
	if a := cfg.Adversarial; a != nil && !(a.Alpha > 0 && a.Alpha <= 1) {
		panic(fmt.Sprintf("core: adversarial α = %v is not in (0, 1]", a.Alpha))
	}
	s := &Stepper{m: m, d: d, cfg: cfg, epochs: max(cfg.Epochs, 1), bs: cfg.BatchSize, params: m.Params()}
	if s.bs <= 0 {
		s.bs = 128
	}
	s.rng = rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
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
	for done := 0; !s.Done(); {
		if s.batch == s.Batches() {
			s.endEpoch()
			return true
		}
		if done == batches {
			return false
		}
		s.trainBatch()
		done++
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
	return float64(s.epoch*s.Batches()+s.batch) / float64(total)
}

// Stats returns the statistics of the epochs finished, as Train returns
// them.
func (s *Stepper) Stats() []EpochStats { return slices.Clone(s.stats) }

// trainBatch is one iteration of Train's inner loop, shuffling first at the
// start of an epoch.
func (s *Stepper) trainBatch() {
	n, dim := s.d.Images.Dims()
	if s.batch == 0 {
		s.rng.Shuffle(n, func(i, j int) { s.order[i], s.order[j] = s.order[j], s.order[i] })
	}
	b := s.batch
	idx := s.order[b*s.bs : min((b+1)*s.bs, n)]
	x := reuse(&s.xb, len(idx), dim)
	s.labels = s.labels[:0]
	for r, i := range idx {
		copy(x.RawRowView(r), s.d.Images.RawRowView(i))
		s.labels = append(s.labels, s.d.Labels[i])
	}
	loss, errs := trainStep(s.m, x, s.labels, s.cfg.Adversarial)
	s.cfg.Optimizer.Step(s.params)
	for _, l := range s.m.Layers {
		if p, ok := l.(projector); ok {
			p.Project()
		}
	}
	s.sumLoss += loss
	s.sumErr += errs
	s.batch++
	if s.cfg.Progress != nil {
		s.cfg.Progress(s.epoch+1, s.batch, s.Batches(), loss/float64(len(idx)), errs/float64(len(idx)))
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
