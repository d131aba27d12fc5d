package core

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Ensemble is the layer that makes several softmax models one model, the
// ensemble of the paper's §9: its prediction is the mean of the members'
// class probabilities, p̄ = (1/K)·Σ_k p_k. The layer returns z = log p̄, so
// that the softmax output after it gives back p̄ and its cross-entropy is
// −log p̄_y, the ensemble's own cost. NewEnsemble makes such a model, which
// every attack, Evaluate and Transfer take as they take any model.
//
// An ensemble has no parameters of its own and cannot be written to a model
// file: the members are models in their own right.
type Ensemble struct {
	Members []*Model

	lp []*mat.Dense // log p_k of the last Forward, one per member
	z  *mat.Dense   // log p̄
	dl *mat.Dense   // dJ/d(member logits), reused per member
	dx *mat.Dense
}

// NewEnsemble returns a model whose prediction is the mean of the members'
// class probabilities (§9). The members must end in a softmax output, take
// inputs of the same size and have the same classes; the ensemble takes the
// first member's input shape. It calls the members' layers directly, so a
// member must not be used elsewhere at the same time.
func NewEnsemble(name string, members ...*Model) (*Model, error) {
	if len(members) == 0 {
		return nil, fmt.Errorf("core: ensemble %q has no members", name)
	}
	first := members[0]
	for _, m := range members {
		if _, ok := m.Out.(*Softmax); !ok {
			return nil, fmt.Errorf("core: ensemble member %q ends in a %s output; an ensemble averages softmax probabilities", m.Name, m.Out.Kind())
		}
		if m.InputSize() != first.InputSize() {
			return nil, fmt.Errorf("core: ensemble member %q takes %d inputs, %q takes %d", m.Name, m.InputSize(), first.Name, first.InputSize())
		}
		if fmt.Sprint(m.Classes) != fmt.Sprint(first.Classes) {
			return nil, fmt.Errorf("core: ensemble member %q has classes %v, %q has %v", m.Name, m.Classes, first.Name, first.Classes)
		}
	}
	e := &Ensemble{Members: members}
	return &Model{Name: name, Input: first.Input, Classes: first.Classes, Layers: []Layer{e}, Out: &Softmax{},
		Meta: map[string]string{}}, nil
}

func (e *Ensemble) Kind() string     { return "ensemble" }
func (e *Ensemble) Params() []*Param { return nil }

// Forward returns z = log p̄ = logsumexp_k(log p_k) − log K, computed from
// the members' logits so that no probability underflows. With train set,
// the members' dropout is active.
func (e *Ensemble) Forward(x *mat.Dense, train bool) *mat.Dense {
	if len(e.lp) != len(e.Members) {
		e.lp = make([]*mat.Dense, len(e.Members))
	}
	for k, m := range e.Members {
		h := x
		for _, l := range m.Layers {
			h = l.Forward(h, train)
		}
		n, c := h.Dims()
		lp := reuse(&e.lp[k], n, c)
		for i := range n {
			logSoftmax(lp.RawRowView(i), h.RawRowView(i))
		}
	}
	n, c := e.lp[0].Dims()
	z := reuse(&e.z, n, c)
	logK := math.Log(float64(len(e.Members)))
	for i := range n {
		zs := z.RawRowView(i)
		for j := range zs {
			top := math.Inf(-1)
			for _, lp := range e.lp {
				top = max(top, lp.At(i, j))
			}
			var s float64
			for _, lp := range e.lp {
				s += math.Exp(lp.At(i, j) - top)
			}
			zs[j] = top + math.Log(s) - logK
		}
	}
	return z
}

// Backward returns dJ/dx = Σ_k (dJ/dl_k)·∂l_k/∂x, where l_k are member k's
// logits. With r_kc = p_kc/(K·p̄_c), member k's share of the ensemble's
// probability of class c, the chain rule through z_c = log p̄_c and member
// k's softmax gives
//
//	dJ/dl_kd = r_kd·dy_d − p_kd·Σ_c r_kc·dy_c.
//
// For the cross-entropy (dy = p̄ − onehot(y)) this is r_ky·(p_k − onehot(y)):
// the ensemble's ∇ₓJ is Σ_k w_k·∇ₓJ_k, the members' own input gradients
// weighted by w_k = p_ky/Σ_j p_jy, how much each believes the label.
// r_kc is computed as exp(log p_kc − log K − z_c), so it never divides by a
// tiny p̄_c. The members' parameter gradients are not computed.
func (e *Ensemble) Backward(dy *mat.Dense, _ Grads) *mat.Dense {
	n, c := dy.Dims()
	logK := math.Log(float64(len(e.Members)))
	dl := reuse(&e.dl, n, c)
	var dx *mat.Dense
	for k, m := range e.Members {
		lp := e.lp[k]
		for i := range n {
			lps, zs, dys, dls := lp.RawRowView(i), e.z.RawRowView(i), dy.RawRowView(i), dl.RawRowView(i)
			var s float64
			for j := range c {
				dls[j] = math.Exp(lps[j]-logK-zs[j]) * dys[j] // r_kj·dy_j
				s += dls[j]
			}
			for j := range c {
				dls[j] -= math.Exp(lps[j]) * s
			}
		}
		g := dl
		for i := len(m.Layers) - 1; i >= 0; i-- {
			g = m.Layers[i].Backward(g, InputGrad)
		}
		if k == 0 {
			rows, cols := g.Dims()
			dx = reuse(&e.dx, rows, cols)
			dx.Copy(g)
		} else {
			dx.Add(dx, g)
		}
	}
	return dx
}

// logSoftmax writes log softmax(l) into dst.
func logSoftmax(dst, l []float64) {
	top := math.Inf(-1)
	for _, v := range l {
		top = max(top, v)
	}
	var s float64
	for _, v := range l {
		s += math.Exp(v - top)
	}
	lse := top + math.Log(s)
	for j, v := range l {
		dst[j] = v - lse
	}
}

// ensembleOf returns m's Ensemble layer if m was made by NewEnsemble.
func ensembleOf(m *Model) (*Ensemble, bool) {
	if len(m.Layers) != 1 {
		return nil, false
	}
	e, ok := m.Layers[0].(*Ensemble)
	return e, ok
}

// clone returns a copy of the ensemble model m whose members are clones.
func (e *Ensemble) clone(m *Model) *Model {
	members := make([]*Model, len(e.Members))
	for i, mb := range e.Members {
		members[i] = mb.Clone()
	}
	c, err := NewEnsemble(m.Name, members...)
	if err != nil {
		panic("core: clone: " + err.Error())
	}
	for k, v := range m.Meta {
		c.Meta[k] = v
	}
	return c
}
