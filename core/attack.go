package core

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Options are the settings of an attack. The zero value clips to [0, 1]
// and does not round, with ε = 0; every other zero field means the
// attack's default, which its doc comment states.
type Options struct {
	// Epsilon is the attack's budget: the max-norm bound ‖x̃ − x‖∞ ≤ Epsilon
	// (before rounding), or for the L2 attacks (AttackPGDL2, AttackFGM) the
	// bound ‖x̃ − x‖₂ ≤ Epsilon. DeepFool, C&W, JSMA and L-BFGS take none.
	Epsilon float64
	// NoClip leaves x̃ unclipped, as the paper did. By default x̃ is clipped
	// to the valid pixel range [0, 1].
	NoClip bool
	// Round8 rounds x̃ to the nearest of the 256 grey levels of an 8-bit
	// image, after clipping. It can move a pixel by up to 0.5/255 beyond ε.
	Round8 bool
	// Steps is the number of steps of the iterative attacks (iterative,
	// pgd, pgd-l2, ll), or the cap on DeepFool's steps, on C&W's Adam
	// steps per value of c and on L-BFGS's iterations per value of c.
	Steps int
	// StepSize is the length of one step of iterative, pgd, pgd-l2 and ll,
	// in the attack's norm.
	StepSize float64
	// NoRandomStart starts PGD at x instead of a random point of the ε-ball.
	NoRandomStart bool
	// Overshoot is DeepFool's overshoot; 0 means the paper's 0.02.
	Overshoot float64
	// C is the first trade-off constant c that C&W and L-BFGS try.
	C float64
	// SearchSteps is the number of values of c that C&W and L-BFGS try.
	SearchSteps int
	// Kappa is C&W's confidence margin κ ≥ 0 between the scores.
	Kappa float64
	// LearningRate is the step size of C&W's Adam.
	LearningRate float64
	// Gamma is the largest fraction of the input that JSMA may change.
	Gamma float64
	// Yield, if set, is called before each iteration of the iterative
	// attacks (iterative, pgd, pgd-l2, ll, DeepFool, C&W's Adam steps,
	// JSMA's pixel pairs, L-BFGS's evaluations). A browser page passes a
	// function that lets the page run its pending tasks now and then, so
	// that a long attack never freezes it. When Yield returns false the
	// attack stops early and returns what it has; the caller, which asked
	// it to stop, should discard that. The model holds no state across a
	// call to Yield: the page may use it meanwhile.
	Yield func() bool
	// Float32Softmax takes the delta of the softmax (and sigmoid) output,
	// p − onehot(y), from the probabilities rounded to float32, as the
	// paper's float32 networks did. A confidently right example then gets
	// p_y = 1 exactly, and once every other class underflows too ∇ₓJ = 0 and
	// FGSM leaves it as it is; float64, the default, still finds a direction
	// (float32.go). It applies to the attacks that follow ∇ₓJ (FGSM,
	// targeted, iterative, PGD, PGD-L2, FGM, LL) and to the sweeps and
	// transfer runs; the RBF network's output and the other attacks ignore it.
	Float32Softmax bool
	// Rand draws the noise of AttackRandomSign and AttackUniform in Craft,
	// and PGD's random start; nil means a fixed seed, so that the noise
	// stays still as ε moves.
	Rand *rand.Rand
}

// stop calls o.Yield and reports whether the attack should stop.
func (o Options) stop() bool { return o.Yield != nil && !o.Yield() }

// Attack is a kind of attack. Its value is its name in links and
// messages.
type Attack string

// The attacks, each run by Craft. The comments name the file that holds
// each one; its doc comment there cites its paper.
const (
	AttackFGSM       Attack = "fgsm"      // FGSM, paper eq. 3: attack.go
	AttackTargeted   Attack = "targeted"  // FGSM towards a target class: attack.go
	AttackIterative  Attack = "iterative" // Iterative, basic iterative method (Kurakin et al. 2016): attack.go
	AttackRandomSign Attack = "random"    // x + ε·random signs, the control of §6: attack.go
	AttackUniform    Attack = "uniform"   // x + uniform noise in [−ε, ε] (§6): attack.go
	AttackPGD        Attack = "pgd"       // PGD, L∞, random start (Madry et al. 2018): pgd.go
	AttackPGDL2      Attack = "pgd-l2"    // PGD's L2 variant: pgd.go
	AttackFGM        Attack = "fgm"       // the L2 fast gradient method: pgd.go
	AttackDeepFool   Attack = "deepfool"  // DeepFool (Moosavi-Dezfooli et al. 2016): deepfool.go
	AttackCW         Attack = "cw"        // Carlini–Wagner, L2 (2017): cw.go
	AttackJSMA       Attack = "jsma"      // JSMA, targeted (Papernot et al. 2016): jsma.go
	AttackLBFGS      Attack = "lbfgs"     // L-BFGS, targeted (Szegedy et al. 2014): lbfgs.go
	AttackLL         Attack = "ll"        // iterative least-likely class (Kurakin et al. 2016): pgd.go
)

// Attacks lists every attack Craft knows.
var Attacks = []Attack{AttackFGSM, AttackTargeted, AttackIterative, AttackRandomSign, AttackUniform,
	AttackPGD, AttackPGDL2, AttackFGM, AttackDeepFool, AttackCW, AttackJSMA, AttackLBFGS, AttackLL}

// Targeted reports whether a's labels are the classes to move towards
// (targeted, jsma, lbfgs) rather than away from. AttackLL picks its own
// target, the least likely class.
func (a Attack) Targeted() bool {
	return a == AttackTargeted || a == AttackJSMA || a == AttackLBFGS
}

// L2 reports whether a measures its perturbations with the L2 norm
// rather than the max norm.
func (a Attack) L2() bool {
	switch a {
	case AttackPGDL2, AttackFGM, AttackDeepFool, AttackCW, AttackLBFGS:
		return true
	}
	return false
}

// Budgeted reports whether a takes a budget Epsilon; the others (DeepFool,
// C&W, JSMA, L-BFGS) return what they find.
func (a Attack) Budgeted() bool {
	switch a {
	case AttackDeepFool, AttackCW, AttackJSMA, AttackLBFGS:
		return false
	}
	return true
}

// Craft runs attack a on the batch x and returns the clean class
// probabilities of x together with x̃. labels are the classes to move away
// from, or the targets of the targeted attacks (a.Targeted()); nil labels
// take each example's clean prediction, so that an input with no true
// label, such as a drawing, is attacked as a test digit is (for JSMA and
// L-BFGS, nil labels target each example's runner-up class instead). The
// clean forward pass is the one the one-step attacks differentiate: they
// cost one forward and one backward pass. It panics if a is not one of
// Attacks.
func Craft(m *Model, x *mat.Dense, labels []int, a Attack, o Options) (clean, adv *mat.Dense) {
	clean = mat.DenseCopyOf(m.Predict(x))
	if labels == nil {
		if a == AttackJSMA || a == AttackLBFGS {
			labels = runnersUp(clean)
		} else {
			labels = predictions(clean)
		}
	}
	switch a {
	case AttackFGSM:
		adv = signStep(x, m.backward(labels, gradientOf(o)), o.Epsilon, o)
	case AttackTargeted: // x̃ = x − ε·sign(∇ₓJ(θ, x, t)) lowers the cost of the target t
		adv = signStep(x, m.backward(labels, gradientOf(o)), -o.Epsilon, o)
	case AttackIterative:
		adv = Iterative{Steps: o.Steps, StepSize: o.StepSize}.Attack(m, x, labels, o)
	case AttackRandomSign, AttackUniform:
		rng := o.Rand
		if rng == nil {
			rng = rand.New(rand.NewPCG(1, 2))
		}
		if a == AttackUniform {
			adv = uniformNoise(rng, x, o)
		} else {
			adv = randomSign(rng, x, o)
		}
	case AttackPGD:
		adv = pgd(m, x, labels, o)
	case AttackPGDL2:
		adv = pgdL2(m, x, labels, o)
	case AttackFGM:
		adv = fgm(m, x, labels, o)
	case AttackDeepFool:
		adv = deepFool(m, x, labels, o)
	case AttackCW:
		adv = carliniWagner(m, x, labels, o)
	case AttackJSMA:
		adv = jsma(m, x, labels, o)
	case AttackLBFGS:
		adv = lbfgs(m, x, labels, o)
	case AttackLL:
		adv = leastLikely(m, x, clean, o)
	default:
		panic(fmt.Sprintf("core: unknown attack %q", a))
	}
	return clean, adv
}

// FGSM returns x̃ = x + ε·sign(∇ₓJ(θ, x, y)) for each row of x, the fast
// gradient sign method (paper eq. 3). It costs one forward and one backward
// pass.
func FGSM(m *Model, x *mat.Dense, labels []int, o Options) *mat.Dense {
	return signStep(x, m.attackGradient(x, labels, o), o.Epsilon, o)
}

// Iterative is the basic iterative method (Kurakin et al. 2016), also known
// as projected gradient descent with the max norm.
type Iterative struct {
	// Steps is the number of FGSM steps; 0 means 10.
	Steps int
	// StepSize is the size of each step; 0 means ε/Steps·2.5, so that the
	// iterate can reach the corners of the ε-ball.
	StepSize float64
	// Targeted steps towards the given labels instead of away from them.
	Targeted bool
}

// Attack runs the iterative attack: Steps FGSM steps of size StepSize, each
// followed by a projection onto the ε-ball around x and, unless o.NoClip,
// onto [0, 1]. Rounding, if asked, is applied once at the end.
func (it Iterative) Attack(m *Model, x *mat.Dense, labels []int, o Options) *mat.Dense {
	steps, size := it.Steps, it.StepSize
	if steps <= 0 {
		steps = 10
	}
	if size <= 0 {
		size = 2.5 * o.Epsilon / float64(steps)
	}
	if it.Targeted {
		size = -size
	}
	step := o
	step.Round8 = false
	adv := mat.DenseCopyOf(x)
	for range steps {
		if o.stop() {
			break
		}
		g := m.attackGradient(adv, labels, o)
		next := signStep(adv, g, size, Options{NoClip: true})
		project(next, x, o.Epsilon, step)
		adv = next
	}
	if o.Round8 {
		round8(adv.RawMatrix().Data)
	}
	return adv
}

// randomSign returns x + ε·s with s uniform over {−1, +1} per pixel: the
// control in §6 that shows the direction of the perturbation matters, not
// its size.
func randomSign(rng *rand.Rand, x *mat.Dense, o Options) *mat.Dense {
	return noise(x, o, func() float64 {
		if rng.IntN(2) == 0 {
			return -o.Epsilon
		}
		return o.Epsilon
	})
}

// uniformNoise returns x + u with u uniform in [−ε, ε] per pixel (§6).
func uniformNoise(rng *rand.Rand, x *mat.Dense, o Options) *mat.Dense {
	return noise(x, o, func() float64 { return o.Epsilon * (2*rng.Float64() - 1) })
}

// Perturbation returns η = x̃ − x.
func Perturbation(x, adv *mat.Dense) *mat.Dense {
	var eta mat.Dense
	eta.Sub(adv, x)
	return &eta
}

// Sign is the sign function with sign(0) = 0, as in the paper's η.
func Sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// signStep returns x + step·sign(g), clipped and rounded as o says: FGSM
// is signStep(x, ∇ₓJ(θ, x, y), ε, o), and targeted FGSM uses the target's
// gradient and −ε. The sign does not depend on ε, so a caller that moves ε
// can keep the gradient and pay only for this step (§4).
func signStep(x, g *mat.Dense, step float64, o Options) *mat.Dense {
	n, c := x.Dims()
	if gn, gc := g.Dims(); gn != n || gc != c {
		panic(fmt.Sprintf("core: gradient is %d×%d for a %d×%d batch", gn, gc, n, c))
	}
	adv := mat.NewDense(n, c, nil)
	xs, gs, as := x.RawMatrix().Data, g.RawMatrix().Data, adv.RawMatrix().Data
	addSign(as, xs[:len(as)], gs[:len(as)], step)
	finish(as, o)
	return adv
}

// addSign computes dst = x + step·Sign(g). Copysign takes the sign of g
// without a branch on it (the signs are random, so branches mispredict);
// the result is exactly that of Sign, also 0 for a zero or NaN g.
func addSign(dst, x, g []float64, step float64) {
	for i, v := range g {
		s := 0.0
		if math.Abs(v) > 0 {
			s = math.Copysign(1, v) * step
		}
		dst[i] = x[i] + s
	}
}

func noise(x *mat.Dense, o Options, draw func() float64) *mat.Dense {
	adv := mat.DenseCopyOf(x)
	as := adv.RawMatrix().Data
	for i := range as {
		as[i] += draw()
	}
	finish(as, o)
	return adv
}

// project moves adv into the ε-ball around x, then into [0, 1] unless
// o.NoClip.
func project(adv, x *mat.Dense, eps float64, o Options) {
	as, xs := adv.RawMatrix().Data, x.RawMatrix().Data
	for i, v := range as {
		as[i] = min(max(v, xs[i]-eps), xs[i]+eps)
	}
	finish(as, o)
}

func finish(v []float64, o Options) {
	if !o.NoClip {
		clip01(v)
	}
	if o.Round8 {
		round8(v)
	}
}

// clip01 clips v to [0, 1] with comparisons: min and max of floats are
// calls into the runtime under WebAssembly, several times slower. NaN stays
// NaN, as with min and max.
func clip01(v []float64) {
	for i, a := range v {
		if a < 0 {
			v[i] = 0
		} else if a > 1 {
			v[i] = 1
		}
	}
}

// round8 rounds to the nearest multiple of 1/255, the precision of an 8-bit
// image (§3).
func round8(v []float64) {
	for i, a := range v {
		v[i] = math.Round(a*255) / 255
	}
}
