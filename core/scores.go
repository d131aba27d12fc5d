package core

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Class scores are what the attacks that reason about decision boundaries
// (DeepFool, Carlini–Wagner, JSMA) differentiate instead of the cost: one
// score per class, increasing with that class's probability, so that the
// predicted class is the one with the largest score. Each output defines
// them from the last layer's output z:
//
//	softmax   s = z             (the logits)
//	sigmoid   s = [−z/2, z/2]   (logits whose softmax is [1 − σ(z), σ(z)])
//	gaussian  s_c = −z_c        (log p_c)
//
// The sigmoid's scores could as well be [0, z], a shift of these, but JSMA
// compares how the target's score and the others' move, and with [0, z]
// one of them would never move.
type scorer interface {
	// scores returns s for the last layer's output z, one row per example.
	// The result is owned by the output.
	scores(z *mat.Dense) *mat.Dense
	// scoreDelta returns dJ/dz for dJ/ds of the last scores call.
	scoreDelta(ds *mat.Dense) *mat.Dense
}

func (s *Softmax) scores(z *mat.Dense) *mat.Dense {
	n, c := z.Dims()
	out := reuse(&s.s, n, c)
	out.Copy(z)
	return out
}

func (s *Softmax) scoreDelta(ds *mat.Dense) *mat.Dense {
	n, c := ds.Dims()
	d := reuse(&s.dz, n, c)
	d.Copy(ds)
	return d
}

func (s *Sigmoid) scores(z *mat.Dense) *mat.Dense {
	n, _ := z.Dims()
	out := reuse(&s.s, n, 2)
	for i := range n {
		out.Set(i, 0, -z.At(i, 0)/2)
		out.Set(i, 1, z.At(i, 0)/2)
	}
	return out
}

func (s *Sigmoid) scoreDelta(ds *mat.Dense) *mat.Dense {
	n, _ := ds.Dims()
	d := reuse(&s.dz, n, 1)
	for i := range n {
		d.Set(i, 0, (ds.At(i, 1)-ds.At(i, 0))/2)
	}
	return d
}

func (g *Gaussian) scores(z *mat.Dense) *mat.Dense {
	n, c := z.Dims()
	out := reuse(&g.s, n, c)
	out.Scale(-1, z)
	return out
}

func (g *Gaussian) scoreDelta(ds *mat.Dense) *mat.Dense {
	n, c := ds.Dims()
	d := reuse(&g.dz, n, c)
	d.Scale(-1, ds)
	return d
}

// Scores returns the class scores of the batch x in test mode (see scorer):
// the logits of a softmax model, [−z/2, z/2] for a sigmoid's single score z, and
// log p_c = −z_c for the RBF network's Gaussian output. The result is owned
// by the model. It panics if the output defines no scores.
func (m *Model) Scores(x *mat.Dense) *mat.Dense {
	h := x
	for _, l := range m.Layers {
		h = l.Forward(h, false)
	}
	return m.scorer().scores(h)
}

// ScoreGradient returns, for each row i of x, ∇ₓ(dsᵢ·s(xᵢ)): the input
// gradient of a weighted sum of the class scores, with the weights dsᵢ in
// row i of ds (one column per class). A one-hot row gives the gradient of
// one class's score. The result is owned by the model.
func (m *Model) ScoreGradient(x, ds *mat.Dense) *mat.Dense {
	m.Scores(x)
	return m.scoreGradient(ds)
}

// scoreGradient backpropagates dJ/ds through the last Scores call. It may be
// called several times after one Scores call; each result overwrites the
// last.
func (m *Model) scoreGradient(ds *mat.Dense) *mat.Dense {
	g := m.scorer().scoreDelta(ds)
	for i := len(m.Layers) - 1; i >= 0; i-- {
		g = m.Layers[i].Backward(g, InputGrad)
	}
	return g
}

func (m *Model) scorer() scorer {
	s, ok := m.Out.(scorer)
	if !ok {
		panic(fmt.Sprintf("core: output %q defines no class scores", m.Out.Kind()))
	}
	return s
}
