package core

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// newAttacks are the attacks of issue 11, beside the paper's.
var newAttacks = []Attack{AttackPGD, AttackPGDL2, AttackFGM, AttackDeepFool, AttackCW, AttackJSMA, AttackLBFGS, AttackLL}

// l2Dist returns ‖a − b‖₂ of one row.
func l2Dist(a, b []float64) float64 { return math.Sqrt(sqDist(a, b)) }

// randomLogreg is a logistic regression 784 → 1 with random weights, the
// shape of logreg37.
func randomLogreg(rng *rand.Rand) *Model {
	w := Tensor{Shape: []int{1, 784}, Data: make([]float64, 784)}
	for i := range w.Data {
		w.Data[i] = 0.05 * rng.NormFloat64()
	}
	m, err := Build("logreg", []LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "sigmoid"}}, []string{"3", "7"},
		map[string]Tensor{"w": w, "b": {Shape: []int{1}, Data: []float64{0.1}}})
	if err != nil {
		panic(err)
	}
	return m
}

// linearModels are the linear binary models of the known-answer tests: a
// random one and, when it has been trained, the shipped logreg37.
func linearModels(t *testing.T, rng *rand.Rand) []*Model {
	ms := []*Model{randomLogreg(rng)}
	if b, err := os.ReadFile("../models/logreg37.safetensors"); err == nil {
		m, err := ReadModel(b)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

// logit returns the sigmoid model's score z = w·x + b and ‖w‖₂, ‖w‖₁.
func logit(m *Model, x []float64) (z, l2, l1 float64) {
	d := m.Layers[0].(*Dense)
	z = d.B.Data[0]
	for j, w := range d.W.Data {
		z += w * x[j]
		l2 += w * w
		l1 += math.Abs(w)
	}
	return z, math.Sqrt(l2), l1
}

// Every attack keeps its promises on every tiny model: x̃ stays in the
// ε-ball of its norm (L∞, or L2 for pgd-l2 and fgm; DeepFool, C&W, JSMA
// and L-BFGS have no budget), pixels stay in [0, 1] unless NoClip, rounded
// pixels are grey levels, and nothing is NaN.
func TestNewAttacksKeepTheirBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(40, 40))
	for _, m := range tinyModels(rng) {
		x := randDense(rng, 4, 12, 0.4)
		x.Apply(func(i, j int, v float64) float64 { return min(max(v+0.5, 0), 1) }, x)
		for _, a := range newAttacks {
			for _, eps := range []float64{0, 0.1, 0.3} {
				for _, o := range []Options{{Epsilon: eps}, {Epsilon: eps, NoClip: true}, {Epsilon: eps, Round8: true}} {
					_, adv := Craft(m, x, nil, a, o)
					for i := range 4 {
						checkBounds(t, m.Name, a, o, x.RawRowView(i), adv.RawRowView(i))
					}
				}
			}
		}
	}
}

func checkBounds(t *testing.T, model string, a Attack, o Options, x, adv []float64) {
	t.Helper()
	slack := 1e-12
	if o.Round8 {
		slack += 0.5 / 255
	}
	var linf float64
	for j, v := range adv {
		if math.IsNaN(v) {
			t.Fatalf("%s %s %+v: pixel %d is NaN", model, a, o, j)
		}
		if !o.NoClip && (v < 0 || v > 1) {
			t.Fatalf("%s %s %+v: pixel %g outside [0, 1]", model, a, o, v)
		}
		if o.Round8 && math.Abs(v*255-math.Round(v*255)) > 1e-9 {
			t.Fatalf("%s %s %+v: pixel %g is not an 8-bit grey level", model, a, o, v)
		}
		linf = max(linf, math.Abs(v-x[j]))
	}
	switch {
	case !a.Budgeted():
	case a.L2():
		if d := l2Dist(adv, x); d > o.Epsilon+slack*math.Sqrt(float64(len(x))) {
			t.Errorf("%s %s %+v: ‖η‖₂ = %g > ε", model, a, o, d)
		}
	default:
		if linf > o.Epsilon+slack {
			t.Errorf("%s %s %+v: ‖η‖∞ = %g > ε", model, a, o, linf)
		}
	}
}

// On a linear binary model, DeepFool's first step lands on the decision
// boundary w·x + b = 0: unclipped, x̃ lies at (1 + overshoot) times the
// distance |z|/‖w‖₂ and on the other side.
func TestDeepFoolLinearDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	for _, m := range linearModels(t, rng) {
		x := mnistLike(rng, 6, 784)
		labels := predictions(mat.DenseCopyOf(m.Predict(x)))
		for _, over := range []float64{0, 0.1} {
			o := Options{NoClip: true, Overshoot: over}
			adv := deepFool(m, x, labels, o)
			want := cmpOr(over, deepFoolOvershoot)
			for i := range 6 {
				z, l2, _ := logit(m, x.RawRowView(i))
				d := l2Dist(adv.RawRowView(i), x.RawRowView(i))
				if exact := (1 + want) * math.Abs(z) / l2; math.Abs(d-exact) > 1e-9*exact {
					t.Errorf("%s row %d: ‖η‖₂ = %.15g, want (1 + %g)·|z|/‖w‖₂ = %.15g", m.Name, i, d, want, exact)
				}
				if z2, _, _ := logit(m, adv.RawRowView(i)); math.Signbit(z2) == math.Signbit(z) {
					t.Errorf("%s row %d: z = %g → %g did not cross the boundary", m.Name, i, z, z2)
				}
			}
		}
	}
}

// On a linear model the sign of ∇ₓJ never changes, so PGD with
// steps × step size ≥ 2ε ends at FGSM's corner of the ball from any start;
// without a random start, PGD-L2 ends at FGM's point.
func TestPGDIsFGSMOnALinearModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	for _, m := range linearModels(t, rng) {
		x := mnistLike(rng, 4, 784)
		for _, y := range [][]int{{0, 0, 1, 1}, {1, 0, 1, 0}} {
			for _, o := range []Options{{Epsilon: 0.1}, {Epsilon: 0.25, NoClip: true}, {Epsilon: 0.1, Steps: 5, StepSize: 0.04}} {
				if !mat.Equal(pgd(m, x, y, o), FGSM(m, x, y, o)) {
					t.Errorf("%s %+v: PGD differs from FGSM", m.Name, o)
				}
			}
			o := Options{Epsilon: 2, NoClip: true, NoRandomStart: true}
			if a, b := pgdL2(m, x, y, o), fgm(m, x, y, o); !mat.EqualApprox(a, b, 1e-12) {
				t.Errorf("%s: unclipped PGD-L2 from x differs from FGM", m.Name)
			}
		}
	}
}

// FGM moves by exactly ε in L2 along the gradient when unclipped.
func TestFGMIsEpsilonAlongTheGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 43))
	m := tinyModels(rng)[2]
	x := randDense(rng, 3, 12, 0.3)
	y := []int{1, 2, 3}
	g := mat.DenseCopyOf(m.InputGradient(x, y))
	adv := fgm(m, x, y, Options{Epsilon: 0.7, NoClip: true})
	for i := range 3 {
		eta := Perturbation(x, adv).RawRowView(i)
		if d := norm2(eta); math.Abs(d-0.7) > 1e-12 {
			t.Errorf("row %d: ‖η‖₂ = %g, want 0.7", i, d)
		}
		gr := g.RawRowView(i)
		if cos := dot(eta, gr) / (norm2(eta) * norm2(gr)); math.Abs(cos-1) > 1e-12 {
			t.Errorf("row %d: η is not along ∇ₓJ (cosine %g)", i, cos)
		}
	}
}

// No adversarial example of a linear model lies closer than the boundary:
// the minimal attacks land at or beyond it, and C&W and L-BFGS close to it.
func TestMinimalAttacksOnALinearModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(44, 44))
	m := randomLogreg(rng)
	x := mat.NewDense(3, 784, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = 0.3 + 0.4*float64((i*37)%11)/10 // inside the box, so clipping cannot bind
	}
	clean := mat.DenseCopyOf(m.Predict(x))
	labels, others := predictions(clean), runnersUp(clean)
	cases := []struct {
		a     Attack
		adv   *mat.Dense
		close float64 // the largest ‖η‖₂ / distance accepted
	}{
		{AttackDeepFool, deepFool(m, x, labels, Options{}), 1.02 + 1e-9},
		{AttackCW, carliniWagner(m, x, labels, Options{}), 1.1},
		{AttackLBFGS, lbfgs(m, x, others, Options{}), 1.5},
		{AttackJSMA, jsma(m, x, others, Options{}), math.Inf(1)},
	}
	for _, c := range cases {
		for i := range 3 {
			z, l2, _ := logit(m, x.RawRowView(i))
			dist := math.Abs(z) / l2
			if got := Argmax(m.PredictOne(c.adv.RawRowView(i))); got == labels[i] {
				t.Errorf("%s row %d: still class %d", c.a, i, got)
				continue
			}
			d := l2Dist(c.adv.RawRowView(i), x.RawRowView(i))
			if d < dist*(1-1e-9) || d > c.close*dist {
				t.Errorf("%s row %d: ‖η‖₂ = %g, the boundary is %g away (accepted up to ×%g)", c.a, i, d, dist, c.close)
			}
		}
	}
}

// JSMA only raises pixels to 1, at most a fraction γ of them, and stops
// short of the target only when no pair of pixels below 1 qualifies.
func TestJSMAChangesFewPixels(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 45))
	for _, m := range tinyModels(rng)[:3] {
		x := randDense(rng, 5, 12, 0.2)
		x.Apply(func(i, j int, v float64) float64 { return min(max(v+0.3, 0), 1) }, x)
		targets := []int{0, 1, 1, 0, 1}
		for _, gamma := range []float64{0, 0.5, 1} {
			adv := jsma(m, x, targets, Options{Gamma: gamma})
			limit := 2 * int(12*cmpOr(gamma, jsmaGamma)/2)
			for i := range 5 {
				var domain []int
				for j, v := range adv.RawRowView(i) {
					if v < 1 {
						domain = append(domain, j)
					}
				}
				changed := 0
				for j, v := range adv.RawRowView(i) {
					if v != x.At(i, j) {
						changed++
						if v != 1 {
							t.Errorf("%s γ = %g row %d: pixel %d changed to %g, not 1", m.Name, gamma, i, j, v)
						}
					}
				}
				if changed > limit {
					t.Errorf("%s γ = %g row %d: %d pixels changed, at most %d allowed", m.Name, gamma, i, changed, limit)
				}
				if gamma < 1 || Argmax(m.PredictOne(adv.RawRowView(i))) == targets[i] {
					continue
				}
				a := mat.NewDense(1, 12, adv.RawRowView(i))
				ds := mat.NewDense(1, len(m.Classes), nil)
				ds.Set(0, targets[i], 1)
				alpha := mat.DenseCopyOf(m.ScoreGradient(a, ds)).RawRowView(0)
				ds.Apply(func(_, k int, _ float64) float64 { return b2f(k != targets[i]) }, ds)
				beta := m.ScoreGradient(a, ds).RawRowView(0)
				if p, _ := saliencyPair(domain, alpha, beta); p >= 0 && changed < limit {
					t.Errorf("%s row %d: stopped short of target %d with a qualifying pair left", m.Name, i, targets[i])
				}
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// JSMA reaches the target on a linear model when raising pixels helps:
// here every pixel raises the target's score and lowers the others'.
func TestJSMAReachesAnEasyTarget(t *testing.T) {
	rng := rand.New(rand.NewPCG(50, 50))
	m := tinyModels(rng)[0] // softmax regression, 12 → 10
	w := m.Layers[0].(*Dense).W
	for k := range 10 {
		for j := range 12 {
			w.Data[k*12+j] = -0.1 * rng.Float64()
			if k == 4 {
				w.Data[k*12+j] = 1
			}
		}
	}
	x := mat.NewDense(1, 12, nil)
	if got := Argmax(m.PredictOne(x.RawRowView(0))); got == 4 {
		t.Fatal("x is already class 4")
	}
	adv := jsma(m, x, []int{4}, Options{Gamma: 1})
	if got := Argmax(m.PredictOne(adv.RawRowView(0))); got != 4 {
		t.Errorf("class %d, want the target 4", got)
	}
}

// The iterative least-likely class method is targeted iterative FGSM
// towards the least probable class, with Kurakin et al.'s step count.
func TestLeastLikelyTargetsTheLeastLikelyClass(t *testing.T) {
	rng := rand.New(rand.NewPCG(46, 46))
	m := tinyModels(rng)[2]
	x := randDense(rng, 4, 12, 0.3)
	clean, adv := Craft(m, x, nil, AttackLL, Options{Epsilon: 0.1})
	ll := leastLikelyClasses(clean)
	for i, k := range ll {
		for j, p := range clean.RawRowView(i) {
			if p < clean.At(i, k) {
				t.Fatalf("row %d: class %d (p = %g) is less likely than %d", i, j, p, k)
			}
		}
	}
	want := Iterative{Steps: 30, StepSize: 1.0 / 255, Targeted: true}.Attack(m, x, ll, Options{Epsilon: 0.1})
	if !mat.Equal(adv, want) { // min(25.5 + 4, 1.25·25.5) → 30 steps
		t.Error("ll differs from iterative targeted FGSM towards the least likely class")
	}
}

// On a flat model (all weights zero) no attack loops, divides by zero or
// moves x, except PGD's random start.
func TestAttacksOnAFlatModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 47))
	m := tinyModels(rng)[2]
	for _, p := range m.Params() {
		clear(p.Data)
	}
	x := randDense(rng, 2, 12, 0.3)
	x.Apply(func(i, j int, v float64) float64 { return min(max(v+0.5, 0), 1) }, x)
	for _, a := range newAttacks {
		_, adv := Craft(m, x, nil, a, Options{Epsilon: 0.1})
		if a == AttackPGD || a == AttackPGDL2 {
			continue
		}
		if !mat.EqualApprox(adv, x, 1e-12) {
			t.Errorf("%s moved x on a flat model", a)
		}
	}
}

// The search for the nearest adversarial example finds, on a linear model,
// the exact distances: |z|/‖w‖₁ for FGSM (which moves z by ε‖w‖₁), |z|/‖w‖₂
// for FGM, both within the tolerance and from above, and DeepFool's
// (1 + overshoot)·|z|/‖w‖₂ in one run. Each Step is one attack run.
func TestNearestAdversarialOnALinearModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(48, 48))
	m := randomLogreg(rng)
	x := mat.NewDense(1, 784, nil)
	for i := range x.RawMatrix().Data {
		x.RawMatrix().Data[i] = 0.3 + 0.4*rng.Float64()
	}
	xs := x.RawRowView(0)
	z, l2, l1 := logit(m, xs)
	o := Options{NoClip: true}
	cases := []struct {
		a         Attack
		want, tol float64
	}{
		{AttackFGSM, math.Abs(z) / l1, 0.5 / 255},
		{AttackPGD, math.Abs(z) / l1, 0.5 / 255},
		{AttackFGM, math.Abs(z) / l2, 0.01},
		{AttackDeepFool, 1.02 * math.Abs(z) / l2, 1e-9},
	}
	for _, c := range cases {
		s := NewNearestSearch(m, xs, c.a, -1, o)
		steps := 0
		for !s.Step() {
			steps++
		}
		r := s.Result()
		if !r.Found || r.Distance < c.want-1e-12 || r.Distance > c.want+c.tol {
			t.Errorf("%s: distance %g (found %v), want %g within +%g", c.a, r.Distance, r.Found, c.want, c.tol)
		}
		if r.Runs != steps+1 || !s.Step() || s.Result().Runs != r.Runs {
			t.Errorf("%s: %d runs in %d steps, or a step after the end ran again", c.a, r.Runs, steps+1)
		}
		if r.Class == Argmax(m.PredictOne(xs)) {
			t.Errorf("%s: the example found has x's class", c.a)
		}
	}
}

// Every known attack runs through NearestAdversarial on every tiny model,
// and what it returns is adversarial at the distance it reports.
func TestNearestAdversarialEveryAttack(t *testing.T) {
	rng := rand.New(rand.NewPCG(49, 49))
	for _, m := range tinyModels(rng) {
		x := randDense(rng, 1, 12, 0.3).RawRowView(0)
		for j := range x {
			x[j] = min(max(x[j]+0.5, 0), 1)
		}
		class := Argmax(m.PredictOne(x))
		for _, a := range Attacks {
			r := nearestAdversarial(m, x, a, -1, Options{})
			if !r.Found {
				continue
			}
			if got := Argmax(m.PredictOne(r.Adv)); got != r.Class || (got == class && !a.Targeted()) {
				t.Errorf("%s %s: the example found is class %d (reported %d, x is %d)", m.Name, a, got, r.Class, class)
			}
			if a.Budgeted() {
				checkBounds(t, m.Name, a, Options{Epsilon: r.Distance}, x, r.Adv)
			}
		}
	}
}

// Every iterative attack calls Options.Yield between its iterations, and
// stops soon after Yield says so: a page relies on both to keep a long
// attack from freezing it, and to cancel one that is no longer wanted.
func TestAttacksYieldAndStop(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	m := tinyModels(rng)[0]
	x := randDense(rng, 1, 12, 0.4)
	x.Apply(func(i, j int, v float64) float64 { return min(max(v+0.5, 0), 1) }, x)
	for _, a := range []Attack{AttackIterative, AttackPGD, AttackPGDL2, AttackLL, AttackDeepFool, AttackCW, AttackJSMA, AttackLBFGS} {
		runs := 0
		// Gamma 1: JSMA may change all 12 pixels, not the default 14.5% (one).
		o := Options{Epsilon: 0.3, Gamma: 1, Yield: func() bool { runs++; return true }}
		_, full := Craft(m, x, nil, a, o)
		if runs == 0 {
			t.Errorf("%s never called Yield", a)
		}
		calls := 0
		o.Yield = func() bool { calls++; return false }
		_, adv := Craft(m, x, nil, a, o)
		if calls != 1 {
			t.Errorf("%s called Yield %d times; it should have stopped at the first", a, calls)
		}
		if runs > 1 && mat.Equal(adv, full) && a != AttackJSMA {
			t.Errorf("%s: stopped at once, it returned the full result", a)
		}
		for _, v := range adv.RawMatrix().Data {
			if math.IsNaN(v) {
				t.Errorf("%s: a stopped attack returned NaN", a)
			}
		}
	}
}

// RunnersUp gives the most probable class other than the label, which is
// the top class where the label is not it.
func TestRunnersUp(t *testing.T) {
	p := mat.NewDense(3, 4, []float64{
		0.1, 0.6, 0.25, 0.05, // label 1: the runner-up is 2
		0.1, 0.6, 0.25, 0.05, // label 3: the top class, 1
		0.4, 0.4, 0.1, 0.1, // a tie with label 1: class 0
	})
	if got, want := RunnersUp(p, []int{1, 3, 1}), []int{2, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("RunnersUp = %v, want %v", got, want)
	}
}

// The search grows ε from below, so that an attack that succeeds only in
// a band of budgets is found there. On a two-class RBF model with a wide
// class 0 around 0.5 and a narrow class 1 around 0.6, FGSM from x = 0.52
// moves every pixel up by ε: class 1 wins for ε in (0.0617, 0.1088), and
// class 0 again beyond, up to ε = 1, where a search that started at 1
// gave up.
func TestNearestSearchFindsABandOfSuccess(t *testing.T) {
	const n = 12
	fill := func(v float64) []float64 { return slices.Repeat([]float64{v}, n) }
	m, err := BuildInput("rbf2", Shape{n}, []LayerSpec{{Kind: "rbf", Centres: "c", Beta: "b"}, {Kind: "gaussian"}}, []string{"0", "1"},
		map[string]Tensor{
			"c": {Shape: []int{2, n}, Data: append(fill(0.5), fill(0.6)...)},
			"b": {Shape: []int{2, n}, Data: append(fill(1), fill(20)...)},
		})
	if err != nil {
		t.Fatal(err)
	}
	x := fill(0.52)
	lo := (math.Sqrt(20)*0.08 - 0.02) / (1 + math.Sqrt(20))
	if got := Argmax(m.PredictOne(fill(1))); got != 0 {
		t.Fatalf("the saturated input is class %d; the test needs class 0", got)
	}
	r := nearestAdversarial(m, x, AttackFGSM, -1, Options{})
	if !r.Found || r.Distance < lo || r.Distance > lo+0.5/255 {
		t.Errorf("FGSM: distance %g (found %v), want %g within +0.5/255", r.Distance, r.Found, lo)
	}
	s := NewNearestSearch(m, x, AttackFGSM, -1, Options{})
	s.Start, s.Max = 0.2, 0.5 // beyond the band: never succeeds
	for !s.Step() {
	}
	if r := s.Result(); r.Found || r.Runs != 3 {
		t.Errorf("from 0.2 up to 0.5: found %v in %d runs, want none in 3 (ε = 0.2, 0.4, 0.5)", r.Found, r.Runs)
	}
}

// With RelativeStep, each run's step grows with ε, so that the least
// likely class method with 10 steps reaches as far as FGSM on a linear
// model; with its default step of 1/255 it cannot pass 10/255.
func TestNearestSearchRelativeStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(50, 50))
	m := randomLogreg(rng)
	x := make([]float64, 784)
	for i := range x {
		x[i] = 0.3 + 0.4*rng.Float64()
	}
	z, _, l1 := logit(m, x)
	m.Layers[0].(*Dense).B.Data[0] += 0.15*l1 - z // x is 0.15 away in the max norm
	want := 0.15
	o := Options{NoClip: true, Steps: 10}
	if r := nearestAdversarial(m, x, AttackLL, -1, o); r.Found {
		t.Errorf("10 steps of 1/255 found an example at %g, beyond their reach", r.Distance)
	}
	s := NewNearestSearch(m, x, AttackLL, -1, o)
	s.RelativeStep = 0.25
	for !s.Step() {
	}
	if r := s.Result(); !r.Found || r.Distance < want-1e-12 || r.Distance > want+0.5/255 {
		t.Errorf("steps of ε/4: distance %g (found %v), want %g within +0.5/255", r.Distance, r.Found, want)
	}
}
