package core

import "gonum.org/v1/gonum/mat"

// A Layer is one stage of a Model. Forward and Backward work on a batch with
// one example per row. A layer keeps what Backward needs from the last
// Forward, so Backward must follow the Forward it differentiates.
type Layer interface {
	// Kind is the layer's name in a model file's "arch" list.
	Kind() string
	// Forward returns the layer's output for the batch x. The result is
	// owned by the layer and is overwritten by the next call.
	Forward(x *mat.Dense, train bool) *mat.Dense
	// Backward takes dJ/dy for the last Forward and returns dJ/dx. With
	// ParamGrads it also adds dJ/dθ into the parameters' Grad.
	Backward(dy *mat.Dense, g Grads) *mat.Dense
	// Params lists the trainable parameters, or nil.
	Params() []*Param
}

// Grads says what a layer's Backward computes besides dJ/dx.
type Grads bool

const (
	InputGrad  Grads = false // dJ/dx alone, as an attack needs
	ParamGrads Grads = true  // also dJ/dθ, added into each Param's Grad, as training needs
)

// An Output is the last layer: it turns scores into class probabilities and
// knows the cost J that the scores are trained against.
type Output interface {
	Kind() string
	// Forward returns class probabilities for the scores z, one row per
	// example and one column per class.
	Forward(z *mat.Dense) *mat.Dense
	// Delta returns dJ/dz for the last Forward and the given labels, one
	// row per example (the gradient of the summed cost).
	Delta(labels []int) *mat.Dense
	// Loss returns the summed cost of the last Forward.
	Loss(labels []int) float64
}

// Param is a trainable tensor. Data and Grad have the same length and are
// laid out row-major with the given Shape. A model read from a file has
// no Grad (nil) until something trains it: ZeroGrad and the backward
// passes that add parameter gradients allocate it.
type Param struct {
	Name  string
	Shape []int
	Data  []float64
	Grad  []float64
}

func newParam(name string, shape ...int) *Param {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return &Param{Name: name, Shape: shape, Data: make([]float64, n), Grad: make([]float64, n)}
}

// matrix returns Data viewed as a matrix of Shape[0] rows.
func (p *Param) matrix() *mat.Dense {
	return mat.NewDense(p.Shape[0], len(p.Data)/p.Shape[0], p.Data)
}

func (p *Param) gradMatrix() *mat.Dense {
	return mat.NewDense(p.Shape[0], len(p.Grad)/p.Shape[0], p.Grad)
}

// reuse returns a rows×cols matrix backed by *buf, growing it when needed.
// Its contents are undefined.
func reuse(buf **mat.Dense, rows, cols int) *mat.Dense {
	if *buf != nil {
		r, c := (*buf).Dims()
		if r == rows && c == cols {
			return *buf
		}
		raw := (*buf).RawMatrix().Data
		if cap(raw) >= rows*cols {
			*buf = mat.NewDense(rows, cols, raw[:rows*cols])
			return *buf
		}
	}
	*buf = mat.NewDense(rows, cols, nil)
	return *buf
}

// A projector is a layer whose parameters must stay in a set (for example
// positive widths); the optimiser calls Project after each step.
type projector interface {
	Project()
}
