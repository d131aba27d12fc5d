package core

import (
	"gonum.org/v1/gonum/mat"
)

// The float32 softmax (Options.Float32Softmax). A float32 framework computes
// the softmax as e_k = exp(z_k − max z), p_k = e_k / Σ e in float32. For a
// confidently right example the sum 1 + Σ_{k≠y} e_k rounds to exactly 1
// once the other classes add up to less than 2⁻²⁴ (a logit margin of about
// 17), so p_y = 1 and the true class's term p_y − 1 of the cross-entropy's
// delta is exactly 0: ∇ₓJ = Σ_{k≠y} p_k·∇ₓz_k only raises the other classes,
// where float64 also lowers the true one, and FGSM along it fools the model
// less often. Only when every other e_k underflows too (a margin of about
// 104) is ∇ₓJ = 0, so that sign(0) = 0 leaves the example untouched.
// PyTorch's float32 cross-entropy (log-softmax) rounds the same way; the
// paper's networks ran in float32 (Theano).

// float32Delta rewrites d, out's delta for labels after a Forward, as a
// float32 framework computes it: p − onehot(y) from the softmax computed
// in float32 arithmetic from the float64 probabilities' ratios
// e_k = p_k / max p = exp(z_k − max z), subtracted in float32. The sigmoid
// (the softmax of two classes) is done the same way; the RBF network's
// Gaussian output, whose true-class delta is always 1, is left as it is.
func float32Delta(out Output, labels []int, d *mat.Dense) {
	switch o := out.(type) {
	case *Softmax:
		for i, y := range labels {
			softmax32(d.RawRowView(i), o.p.RawRowView(i), y)
		}
	case *Sigmoid:
		var row [2]float64
		for i, y := range labels {
			softmax32(row[:], o.p.RawRowView(i), y)
			d.Set(i, 0, row[1])
		}
	}
}

// softmax32 sets dst_k = p32_k − [k = y] in float32 arithmetic, where p32
// is the softmax of the probabilities p computed in float32.
func softmax32(dst, p []float64, y int) {
	top := p[Argmax(p)]
	var sum float32
	for _, v := range p {
		sum += float32(v / top)
	}
	for k, v := range p {
		q := float32(v/top) / sum
		if k == y {
			q -= 1
		}
		dst[k] = float64(q)
	}
}
