package core

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// The layers of a convolutional network. Their activations are laid out as
// PyTorch lays them out: one example per row, and within a row channels
// first, then rows, then columns (C×H×W, row-major), so that a PyTorch
// state_dict maps one to one onto a model file and flatten is the identity.

// Shape is the shape of one example's activations: [n] for a vector of n
// features, [C, H, W] for C maps of H×W.
type Shape []int

// Size is the number of values of one example.
func (s Shape) Size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func (s Shape) String() string {
	if len(s) == 3 {
		return fmt.Sprintf("%d×%d×%d", s[0], s[1], s[2])
	}
	return fmt.Sprint(s.Size())
}

// DigitShape is a 28×28 grey image as a convolutional network takes it.
var DigitShape = Shape{1, ImageSide, ImageSide}

// A shaped layer knows the shape of one example's input and output; Build
// sets them.
type shaped interface {
	OutShape() Shape
}

// outSide is the side of a convolution's or a pooling's output:
// ⌊(in + 2·pad − k)/stride⌋ + 1, as PyTorch computes it (floor mode).
func outSide(in, k, stride, pad int) int {
	return (in+2*pad-k)/stride + 1
}

// Conv2D is a two-dimensional convolution, exactly torch.nn.Conv2d with
// zero padding (and dilation 1, groups 1):
//
//	y[o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x[c, i·s − p + u, j·s − p + v]
//
// with W shaped [out channels, in channels, kh, kw] and the bias optional.
//
// It is computed as a matrix product: im2row copies every kh×kw window of
// the input into a row of a matrix X̂ (one row per output position), so
// that the convolution is X̂·Wᵀ with W viewed as out×(in·kh·kw), the same
// product as a dense layer. The gradients are the dense layer's too:
// dJ/dW = dYᵀ·X̂ and dJ/dX̂ = dY·W, and row2im adds each row of dJ/dX̂
// back onto the pixels its window came from.
type Conv2D struct {
	W, B            *Param // B is nil for a convolution without bias
	Stride, Padding int
	In              Shape // C×H×W, set by Build

	outH, outW int
	cols       *mat.Dense // X̂ of the last Forward: [batch·outH·outW, C·kh·kw]
	z, dz, dc  *mat.Dense // X̂·Wᵀ position-major, its gradient, dJ/dX̂
	y, dx      *mat.Dense
	scratch    mulScratch
}

// NewConv2D returns a zero convolution of the in×h×w input with out
// filters of k×k, whose tensors are named prefix+".weight" and
// prefix+".bias".
func NewConv2D(prefix string, in Shape, out, k, stride, padding int) *Conv2D {
	c := &Conv2D{W: newParam(prefix+".weight", out, in[0], k, k), B: newParam(prefix+".bias", out),
		Stride: stride, Padding: padding}
	c.setIn(in)
	return c
}

func (c *Conv2D) setIn(in Shape) {
	c.In = in
	c.outH = outSide(in[1], c.W.Shape[2], c.Stride, c.Padding)
	c.outW = outSide(in[2], c.W.Shape[3], c.Stride, c.Padding)
}

func (c *Conv2D) Kind() string { return "conv2d" }
func (c *Conv2D) Params() []*Param {
	if c.B == nil {
		return []*Param{c.W}
	}
	return []*Param{c.W, c.B}
}
func (c *Conv2D) OutShape() Shape { return Shape{c.W.Shape[0], c.outH, c.outW} }
func (c *Conv2D) String() string {
	return fmt.Sprintf("conv2d %d→%d, %d×%d, stride %d, pad %d → %v",
		c.In[0], c.W.Shape[0], c.W.Shape[2], c.W.Shape[3], c.Stride, c.Padding, c.OutShape())
}

// weights views W as out×(in·kh·kw).
func (c *Conv2D) weights() *mat.Dense { return c.W.matrix() }

func (c *Conv2D) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, width := x.Dims()
	if width != c.In.Size() {
		panic(fmt.Sprintf("core: conv2d layer wants %v = %d inputs, got %d", c.In, c.In.Size(), width))
	}
	out, pos := c.W.Shape[0], c.outH*c.outW
	k := c.In[0] * c.W.Shape[2] * c.W.Shape[3]
	cols := reuse(&c.cols, n*pos, k)
	for i := range n {
		c.im2row(x.RawRowView(i), cols.RawMatrix().Data[i*pos*k:(i+1)*pos*k])
	}
	z := reuse(&c.z, n*pos, out)
	mulABt(z, cols, c.weights(), &c.scratch)
	// z is position-major (one row per position); y is channel-major.
	y := reuse(&c.y, n, out*pos)
	zs := z.RawMatrix().Data
	for i := range n {
		ys := y.RawRowView(i)
		for o := range out {
			b := 0.0
			if c.B != nil {
				b = c.B.Data[o]
			}
			row := ys[o*pos : (o+1)*pos]
			for q := range row {
				row[q] = zs[(i*pos+q)*out+o] + b
			}
		}
	}
	return y
}

// im2row writes the input window of every output position of one example,
// in the order of W's rows (channel, then kernel row, then column), zero
// where the window overhangs the padded border.
func (c *Conv2D) im2row(x, cols []float64) {
	ch, h, w := c.In[0], c.In[1], c.In[2]
	kh, kw, s, p := c.W.Shape[2], c.W.Shape[3], c.Stride, c.Padding
	r := 0
	for oy := range c.outH {
		for ox := range c.outW {
			for ci := range ch {
				plane := x[ci*h*w : (ci+1)*h*w]
				for u := range kh {
					iy := oy*s - p + u
					if iy < 0 || iy >= h {
						clear(cols[r : r+kw])
						r += kw
						continue
					}
					line := plane[iy*w : (iy+1)*w]
					for v := range kw {
						ix := ox*s - p + v
						if ix < 0 || ix >= w {
							cols[r] = 0
						} else {
							cols[r] = line[ix]
						}
						r++
					}
				}
			}
		}
	}
}

// row2im adds every row of dcols back onto the input pixels its window
// came from: the transpose of im2row.
func (c *Conv2D) row2im(dcols, dx []float64) {
	ch, h, w := c.In[0], c.In[1], c.In[2]
	kh, kw, s, p := c.W.Shape[2], c.W.Shape[3], c.Stride, c.Padding
	clear(dx)
	r := 0
	for oy := range c.outH {
		for ox := range c.outW {
			for ci := range ch {
				plane := dx[ci*h*w : (ci+1)*h*w]
				for u := range kh {
					iy := oy*s - p + u
					if iy < 0 || iy >= h {
						r += kw
						continue
					}
					line := plane[iy*w : (iy+1)*w]
					for v := range kw {
						if ix := ox*s - p + v; ix >= 0 && ix < w {
							line[ix] += dcols[r]
						}
						r++
					}
				}
			}
		}
	}
}

// positionMajor copies dy (channel-major rows) into dz, one row per output
// position, as z was.
func (c *Conv2D) positionMajor(dy *mat.Dense) *mat.Dense {
	n, _ := dy.Dims()
	out, pos := c.W.Shape[0], c.outH*c.outW
	dz := reuse(&c.dz, n*pos, out)
	ds := dz.RawMatrix().Data
	for i := range n {
		g := dy.RawRowView(i)
		for o := range out {
			for q, v := range g[o*pos : (o+1)*pos] {
				ds[(i*pos+q)*out+o] = v
			}
		}
	}
	return dz
}

func (c *Conv2D) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	dz := c.positionMajor(dy)
	if g == ParamGrads {
		c.addParamGrads(dz)
	}
	n, _ := dy.Dims()
	pos, k := c.outH*c.outW, c.cols.RawMatrix().Cols
	dc := reuse(&c.dc, n*pos, k)
	mulAB(dc, dz, c.weights())
	dx := reuse(&c.dx, n, c.In.Size())
	for i := range n {
		c.row2im(dc.RawMatrix().Data[i*pos*k:(i+1)*pos*k], dx.RawRowView(i))
	}
	return dx
}

// BackwardParams adds dJ/dW and dJ/db for the last Forward, without dJ/dx.
func (c *Conv2D) BackwardParams(dy *mat.Dense) {
	c.addParamGrads(c.positionMajor(dy))
}

func (c *Conv2D) addParamGrads(dz *mat.Dense) {
	addAtB(c.W.gradMatrix(), dz, c.cols)
	if c.B == nil {
		return
	}
	out := c.W.Shape[0]
	ds := dz.RawMatrix().Data
	for r := 0; r < len(ds); r += out {
		add(c.B.Grad, ds[r:r+out])
	}
}

// Pool2D takes the maximum (MaxPool) or the mean (AvgPool) of every
// Size×Size window, Stride apart, of every channel: torch.nn.MaxPool2d and
// AvgPool2d without padding, in floor mode.
type Pool2D struct {
	Size, Stride int
	Max          bool  // max pooling; else average
	In           Shape // C×H×W, set by Build

	outH, outW int
	arg        []int32 // for max pooling, the input index of each output's maximum
	y, dx      *mat.Dense
}

func (p *Pool2D) setIn(in Shape) {
	p.In = in
	p.outH = outSide(in[1], p.Size, p.Stride, 0)
	p.outW = outSide(in[2], p.Size, p.Stride, 0)
}

func (p *Pool2D) Kind() string {
	if p.Max {
		return "maxpool2d"
	}
	return "avgpool2d"
}
func (p *Pool2D) Params() []*Param { return nil }
func (p *Pool2D) OutShape() Shape  { return Shape{p.In[0], p.outH, p.outW} }
func (p *Pool2D) String() string {
	return fmt.Sprintf("%s %d×%d, stride %d → %v", p.Kind(), p.Size, p.Size, p.Stride, p.OutShape())
}

func (p *Pool2D) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, width := x.Dims()
	if width != p.In.Size() {
		panic(fmt.Sprintf("core: %s layer wants %v = %d inputs, got %d", p.Kind(), p.In, p.In.Size(), width))
	}
	ch, h, w := p.In[0], p.In[1], p.In[2]
	outs := ch * p.outH * p.outW
	y := reuse(&p.y, n, outs)
	if p.Max {
		if cap(p.arg) < n*outs {
			p.arg = make([]int32, n*outs)
		}
		p.arg = p.arg[:n*outs]
	}
	area := float64(p.Size * p.Size)
	for i := range n {
		xs, ys := x.RawRowView(i), y.RawRowView(i)
		o := 0
		for c := range ch {
			for oy := range p.outH {
				for ox := range p.outW {
					top := c*h*w + oy*p.Stride*w + ox*p.Stride
					best, arg, sum := math.Inf(-1), top, 0.0
					for u := range p.Size {
						for v, val := range xs[top+u*w : top+u*w+p.Size] {
							sum += val
							if val > best {
								best, arg = val, top+u*w+v
							}
						}
					}
					if p.Max {
						ys[o], p.arg[i*outs+o] = best, int32(arg)
					} else {
						ys[o] = sum / area
					}
					o++
				}
			}
		}
	}
	return y
}

// Backward sends each output's gradient to the input that was its maximum,
// or in equal shares to its window; overlapping windows add.
func (p *Pool2D) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	n, outs := dy.Dims()
	h, w := p.In[1], p.In[2]
	dx := reuse(&p.dx, n, p.In.Size())
	area := float64(p.Size * p.Size)
	for i := range n {
		dys, dxs := dy.RawRowView(i), dx.RawRowView(i)
		clear(dxs)
		if p.Max {
			for o, gv := range dys {
				dxs[p.arg[i*outs+o]] += gv
			}
			continue
		}
		o := 0
		for c := range p.In[0] {
			for oy := range p.outH {
				for ox := range p.outW {
					top := c*h*w + oy*p.Stride*w + ox*p.Stride
					share := dys[o] / area
					for u := range p.Size {
						row := dxs[top+u*w : top+u*w+p.Size]
						for v := range row {
							row[v] += share
						}
					}
					o++
				}
			}
		}
	}
	return dx
}

// Flatten turns C×H×W maps into a vector of C·H·W features in PyTorch's
// order (torch.flatten(x, 1)). The activations are already stored in that
// order, so it changes only the shape the next layer sees.
type Flatten struct {
	In Shape
}

func (f *Flatten) Kind() string                                { return "flatten" }
func (f *Flatten) Params() []*Param                            { return nil }
func (f *Flatten) OutShape() Shape                             { return Shape{f.In.Size()} }
func (f *Flatten) String() string                              { return fmt.Sprintf("flatten %v → %d", f.In, f.In.Size()) }
func (f *Flatten) Forward(x *mat.Dense, train bool) *mat.Dense { return x }
func (f *Flatten) Backward(dy *mat.Dense, g Grads) *mat.Dense  { return dy }

// Normalize standardises each input channel, y = (x − mean_c)/std_c, as
// torchvision's transforms.Normalize does before a model. Inside the model
// it lets the model take pixels in [0, 1], so that ε stays on the pixel
// scale, even when it was trained on normalized inputs.
type Normalize struct {
	Mean, Std []float64 // one per channel
	In        Shape

	y, dx *mat.Dense
}

func (l *Normalize) Kind() string     { return "normalize" }
func (l *Normalize) Params() []*Param { return nil }
func (l *Normalize) OutShape() Shape  { return l.In }
func (l *Normalize) String() string {
	return fmt.Sprintf("normalize mean %v, std %v", l.Mean, l.Std)
}

// plane is the number of values each channel's mean applies to.
func (l *Normalize) plane() int { return l.In.Size() / len(l.Mean) }

func (l *Normalize) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, c := x.Dims()
	y := reuse(&l.y, n, c)
	k := l.plane()
	for i := range n {
		xs, ys := x.RawRowView(i), y.RawRowView(i)
		for j, v := range xs {
			ch := j / k
			ys[j] = (v - l.Mean[ch]) / l.Std[ch]
		}
	}
	return y
}

func (l *Normalize) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	n, c := dy.Dims()
	dx := reuse(&l.dx, n, c)
	k := l.plane()
	for i := range n {
		dys, dxs := dy.RawRowView(i), dx.RawRowView(i)
		for j, v := range dys {
			dxs[j] = v / l.Std[j/k]
		}
	}
	return dx
}

// Tanh is the hyperbolic tangent as a hidden activation, elementwise.
type Tanh struct{ elementwise }

func (t *Tanh) Kind() string { return "tanh" }
func (t *Tanh) Forward(x *mat.Dense, train bool) *mat.Dense {
	return t.forward(x, math.Tanh)
}

// Backward uses tanh′ = 1 − tanh².
func (t *Tanh) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	return t.backward(dy, func(y float64) float64 { return 1 - y*y })
}

// Logistic is the logistic sigmoid σ(x) = 1/(1 + e^−x) as a hidden
// activation (kind "sigmoid" anywhere but last; the Sigmoid output, last,
// ends a binary classifier).
type Logistic struct{ elementwise }

func (l *Logistic) Kind() string { return "sigmoid" }
func (l *Logistic) Forward(x *mat.Dense, train bool) *mat.Dense {
	return l.forward(x, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) })
}

// Backward uses σ′ = σ·(1 − σ).
func (l *Logistic) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	return l.backward(dy, func(y float64) float64 { return y * (1 - y) })
}

// elementwise holds what an activation y = f(x) needs, with f′ written in
// terms of y.
type elementwise struct {
	y, dx *mat.Dense
}

func (e *elementwise) Params() []*Param { return nil }

func (e *elementwise) forward(x *mat.Dense, f func(float64) float64) *mat.Dense {
	n, c := x.Dims()
	y := reuse(&e.y, n, c)
	ys := y.RawMatrix().Data
	for i, v := range x.RawMatrix().Data[:n*c] {
		ys[i] = f(v)
	}
	return y
}

func (e *elementwise) backward(dy *mat.Dense, df func(y float64) float64) *mat.Dense {
	n, c := dy.Dims()
	dx := reuse(&e.dx, n, c)
	dxs, ys := dx.RawMatrix().Data, e.y.RawMatrix().Data
	for i, g := range dy.RawMatrix().Data[:n*c] {
		dxs[i] = g * df(ys[i])
	}
	return dx
}
