package core

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// The defaults of carliniWagner, smaller than the paper's (9 values of c,
// 10,000 Adam steps of 0.01) so that one digit takes well under a second
// in the browser on the mlp.
const (
	cwSearchSteps = 6
	cwSteps       = 100
	cwC           = 1.0
	cwRate        = 0.1
)

// carliniWagner is the Carlini–Wagner L2 attack (Carlini and Wagner,
// "Towards Evaluating the Robustness of Neural Networks", IEEE S&P 2017,
// §V.A), untargeted. In the tanh change of variables x̃ = (tanh w + 1)/2,
// which keeps x̃ in [0, 1], it minimises
//
//	‖x̃ − x‖₂² + c·max(s_y(x̃) − max_{k≠y} s_k(x̃), −κ)
//
// over w with Adam (o.Steps steps of size o.LearningRate per c, default
// 100 of 0.1, stopping early when the objective stalls), where s are the
// class scores (Model.Scores) and y = labels[i]. A binary search over c
// (o.SearchSteps values, default 6, from o.C, default 1) keeps, for each
// row, the closest x̃ that the model does not put in class y (with margin
// κ = o.Kappa). A row with no success is returned as x. It takes no
// budget; o.NoClip has no effect, as x̃ is always in [0, 1].
func carliniWagner(m *Model, x *mat.Dense, labels []int, o Options) *mat.Dense {
	n, d := x.Dims()
	checkLabels(labels, n, len(m.Classes))
	steps := cmpOr(o.Steps, cwSteps)
	rate := cmpOr(o.LearningRate, cwRate)
	kappa := max(o.Kappa, 0)
	c := make([]float64, n)
	lo, hi := make([]float64, n), make([]float64, n)
	bestL2 := make([]float64, n)
	for i := range n {
		c[i], hi[i], bestL2[i] = cmpOr(o.C, cwC), math.Inf(1), math.Inf(1)
	}
	best := mat.DenseCopyOf(x)
	w0 := mat.NewDense(n, d, nil) // x in tanh space, a hair inside (0, 1)
	for i, v := range x.RawMatrix().Data {
		w0.RawMatrix().Data[i] = math.Atanh((2*min(max(v, 0), 1) - 1) * (1 - 1e-6))
	}
	for range cmpOr(o.SearchSteps, cwSearchSteps) {
		found, stopped := cwRun(m, x, w0, labels, c, kappa, steps, rate, best, bestL2, o)
		if stopped {
			break
		}
		for i := range n {
			if found[i] {
				hi[i] = min(hi[i], c[i])
			} else {
				lo[i] = max(lo[i], c[i])
			}
			if math.IsInf(hi[i], 1) {
				c[i] *= 10
			} else {
				c[i] = (lo[i] + hi[i]) / 2
			}
		}
	}
	if o.Round8 {
		round8(best.RawMatrix().Data)
	}
	return best
}

// cwRun runs Adam from w0 for one value of c per row, recording each
// success closer than bestL2 into best, and reports which rows succeeded.
func cwRun(m *Model, x, w0 *mat.Dense, labels []int, c []float64, kappa float64, steps int, rate float64,
	best *mat.Dense, bestL2 []float64, o Options) (found []bool, stopped bool) {
	const beta1, beta2, tiny = 0.9, 0.999, 1e-8
	n, d := x.Dims()
	w := mat.DenseCopyOf(w0)
	adv := mat.NewDense(n, d, nil)
	mom, vel := make([]float64, n*d), make([]float64, n*d)
	grad := mat.NewDense(n, d, nil)
	found = make([]bool, n)
	ws, as, xs, gs := w.RawMatrix().Data, adv.RawMatrix().Data, x.RawMatrix().Data, grad.RawMatrix().Data
	prev := math.Inf(1)
	for t := 1; t <= steps; t++ {
		if o.stop() {
			return nil, true
		}
		for i, v := range ws {
			as[i] = (math.Tanh(v) + 1) / 2
		}
		s := m.Scores(adv)
		_, classes := s.Dims()
		ds := mat.NewDense(n, classes, nil)
		var loss float64
		for i, y := range labels {
			row := s.RawRowView(i)
			other := runnerUp(row, y)
			margin := row[y] - row[other]
			l2 := sqDist(adv.RawRowView(i), x.RawRowView(i))
			if (kappa == 0 && Argmax(row) != y) || (kappa > 0 && margin <= -kappa) {
				found[i] = true
				if l2 < bestL2[i] {
					bestL2[i] = l2
					copy(best.RawRowView(i), adv.RawRowView(i))
				}
			}
			loss += l2 + c[i]*max(margin, -kappa)
			if margin > -kappa {
				ds.Set(i, y, c[i])
				ds.Set(i, other, -c[i])
			}
		}
		if math.IsNaN(loss) {
			break
		}
		// Stop when the objective has not fallen by 0.01% over a tenth of
		// the steps, as Carlini and Wagner's code does.
		if every := max(steps/10, 1); t%every == 0 {
			if loss > prev*0.9999 {
				break
			}
			prev = loss
		}
		g := m.scoreGradient(ds)
		for i := range gs {
			// dL/dw = (2(x̃ − x) + c·∂f/∂x̃) · (1 − tanh²w)/2
			gs[i] = (2*(as[i]-xs[i]) + g.RawMatrix().Data[i]) * 2 * as[i] * (1 - as[i])
		}
		b1, b2 := 1-math.Pow(beta1, float64(t)), 1-math.Pow(beta2, float64(t))
		for i, g := range gs {
			mom[i] = beta1*mom[i] + (1-beta1)*g
			vel[i] = beta2*vel[i] + (1-beta2)*g*g
			ws[i] -= rate * (mom[i] / b1) / (math.Sqrt(vel[i]/b2) + tiny)
		}
	}
	return found, false
}

// runnerUp returns the class with the largest score other than y.
func runnerUp(s []float64, y int) int {
	k := -1
	for j, v := range s {
		if j != y && (k < 0 || v > s[k]) {
			k = j
		}
	}
	return k
}

func sqDist(a, b []float64) float64 {
	var ss float64
	for j, v := range a {
		ss += (v - b[j]) * (v - b[j])
	}
	return ss
}
