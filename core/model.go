package core

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Model is a sequence of layers followed by an output. It holds buffers
// between calls and is not safe for concurrent use; see Clone.
type Model struct {
	Name    string
	Input   Shape    // the shape of one input: [n] features or C×H×W maps
	Classes []string // class labels, one per output probability
	Layers  []Layer
	Out     Output

	// Meta is free-form information carried by the model file, such as the
	// command that trained it and its measured metrics.
	Meta map[string]string

	one *mat.Dense // a 1×in buffer for the single-example calls
}

// InputSize is the number of values of one input.
func (m *Model) InputSize() int { return m.Input.Size() }

// Forward returns the class probabilities of the batch x. With train set,
// dropout is active. The result is owned by the model.
func (m *Model) Forward(x *mat.Dense, train bool) *mat.Dense {
	h := x
	for _, l := range m.Layers {
		h = l.Forward(h, train)
	}
	return m.Out.Forward(h)
}

// paramGrads says whether backward also adds the parameter gradients into
// each Param's Grad, and scaled by what.
type paramGrads struct {
	add   Grads
	scale float64
	// float32Softmax takes the output's delta as float32 does
	// (Options.Float32Softmax).
	float32Softmax bool
}

// inputOnly asks backward for ∇ₓJ alone.
var inputOnly = paramGrads{scale: 1}

// backward differentiates the cost of the last Forward for the given labels
// and returns ∇ₓJ, one row per example, adding the parameter gradients as
// p says.
func (m *Model) backward(labels []int, p paramGrads) *mat.Dense {
	if p.add == ParamGrads {
		m.needGrads()
	}
	g := m.delta(labels, p)
	for i := len(m.Layers) - 1; i >= 0; i-- {
		g = m.Layers[i].Backward(g, p.add)
	}
	return g
}

// BackwardParams adds the parameter gradients of the last Forward's cost,
// scaled, as backward does when asked to add them, but stops at the first
// layer with parameters and skips its input gradient where it can.
func (m *Model) BackwardParams(labels []int, scale float64) {
	m.needGrads()
	first := 0
	for first < len(m.Layers)-1 && m.Layers[first].Params() == nil {
		first++
	}
	g := m.delta(labels, paramGrads{scale: scale})
	for i := len(m.Layers) - 1; i > first; i-- {
		g = m.Layers[i].Backward(g, ParamGrads)
	}
	if l, ok := m.Layers[first].(interface{ BackwardParams(*mat.Dense) }); ok {
		l.BackwardParams(g)
	} else {
		m.Layers[first].Backward(g, ParamGrads)
	}
}

func (m *Model) delta(labels []int, p paramGrads) *mat.Dense {
	g := m.Out.Delta(labels)
	if p.float32Softmax {
		float32Delta(m.Out, labels, g)
	}
	if p.scale != 1 {
		g.Scale(p.scale, g)
	}
	return g
}

// Predict returns the class probabilities of the batch x (test mode).
func (m *Model) Predict(x *mat.Dense) *mat.Dense {
	return m.Forward(x, false)
}

// InputGradient returns ∇ₓJ(θ, x, y) for each row of x and its label: the
// direction FGSM follows (paper eq. 3). For a targeted attack pass the
// target classes as labels and step against the gradient.
func (m *Model) InputGradient(x *mat.Dense, labels []int) *mat.Dense {
	m.Forward(x, false)
	return m.backward(labels, inputOnly)
}

// attackGradient returns ∇ₓJ(θ, x, y) as InputGradient does, with the
// output's delta taken as o says (Options.Float32Softmax).
func (m *Model) attackGradient(x *mat.Dense, labels []int, o Options) *mat.Dense {
	m.Forward(x, false)
	return m.backward(labels, gradientOf(o))
}

// gradientOf asks backward for ∇ₓJ alone, as o says.
func gradientOf(o Options) paramGrads {
	return paramGrads{scale: 1, float32Softmax: o.Float32Softmax}
}

// PredictOne returns the class probabilities of one example. The slice is
// owned by the model and overwritten by the next call.
func (m *Model) PredictOne(x []float64) []float64 {
	return m.Predict(m.single(x)).RawRowView(0)
}

// InputGradientOne returns ∇ₓJ(θ, x, label) for one example. The slice is
// owned by the model and overwritten by the next call.
func (m *Model) InputGradientOne(x []float64, label int) []float64 {
	return m.InputGradient(m.single(x), []int{label}).RawRowView(0)
}

func (m *Model) single(x []float64) *mat.Dense {
	if n := m.InputSize(); len(x) != n {
		panic(fmt.Sprintf("core: model %q wants %d inputs, got %d", m.Name, n, len(x)))
	}
	in := reuse(&m.one, 1, len(x))
	copy(in.RawRowView(0), x)
	return in
}

// Params lists every trainable parameter in layer order.
func (m *Model) Params() []*Param {
	var ps []*Param
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// ParamCount is the number of trainable scalars.
func (m *Model) ParamCount() int {
	n := 0
	for _, p := range m.Params() {
		n += len(p.Data)
	}
	return n
}

// ZeroGrad clears every parameter gradient.
func (m *Model) ZeroGrad() {
	m.needGrads()
	for _, p := range m.Params() {
		clear(p.Grad)
	}
}

// needGrads allocates the parameter gradients a model built from its own
// tensors leaves out until something trains it (buildInput).
func (m *Model) needGrads() {
	for _, p := range m.Params() {
		if p.Grad == nil {
			p.Grad = make([]float64, len(p.Data))
		}
	}
}

// Clone returns a model with its own buffers that shares nothing mutable
// with m except the parameter values, which it copies.
func (m *Model) Clone() *Model {
	if e, ok := ensembleOf(m); ok {
		return e.clone(m)
	}
	c, err := buildInput(m.Name, m.Input, m.Arch(), m.Classes, m.Tensors(), true)
	if err != nil {
		panic("core: clone: " + err.Error())
	}
	c.Meta = make(map[string]string, len(m.Meta))
	for k, v := range m.Meta {
		c.Meta[k] = v
	}
	return c
}

// Argmax returns the index of the largest value, the first one on ties.
func Argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
