package core

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Dense is a fully connected layer, y = x·Wᵀ + b, with W shaped [out, in].
type Dense struct {
	W, B *Param

	x, y, dx *mat.Dense
	nz       []int32 // indices of the non-zero inputs of forwardOne
	scratch  mulScratch
}

// mulScratch holds buffers a matrix product may reuse from call to call.
type mulScratch struct {
	wt   []float64 // Wᵀ
	idx  []int     // the nonzero entries of a row: where,
	coef []float64 // and what
}

// newDense returns a zero in→out dense layer whose tensors are named
// prefix+".weight" and prefix+".bias".
func newDense(prefix string, in, out int) *Dense {
	return &Dense{W: newParam(prefix+".weight", out, in), B: newParam(prefix+".bias", out)}
}

func (d *Dense) Kind() string     { return "dense" }
func (d *Dense) Params() []*Param { return []*Param{d.W, d.B} }
func (d *Dense) In() int          { return d.W.Shape[1] }
func (d *Dense) Out() int         { return d.W.Shape[0] }
func (d *Dense) String() string   { return fmt.Sprintf("dense %d→%d", d.In(), d.Out()) }

func (d *Dense) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, in := x.Dims()
	if in != d.In() {
		panic(fmt.Sprintf("core: dense layer wants %d inputs, got %d", d.In(), in))
	}
	d.x = x
	y := reuse(&d.y, n, d.Out())
	if n == 1 {
		d.forwardOne(x.RawRowView(0), y.RawRowView(0))
		return y
	}
	mulABt(y, x, d.W.matrix(), &d.scratch)
	for i := 0; i < n; i++ {
		add(y.RawRowView(i), d.B.Data)
	}
	return y
}

func (d *Dense) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	n, _ := dy.Dims()
	in := d.In()
	dx := reuse(&d.dx, n, in)
	if n == 1 {
		d.backwardOne(dy.RawRowView(0), dx.RawRowView(0))
	} else {
		mulAB(dx, dy, d.W.matrix())
	}
	if g == ParamGrads {
		d.BackwardParams(dy)
	}
	return dx
}

// BackwardParams adds dJ/dW and dJ/db for the last Forward, without dJ/dx:
// the first layer's input gradient is wasted work in plain training.
func (d *Dense) BackwardParams(dy *mat.Dense) {
	addAtB(d.W.gradMatrix(), dy, d.x) // dJ/dW += dyᵀ·x, in place
	for i := range dy.RawMatrix().Rows {
		add(d.B.Grad, dy.RawRowView(i))
	}
}

// forwardOne computes one example with plain dot products over the
// contiguous rows of W, which beat a general matrix product for a single
// row, in particular under WebAssembly. A digit is mostly black, so when
// most inputs are zero it visits only the others.
func (d *Dense) forwardOne(xs, ys []float64) {
	in, w := d.In(), d.W.Data
	d.nz = d.nz[:0]
	for i, v := range xs {
		if v != 0 {
			d.nz = append(d.nz, int32(i))
		}
	}
	if len(d.nz) > in/2 {
		j := 0
		for ; j+4 <= len(ys); j += 4 {
			ys[j], ys[j+1], ys[j+2], ys[j+3] = dot4(w[j*in:(j+4)*in], xs)
		}
		for ; j < len(ys); j++ {
			ys[j] = dot(w[j*in:(j+1)*in], xs)
		}
		add(ys, d.B.Data)
		return
	}
	for j := range ys {
		ys[j] = sparseDot(w[j*in:(j+1)*in], xs, d.nz) + d.B.Data[j]
	}
}

// backwardOne computes dx = Wᵀ·dy for one example, four rows of W at a
// time so that dx is loaded and stored once per four rows, skipping the
// rows whose gradient is zero (after a ReLU, about half).
func (d *Dense) backwardOne(dys, dxs []float64) {
	in, w := d.In(), d.W.Data
	clear(dxs)
	d.nz = d.nz[:0]
	for j, g := range dys {
		if g != 0 {
			d.nz = append(d.nz, int32(j))
		}
	}
	k := 0
	for ; k+4 <= len(d.nz); k += 4 {
		a, b, c, e := int(d.nz[k]), int(d.nz[k+1]), int(d.nz[k+2]), int(d.nz[k+3])
		axpy4(dys[a], dys[b], dys[c], dys[e], w[a*in:(a+1)*in], w[b*in:(b+1)*in], w[c*in:(c+1)*in], w[e*in:(e+1)*in], dxs)
	}
	for ; k < len(d.nz); k++ {
		j := int(d.nz[k])
		axpy(dys[j], w[j*in:(j+1)*in], dxs)
	}
}
