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
//	{"kind":"softmax"}                     output: p = softmax(z), cross-entropy
//	{"kind":"sigmoid"}                     output: p = [1 − σ(z), σ(z)] for one score z, binary cross-entropy
//	{"kind":"gaussian"}                    output: p_c = exp(−z_c), per-class binary cross-entropy
//
// The last entry is always an output kind.
type LayerSpec struct {
	Kind    string  `json:"kind"`
	Weight  string  `json:"weight,omitempty"`
	Bias    string  `json:"bias,omitempty"`
	Centres string  `json:"centres,omitempty"`
	Beta    string  `json:"beta,omitempty"`
	Pieces  int     `json:"pieces,omitempty"`
	P       float64 `json:"p,omitempty"`
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

// Build makes a model from an architecture and its tensors. It checks that
// every tensor the architecture names exists with a shape that fits the
// layer before it, that all values are finite, and that the output has one
// probability per class. The tensors are copied.
func Build(name string, arch []LayerSpec, classes []string, tensors map[string]Tensor) (*Model, error) {
	if len(arch) < 2 {
		return nil, fmt.Errorf("arch has %d entries; a model needs at least one layer and an output", len(arch))
	}
	m := &Model{Name: name, Classes: slices.Clone(classes), Meta: map[string]string{}}
	width := -1 // current number of features; -1 before the first weighted layer
	param := func(tname string, shape ...int) (*Param, error) {
		t, ok := tensors[tname]
		if !ok {
			return nil, fmt.Errorf("missing tensor %q", tname)
		}
		if !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("tensor %q has shape %v, want %v", tname, t.Shape, shape)
		}
		for i, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("tensor %q has a non-finite value %v at %d", tname, v, i)
			}
		}
		p := newParam(tname, shape...)
		copy(p.Data, t.Data)
		return p, nil
	}
	for i, s := range arch[:len(arch)-1] {
		var l Layer
		switch s.Kind {
		case "dense", "rbf":
			wname, bname := s.Weight, s.Bias
			if s.Kind == "rbf" {
				wname, bname = s.Centres, s.Beta
			}
			t, ok := tensors[wname]
			if !ok {
				return nil, fmt.Errorf("layer %d (%s): missing tensor %q", i, s.Kind, wname)
			}
			if len(t.Shape) != 2 || t.Shape[0] < 1 || t.Shape[1] < 1 || (width >= 0 && t.Shape[1] != width) {
				return nil, fmt.Errorf("layer %d (%s): tensor %q has shape %v, want [out, %d]", i, s.Kind, wname, t.Shape, width)
			}
			out, in := t.Shape[0], t.Shape[1]
			w, err := param(wname, out, in)
			if err != nil {
				return nil, fmt.Errorf("layer %d (%s): %v", i, s.Kind, err)
			}
			bshape := []int{out}
			if s.Kind == "rbf" {
				bshape = []int{out, in}
			}
			b, err := param(bname, bshape...)
			if err != nil {
				return nil, fmt.Errorf("layer %d (%s): %v", i, s.Kind, err)
			}
			if s.Kind == "dense" {
				l = &Dense{W: w, B: b}
			} else {
				for _, v := range b.Data {
					if !(v > 0) {
						return nil, fmt.Errorf("layer %d (rbf): precision %q must be positive, has %v", i, bname, v)
					}
				}
				l = &RBF{Centres: w, Beta: b}
			}
			width = out
		case "relu":
			l = &ReLU{}
		case "maxout":
			if s.Pieces < 1 || width < 0 || width%s.Pieces != 0 {
				return nil, fmt.Errorf("layer %d (maxout): %d pieces do not divide %d inputs", i, s.Pieces, width)
			}
			l = &Maxout{Pieces: s.Pieces}
			width /= s.Pieces
		case "dropout":
			if !(s.P >= 0 && s.P < 1) {
				return nil, fmt.Errorf("layer %d (dropout): p = %v is not in [0, 1)", i, s.P)
			}
			l = &Dropout{P: s.P}
		default:
			return nil, fmt.Errorf("layer %d: unknown kind %q", i, s.Kind)
		}
		m.Layers = append(m.Layers, l)
	}
	if width < 0 {
		return nil, fmt.Errorf("arch has no dense or rbf layer")
	}
	probs := width
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
