package main

import (
	"fmt"
	"math"
	"slices"

	"fgsmlab/core"
	"gonum.org/v1/gonum/mat"
)

// The numbers of the /linear page (paper §3, §5, Figure 2), computed from
// logreg37, a logistic regression 784 → 1 whose class 0 is "3" and class 1
// is "7". They live apart from the page so that the browser test can check
// the page against core directly.

// threesAndSevens returns the 3s and 7s of d as one batch, with the labels
// logreg37 uses: 0 for a 3, 1 for a 7.
func threesAndSevens(d *core.Dataset) (*mat.Dense, []int) {
	var idx []int
	for i, l := range d.Labels {
		if l == 3 || l == 7 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, nil
	}
	x := mat.NewDense(len(idx), core.ImageSize, nil)
	y := make([]int, len(idx))
	for j, i := range idx {
		copy(x.RawRowView(j), d.Image(i))
		if d.Labels[i] == 7 {
			y[j] = 1
		}
	}
	return x, y
}

// linearWeights returns w and b of a model that is one dense layer with a
// single score, such as logreg37.
func linearWeights(m *core.Model) (w []float64, b float64, err error) {
	if len(m.Layers) != 1 {
		return nil, 0, fmt.Errorf("model %s has %d layers; the linear view needs exactly one dense layer", m.Name, len(m.Layers))
	}
	d, ok := m.Layers[0].(*core.Dense)
	if !ok || d.Out() != 1 {
		return nil, 0, fmt.Errorf("model %s is not a linear model with one score", m.Name)
	}
	return d.W.Data, d.B.Data[0], nil
}

// score is the logistic regression's activation w·x + b.
func score(w []float64, b float64, x []float64) float64 {
	s := b
	for i, v := range x {
		s += w[i] * v
	}
	return s
}

// weightStats are the quantities of §3: ‖w‖₁ = m·n, the mean magnitude m
// and the root mean square of w (the size of the change random ±ε noise
// makes grows as ε·rms·√n, not as ε·m·n).
type weightStats struct {
	N             int
	L1, Mean, RMS float64
}

func newWeightStats(w []float64) weightStats {
	var l1, l2 float64
	for _, v := range w {
		l1 += math.Abs(v)
		l2 += v * v
	}
	n := float64(len(w))
	return weightStats{N: len(w), L1: l1, Mean: l1 / n, RMS: math.Sqrt(l2 / n)}
}

// medianMargin is the median of |w·x + b| over the rows of x: how far a
// typical clean digit sits from the decision boundary.
func medianMargin(w []float64, b float64, x *mat.Dense) float64 {
	n, _ := x.Dims()
	s := make([]float64, n)
	for i := range n {
		s[i] = math.Abs(score(w, b, x.RawRowView(i)))
	}
	slices.Sort(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// precisionRow is FGSM below one grey level in one pixel format (§3: an
// 8-bit image discards changes below 1/255).
type precisionRow struct {
	Name  string
	Opt   core.Options
	Shift float64 // mean |w·x̃ − w·x| over the digits
	Flips int     // digits whose predicted class changes
	Error float64 // error rate on x̃
}

// precisionRows runs FGSM at ε unclipped, clipped to [0, 1], and clipped
// and rounded to 8 bits.
func precisionRows(m *core.Model, w []float64, x *mat.Dense, y []int, eps float64) []precisionRow {
	rows := []precisionRow{
		{Name: "unclipped", Opt: core.Options{Epsilon: eps, NoClip: true}},
		{Name: "clipped", Opt: core.Options{Epsilon: eps}},
		{Name: "rounded", Opt: core.Options{Epsilon: eps, Round8: true}},
	}
	n, _ := x.Dims()
	clean := make([]int, n)
	p := m.Predict(x)
	for i := range n {
		clean[i] = core.Argmax(p.RawRowView(i))
	}
	for k := range rows {
		r := &rows[k]
		adv := core.FGSM(m, x, y, r.Opt)
		q := m.Predict(adv)
		wrong := 0
		for i := range n {
			r.Shift += math.Abs(score(w, 0, adv.RawRowView(i)) - score(w, 0, x.RawRowView(i)))
			got := core.Argmax(q.RawRowView(i))
			if got != clean[i] {
				r.Flips++
			}
			if got != y[i] {
				wrong++
			}
		}
		r.Shift /= float64(n)
		r.Error = float64(wrong) / float64(n)
	}
	return rows
}
