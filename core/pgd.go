package core

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// pgdSteps is PGD's default number of steps, PGD-40 as Madry et al. ran
// it on MNIST.
const pgdSteps = 40

// pgd is projected gradient descent with the max norm (Madry, Makelov,
// Schmidt, Tsipras and Vladu, "Towards Deep Learning Models Resistant to
// Adversarial Attacks", ICLR 2018, §2): from a uniform random point of the
// ε-ball around x (x itself with o.NoRandomStart), o.Steps steps (default
// 40) of x ← Π(x + α·sign(∇ₓJ(θ, x, y))), where Π projects onto the ε-ball
// and, unless o.NoClip, onto [0, 1]. The step α is o.StepSize, by default
// 2.5·ε/steps, so that the iterate can cross the ball. Rounding, if asked,
// is applied once at the end.
func pgd(m *Model, x *mat.Dense, labels []int, o Options) *mat.Dense {
	steps := cmpOr(o.Steps, pgdSteps)
	size := cmpOr(o.StepSize, 2.5*o.Epsilon/float64(steps))
	adv := mat.DenseCopyOf(x)
	inner := o
	inner.Round8 = false
	if !o.NoRandomStart {
		rng := startRand(o)
		as := adv.RawMatrix().Data
		for i := range as {
			as[i] += o.Epsilon * (2*rng.Float64() - 1)
		}
		finish(as, inner)
	}
	for range steps {
		if o.stop() {
			break
		}
		g := m.attackGradient(adv, labels, o)
		addSign(adv.RawMatrix().Data, adv.RawMatrix().Data, g.RawMatrix().Data, size)
		project(adv, x, o.Epsilon, inner)
	}
	if o.Round8 {
		round8(adv.RawMatrix().Data)
	}
	return adv
}

// pgdL2 is PGD with the L2 norm (Madry et al. 2018): from a uniform random
// point of the L2 ball of radius ε around x (x with o.NoRandomStart),
// o.Steps steps (default 40) of x ← Π(x + α·∇ₓJ/‖∇ₓJ‖₂), where Π scales η
// back onto the ball and, unless o.NoClip, clips to [0, 1], which only
// shortens η. The step α is o.StepSize, by default 2.5·ε/steps.
func pgdL2(m *Model, x *mat.Dense, labels []int, o Options) *mat.Dense {
	steps := cmpOr(o.Steps, pgdSteps)
	size := cmpOr(o.StepSize, 2.5*o.Epsilon/float64(steps))
	adv := mat.DenseCopyOf(x)
	n, d := x.Dims()
	if !o.NoRandomStart && o.Epsilon > 0 {
		rng := startRand(o)
		for i := range n {
			row := adv.RawRowView(i)
			dir := make([]float64, d)
			for j := range dir {
				dir[j] = rng.NormFloat64()
			}
			// A uniform point of the ball: a uniform direction, and a
			// radius whose d-th power is uniform.
			r := o.Epsilon * math.Pow(rng.Float64(), 1/float64(d)) / norm2(dir)
			for j := range row {
				row[j] += r * dir[j]
			}
			if !o.NoClip {
				clip01(row)
			}
		}
	}
	for range steps {
		if o.stop() {
			break
		}
		g := m.attackGradient(adv, labels, o)
		for i := range n {
			row, gs := adv.RawRowView(i), g.RawRowView(i)
			addScaled(row, size, gs)
			projectL2(row, x.RawRowView(i), o.Epsilon, o.NoClip)
		}
	}
	if o.Round8 {
		round8(adv.RawMatrix().Data)
	}
	return adv
}

// fgm is the fast gradient method with the L2 norm, the L2 counterpart of
// FGSM (Goodfellow et al. 2015 §3 take the max norm; Kurakin, Goodfellow and
// Bengio, "Adversarial Machine Learning at Scale", ICLR 2017, name both):
// x̃ = x + ε·∇ₓJ/‖∇ₓJ‖₂, clipped and rounded as o says. A zero gradient
// leaves x as it is.
func fgm(m *Model, x *mat.Dense, labels []int, o Options) *mat.Dense {
	g := m.attackGradient(x, labels, o)
	adv := mat.DenseCopyOf(x)
	n, _ := x.Dims()
	for i := range n {
		addScaled(adv.RawRowView(i), o.Epsilon, g.RawRowView(i))
	}
	finish(adv.RawMatrix().Data, o)
	return adv
}

// leastLikely is the iterative least-likely class method (Kurakin,
// Goodfellow and Bengio, "Adversarial Examples in the Physical World",
// ICLR workshop 2017, §2.3): targeted iterative FGSM towards each example's
// least likely class under clean, its clean class probabilities. Kurakin
// et al. take steps of α = 1/255 and min(ε·255 + 4, 1.25·ε·255) of them;
// o.StepSize and o.Steps replace these.
func leastLikely(m *Model, x, clean *mat.Dense, o Options) *mat.Dense {
	steps := o.Steps
	if steps <= 0 {
		e := o.Epsilon * 255
		steps = max(1, int(math.Ceil(min(e+4, 1.25*e))))
	}
	it := Iterative{Steps: steps, StepSize: cmpOr(o.StepSize, 1.0/255), Targeted: true}
	return it.Attack(m, x, leastLikelyClasses(clean), o)
}

// leastLikelyClasses returns the least probable class of each row of p.
func leastLikelyClasses(p *mat.Dense) []int {
	n, _ := p.Dims()
	k := make([]int, n)
	for i := range k {
		row := p.RawRowView(i)
		for j, v := range row {
			if v < row[k[i]] {
				k[i] = j
			}
		}
	}
	return k
}

// RunnersUp returns, for each row of p (class probabilities or scores),
// the most probable class other than labels[i]: the nearest wrong class,
// which a report gives the targeted attacks as their target. It panics if
// labels do not match the rows of p.
func RunnersUp(p *mat.Dense, labels []int) []int {
	n, _ := p.Dims()
	checkLabels(labels, n, p.RawMatrix().Cols)
	k := make([]int, n)
	for i, y := range labels {
		k[i] = runnerUp(p.RawRowView(i), y)
	}
	return k
}

// runnersUp returns the second most probable class of each row of p.
func runnersUp(p *mat.Dense) []int {
	n, c := p.Dims()
	k := make([]int, n)
	for i := range k {
		row := p.RawRowView(i)
		top := Argmax(row)
		k[i] = (top + 1) % c
		for j, v := range row {
			if j != top && v > row[k[i]] {
				k[i] = j
			}
		}
	}
	return k
}

// startRand is the random source of a random start.
func startRand(o Options) *rand.Rand {
	if o.Rand != nil {
		return o.Rand
	}
	return rand.New(rand.NewPCG(3, 4))
}

// projectL2 scales adv − x back to length eps if it is longer, then clips
// adv to [0, 1] unless noClip. Clipping moves each pixel towards x, which
// lies in [0, 1], so it keeps ‖adv − x‖₂ ≤ eps.
func projectL2(adv, x []float64, eps float64, noClip bool) {
	var ss float64
	for j, v := range adv {
		ss += (v - x[j]) * (v - x[j])
	}
	if l := math.Sqrt(ss); l > eps {
		s := eps / l
		for j, v := range adv {
			adv[j] = x[j] + s*(v-x[j])
		}
	}
	if !noClip {
		clip01(adv)
	}
}

// addScaled adds size·g/‖g‖₂ to dst; a zero or non-finite ‖g‖₂ adds nothing.
func addScaled(dst []float64, size float64, g []float64) {
	l := norm2(g)
	if l == 0 || math.IsInf(l, 0) || math.IsNaN(l) {
		return
	}
	for j, v := range g {
		dst[j] += size * v / l
	}
}

func norm2(v []float64) float64 {
	var ss float64
	for _, a := range v {
		ss += a * a
	}
	return math.Sqrt(ss)
}

// cmpOr returns v, or def when v is not positive.
func cmpOr[T int | float64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
