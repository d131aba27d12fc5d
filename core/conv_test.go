package core

import (
	"strings"
	"testing"
)

// TestBuildRefusesBadShapes: a file whose shapes do not fit together is
// refused with an error that names the layer and says why.
func TestBuildRefusesBadShapes(t *testing.T) {
	conv := func(out, in, k int) Tensor {
		return Tensor{Shape: []int{out, in, k, k}, Data: make([]float64, out*in*k*k)}
	}
	vec := func(n int) Tensor { return Tensor{Shape: []int{n}, Data: make([]float64, n)} }
	mat := func(r, c int) Tensor { return Tensor{Shape: []int{r, c}, Data: make([]float64, r*c)} }
	digits := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	c1 := LayerSpec{Kind: "conv2d", Weight: "c.weight", Bias: "c.bias"}
	d := LayerSpec{Kind: "dense", Weight: "d.weight", Bias: "d.bias"}
	out := LayerSpec{Kind: "softmax"}
	cases := []struct {
		name  string
		input Shape
		arch  []LayerSpec
		ts    map[string]Tensor
		want  string
	}{
		{"channels", Shape{1, 28, 28}, []LayerSpec{c1, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(4, 3, 5), "c.bias": vec(4), "d.weight": mat(10, 4*24*24), "d.bias": vec(10)},
			"layer 0 (conv2d): weight \"c.weight\" takes 3 input channels, but its input has 1 (1×28×28)"},
		{"kernel larger than the map", Shape{1, 4, 4}, []LayerSpec{c1, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(2, 1, 5), "c.bias": vec(2), "d.weight": mat(10, 2), "d.bias": vec(10)},
			"layer 0 (conv2d): its 5×5 kernel is larger than its 4×4 input"},
		{"pool window larger than the map", Shape{1, 6, 6}, []LayerSpec{c1, {Kind: "maxpool2d", Size: 3}, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(2, 1, 5), "c.bias": vec(2), "d.weight": mat(10, 8), "d.bias": vec(10)},
			"layer 1 (maxpool2d): its 3×3 window is larger than its 2×2 input"},
		{"flatten size does not match the dense layer", Shape{1, 28, 28}, []LayerSpec{c1, {Kind: "maxpool2d", Size: 2}, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(4, 1, 5), "c.bias": vec(4), "d.weight": mat(10, 500), "d.bias": vec(10)},
			"layer 3 (dense): tensor \"d.weight\" has shape [10 500], want [out, 576]: the flatten before it gives 4×12×12 = 576 values"},
		{"conv after flatten", Shape{1, 28, 28}, []LayerSpec{{Kind: "flatten"}, c1, d, out},
			map[string]Tensor{"c.weight": conv(4, 1, 5), "c.bias": vec(4), "d.weight": mat(10, 2), "d.bias": vec(10)},
			"layer 1 (conv2d): takes C×H×W maps, but its input is 784 features"},
		{"normalize with two channels' means", Shape{1, 28, 28}, []LayerSpec{{Kind: "normalize", Mean: []float64{0, 0}, Std: []float64{1, 1}}, c1, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(1, 1, 28), "c.bias": vec(1), "d.weight": mat(10, 1), "d.bias": vec(10)},
			"layer 0 (normalize): 2 means and 2 deviations for 1 channels"},
		{"zero std", Shape{1, 28, 28}, []LayerSpec{{Kind: "normalize", Mean: []float64{0}, Std: []float64{0}}, c1, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(1, 1, 28), "c.bias": vec(1), "d.weight": mat(10, 1), "d.bias": vec(10)},
			"layer 0 (normalize): channel 0: mean 0 and std 0"},
		{"maps at the output", Shape{1, 28, 28}, []LayerSpec{c1, out},
			map[string]Tensor{"c.weight": conv(10, 1, 28), "c.bias": vec(10)},
			"flatten them"},
		{"huge padding", Shape{1, 28, 28}, []LayerSpec{{Kind: "conv2d", Weight: "c.weight", Padding: 1000}, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(64, 1, 3), "d.weight": mat(10, 2), "d.bias": vec(10)},
			"at most"},
		{"wrong bias length", Shape{1, 28, 28}, []LayerSpec{c1, {Kind: "flatten"}, d, out},
			map[string]Tensor{"c.weight": conv(4, 1, 5), "c.bias": vec(3), "d.weight": mat(10, 4*24*24), "d.bias": vec(10)},
			"layer 0 (conv2d): tensor \"c.bias\" has shape [3], want [4]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := BuildInput("bad", c.input, c.arch, digits, c.ts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestReadModelInputShape: a file's input_shape must be a 28×28 grey digit
// when its input says it is one; a colour or larger image is refused with
// a message that says what the model takes.
func TestReadModelInputShape(t *testing.T) {
	for _, c := range []struct{ shape, want string }{
		{"[3,32,32]", "takes 3 channel(s) of 32×32"},
		{"[1,100,100]", "takes 1 channel(s) of 100×100"},
		{"[1,28]", "want [C, H, W]"},
		{`"x"`, "want [C, H, W]"},
		{"[1,-28,28]", "not in"},
	} {
		_, err := inputShape(map[string]string{"input": InputConvention, "input_shape": c.shape})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("input_shape %s: error %v, want one containing %q", c.shape, err, c.want)
		}
	}
	if s, err := inputShape(map[string]string{"input": InputConvention, "input_shape": "[1,28,28]"}); err != nil || s.String() != "1×28×28" {
		t.Errorf("[1,28,28]: %v, %v", s, err)
	}
}
