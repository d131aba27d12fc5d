package core

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// jsmaGamma is the paper's largest fraction of changed pixels, 14.5% (§IV).
const jsmaGamma = 0.145

// jsma is the Jacobian-based saliency map attack (Papernot, McDaniel, Jha,
// Fredrikson, Celik and Swami, "The Limitations of Deep Learning in
// Adversarial Settings", IEEE EuroS&P 2016, Algorithm 3 with θ = +1), a
// targeted attack that changes few pixels. Each step takes the forward
// derivative of the class scores (Model.Scores, so the variant on logits),
// α = ∂s_t/∂x and β = ∂(Σ_{k≠t} s_k)/∂x, picks among the pixels still below
// 1 the pair (p, q) with α_p + α_q > 0 and β_p + β_q < 0 that maximises
// −(α_p + α_q)·(β_p + β_q), and sets both to 1. It stops for each row once
// the model picks targets[i], when no pair qualifies, or when a fraction
// o.Gamma (default 0.145) of the pixels has changed. It takes no budget:
// the perturbation is sparse, not small.
func jsma(m *Model, x *mat.Dense, targets []int, o Options) *mat.Dense {
	n, d := x.Dims()
	checkLabels(targets, n, len(m.Classes))
	gamma := cmpOr(o.Gamma, jsmaGamma)
	adv := mat.DenseCopyOf(x)
	for i := range n {
		jsmaOne(m, adv.RawRowView(i), targets[i], int(math.Floor(float64(d)*min(gamma, 1)/2)), o)
	}
	finish(adv.RawMatrix().Data, o)
	return adv
}

// jsmaOne runs JSMA on one row in place for at most maxPairs steps.
func jsmaOne(m *Model, x []float64, t, maxPairs int, o Options) {
	in := mat.NewDense(1, len(x), x) // shares x
	var domain []int
	for j, v := range x {
		if v < 1 {
			domain = append(domain, j)
		}
	}
	var alpha, beta []float64
	for range maxPairs {
		if o.stop() {
			return
		}
		s := m.Scores(in).RawRowView(0)
		if Argmax(s) == t || len(domain) < 2 {
			return
		}
		ds := mat.NewDense(1, len(s), nil)
		ds.Set(0, t, 1)
		alpha = append(alpha[:0], m.scoreGradient(ds).RawRowView(0)...)
		for k := range s {
			ds.Set(0, k, 1)
		}
		ds.Set(0, t, 0)
		beta = append(beta[:0], m.scoreGradient(ds).RawRowView(0)...)
		p, q := saliencyPair(domain, alpha, beta)
		if p < 0 {
			return
		}
		x[domain[p]], x[domain[q]] = 1, 1
		domain[q] = domain[len(domain)-1] // q > p: remove q, then p
		domain[p] = domain[len(domain)-2]
		domain = domain[:len(domain)-2]
	}
}

// saliencyPair returns the positions p < q in domain of the pair of pixels
// that maximises −(α_p + α_q)·(β_p + β_q) with α_p + α_q > 0 and
// β_p + β_q < 0 (the saliency map of Algorithm 3), or −1, −1 if none does.
func saliencyPair(domain []int, alpha, beta []float64) (int, int) {
	bp, bq, top := -1, -1, 0.0
	for p, jp := range domain {
		ap, bt := alpha[jp], beta[jp]
		for q := p + 1; q < len(domain); q++ {
			jq := domain[q]
			a, b := ap+alpha[jq], bt+beta[jq]
			if a > 0 && b < 0 && -a*b > top {
				bp, bq, top = p, q, -a*b
			}
		}
	}
	return bp, bq
}
