package core

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// The defaults of lbfgs: the values of c it tries, the first one, and the
// cap on each minimisation's iterations and evaluations.
const (
	lbfgsSearchSteps = 6
	lbfgsC           = 1.0
	lbfgsIterations  = 60
)

// lbfgs is the box-constrained L-BFGS attack of Szegedy, Zaremba,
// Sutskever, Bruna, Erhan, Goodfellow and Fergus, "Intriguing properties of
// neural networks" (ICLR 2014, §4.1), the slow optimisation that the
// paper's "fast" gradient sign method is measured against. For each row and
// its target t = targets[i] it minimises
//
//	c·‖η‖₂² + J(θ, x + η, t)  subject to x + η ∈ [0, 1]ⁿ
//
// with gonum's L-BFGS (at most o.Steps iterations, default 60, for each
// c), and searches over c (o.SearchSteps values, default 6, from o.C,
// default 1) for the largest c whose minimiser the model puts
// in class t: the smallest such η. It returns the closest success found,
// or x where none was. It takes no budget.
//
// gonum's L-BFGS is unconstrained, so the box enters through the
// projection: it minimises c·‖y − x‖₂² + J(θ, clip(y), t) over all y and
// returns clip(y). Clipping y shortens η and leaves J as it is, so this
// has the box problem's minimum, at a minimiser inside the box.
func lbfgs(m *Model, x *mat.Dense, targets []int, o Options) *mat.Dense {
	n, _ := x.Dims()
	checkLabels(targets, n, len(m.Classes))
	adv := mat.DenseCopyOf(x)
	for i := range n {
		if a := lbfgsOne(m, x.RawRowView(i), targets[i], o); a != nil {
			copy(adv.RawRowView(i), a)
		}
	}
	if o.Round8 {
		round8(adv.RawMatrix().Data)
	}
	return adv
}

// lbfgsOne runs the search over c for one example, or returns nil if no c
// reached the target.
func lbfgsOne(m *Model, x []float64, t int, o Options) []float64 {
	c, lo, hi := cmpOr(o.C, lbfgsC), 0.0, math.Inf(1)
	var best []float64
	bestD := math.Inf(1)
	for range cmpOr(o.SearchSteps, lbfgsSearchSteps) {
		a, stopped := lbfgsMinimise(m, x, t, c, cmpOr(o.Steps, lbfgsIterations), o)
		if stopped {
			break
		}
		if a != nil && Argmax(m.PredictOne(a)) == t {
			if d := sqDist(a, x); d < bestD {
				best, bestD = a, d
			}
			lo = c
		} else {
			hi = c
		}
		switch {
		case math.IsInf(hi, 1):
			c *= 10
		case lo == 0:
			c /= 10
		default:
			c = math.Sqrt(lo * hi)
		}
	}
	return best
}

// lbfgsMinimise minimises c·‖y − x‖₂² + J(clip(y), t) from y = x and
// returns clip(y), or nil if the objective was not finite or o.Yield
// stopped it.
func lbfgsMinimise(m *Model, x []float64, t int, c float64, iterations int, o Options) (y []float64, stopped bool) {
	dim := len(x)
	in := mat.NewDense(1, dim, nil)
	var at []float64 // the y of the last evaluation
	var f float64
	grad := make([]float64, dim)
	eval := func(y []float64) {
		if stopped || at != nil && slices.Equal(at, y) {
			return
		}
		if o.stop() {
			// A NaN objective ends gonum's line search; the result is
			// thrown away below.
			stopped, f = true, math.NaN()
			return
		}
		at = append(at[:0], y...)
		xs := in.RawRowView(0)
		copy(xs, y)
		clip01(xs)
		m.Forward(in, false)
		f = m.Out.Loss([]int{t})
		g := m.backward([]int{t}, inputOnly).RawRowView(0)
		for j, v := range y {
			grad[j] = 2 * c * (v - x[j])
			f += c * (v - x[j]) * (v - x[j])
			if v >= 0 && v <= 1 {
				grad[j] += g[j]
			}
		}
	}
	p := optimize.Problem{
		Func: func(y []float64) float64 { eval(y); return f },
		Grad: func(dst, y []float64) { eval(y); copy(dst, grad) },
	}
	settings := &optimize.Settings{
		MajorIterations: iterations,
		FuncEvaluations: 3 * iterations,
		Converger:       &optimize.FunctionConverge{Relative: 1e-6, Iterations: 5},
	}
	res, err := optimize.Minimize(p, x, settings, &optimize.LBFGS{})
	if stopped || res == nil || math.IsNaN(res.F) || math.IsInf(res.F, 0) {
		return nil, stopped
	}
	_ = err // a line search that gives up still leaves the best point found
	y = slices.Clone(res.X)
	clip01(y)
	return y, false
}
