package core

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Softmax turns scores into probabilities p = softmax(z) and is trained with
// the cross-entropy J = −log p_y. Its delta is p − onehot(y).
type Softmax struct {
	p, d  *mat.Dense
	s, dz *mat.Dense // class scores and their delta (scores.go)
}

func (s *Softmax) Kind() string { return "softmax" }

func (s *Softmax) Forward(z *mat.Dense) *mat.Dense {
	n, c := z.Dims()
	p := reuse(&s.p, n, c)
	for i := 0; i < n; i++ {
		zs, ps := z.RawRowView(i), p.RawRowView(i)
		m := math.Inf(-1)
		for _, v := range zs {
			m = max(m, v)
		}
		var sum float64
		for j, v := range zs {
			ps[j] = math.Exp(v - m)
			sum += ps[j]
		}
		for j := range ps {
			ps[j] /= sum
		}
	}
	return p
}

func (s *Softmax) Delta(labels []int) *mat.Dense {
	n, c := s.p.Dims()
	checkLabels(labels, n, c)
	d := reuse(&s.d, n, c)
	d.Copy(s.p)
	for i, y := range labels {
		d.Set(i, y, d.At(i, y)-1)
	}
	return d
}

func (s *Softmax) Loss(labels []int) float64 {
	n, c := s.p.Dims()
	checkLabels(labels, n, c)
	var j float64
	for i, y := range labels {
		j -= math.Log(max(s.p.At(i, y), 1e-300))
	}
	return j
}

// Sigmoid is the two-class output of logistic regression. It takes one score
// z per example and gives the probabilities [1 − σ(z), σ(z)] of classes 0
// and 1. It is trained with the binary cross-entropy, whose delta is σ(z) − y.
type Sigmoid struct {
	p, d  *mat.Dense
	s, dz *mat.Dense // class scores and their delta (scores.go)
}

func (s *Sigmoid) Kind() string { return "sigmoid" }

func (s *Sigmoid) Forward(z *mat.Dense) *mat.Dense {
	n, c := z.Dims()
	if c != 1 {
		panic(fmt.Sprintf("core: sigmoid output takes 1 score, got %d", c))
	}
	p := reuse(&s.p, n, 2)
	for i := 0; i < n; i++ {
		q := 1 / (1 + math.Exp(-z.At(i, 0)))
		p.Set(i, 0, 1-q)
		p.Set(i, 1, q)
	}
	return p
}

func (s *Sigmoid) Delta(labels []int) *mat.Dense {
	n, _ := s.p.Dims()
	checkLabels(labels, n, 2)
	d := reuse(&s.d, n, 1)
	for i, y := range labels {
		d.Set(i, 0, s.p.At(i, 1)-float64(y))
	}
	return d
}

func (s *Sigmoid) Loss(labels []int) float64 {
	n, _ := s.p.Dims()
	checkLabels(labels, n, 2)
	var j float64
	for i, y := range labels {
		j -= math.Log(max(s.p.At(i, y), 1e-300))
	}
	return j
}

// Gaussian is the output of the RBF network: p_c = exp(−z_c), one
// independent probability per class that need not sum to one. It is trained
// with a binary cross-entropy per class against the one-hot label,
//
//	J = Σ_c −[c = y]·log p_c − [c ≠ y]·log(1 − p_c),
//
// whose delta, written to stay finite, is 1 for the true class and
// −1/(exp(z_c) − 1) for the others.
type Gaussian struct {
	z     *mat.Dense
	p, d  *mat.Dense
	s, dz *mat.Dense // class scores and their delta (scores.go)
}

func (g *Gaussian) Kind() string { return "gaussian" }

func (g *Gaussian) Forward(z *mat.Dense) *mat.Dense {
	n, c := z.Dims()
	g.z = z
	p := reuse(&g.p, n, c)
	zs, ps := z.RawMatrix().Data, p.RawMatrix().Data
	for i := range ps[:n*c] {
		ps[i] = math.Exp(-zs[i])
	}
	return p
}

func (g *Gaussian) Delta(labels []int) *mat.Dense {
	n, c := g.z.Dims()
	checkLabels(labels, n, c)
	d := reuse(&g.d, n, c)
	for i, y := range labels {
		zs, ds := g.z.RawRowView(i), d.RawRowView(i)
		for k, z := range zs {
			if k == y {
				ds[k] = 1
			} else {
				ds[k] = -1 / math.Expm1(max(z, 1e-12))
			}
		}
	}
	return d
}

func (g *Gaussian) Loss(labels []int) float64 {
	n, c := g.z.Dims()
	checkLabels(labels, n, c)
	var j float64
	for i, y := range labels {
		for k, z := range g.z.RawRowView(i) {
			if k == y {
				j += z
			} else {
				j -= math.Log(-math.Expm1(-max(z, 1e-12)))
			}
		}
	}
	return j
}

func checkLabels(labels []int, n, classes int) {
	if len(labels) != n {
		panic(fmt.Sprintf("core: %d labels for %d examples", len(labels), n))
	}
	for _, y := range labels {
		if y < 0 || y >= classes {
			panic(fmt.Sprintf("core: label %d out of range [0, %d)", y, classes))
		}
	}
}
