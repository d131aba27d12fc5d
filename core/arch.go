package core

import (
	"fmt"
	"math"
	"slices"
)

// LayerSpec describes one entry of a model file's "arch" list. The kinds:
//
//	{"kind":"dense","weight":W,"bias":B}   y = x·Wᵀ + b; W is [out, in], b is [out]
//	{"kind":"relu"}                        y = max(0, x)
//	{"kind":"maxout","pieces":k}           y_u = max_p x[u·k+p] (rows unit-major)
//	{"kind":"dropout","p":p}               identity at test time; drops with probability p in training
//	{"kind":"rbf","centres":C,"beta":B}    z_c = Σ_j β_cj·(x_j − C_cj)²; C and β are [out, in], β > 0
//	{"kind":"conv2d","weight":W,"bias":B,"stride":s,"padding":p}
//	                                       torch.nn.Conv2d; W is [out, in, kh, kw], the bias may be absent
//	{"kind":"maxpool2d","size":k,"stride":s}
//	{"kind":"avgpool2d","size":k,"stride":s}
//	                                       max or mean of k×k windows; the stride defaults to k
//	{"kind":"flatten"}                     C×H×W maps to C·H·W features, in PyTorch's order
//	{"kind":"normalize","mean":[…],"std":[…]}
//	                                       y = (x − mean_c)/std_c per input channel
//	{"kind":"tanh"}, {"kind":"sigmoid"}    elementwise, as hidden activations
//	{"kind":"softmax"}                     output: p = softmax(z), cross-entropy
//	{"kind":"sigmoid"}                     output: p = [1 − σ(z), σ(z)] for one score z, binary cross-entropy
//	{"kind":"gaussian"}                    output: p_c = exp(−z_c), per-class binary cross-entropy
//
// The last entry is always an output kind. Activations are C×H×W maps or
// vectors of features, channels first as in PyTorch (see Conv2D).
type LayerSpec struct {
	Kind    string  `json:"kind"`
	Weight  string  `json:"weight,omitempty"`
	Bias    string  `json:"bias,omitempty"`
	Centres string  `json:"centres,omitempty"`
	Beta    string  `json:"beta,omitempty"`
	Pieces  int     `json:"pieces,omitempty"`
	P       float64 `json:"p,omitempty"`
	Size    int     `json:"size,omitempty"`    // a pooling window's side
	Stride  int     `json:"stride,omitempty"`  // of a convolution (default 1) or pooling (default Size)
	Padding int     `json:"padding,omitempty"` // zeros around a convolution's input

	Mean []float64 `json:"mean,omitempty"` // per channel, of normalize
	Std  []float64 `json:"std,omitempty"`
}

// Tensor is a named array in a model file, row-major with the given Shape.
type Tensor struct {
	Shape []int
	Data  []float64
}

// Arch returns the model's layer list as stored in a model file.
func (m *Model) Arch() []LayerSpec {
	var specs []LayerSpec
	for _, l := range m.Layers {
		s := LayerSpec{Kind: l.Kind()}
		switch l := l.(type) {
		case *Dense:
			s.Weight, s.Bias = l.W.Name, l.B.Name
		case *RBF:
			s.Centres, s.Beta = l.Centres.Name, l.Beta.Name
		case *Maxout:
			s.Pieces = l.Pieces
		case *Dropout:
			s.P = l.P
		case *Conv2D:
			s.Weight, s.Stride, s.Padding = l.W.Name, l.Stride, l.Padding
			if l.B != nil {
				s.Bias = l.B.Name
			}
		case *Pool2D:
			s.Size, s.Stride = l.Size, l.Stride
		case *Normalize:
			s.Mean, s.Std = slices.Clone(l.Mean), slices.Clone(l.Std)
		}
		specs = append(specs, s)
	}
	return append(specs, LayerSpec{Kind: m.Out.Kind()})
}

// Tensors returns copies of the model's parameters by name.
func (m *Model) Tensors() map[string]Tensor {
	t := make(map[string]Tensor)
	for _, p := range m.Params() {
		t[p.Name] = Tensor{Shape: slices.Clone(p.Shape), Data: slices.Clone(p.Data)}
	}
	return t
}

// Build makes a model from an architecture and its tensors, for the input
// that BuildInput infers when given none.
func Build(name string, arch []LayerSpec, classes []string, tensors map[string]Tensor) (*Model, error) {
	return BuildInput(name, nil, arch, classes, tensors)
}

// BuildInput makes a model for inputs of the given shape from an
// architecture and its tensors. A nil input is inferred: a 28×28 digit
// (DigitShape) for a model whose first layer with weights is a convolution,
// else as many features as the first dense or rbf layer takes.
//
// It follows the shape of the activations from layer to layer and checks
// that every tensor the architecture names exists with a shape that fits
// (a dense layer after C×H×W maps takes their C·H·W values, flattened),
// that every window fits its map, that all values are finite, and that
// the output has one probability per class. An error names the layer.
// The tensors are copied.
func BuildInput(name string, input Shape, arch []LayerSpec, classes []string, tensors map[string]Tensor) (*Model, error) {
	return buildInput(name, input, arch, classes, tensors, false)
}

// buildInput is BuildInput; with own, the model takes the tensors' values
// instead of copying them, and its parameter gradients are allocated only
// when something trains it (Model.needGrads): a model decoded from a file
// (ReadModel) or cloned owns tensors that nothing else holds, and most
// models in a page are only attacked. For the shipped maxout that is
// 11 MB of memory not copied and not allocated.
func buildInput(name string, input Shape, arch []LayerSpec, classes []string, tensors map[string]Tensor, own bool) (*Model, error) {
	if len(arch) < 2 {
		return nil, fmt.Errorf("arch has %d entries; a model needs at least one layer and an output", len(arch))
	}
	if input == nil {
		input = inferInput(arch, tensors)
	}
	for _, d := range input {
		if d < 1 || d > 1<<24 {
			return nil, fmt.Errorf("input shape %v is not a list of positive sizes", []int(input))
		}
	}
	if len(input) != 1 && len(input) != 3 || input.Size() > 1<<24 {
		return nil, fmt.Errorf("input shape %v: want [n] features or [C, H, W] maps", []int(input))
	}
	m := &Model{Name: name, Input: slices.Clone(input), Classes: slices.Clone(classes), Meta: map[string]string{}}
	shape := m.Input // one example's activations before the current layer
	b := &builder{tensors: tensors, own: own}
	weighted := false
	for i, s := range arch[:len(arch)-1] {
		l, err := b.layer(s, shape)
		if err != nil {
			return nil, fmt.Errorf("layer %d (%s): %v", i, s.Kind, err)
		}
		switch l.(type) {
		case *Dense, *RBF, *Conv2D:
			weighted = true
		}
		switch l := l.(type) {
		case *Conv2D:
			// im2row copies each window: bound the copy, not only the maps.
			if n := l.outH * l.outW * l.W.Shape[1] * l.W.Shape[2] * l.W.Shape[3]; n > maxActivations {
				return nil, fmt.Errorf("layer %d (conv2d): its windows hold %d values per input; at most %d", i, n, maxActivations)
			}
		}
		switch l := l.(type) {
		case *Dense:
			shape = Shape{l.Out()}
		case *RBF:
			shape = Shape{l.Centres.Shape[0]}
		case *Maxout:
			shape = Shape{shape[0] / l.Pieces}
		case shaped:
			shape = l.OutShape()
		}
		if n := shape.Size(); n > maxActivations {
			return nil, fmt.Errorf("layer %d (%s) gives %v = %d values per input; at most %d", i, s.Kind, shape, n, maxActivations)
		}
		m.Layers = append(m.Layers, l)
	}
	if !weighted {
		return nil, fmt.Errorf("arch has no dense, rbf or conv2d layer")
	}
	if len(shape) != 1 {
		return nil, fmt.Errorf("the last layer gives %v maps; flatten them and end with a dense layer", shape)
	}
	width, probs := shape[0], shape[0]
	switch k := arch[len(arch)-1].Kind; k {
	case "softmax":
		m.Out = &Softmax{}
	case "gaussian":
		if _, ok := m.Layers[len(m.Layers)-1].(*RBF); !ok {
			return nil, fmt.Errorf("gaussian output must follow an rbf layer")
		}
		m.Out = &Gaussian{}
	case "sigmoid":
		if width != 1 {
			return nil, fmt.Errorf("sigmoid output takes 1 score, the layers give %d", width)
		}
		m.Out, probs = &Sigmoid{}, 2
	default:
		return nil, fmt.Errorf("last arch entry is %q; want an output kind (softmax, sigmoid or gaussian)", k)
	}
	if len(classes) != probs {
		return nil, fmt.Errorf("%d class labels for %d output probabilities", len(classes), probs)
	}
	if len(tensors) != len(m.Params()) {
		return nil, fmt.Errorf("file has %d tensors but the arch uses %d", len(tensors), len(m.Params()))
	}
	return m, nil
}

// maxActivations bounds the values one layer makes per input, so that a
// model file cannot ask a page for gigabytes with a few numbers. The
// largest shipped layer makes 720 (maxout); a conv net on a 28×28 digit
// with 64 maps of 28×28 makes 50,176.
const maxActivations = 1 << 22

// inferInput is the input BuildInput assumes when it is given none.
func inferInput(arch []LayerSpec, tensors map[string]Tensor) Shape {
	for _, s := range arch {
		switch s.Kind {
		case "conv2d", "maxpool2d", "avgpool2d", "flatten":
			return DigitShape
		case "dense", "rbf":
			name := s.Weight
			if s.Kind == "rbf" {
				name = s.Centres
			}
			if t := tensors[name]; len(t.Shape) == 2 && t.Shape[1] > 0 {
				return Shape{t.Shape[1]}
			}
			return Shape{ImageSize} // buildLayer names the missing tensor
		}
	}
	return Shape{ImageSize}
}

// A builder makes layers from a model file's tensors.
type builder struct {
	tensors map[string]Tensor
	own     bool  // take the tensors' values (buildInput)
	maps    Shape // the maps the last flatten flattened, for errors
}

// param returns the named tensor as a Param, checking that it exists, has
// the given shape and holds finite values. The Param holds a copy, unless
// the builder owns the tensors.
func (b *builder) param(name string, shape ...int) (*Param, error) {
	t, ok := b.tensors[name]
	if !ok {
		return nil, fmt.Errorf("missing tensor %q", name)
	}
	if !slices.Equal(t.Shape, shape) {
		return nil, fmt.Errorf("tensor %q has shape %v, want %v", name, t.Shape, shape)
	}
	for i, v := range t.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("tensor %q has a non-finite value %v at %d", name, v, i)
		}
	}
	if b.own {
		return &Param{Name: name, Shape: shape, Data: t.Data}, nil
	}
	p := newParam(name, shape...)
	copy(p.Data, t.Data)
	return p, nil
}

// matrix returns the named [out, in] tensor of a dense or rbf layer whose
// input is in.
func (b *builder) matrix(name string, in Shape) (*Param, error) {
	t, ok := b.tensors[name]
	if !ok {
		return nil, fmt.Errorf("missing tensor %q", name)
	}
	if len(t.Shape) != 2 || t.Shape[0] < 1 || t.Shape[1] != in.Size() {
		why := ""
		if len(in) == 3 {
			why = fmt.Sprintf(": its input is %v maps, %d values", in, in.Size())
		} else if b.maps != nil {
			why = fmt.Sprintf(": the flatten before it gives %v = %d values", b.maps, in.Size())
		}
		return nil, fmt.Errorf("tensor %q has shape %v, want [out, %d]%s", name, t.Shape, in.Size(), why)
	}
	return b.param(name, t.Shape...)
}

// layer makes the layer s for input activations of the given shape.
func (b *builder) layer(s LayerSpec, in Shape) (Layer, error) {
	param := b.param
	maps := func() error {
		if len(in) != 3 {
			return fmt.Errorf("takes C×H×W maps, but its input is %v features", in.Size())
		}
		return nil
	}
	switch s.Kind {
	case "dense", "rbf":
		if s.Kind == "dense" {
			w, err := b.matrix(s.Weight, in)
			if err != nil {
				return nil, err
			}
			bias, err := param(s.Bias, w.Shape[0])
			if err != nil {
				return nil, err
			}
			return &Dense{W: w, B: bias}, nil
		}
		w, err := b.matrix(s.Centres, in)
		if err != nil {
			return nil, err
		}
		beta, err := param(s.Beta, w.Shape...)
		if err != nil {
			return nil, err
		}
		for _, v := range beta.Data {
			if !(v > 0) {
				return nil, fmt.Errorf("precision %q must be positive, has %v", s.Beta, v)
			}
		}
		return &RBF{Centres: w, Beta: beta}, nil
	case "conv2d":
		if err := maps(); err != nil {
			return nil, err
		}
		stride := s.Stride
		if stride == 0 {
			stride = 1
		}
		if stride < 1 || s.Padding < 0 || s.Padding > 1<<10 || stride > 1<<10 {
			return nil, fmt.Errorf("stride %d and padding %d: want stride ≥ 1 and padding ≥ 0", s.Stride, s.Padding)
		}
		t, ok := b.tensors[s.Weight]
		if !ok {
			return nil, fmt.Errorf("missing tensor %q", s.Weight)
		}
		ws := t.Shape
		if len(ws) != 4 || ws[0] < 1 || ws[2] < 1 || ws[3] < 1 {
			return nil, fmt.Errorf("weight %q has shape %v, want [out channels, %d, kh, kw]", s.Weight, ws, in[0])
		}
		if ws[1] != in[0] {
			return nil, fmt.Errorf("weight %q takes %d input channels, but its input has %d (%v)", s.Weight, ws[1], in[0], in)
		}
		if ws[2] > in[1]+2*s.Padding || ws[3] > in[2]+2*s.Padding {
			return nil, fmt.Errorf("its %d×%d kernel is larger than its %d×%d input (padding %d)", ws[2], ws[3], in[1], in[2], s.Padding)
		}
		w, err := param(s.Weight, ws...)
		if err != nil {
			return nil, err
		}
		c := &Conv2D{W: w, Stride: stride, Padding: s.Padding}
		if s.Bias != "" {
			if c.B, err = param(s.Bias, ws[0]); err != nil {
				return nil, err
			}
		}
		c.setIn(in)
		return c, nil
	case "maxpool2d", "avgpool2d":
		if err := maps(); err != nil {
			return nil, err
		}
		stride := s.Stride
		if stride == 0 {
			stride = s.Size
		}
		if s.Size < 1 || stride < 1 || stride > 1<<10 {
			return nil, fmt.Errorf("size %d and stride %d: want both ≥ 1", s.Size, s.Stride)
		}
		if s.Size > in[1] || s.Size > in[2] {
			return nil, fmt.Errorf("its %d×%d window is larger than its %d×%d input", s.Size, s.Size, in[1], in[2])
		}
		p := &Pool2D{Size: s.Size, Stride: stride, Max: s.Kind == "maxpool2d"}
		p.setIn(in)
		return p, nil
	case "flatten":
		b.maps = in
		return &Flatten{In: in}, nil
	case "normalize":
		ch := 1
		if len(in) == 3 {
			ch = in[0]
		}
		if len(s.Mean) != ch || len(s.Std) != ch {
			return nil, fmt.Errorf("%d means and %d deviations for %d channels", len(s.Mean), len(s.Std), ch)
		}
		for c := range ch {
			if math.IsNaN(s.Mean[c]) || math.IsInf(s.Mean[c], 0) || !(s.Std[c] > 0) || math.IsInf(s.Std[c], 0) {
				return nil, fmt.Errorf("channel %d: mean %v and std %v: want a finite mean and a positive std", c, s.Mean[c], s.Std[c])
			}
		}
		return &Normalize{Mean: slices.Clone(s.Mean), Std: slices.Clone(s.Std), In: in}, nil
	case "relu":
		return &ReLU{}, nil
	case "tanh":
		return &Tanh{}, nil
	case "sigmoid":
		return &Logistic{}, nil
	case "maxout":
		if len(in) != 1 || s.Pieces < 1 || in[0]%s.Pieces != 0 {
			return nil, fmt.Errorf("%d pieces do not divide %d inputs", s.Pieces, in.Size())
		}
		return &Maxout{Pieces: s.Pieces}, nil
	case "dropout":
		if !(s.P >= 0 && s.P < 1) {
			return nil, fmt.Errorf("p = %v is not in [0, 1)", s.P)
		}
		return &Dropout{P: s.P}, nil
	}
	return nil, fmt.Errorf("unknown kind %q", s.Kind)
}
