package core

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

const (
	deepFoolSteps     = 50   // the default cap on DeepFool's steps
	deepFoolOvershoot = 0.02 // the paper's overshoot (§3.2)
)

// deepFool is the minimal L2 perturbation by iterated linearisation
// (Moosavi-Dezfooli, Fawzi and Frossard, "DeepFool: a simple and accurate
// method to fool deep neural networks", CVPR 2016, Algorithm 2). Each step
// linearises the class scores s (see Model.Scores) at the iterate and moves
// to the nearest boundary of the linearised region of the class labels[i],
//
//	l = argmin_{k ≠ y} |s_k − s_y| / ‖∇s_k − ∇s_y‖₂,  r = |s_l − s_y| / ‖w‖₂² · w,  w = ∇s_l − ∇s_y,
//
// adds r to the total r_tot, and sets the iterate to x + (1 + overshoot)·r_tot,
// clipped to [0, 1] unless o.NoClip. When clipping, w leaves out the pixels
// that are at a bound and that it would push beyond it, so that each step
// reaches the linearised boundary inside the box. It stops for each row once the class
// is no longer labels[i], after o.Steps steps (default 50), or when the
// linearisation is flat. o.Overshoot defaults to the paper's 0.02. It takes
// no budget: the perturbation is as long as it needs to be.
//
// On a linear binary model the first step lands on the decision boundary,
// and x̃ lies at (1 + overshoot) times the distance to it.
func deepFool(m *Model, x *mat.Dense, labels []int, o Options) *mat.Dense {
	steps := cmpOr(o.Steps, deepFoolSteps)
	over := cmpOr(o.Overshoot, deepFoolOvershoot)
	n, d := x.Dims()
	checkLabels(labels, n, len(m.Classes))
	adv := mat.DenseCopyOf(x)
	total := mat.NewDense(n, d, nil)
	active := make([]bool, n)
	for i := range active {
		active[i] = true
	}
	best := make([]float64, n)  // the smallest |f′|/‖w′‖ of this step
	bestF := make([]float64, n) // its f′ = s_l − s_y
	bestW := mat.NewDense(n, d, nil)
	for range steps {
		if o.stop() {
			break
		}
		s := mat.DenseCopyOf(m.Scores(adv))
		_, classes := s.Dims()
		left := false
		for i := range n {
			active[i] = active[i] && Argmax(s.RawRowView(i)) == labels[i]
			left = left || active[i]
			best[i] = math.Inf(1)
		}
		if !left {
			break
		}
		ds := mat.NewDense(n, classes, nil)
		for k := range classes {
			ds.Zero()
			for i, y := range labels {
				if active[i] && k != y {
					ds.Set(i, k, 1)
					ds.Set(i, y, -1)
				}
			}
			g := m.scoreGradient(ds)
			for i, y := range labels {
				if !active[i] || k == y {
					continue
				}
				w := g.RawRowView(i)
				if !o.NoClip {
					maskBox(w, adv.RawRowView(i))
				}
				f := s.At(i, k) - s.At(i, y)
				if dist := math.Abs(f) / norm2(w); dist < best[i] {
					best[i], bestF[i] = dist, f
					copy(bestW.RawRowView(i), w)
				}
			}
		}
		for i := range n {
			if !active[i] {
				continue
			}
			w := bestW.RawRowView(i)
			ww := dot(w, w)
			if !(ww > 0) || math.IsInf(best[i], 0) || math.IsNaN(bestF[i]) {
				active[i] = false // flat or broken: nowhere to go
				continue
			}
			r, a, x0 := total.RawRowView(i), adv.RawRowView(i), x.RawRowView(i)
			scale := math.Abs(bestF[i]) / ww
			for j, v := range w {
				r[j] += scale * v
				a[j] = x0[j] + (1+over)*r[j]
			}
			if !o.NoClip {
				clip01(a)
			}
		}
	}
	if o.Round8 {
		round8(adv.RawMatrix().Data)
	}
	return adv
}

// maskBox zeroes the components of the direction w that would push a pixel
// of x already at 0 below it, or one at 1 above it: clipping would undo
// them, and a step that counts on them stops short of the boundary.
func maskBox(w, x []float64) {
	for j, v := range w {
		if (x[j] <= 0 && v < 0) || (x[j] >= 1 && v > 0) {
			w[j] = 0
		}
	}
}
