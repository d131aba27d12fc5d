package core

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// AttackSweepRun is an ε sweep (§4) of a budgeted attack that Craft runs,
// such as PGD, computed one digit at one ε at a time, so that a page can
// slice it as it slices a SweepRun. Unlike FGSM, an iterative attack takes
// a different path at each ε, so nothing is shared across ε: each digit at
// each ε costs the attack's own passes (PGD-20: 20 forward and backward
// passes). At ε = 0 the attack cannot move the digit: it is clipped and
// rounded as the options say and scored, without the attack's passes.
//
// Each digit gets its own random source, seeded by the run's seed and the
// digit's index (PGD's random start), so that the results do not depend on
// how the run is sliced.
//
// The run uses m during Step only; its parameters must not change during
// the run.
type AttackSweepRun struct {
	m      *Model
	x      *mat.Dense
	labels []int
	attack Attack
	eps    []float64
	o      Options
	seed   uint64

	done    int // units done: unit u is digit u / len(eps) at eps[u % len(eps)]
	tallies []Tally
}

// NewAttackSweepRun prepares a sweep of attack over eps against labels,
// with the other settings from base (its Epsilon and Rand are replaced).
// It panics if the attack takes no budget (Attack.Budgeted) or is
// targeted, or if labels do not match the rows of x.
func NewAttackSweepRun(m *Model, x *mat.Dense, labels []int, attack Attack, eps []float64, base Options, seed uint64) *AttackSweepRun {
	n, _ := x.Dims()
	if len(labels) != n {
		panic(fmt.Sprintf("core: %d labels for %d examples", len(labels), n))
	}
	if !attack.Budgeted() || attack.Targeted() {
		panic("core: an attack sweep needs an untargeted attack with a budget, not " + string(attack))
	}
	return &AttackSweepRun{m: m, x: x, labels: labels, attack: attack, eps: append([]float64(nil), eps...),
		o: base, seed: seed, tallies: make([]Tally, len(eps))}
}

// Step attacks up to units more (digit, ε) pairs with ε ≠ 0, all the ε
// of a digit before the next digit, and reports whether the run is done.
// The pairs with ε = 0 it passes on the way are scored too but not
// counted: they cost no attack, and a page that sizes its steps by their
// time must see units of one cost. It panics if units < 1.
func (r *AttackSweepRun) Step(units int) (done bool) {
	if units < 1 {
		panic(fmt.Sprintf("core: attack sweep step of %d units", units))
	}
	_, dim := r.x.Dims()
	for attacked := 0; r.done < r.total() && attacked < units; r.done++ {
		i, k := r.done/len(r.eps), r.done%len(r.eps)
		x := r.x.Slice(i, i+1, 0, dim).(*mat.Dense)
		y := r.labels[i : i+1]
		var p *mat.Dense
		if r.eps[k] == 0 {
			adv := mat.DenseCopyOf(x)
			finish(adv.RawMatrix().Data, r.o)
			p = r.m.Predict(adv)
		} else {
			attacked++
			o := r.o
			o.Epsilon = r.eps[k]
			o.Rand = rand.New(rand.NewPCG(r.seed, uint64(i)))
			_, adv := Craft(r.m, x, y, r.attack, o)
			p = r.m.Predict(adv)
		}
		r.tallies[k].Add(p, y)
	}
	return r.Done()
}

func (r *AttackSweepRun) total() int { return len(r.labels) * len(r.eps) }

// Done reports whether every digit has been attacked at every ε.
func (r *AttackSweepRun) Done() bool { return r.done == r.total() }

// Progress is the fraction of (digit, ε) pairs done, in [0, 1].
func (r *AttackSweepRun) Progress() float64 {
	if r.total() == 0 {
		return 1
	}
	return float64(r.done) / float64(r.total())
}

// Results returns one Result per ε over the digits attacked so far.
func (r *AttackSweepRun) Results() []Result {
	out := make([]Result, len(r.tallies))
	for i := range r.tallies {
		out[i] = r.tallies[i].Result()
	}
	return out
}
