package core

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// ReLU is max(0, x), elementwise.
type ReLU struct {
	y, dx *mat.Dense
}

func (r *ReLU) Kind() string     { return "relu" }
func (r *ReLU) Params() []*Param { return nil }

func (r *ReLU) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, c := x.Dims()
	y := reuse(&r.y, n, c)
	ys, xs := y.RawMatrix().Data, x.RawMatrix().Data
	ys = ys[:n*c]
	for i, v := range xs[:n*c] {
		// max(v, 0), without a branch: under WebAssembly the builtin max
		// of floats is a runtime call, and a branch costs a jump through
		// Go's block dispatch. The compiler makes a select of a choice
		// between integers, so the choice is made on v's bits. v <= 0 is
		// false for a NaN, which stays, as in max; −0 gives +0, as in max.
		b := math.Float64bits(v)
		if v <= 0 {
			b = 0
		}
		ys[i] = math.Float64frombits(b)
	}
	return y
}

func (r *ReLU) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	n, c := dy.Dims()
	dx := reuse(&r.dx, n, c)
	dxs, dys, ys := dx.RawMatrix().Data, dy.RawMatrix().Data, r.y.RawMatrix().Data
	dxs, ys = dxs[:n*c], ys[:n*c]
	for i, g := range dys[:n*c] {
		b := math.Float64bits(g) // a select on bits, as in Forward
		if !(ys[i] > 0) {
			b = 0
		}
		dxs[i] = math.Float64frombits(b)
	}
	return dx
}

// Maxout takes the maximum over groups of Pieces consecutive inputs: unit u
// is max(x[u·Pieces], …, x[u·Pieces+Pieces−1]). Placed after a dense layer
// with Units·Pieces outputs it is the maxout unit of Goodfellow et al. (2013),
// with the dense rows ordered unit-major (row u·Pieces+p).
type Maxout struct {
	Pieces int

	arg   []int // index of the winning input, per output
	y, dx *mat.Dense
}

func (m *Maxout) Kind() string     { return "maxout" }
func (m *Maxout) Params() []*Param { return nil }

func (m *Maxout) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, c := x.Dims()
	k := m.Pieces
	if k < 1 || c%k != 0 {
		panic(fmt.Sprintf("core: maxout with %d pieces cannot take %d inputs", k, c))
	}
	units := c / k
	y := reuse(&m.y, n, units)
	if cap(m.arg) < n*units {
		m.arg = make([]int, n*units)
	}
	m.arg = m.arg[:n*units]
	xs, ys := x.RawMatrix().Data, y.RawMatrix().Data
	for o := range ys {
		base := o * k
		best, arg := xs[base], base
		for p := 1; p < k; p++ {
			if v := xs[base+p]; v > best {
				best, arg = v, base+p
			}
		}
		ys[o], m.arg[o] = best, arg
	}
	return y
}

func (m *Maxout) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	n, units := dy.Dims()
	dx := reuse(&m.dx, n, units*m.Pieces)
	dxs := dx.RawMatrix().Data
	clear(dxs)
	for o, g := range dy.RawMatrix().Data[:n*units] {
		dxs[m.arg[o]] = g
	}
	return dx
}

// Dropout zeroes each input with probability P while training and scales
// the survivors by 1/(1−P) (inverted dropout), so that it is the identity at
// test time.
type Dropout struct {
	P   float64
	Rng *rand.Rand // nil means a fixed seed

	mask  []float64
	y, dx *mat.Dense
	train bool
}

func (d *Dropout) Kind() string     { return "dropout" }
func (d *Dropout) Params() []*Param { return nil }

func (d *Dropout) Forward(x *mat.Dense, train bool) *mat.Dense {
	d.train = train && d.P > 0
	if !d.train {
		return x
	}
	if d.Rng == nil {
		d.Rng = rand.New(rand.NewPCG(1, 2))
	}
	n, c := x.Dims()
	y := reuse(&d.y, n, c)
	if cap(d.mask) < n*c {
		d.mask = make([]float64, n*c)
	}
	d.mask = d.mask[:n*c]
	keep := 1 / (1 - d.P)
	xs, ys := x.RawMatrix().Data, y.RawMatrix().Data
	for i := range ys {
		if d.Rng.Float64() < d.P {
			d.mask[i] = 0
		} else {
			d.mask[i] = keep
		}
		ys[i] = xs[i] * d.mask[i]
	}
	return y
}

func (d *Dropout) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	if !d.train {
		return dy
	}
	n, c := dy.Dims()
	dx := reuse(&d.dx, n, c)
	dxs, dys := dx.RawMatrix().Data, dy.RawMatrix().Data
	for i, g := range dys[:n*c] {
		dxs[i] = g * d.mask[i]
	}
	return dx
}

// RBF is the paper's shallow radial basis function layer (§7). Unit c has a
// learned centre w_c (row c of Centres, shaped [out, in]) and learned
// per-input precisions β_c > 0 (row c of Beta, also [out, in]: the diagonal
// of the paper's β in exp(−(x − µ)ᵀβ(x − µ))), and outputs
//
//	z_c = Σ_j β_cj·(x_j − w_cj)².
//
// Followed by the Gaussian output, p_c = exp(−z_c): a unit is confident only
// near its centre, and a pixel that never varies within a class (the
// background) gets a high precision, so the FGSM perturbation of such
// pixels drives every unit's confidence down.
type RBF struct {
	Centres, Beta *Param

	x, y, dx *mat.Dense
}

// newRBF returns an in→out RBF layer with tensors prefix+".centres" and
// prefix+".beta", all precisions 1 and all centres 0.
func newRBF(prefix string, in, out int) *RBF {
	r := &RBF{Centres: newParam(prefix+".centres", out, in), Beta: newParam(prefix+".beta", out, in)}
	for i := range r.Beta.Data {
		r.Beta.Data[i] = 1
	}
	return r
}

func (r *RBF) Kind() string     { return "rbf" }
func (r *RBF) Params() []*Param { return []*Param{r.Centres, r.Beta} }

// minPrecision is the smallest β the optimiser may leave.
const minPrecision = 1e-6

// Project keeps every precision at least minPrecision (10⁻⁶), so that z ≥ 0.
func (r *RBF) Project() {
	for i, b := range r.Beta.Data {
		if !(b >= minPrecision) {
			r.Beta.Data[i] = minPrecision
		}
	}
}

func (r *RBF) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, in := x.Dims()
	out := r.Centres.Shape[0]
	if in != r.Centres.Shape[1] {
		panic(fmt.Sprintf("core: rbf layer wants %d inputs, got %d", r.Centres.Shape[1], in))
	}
	r.x = x
	y := reuse(&r.y, n, out)
	w, b := r.Centres.Data, r.Beta.Data
	for i := 0; i < n; i++ {
		xs, ys := x.RawRowView(i), y.RawRowView(i)
		for c := range ys {
			ys[c] = weightedSqDist(xs, w[c*in:(c+1)*in], b[c*in:(c+1)*in])
		}
	}
	return y
}

// Backward uses ∂z_c/∂x_j = 2β_cj(x_j − w_cj) = −∂z_c/∂w_cj and
// ∂z_c/∂β_cj = (x_j − w_cj)².
func (r *RBF) Backward(dy *mat.Dense, grads Grads) *mat.Dense {
	n, _ := dy.Dims()
	in := r.Centres.Shape[1]
	dx := reuse(&r.dx, n, in)
	for i := 0; i < n; i++ {
		xs, dxs, dys := r.x.RawRowView(i), dx.RawRowView(i), dy.RawRowView(i)
		clear(dxs)
		for c, g := range dys {
			if g == 0 {
				continue
			}
			lo, hi := c*in, (c+1)*in
			wc, bc := r.Centres.Data[lo:hi], r.Beta.Data[lo:hi]
			var gw, gb []float64 // unset without ParamGrads: a read model may have none
			if grads == ParamGrads {
				gw, gb = r.Centres.Grad[lo:hi], r.Beta.Grad[lo:hi]
			}
			for j, xv := range xs {
				e := xv - wc[j]
				d := 2 * g * bc[j] * e
				dxs[j] += d
				if grads == ParamGrads {
					gw[j] -= d
					gb[j] += g * e * e
				}
			}
		}
	}
	return dx
}

func weightedSqDist(x, w, b []float64) float64 {
	w, b = w[:len(x)], b[:len(x)]
	var s float64
	for j, v := range x {
		e := v - w[j]
		s += b[j] * e * e
	}
	return s
}
