package core

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Gradient checks against central finite differences (micrograd's test):
// every layer's backward-to-input and backward-to-parameters, every output's
// delta, and the whole model's input gradient.

const (
	fdStep = 1e-6
	fdTol  = 1e-6 // relative to max(1, |gradient|)
)

func randDense(rng *rand.Rand, r, c int, scale float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = scale * rng.NormFloat64()
	}
	return m
}

func randomize(rng *rand.Rand, ps []*Param, scale float64) {
	for _, p := range ps {
		for i := range p.Data {
			p.Data[i] = scale * rng.NormFloat64()
		}
	}
}

// numeric returns the central difference of f with respect to v[i].
func numeric(f func() float64, v []float64, i int) float64 {
	old := v[i]
	v[i] = old + fdStep
	up := f()
	v[i] = old - fdStep
	down := f()
	v[i] = old
	return (up - down) / (2 * fdStep)
}

func closeEnough(a, b float64) bool {
	return math.Abs(a-b) <= fdTol*max(1, math.Abs(a), math.Abs(b))
}

func TestLayerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	rbf := newRBF("r", 6, 4)
	for i := range rbf.Beta.Data {
		rbf.Beta.Data[i] = 0.1 + rng.Float64()
	}
	cases := []struct {
		name   string
		layer  Layer
		in     int
		sparse bool
	}{
		{"dense", newDense("d", 6, 5), 6, false},
		{"dense on sparse input", newDense("d", 9, 5), 9, true},
		{"relu", &ReLU{}, 7, false},
		{"maxout", &Maxout{Pieces: 3}, 9, false},
		{"rbf", rbf, 6, false},
		{"dropout at test time", &Dropout{P: 0.5}, 5, false},
		{"conv2d", newConv2D("c", Shape{2, 5, 5}, 3, 3, 1, 0), 50, false},
		{"conv2d, stride 2, padding 1", newConv2D("c", Shape{2, 5, 6}, 3, 3, 2, 1), 60, false},
		{"conv2d without bias, padding 2", noBias(newConv2D("c", Shape{1, 4, 4}, 2, 5, 1, 2)), 16, false},
		{"maxpool2d", pool(true, Shape{2, 4, 6}, 2, 2), 48, false},
		{"maxpool2d, overlapping windows", pool(true, Shape{1, 5, 5}, 3, 1), 25, false},
		{"avgpool2d", pool(false, Shape{2, 4, 6}, 2, 2), 48, false},
		{"avgpool2d, overlapping, odd size", pool(false, Shape{2, 5, 5}, 2, 1), 50, false},
		{"flatten", &Flatten{In: Shape{2, 2, 3}}, 12, false},
		{"normalize", &Normalize{Mean: []float64{0.1, -0.3}, Std: []float64{0.3, 2}, In: Shape{2, 2, 3}}, 12, false},
		{"tanh", &Tanh{}, 7, false},
		{"sigmoid (hidden)", &Logistic{}, 7, false},
	}
	for _, c := range cases {
		for _, rows := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d rows", c.name, rows), func(t *testing.T) {
				randomize(rng, c.layer.Params(), 0.5)
				x := randDense(rng, rows, c.in, 1)
				if c.sparse {
					x.Apply(func(i, j int, v float64) float64 { return max(v-1, 0) }, x) // mostly zeros, like a digit
				}
				y := c.layer.Forward(x, false)
				r := randDense(rng, y.RawMatrix().Rows, y.RawMatrix().Cols, 1)
				f := func() float64 { return mat.Sum(elemMul(c.layer.Forward(x, false), r)) }
				for _, p := range c.layer.Params() {
					clear(p.Grad)
				}
				c.layer.Forward(x, false)
				dx := mat.DenseCopyOf(c.layer.Backward(r, ParamGrads))
				for i := range x.RawMatrix().Data {
					if want := numeric(f, x.RawMatrix().Data, i); !closeEnough(dx.RawMatrix().Data[i], want) {
						t.Fatalf("rows=%d: dJ/dx[%d] = %g, finite difference %g", rows, i, dx.RawMatrix().Data[i], want)
					}
				}
				for _, p := range c.layer.Params() {
					for i := range p.Data {
						if want := numeric(f, p.Data, i); !closeEnough(p.Grad[i], want) {
							t.Fatalf("rows=%d: dJ/d%s[%d] = %g, finite difference %g", rows, p.Name, i, p.Grad[i], want)
						}
					}
				}
			})
		}
	}
}

func noBias(c *Conv2D) *Conv2D { c.B = nil; return c }

func pool(isMax bool, in Shape, size, stride int) *Pool2D {
	p := &Pool2D{Size: size, Stride: stride, Max: isMax}
	p.setIn(in)
	return p
}

// TestConvMatchesDefinition checks Conv2D's matrix-product form against the
// sum that defines a convolution, written out loop by loop: with stride and
// padding, and with stride 1 and no padding, which has fast paths of its
// own (im2col copies whole rows; the input gradient adds whole rows back).
func TestConvMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	in := Shape{2, 6, 7}
	for _, c := range []struct {
		stride, pad int
		out         Shape
	}{
		{2, 1, Shape{3, 3, 4}}, // ⌊(6+2−3)/2⌋+1 by ⌊(7+2−3)/2⌋+1
		{1, 0, Shape{3, 4, 5}},
	} {
		conv := newConv2D("c", in, 3, 3, c.stride, c.pad)
		randomize(rng, conv.Params(), 1)
		x := randDense(rng, 2, in.Size(), 1)
		y := conv.Forward(x, false)
		out := conv.OutShape()
		if !slices.Equal(out, c.out) {
			t.Fatalf("stride %d, pad %d: output shape %v, want %v", c.stride, c.pad, out, c.out)
		}
		for n := range 2 {
			for o := range out[0] {
				for i := range out[1] {
					for j := range out[2] {
						want := conv.B.Data[o]
						for ch := range in[0] {
							for u := range 3 {
								for v := range 3 {
									r, q := c.stride*i-c.pad+u, c.stride*j-c.pad+v
									if r < 0 || r >= in[1] || q < 0 || q >= in[2] {
										continue
									}
									want += conv.W.Data[((o*in[0]+ch)*3+u)*3+v] * x.At(n, (ch*in[1]+r)*in[2]+q)
								}
							}
						}
						if got := y.At(n, (o*out[1]+i)*out[2]+j); math.Abs(got-want) > 1e-12 {
							t.Fatalf("stride %d, pad %d: y[%d][%d,%d,%d] = %g, the definition gives %g", c.stride, c.pad, n, o, i, j, got, want)
						}
					}
				}
			}
		}
	}
}

func elemMul(a, b *mat.Dense) *mat.Dense {
	var c mat.Dense
	c.MulElem(a, b)
	return &c
}

func TestDropoutTrainingMask(t *testing.T) {
	d := &Dropout{P: 0.5, Rng: rand.New(rand.NewPCG(3, 3))}
	x := mat.NewDense(4, 50, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = 1
	}
	y := d.Forward(x, true)
	dy := mat.NewDense(4, 50, nil)
	dy.Apply(func(i, j int, v float64) float64 { return 3 }, dy)
	dx := d.Backward(dy, InputGrad)
	dropped := 0
	for i, v := range y.RawMatrix().Data {
		switch v {
		case 0:
			dropped++
			if dx.RawMatrix().Data[i] != 0 {
				t.Fatalf("dropped unit %d passes gradient %g", i, dx.RawMatrix().Data[i])
			}
		case 2:
			if dx.RawMatrix().Data[i] != 6 {
				t.Fatalf("kept unit %d: gradient %g, want 6", i, dx.RawMatrix().Data[i])
			}
		default:
			t.Fatalf("unit %d = %g, want 0 or 2 (inverted dropout)", i, v)
		}
	}
	if dropped < 70 || dropped > 130 {
		t.Errorf("dropped %d of 200 at p = 0.5", dropped)
	}
}

func TestOutputDeltas(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	cases := []struct {
		name   string
		out    Output
		scores int
		labels []int
		scale  float64
	}{
		{"softmax", &Softmax{}, 10, []int{3, 0, 9}, 3},
		{"sigmoid", &Sigmoid{}, 1, []int{0, 1, 1}, 3},
		{"gaussian", &Gaussian{}, 5, []int{4, 0, 2}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			z := randDense(rng, len(c.labels), c.scores, c.scale)
			if c.name == "gaussian" {
				z.Apply(func(i, j int, v float64) float64 { return math.Abs(v) + 0.05 }, z)
			}
			f := func() float64 { c.out.Forward(z); return c.out.Loss(c.labels) }
			c.out.Forward(z)
			d := mat.DenseCopyOf(c.out.Delta(c.labels))
			for i := range z.RawMatrix().Data {
				if want := numeric(f, z.RawMatrix().Data, i); !closeEnough(d.RawMatrix().Data[i], want) {
					t.Fatalf("dJ/dz[%d] = %g, finite difference %g", i, d.RawMatrix().Data[i], want)
				}
			}
		})
	}
}

// tinyModels returns one small model of each architecture the project ships.
func tinyModels(rng *rand.Rand) []*Model {
	build := func(name string, input Shape, arch []LayerSpec, classes []string, shapes map[string][]int) *Model {
		ts := map[string]Tensor{}
		for _, n := range slices.Sorted(maps.Keys(shapes)) {
			s := shapes[n]
			t := Tensor{Shape: s, Data: make([]float64, Shape(s).Size())}
			for i := range t.Data {
				t.Data[i] = 0.3 * rng.NormFloat64()
			}
			if n == "r.beta" {
				for i := range t.Data {
					t.Data[i] = 0.01 + 0.02*rng.Float64()
				}
			}
			ts[n] = t
		}
		m, err := BuildInput(name, input, arch, classes, ts)
		if err != nil {
			panic(err)
		}
		return m
	}
	flat := Shape{12}
	digits := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	return []*Model{
		build("softmax", flat, []LayerSpec{{Kind: "dense", Weight: "a.weight", Bias: "a.bias"}, {Kind: "softmax"}}, digits,
			map[string][]int{"a.weight": {10, 12}, "a.bias": {10}}),
		build("logreg", flat, []LayerSpec{{Kind: "dense", Weight: "a.weight", Bias: "a.bias"}, {Kind: "sigmoid"}}, []string{"3", "7"},
			map[string][]int{"a.weight": {1, 12}, "a.bias": {1}}),
		build("mlp", flat, []LayerSpec{{Kind: "dense", Weight: "a.weight", Bias: "a.bias"}, {Kind: "relu"},
			{Kind: "dense", Weight: "b.weight", Bias: "b.bias"}, {Kind: "softmax"}}, digits,
			map[string][]int{"a.weight": {8, 12}, "a.bias": {8}, "b.weight": {10, 8}, "b.bias": {10}}),
		build("maxout", flat, []LayerSpec{{Kind: "dropout", P: 0.2}, {Kind: "dense", Weight: "a.weight", Bias: "a.bias"}, {Kind: "maxout", Pieces: 3},
			{Kind: "dropout", P: 0.5}, {Kind: "dense", Weight: "b.weight", Bias: "b.bias"}, {Kind: "softmax"}}, digits,
			map[string][]int{"a.weight": {12, 12}, "a.bias": {12}, "b.weight": {10, 4}, "b.bias": {10}}),
		build("rbf", flat, []LayerSpec{{Kind: "rbf", Centres: "r.centres", Beta: "r.beta"}, {Kind: "gaussian"}}, digits,
			map[string][]int{"r.centres": {10, 12}, "r.beta": {10, 12}}),
		// 1×3×4 → conv 2@2×2, pad 1 → 2×4×5 → tanh → maxpool 2 → 2×2×2 → flatten → dense 10.
		build("cnn", Shape{1, 3, 4}, []LayerSpec{{Kind: "normalize", Mean: []float64{0.13}, Std: []float64{0.31}},
			{Kind: "conv2d", Weight: "c.weight", Bias: "c.bias", Padding: 1}, {Kind: "tanh"},
			{Kind: "maxpool2d", Size: 2}, {Kind: "flatten"}, {Kind: "dense", Weight: "d.weight", Bias: "d.bias"}, {Kind: "softmax"}}, digits,
			map[string][]int{"c.weight": {2, 1, 2, 2}, "c.bias": {2}, "d.weight": {10, 8}, "d.bias": {10}}),
		// 1×3×4 → conv 3@3×3, stride 2, pad 1, no bias → 3×2×2 → relu → avgpool 2, stride 1 → 3×1×1
		// → sigmoid → flatten → dropout → dense 10.
		build("cnn2", Shape{1, 3, 4}, []LayerSpec{{Kind: "conv2d", Weight: "c.weight", Stride: 2, Padding: 1}, {Kind: "relu"},
			{Kind: "avgpool2d", Size: 2, Stride: 1}, {Kind: "sigmoid"}, {Kind: "flatten"}, {Kind: "dropout", P: 0.3},
			{Kind: "dense", Weight: "d.weight", Bias: "d.bias"}, {Kind: "softmax"}}, digits,
			map[string][]int{"c.weight": {3, 1, 3, 3}, "d.weight": {10, 3}, "d.bias": {10}}),
	}
}

func TestModelInputGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, m := range tinyModels(rng) {
		t.Run(m.Name, func(t *testing.T) {
			x := randDense(rng, 3, 12, 0.5)
			x.Apply(func(i, j int, v float64) float64 { return math.Abs(v) }, x)
			labels := []int{1, 0, 1}
			f := func() float64 { m.Predict(x); return m.Out.Loss(labels) }
			g := mat.DenseCopyOf(m.InputGradient(x, labels))
			for i := range x.RawMatrix().Data {
				if want := numeric(f, x.RawMatrix().Data, i); !closeEnough(g.RawMatrix().Data[i], want) {
					t.Fatalf("∇ₓJ[%d] = %g, finite difference %g", i, g.RawMatrix().Data[i], want)
				}
			}
			// The single-example path agrees with row 0 of the batch.
			one := m.InputGradientOne(x.RawRowView(0), labels[0])
			for i, v := range one {
				if !closeEnough(v, g.At(0, i)) {
					t.Fatalf("InputGradientOne[%d] = %g, batch gives %g", i, v, g.At(0, i))
				}
			}
		})
	}
}

func TestModelParamGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, m := range tinyModels(rng) {
		t.Run(m.Name, func(t *testing.T) {
			x := randDense(rng, 4, 12, 0.5)
			labels := []int{1, 0, 1, 1}
			f := func() float64 { m.Forward(x, false); return m.Out.Loss(labels) }
			m.ZeroGrad()
			m.Forward(x, false)
			m.backward(labels, paramGrads{add: ParamGrads, scale: 1})
			for _, p := range m.Params() {
				for i := range p.Data {
					if want := numeric(f, p.Data, i); !closeEnough(p.Grad[i], want) {
						t.Fatalf("dJ/d%s[%d] = %g, finite difference %g", p.Name, i, p.Grad[i], want)
					}
				}
			}
			// BackwardParams gives the same parameter gradients.
			var want [][]float64
			for _, p := range m.Params() {
				want = append(want, slices.Clone(p.Grad))
			}
			m.ZeroGrad()
			m.Forward(x, false)
			m.BackwardParams(labels, 1)
			for k, p := range m.Params() {
				for i, g := range p.Grad {
					if g != want[k][i] {
						t.Fatalf("BackwardParams: dJ/d%s[%d] = %g, Backward gives %g", p.Name, i, g, want[k][i])
					}
				}
			}
		})
	}
}
