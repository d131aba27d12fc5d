package core

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Result summarises a model's answers on a set of inputs.
type Result struct {
	N int
	// Error is the fraction of inputs whose most probable class is wrong.
	Error float64
	// Confidence is the mean probability of the predicted class, over all
	// inputs.
	Confidence float64
	// MistakeConfidence is the mean probability of the predicted class over
	// the mistakes only (0 when there are none).
	MistakeConfidence float64
	// Agreement, for examples crafted on another model (§8), is the
	// fraction of the crafting model's mistakes on which this model picks
	// the same wrong class (0 elsewhere).
	Agreement float64
}

// evalChunk bounds the rows handled at once, to bound memory.
const evalChunk = 500

// AttackFunc crafts adversarial versions of the batch x for model m.
type AttackFunc func(m *Model, x *mat.Dense, labels []int) *mat.Dense

// Evaluate returns m's error and confidence on x.
func Evaluate(m *Model, x *mat.Dense, labels []int) Result {
	return EvaluateAttack(m, m, x, labels, nil)
}

// EvaluateAttack crafts adversarial inputs on craft with attack and scores
// them on target. With craft ≠ target it measures transfer (§8); a nil
// attack scores the clean inputs.
func EvaluateAttack(craft, target *Model, x *mat.Dense, labels []int, attack AttackFunc) Result {
	var t Tally
	forChunks(x, labels, func(xc *mat.Dense, yc []int) {
		if attack != nil {
			xc = attack(craft, xc, yc)
		}
		t.Add(target.Predict(xc), yc)
	})
	return t.Result()
}

// FGSMAttack adapts FGSM to AttackFunc.
func FGSMAttack(o Options) AttackFunc {
	return func(m *Model, x *mat.Dense, y []int) *mat.Dense { return FGSM(m, x, y, o) }
}

// noiseAttack returns the random ±ε (uniform false) or U(−ε, ε) (uniform
// true) baseline with a fixed seed.
func noiseAttack(o Options, uniform bool, seed uint64) AttackFunc {
	rng := rand.New(rand.NewPCG(seed, 1))
	return func(m *Model, x *mat.Dense, y []int) *mat.Dense {
		if uniform {
			return uniformNoise(rng, x, o)
		}
		return randomSign(rng, x, o)
	}
}

// Sweep evaluates one attack family at each ε (§4). kind is AttackFGSM,
// AttackRandomSign or AttackUniform. The FGSM direction sign(∇ₓJ) does not
// depend on ε, so each chunk of x costs one backward pass and len(eps)
// forward passes; each ε's noise is drawn as noiseAttack draws it.
func Sweep(m *Model, x *mat.Dense, labels []int, kind Attack, eps []float64, base Options, seed uint64) []Result {
	opts, noise := make([]Options, len(eps)), make([]AttackFunc, len(eps))
	for i, e := range eps {
		opts[i] = base
		opts[i].Epsilon = e
		switch kind {
		case AttackFGSM:
		case AttackRandomSign, AttackUniform:
			noise[i] = noiseAttack(opts[i], kind == AttackUniform, seed)
		default:
			panic("core: Sweep does not know attack " + string(kind))
		}
	}
	ts := make([]Tally, len(eps))
	forChunks(x, labels, func(xc *mat.Dense, yc []int) {
		var g *mat.Dense
		if kind == AttackFGSM {
			g = mat.DenseCopyOf(m.attackGradient(xc, yc, base))
		}
		for i, o := range opts {
			var adv *mat.Dense
			if g != nil {
				adv = signStep(xc, g, o.Epsilon, o)
			} else {
				adv = noise[i](m, xc, yc)
			}
			ts[i].Add(m.Predict(adv), yc)
		}
	})
	out := make([]Result, len(eps))
	for i := range ts {
		out[i] = ts[i].Result()
	}
	return out
}

// Transfer returns r[i][j]: FGSM examples crafted on craft[i] and scored on
// target[j] (§8), with the agreement of their mistakes. See TransferRun.
func Transfer(craft, target []*Model, x *mat.Dense, labels []int, o Options) [][]Result {
	run := NewTransferRun(craft, target, x, labels, o)
	for !run.Step(evalChunk) {
	}
	return run.Results()
}

// Rubbish feeds n images of Gaussian noise N(0, 1) per pixel, unclipped,
// to m (paper appendix). Error is the fraction that gets some class with
// probability above 0.5, and Confidence the mean top probability of those.
func Rubbish(m *Model, n int, seed uint64) Result {
	rng := rand.New(rand.NewPCG(seed, 2))
	dim := m.InputSize()
	var hits int
	var conf float64
	for done := 0; done < n; done += evalChunk {
		rows := min(evalChunk, n-done)
		x := mat.NewDense(rows, dim, nil)
		xs := x.RawMatrix().Data
		for i := range xs {
			xs[i] = rng.NormFloat64()
		}
		p := m.Predict(x)
		for i := range rows {
			if top := p.At(i, Argmax(p.RawRowView(i))); top > 0.5 {
				hits++
				conf += top
			}
		}
	}
	r := Result{N: n, Error: float64(hits) / float64(n)}
	if hits > 0 {
		r.Confidence = conf / float64(hits)
	}
	return r
}

// Tally adds up a model's answers on labelled examples into a Result, a
// batch of outputs at a time, as Evaluate counts them. The zero value is
// ready to use.
type Tally struct {
	n, wrong       int
	conf, wrongSum float64
	// With KeepMistakes, Add also records the confidence of each mistake
	// in Mistakes, for a histogram.
	KeepMistakes bool
	Mistakes     []float64
}

// Add counts the rows of p, a model's class probabilities, against labels.
func (t *Tally) Add(p *mat.Dense, labels []int) {
	for i, y := range labels {
		row := p.RawRowView(i)
		k := Argmax(row)
		t.n++
		t.conf += row[k]
		if k != y {
			t.wrong++
			t.wrongSum += row[k]
			if t.KeepMistakes {
				t.Mistakes = append(t.Mistakes, row[k])
			}
		}
	}
}

// Result is what the examples counted so far give.
func (t *Tally) Result() Result {
	r := Result{N: t.n}
	if t.n > 0 {
		r.Error = float64(t.wrong) / float64(t.n)
		r.Confidence = t.conf / float64(t.n)
	}
	if t.wrong > 0 {
		r.MistakeConfidence = t.wrongSum / float64(t.wrong)
	}
	return r
}

func forChunks(x *mat.Dense, labels []int, f func(*mat.Dense, []int)) {
	n, _ := x.Dims()
	for i := 0; i < n; i += evalChunk {
		j := min(i+evalChunk, n)
		f(x.Slice(i, j, 0, x.RawMatrix().Cols).(*mat.Dense), labels[i:j])
	}
}
