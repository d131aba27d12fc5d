package core

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Nearest is the closest adversarial example one attack found for one
// input: how far the nearest adversarial example is, as far as that attack
// can tell.
type Nearest struct {
	Attack Attack
	// Norm names the norm of Distance: "L∞" for the max-norm attacks, "L2"
	// for the L2 ones (Attack.L2) and "L0", the number of changed pixels,
	// for JSMA.
	Norm string
	// Found reports whether the attack succeeded at all: for an untargeted
	// attack, the model's class changed; for a targeted one, it became the
	// target.
	Found bool
	// Distance is the smallest budget ε (max norm or L2) at which an
	// ε-bounded attack succeeded, to within the search's tolerance, or the
	// size of what DeepFool, C&W, L-BFGS or JSMA returned; +Inf if none.
	Distance float64
	// Adv is the adversarial example at Distance, and Class the model's
	// class for it; nil and −1 if none.
	Adv   []float64
	Class int
	// Runs counts the attack runs spent.
	Runs int
}

// NearestSearch looks for the smallest perturbation with which one attack
// changes a model's prediction for one input, one attack run per Step, so
// that a page can spread the search over frames. The ε-bounded attacks are
// searched on ε: the search tries Start, 2·Start, 4·Start, … up to Max
// until the attack succeeds, then bisects between the last budget that
// failed and the first that succeeded until the interval is shorter than
// Tolerance. Growing from below rather than bisecting down from Max
// matters: success is monotone in ε for FGSM on a linear model but not in
// general, and a one-step attack at a large ε often overshoots (FGSM at
// ε = 1 saturates every pixel) and fails where a smaller ε succeeds. The
// result is a budget at which the attack succeeds with a smaller one,
// within Tolerance, at which it did not. DeepFool, C&W, L-BFGS and JSMA
// take no budget; their search is one run.
type NearestSearch struct {
	// Tolerance is the length of the ε interval at which the bisection
	// stops: by default half a grey level (0.5/255) for the max norm and
	// 0.01 for L2.
	Tolerance float64
	// Start is the first budget tried: by default 8·Tolerance.
	Start float64
	// RelativeStep, if positive, sets each run's Options.StepSize to
	// RelativeStep·ε: AttackLL's default step, 1/255, does not grow with
	// ε, so that with a fixed number of steps it could not reach far.
	RelativeStep float64
	// Max is the largest budget tried: by default 1 for the max norm and
	// the diameter √n of the box [0, 1]ⁿ for L2. An attack that fails at
	// Max is reported not found.
	Max float64

	m             *Model
	x             *mat.Dense
	a             Attack
	o             Options
	label         int // the class to move away from, or the target
	class         int // the model's class for x
	lo, hi        float64
	res           Nearest
	done, started bool
}

// NewNearestSearch prepares the search for attack a on the input x, with
// the other settings of o (o.Epsilon is what the search varies). The
// untargeted attacks move away from the model's class for x; the targeted
// ones (a.Targeted()) towards target, or towards x's runner-up class when
// target is negative. It panics if a is not one of Attacks.
func NewNearestSearch(m *Model, x []float64, a Attack, target int, o Options) *NearestSearch {
	if !slices.Contains(Attacks, a) {
		panic("core: unknown attack " + string(a))
	}
	p := m.PredictOne(x)
	s := &NearestSearch{m: m, x: mat.NewDense(1, len(x), slices.Clone(x)), a: a, o: o, class: Argmax(p)}
	s.label = s.class
	if a.Targeted() {
		s.label = target
		if target < 0 {
			s.label = runnersUp(mat.NewDense(1, len(p), p))[0]
		}
		checkLabels([]int{s.label}, 1, len(m.Classes))
	}
	s.res = Nearest{Attack: a, Norm: "L∞", Distance: math.Inf(1), Class: -1}
	if a.L2() {
		s.res.Norm = "L2"
	}
	if a == AttackJSMA {
		s.res.Norm = "L0"
	}
	if s.success(s.class) { // a target that is already x's class
		s.res.Found, s.res.Distance, s.res.Adv, s.res.Class = true, 0, slices.Clone(x), s.class
		s.done = true
	}
	return s
}

// Step runs the attack once more and reports whether the search is over.
// It does nothing once the search is over.
func (s *NearestSearch) Step() (done bool) {
	if s.done {
		return true
	}
	tol, top := s.bounds()
	var eps float64
	switch {
	case !s.started:
		eps = min(cmpOr(s.Start, 8*tol), top)
	case !s.res.Found: // still growing
		eps = min(2*s.lo, top)
	default:
		eps = (s.lo + s.hi) / 2
	}
	s.started = true
	o := s.o
	o.Epsilon = eps
	if s.RelativeStep > 0 {
		o.StepSize = s.RelativeStep * eps
	}
	_, adv := Craft(s.m, s.x, []int{s.label}, s.a, o)
	s.res.Runs++
	row := adv.RawRowView(0)
	class := Argmax(s.m.PredictOne(row))
	ok := s.success(class)
	if !s.a.Budgeted() {
		if ok {
			s.record(row, class, s.size(row))
		}
		s.done = true
		return true
	}
	if ok {
		s.hi = eps
		s.record(row, class, eps)
	} else {
		s.lo = eps
	}
	s.done = s.res.Found && s.hi-s.lo <= tol || !s.res.Found && eps >= top
	return s.done
}

// bounds returns the search's tolerance and largest budget, defaults
// applied.
func (s *NearestSearch) bounds() (tol, top float64) {
	tol, top = s.Tolerance, s.Max
	if s.a.L2() {
		return cmpOr(tol, 0.01), cmpOr(top, math.Sqrt(float64(s.x.RawMatrix().Cols)))
	}
	return cmpOr(tol, 0.5/255), cmpOr(top, 1)
}

// Result is the nearest adversarial example found so far.
func (s *NearestSearch) Result() Nearest { return s.res }

// nearestAdversarial runs a NearestSearch to the end.
func nearestAdversarial(m *Model, x []float64, a Attack, target int, o Options) Nearest {
	s := NewNearestSearch(m, x, a, target, o)
	for !s.Step() {
	}
	return s.Result()
}

func (s *NearestSearch) success(class int) bool {
	if s.a.Targeted() {
		return class == s.label
	}
	return class != s.class
}

func (s *NearestSearch) record(adv []float64, class int, d float64) {
	s.res.Found, s.res.Distance, s.res.Adv, s.res.Class = true, d, slices.Clone(adv), class
}

// size measures adv − x in the search's norm.
func (s *NearestSearch) size(adv []float64) float64 {
	x := s.x.RawRowView(0)
	switch s.res.Norm {
	case "L2":
		return math.Sqrt(sqDist(adv, x))
	case "L0":
		n := 0
		for j, v := range adv {
			if v != x[j] {
				n++
			}
		}
		return float64(n)
	}
	var d float64
	for j, v := range adv {
		d = max(d, math.Abs(v-x[j]))
	}
	return d
}
