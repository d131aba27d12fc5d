package core

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
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
// It is computed as a matrix product: im2col copies, for every kernel entry
// (c, u, v), the input pixel under it at each output position into a row
// of a matrix X̂ of (C·kh·kw) rows and one column per output position, so
// that the convolution is Y = W·X̂ with W viewed as out×(C·kh·kw): the
// dense layer's product, whose result Y is already laid out as the output
// maps (channel, then position). The gradients follow: dJ/dW = dY·X̂ᵀ, and
// dJ/dx adds each entry of dJ/dX̂ = Wᵀ·dY back onto the pixel it was
// copied from.
type Conv2D struct {
	W, B            *Param // B is nil for a convolution without bias
	Stride, Padding int
	In              Shape // C×H×W, set by Build

	outH, outW int
	cols       *mat.Dense // X̂ of the last Forward, [C·kh·kw × batch·outH·outW]
	z          *mat.Dense // a batch's output maps or their gradient, side by side as in cols
	y, dx      *mat.Dense
	ym         mat.Dense // a view of one example's Y or dY (no allocation per call)
	win        []float64 // one window's dJ/dX̂, in Backward
	idx        []int     // the output channels with a nonzero gradient at a position,
	coef       []float64 // and their gradients
}

// newConv2D returns a zero convolution of the in×h×w input with out
// filters of k×k, whose tensors are named prefix+".weight" and
// prefix+".bias".
func newConv2D(prefix string, in Shape, out, k, stride, padding int) *Conv2D {
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

// sizes returns the number of filters, of output positions and of values
// in a window.
func (c *Conv2D) sizes() (out, pos, k int) {
	return c.W.Shape[0], c.outH * c.outW, c.In[0] * c.W.Shape[2] * c.W.Shape[3]
}

// unpadded says whether the convolution has stride 1 and no padding, as
// the shipped cnn's have: its windows then never overhang the input.
func (c *Conv2D) unpadded() bool { return c.Stride == 1 && c.Padding == 0 }

func (c *Conv2D) Forward(x *mat.Dense, train bool) *mat.Dense {
	n, width := x.Dims()
	if width != c.In.Size() {
		panic(fmt.Sprintf("core: conv2d layer wants %v = %d inputs, got %d", c.In, c.In.Size(), width))
	}
	out, pos, k := c.sizes()
	// The batch's X̂ side by side, [C·kh·kw × n·outH·outW], so that the
	// whole batch is one product (one large matrix product suits BLAS
	// better than n small ones).
	cols := reuse(&c.cols, k, n*pos)
	for i := range n {
		c.im2col(x.RawRowView(i), cols.RawMatrix().Data[i*pos:], n*pos)
	}
	y := reuse(&c.y, n, out*pos)
	if n == 1 {
		mulDenseAB(view(&c.ym, out, pos, y.RawRowView(0)), c.weights(), cols)
	} else {
		z := reuse(&c.z, out, n*pos)
		mulDenseAB(z, c.weights(), cols)
		c.unstack(z, y)
	}
	if c.B != nil {
		for i := range n {
			yi := y.RawRowView(i)
			for o, b := range c.B.Data {
				addScalar(yi[o*pos:(o+1)*pos], b)
			}
		}
	}
	return y
}

// unstack copies the batch's maps, side by side in z (out × n·pos), into
// y, one example per row.
func (c *Conv2D) unstack(z, y *mat.Dense) {
	n, _ := y.Dims()
	out, pos, _ := c.sizes()
	zs := z.RawMatrix().Data
	for i := range n {
		yi := y.RawRowView(i)
		for o := range out {
			copy(yi[o*pos:(o+1)*pos], zs[(o*n+i)*pos:])
		}
	}
}

// stack is the inverse of unstack: it copies dy, one example per row,
// into z side by side.
func (c *Conv2D) stack(dy, z *mat.Dense) {
	n, _ := dy.Dims()
	out, pos, _ := c.sizes()
	zs := z.RawMatrix().Data
	for i := range n {
		dyi := dy.RawRowView(i)
		for o := range out {
			copy(zs[(o*n+i)*pos:(o*n+i+1)*pos], dyi[o*pos:])
		}
	}
}

// view points m at the rows×cols matrix held row-major in data and
// returns it.
func view(m *mat.Dense, rows, cols int, data []float64) *mat.Dense {
	m.SetRawMatrix(blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: data})
	return m
}

// im2col writes X̂ for one example: row (c, u, v) holds, for every output
// position, the pixel of channel c under kernel entry (u, v), zero where
// the window overhangs the padded border. The rows start stride apart in
// cols.
func (c *Conv2D) im2col(x, cols []float64, stride int) {
	ch, h, w := c.In[0], c.In[1], c.In[2]
	kh, kw, s, p := c.W.Shape[2], c.W.Shape[3], c.Stride, c.Padding
	_, pos, _ := c.sizes()
	r := 0
	for ci := range ch {
		plane := x[ci*h*w : (ci+1)*h*w]
		for u := range kh {
			for v := range kw {
				row := cols[r*stride : r*stride+pos]
				r++
				if c.unpadded() {
					// Stride 1, no padding: a row of output positions reads
					// one contiguous run of an input row, copied whole.
					for oy := range c.outH {
						copy(row[oy*c.outW:(oy+1)*c.outW], plane[(oy+u)*w+v:])
					}
					continue
				}
				for oy := range c.outH {
					dst := row[oy*c.outW : (oy+1)*c.outW]
					iy := oy*s - p + u
					if iy < 0 || iy >= h {
						clear(dst)
						continue
					}
					for ox := range dst {
						if ix := ox*s - p + v; ix >= 0 && ix < w {
							dst[ox] = plane[iy*w+ix]
						} else {
							dst[ox] = 0
						}
					}
				}
			}
		}
	}
}

func (c *Conv2D) Backward(dy *mat.Dense, g Grads) *mat.Dense {
	if g == ParamGrads {
		c.BackwardParams(dy)
	}
	n, _ := dy.Dims()
	dx := reuse(&c.dx, n, c.In.Size())
	for i := range n {
		c.inputGradient(dy.RawRowView(i), dx.RawRowView(i))
	}
	return dx
}

// inputGradient computes dJ/dx for one example, window by window: the
// window at output position q gets Σ_o dY[o, q]·W[o] (a row of
// dJ/dX̂ = Wᵀ·dY), which is added back onto the pixels it was copied from.
// After a ReLU and a max pool most of dY is zero (a 2×2 pool passes the
// gradient of one input in four), so only the filters with a nonzero
// gradient at q enter the sum, and a position with none is skipped.
func (c *Conv2D) inputGradient(dy, dx []float64) {
	out, pos, k := c.sizes()
	w := c.W.Data
	clear(dx)
	if cap(c.win) < k {
		c.win = make([]float64, k)
	}
	win := c.win[:k]
	for q := range pos {
		c.idx, c.coef = c.idx[:0], c.coef[:0]
		for o := range out {
			if g := dy[o*pos+q]; g != 0 {
				c.idx, c.coef = append(c.idx, o), append(c.coef, g)
			}
		}
		if len(c.idx) == 0 {
			continue
		}
		clear(win)
		addFewRows(win, c.coef, c.idx, w, k)
		c.addWindow(win, q, dx)
	}
}

// addWindow adds one window's values back onto the input pixels under it
// at output position q: the transpose of im2col for one column.
func (c *Conv2D) addWindow(win []float64, q int, dx []float64) {
	ch, h, w := c.In[0], c.In[1], c.In[2]
	kh, kw, s, p := c.W.Shape[2], c.W.Shape[3], c.Stride, c.Padding
	oy, ox := q/c.outW, q%c.outW
	r := 0
	for ci := range ch {
		plane := dx[ci*h*w : (ci+1)*h*w]
		for u := range kh {
			iy := oy*s - p + u
			if c.unpadded() { // the window's row lies inside the input row
				dst, src := plane[iy*w+ox:iy*w+ox+kw], win[r:r+kw]
				for v := range dst {
					dst[v] += src[v]
				}
				r += kw
				continue
			}
			for v := range kw {
				if ix := ox*s - p + v; iy >= 0 && iy < h && ix >= 0 && ix < w {
					plane[iy*w+ix] += win[r]
				}
				r++
			}
		}
	}
}

// BackwardParams adds dJ/dW = dY·X̂ᵀ and dJ/db (the sum of dY over the
// positions) for the last Forward, without dJ/dx.
func (c *Conv2D) BackwardParams(dy *mat.Dense) {
	out, pos, _ := c.sizes()
	n, _ := dy.Dims()
	dz := view(&c.ym, out, pos, dy.RawRowView(0))
	if n > 1 {
		dz = reuse(&c.z, out, n*pos)
		c.stack(dy, dz)
	}
	addABt(c.W.gradMatrix(), dz, c.cols)
	if c.B == nil {
		return
	}
	for i := range n {
		dyi := dy.RawRowView(i)
		for o := range out {
			c.B.Grad[o] += sum(dyi[o*pos : (o+1)*pos])
		}
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
		if p.Max && p.Size == 2 && p.Stride == 2 {
			p.maxPool2(xs, ys, p.arg[i*outs:(i+1)*outs])
			continue
		}
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

// maxPool2 is Forward's max pool for the usual 2×2 window with stride 2,
// written out: the general loop's window bookkeeping cost more than its
// four comparisons, which are made without branches (pick). It visits the
// window in the same order, so it picks the same maximum (the first of
// equal values).
func (p *Pool2D) maxPool2(xs, ys []float64, arg []int32) {
	ch, h, w, outH, outW := p.In[0], p.In[1], p.In[2], p.outH, p.outW
	o := 0
	for c := range ch {
		for oy := range outH {
			top := c*h*w + 2*oy*w
			r0, r1 := xs[top:top+w], xs[top+w:top+2*w]
			y, a := ys[o:o+outW], arg[o:o+outW]
			for ox := range y {
				j := 2 * ox
				b, at := pick(negInf, top+j, r0[j], top+j)
				b, at = pick(b, at, r0[j+1], top+j+1)
				b, at = pick(b, at, r1[j], top+w+j)
				b, at = pick(b, at, r1[j+1], top+w+j+1)
				y[ox], a[ox] = math.Float64frombits(b), int32(at)
			}
			o += outW
		}
	}
}

var negInf = math.Float64bits(math.Inf(-1))

// pick returns v's bits and i if v is larger than the float whose bits are
// b, and b and at otherwise. The choice is made between integers, which
// the compiler turns into selects, without a branch (see ReLU.Forward).
func pick(b uint64, at int, v float64, i int) (uint64, int) {
	vb := math.Float64bits(v)
	if v > math.Float64frombits(b) {
		b, at = vb, i
	}
	return b, at
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
