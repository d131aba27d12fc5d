package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"

	"fgsmlab/core"
)

// DifferenceLimit is the gap between the paper's figure and ours, in
// fractions (5 points), beyond which a row needs a reason (issue 13).
const DifferenceLimit = 0.05

// Experiment is one cheap measurement that tests a reason for a
// difference between the paper's figures and ours.
type Experiment struct {
	ID   string  `json:"id"`
	What string  `json:"what"`
	Ours Figures `json:"ours"`
}

// Difference is a row whose figure differs from the paper's by more than
// DifferenceLimit, with the measured or most likely reason.
type Difference struct {
	Row     string   `json:"row"`
	Figures []string `json:"figures"` // "error", "confidence" or "agreement"
	Why     string   `json:"why"`
}

// experimentJobs returns the jobs that measure the Experiments, which add
// them to *out under mu. Each needs its models and is left out without
// them.
func experimentJobs(ms map[string]*core.Model, test *core.Dataset, o ReportOptions, out *[]Experiment, mu *sync.Mutex) map[string]func() {
	add := func(es ...Experiment) {
		mu.Lock()
		defer mu.Unlock()
		*out = append(*out, es...)
	}
	have := func(names ...string) bool {
		for _, n := range names {
			if ms[n] == nil {
				return false
			}
		}
		return true
	}
	jobs := map[string]func(){}
	if have("maxout", "maxout-adv", "rbf", "softmax") {
		jobs["why: transfer"] = func() {
			add(transferExperiments(ms["maxout"].Clone(), ms["maxout-adv"].Clone(), ms["rbf"].Clone(), ms["softmax"].Clone(), test)...)
		}
	}
	if have("rbf") {
		jobs["why: rbf"] = func() { add(rbfExperiments(ms["rbf"].Clone(), test)...) }
	}
	if have("softmax", "maxout") {
		jobs["why: softmax"] = func() {
			add(softmaxExperiments(ms["softmax"].Clone(), ms["maxout"].Clone(), test, o)...)
		}
	}
	return jobs
}

// fgsmVariants are the ways of crafting FGSM that the experiments compare:
// ours (float64, clipped), the paper's float32 softmax, and the paper's
// unclipped x̃.
var fgsmVariants = []struct {
	id, what string
	o        core.Options
}{
	{"float64", "float64, clipped (ours)", core.Options{Epsilon: PaperEpsilon}},
	{"float32", "float32 softmax, clipped", core.Options{Epsilon: PaperEpsilon, Float32Softmax: true}},
	{"unclipped", "float64, unclipped", core.Options{Epsilon: PaperEpsilon, NoClip: true}},
	{"float32_unclipped", "float32 softmax, unclipped (the paper's)", core.Options{Epsilon: PaperEpsilon, Float32Softmax: true, NoClip: true}},
}

// crossCounts are FGSM examples crafted on one model and scored on it and
// on others.
type crossCounts struct {
	n, fooled int     // digits, and those whose examples fool the crafting model
	wrong     []int   // per target: its mistakes on all digits
	wrongOn   []int   // per target: its mistakes on the digits that fool the crafting model
	same      []int   // per target: the fooling digits on which it picks the crafting model's class
	conf      float64 // the crafting model's summed confidence on the fooling digits
}

// cross crafts FGSM with o on craft and scores the examples on craft and
// on each target.
func cross(craft *core.Model, targets []*core.Model, d *core.Dataset, o core.Options) crossCounts {
	c := crossCounts{wrong: make([]int, len(targets)), wrongOn: make([]int, len(targets)), same: make([]int, len(targets))}
	for i := 0; i < d.Len(); i += 500 {
		part := d.Slice(i, min(i+500, d.Len()))
		adv := core.FGSM(craft, part.Images, part.Labels, o)
		p := craft.Predict(adv)
		own := preds(p)
		theirs := make([][]int, len(targets))
		for j, t := range targets {
			theirs[j] = preds(t.Predict(adv))
		}
		for k, y := range part.Labels {
			c.n++
			fooled := own[k] != y
			if fooled {
				c.fooled++
				c.conf += p.At(k, own[k])
			}
			for j := range targets {
				if theirs[j][k] != y {
					c.wrong[j]++
					if fooled {
						c.wrongOn[j]++
					}
				}
				if fooled && theirs[j][k] == own[k] {
					c.same[j]++
				}
			}
		}
	}
	return c
}

// own is the crafting model's error and its confidence over its mistakes.
func (c crossCounts) own() Figures {
	f := Figures{Error: ratio(c.fooled, c.n)}
	if c.fooled > 0 {
		f.Confidence = frac(c.conf / float64(c.fooled))
	}
	return f
}

func preds(p *mat.Dense) []int {
	n, _ := p.Dims()
	out := make([]int, n)
	for i := range out {
		out[i] = core.Argmax(p.RawRowView(i))
	}
	return out
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	return frac(float64(a) / float64(b))
}

// transferExperiments measure §8's transfer and agreement rows under each
// of fgsmVariants, counting all digits and only those whose examples fool
// the crafting model, and maxout-adv's error under random ±ε noise.
func transferExperiments(maxout, adv, rbf, softmax *core.Model, test *core.Dataset) []Experiment {
	var out []Experiment
	for _, v := range fgsmVariants {
		c := cross(maxout, []*core.Model{adv, rbf, softmax}, test, v.o)
		out = append(out,
			Experiment{"maxout_fgsm_" + v.id, "maxout's FGSM error on itself, " + v.what, c.own()},
			Experiment{"transfer_maxout_to_maxout_adv_" + v.id, "maxout's FGSM examples on maxout-adv, " + v.what,
				Figures{Error: ratio(c.wrong[0], c.n)}},
			Experiment{"transfer_maxout_to_maxout_adv_fooling_" + v.id,
				"maxout's FGSM examples that fool maxout, on maxout-adv, " + v.what, Figures{Error: ratio(c.wrongOn[0], c.fooled)}},
			Experiment{"agreement_rbf_maxout_" + v.id, "rbf picks maxout's class on maxout's mistakes, " + v.what,
				Figures{Agreement: ratio(c.same[1], c.fooled)}},
			Experiment{"agreement_softmax_maxout_" + v.id, "softmax picks maxout's class on maxout's mistakes, " + v.what,
				Figures{Agreement: ratio(c.same[2], c.fooled)}},
		)
		b := cross(adv, []*core.Model{maxout}, test, v.o)
		out = append(out,
			Experiment{"maxout_adv_fgsm_" + v.id, "maxout-adv's FGSM error on itself, " + v.what, b.own()},
			Experiment{"transfer_maxout_adv_to_maxout_" + v.id, "maxout-adv's FGSM examples on maxout, " + v.what,
				Figures{Error: ratio(b.wrong[0], b.n)}},
			Experiment{"transfer_maxout_adv_to_maxout_fooling_" + v.id,
				"maxout-adv's FGSM examples that fool maxout-adv, on maxout, " + v.what, Figures{Error: ratio(b.wrongOn[0], b.fooled)}})
	}
	r := core.Sweep(adv, test.Images, test.Labels, core.AttackRandomSign, []float64{PaperEpsilon}, core.Options{}, 1)[0]
	return append(out, Experiment{"maxout_adv_random_sign", "maxout-adv's error under random ±ε noise (ε = 0.25, clipped)",
		Figures{Error: frac(r.Error)}})
}

// rbfExperiments measure the RBF network's FGSM error unclipped, and
// against the cost of the true class alone, −log p_y = z_y, whose
// gradient moves x away from the true class's centre without pulling it
// towards another's.
func rbfExperiments(m *core.Model, test *core.Dataset) []Experiment {
	r := core.EvaluateAttack(m, m, test.Images, test.Labels, core.FGSMAttack(core.Options{Epsilon: PaperEpsilon, NoClip: true}))
	out := []Experiment{{"rbf_fgsm_unclipped", "rbf's FGSM error, unclipped", Figures{Error: frac(r.Error), Confidence: frac(r.MistakeConfidence)}}}
	trueClass := func(m *core.Model, x *mat.Dense, y []int) *mat.Dense {
		n, c := x.Dims()
		onehot := mat.NewDense(n, len(m.Classes), nil)
		for i, l := range y {
			onehot.Set(i, l, 1)
		}
		g := m.ScoreGradient(x, onehot) // ∇ₓ log p_y = −∇ₓJ
		adv := mat.NewDense(n, c, nil)
		for i := range n {
			for j, v := range g.RawRowView(i) {
				adv.Set(i, j, min(max(x.At(i, j)-PaperEpsilon*core.Sign(v), 0), 1))
			}
		}
		return adv
	}
	r = core.EvaluateAttack(m, m, test.Images, test.Labels, trueClass)
	return append(out, Experiment{"rbf_fgsm_true_class_cost", "rbf's FGSM error along ∇ₓ(−log p_y) only, clipped",
		Figures{Error: frac(r.Error), Confidence: frac(r.MistakeConfidence)}})
}

// softmaxExperiments measure the rubbish rate of softmax and maxout under
// other readings of the paper's noise, and of the softmax with its logits
// divided by the temperature T at which its FGSM mistakes have the
// paper's mean confidence, 79.3%.
func softmaxExperiments(softmax, maxout *core.Model, test *core.Dataset, o ReportOptions) []Experiment {
	n := o.RubbishSamples
	var out []Experiment
	for _, v := range []struct {
		id, what string
		sigma    float64
		clip     bool
	}{{"clipped", "N(0, 1) clipped to [0, 1]", 1, true}, {"sigma0.5", "N(0, 0.5²), unclipped", 0.5, false}} {
		for _, m := range []*core.Model{softmax, maxout} {
			r := rubbishNoise(m, n, o.Seed, v.sigma, v.clip)
			out = append(out, Experiment{"rubbish_" + m.Name + "_" + v.id, "rubbish class through " + m.Name + ", " + v.what,
				Figures{Error: frac(r.Error), Confidence: frac(r.Confidence)}})
		}
	}
	// The mistakes' confidence falls as T grows; bisect on log T.
	lo, hi := 0.0, math.Log(10)
	var cooled *core.Model
	for range 14 {
		mid := (lo + hi) / 2
		cooled = withTemperature(softmax, math.Exp(mid))
		r := core.EvaluateAttack(cooled, cooled, test.Images, test.Labels, core.FGSMAttack(core.Options{Epsilon: PaperEpsilon}))
		if r.MistakeConfidence > 0.793 {
			lo = mid
		} else {
			hi = mid
		}
	}
	t := math.Exp((lo + hi) / 2)
	cooled = withTemperature(softmax, t)
	r := core.Rubbish(cooled, n, o.Seed)
	f := core.EvaluateAttack(cooled, cooled, test.Images, test.Labels, core.FGSMAttack(core.Options{Epsilon: PaperEpsilon}))
	c := core.Evaluate(cooled, test.Images, test.Labels)
	return append(out,
		Experiment{"softmax_temperature", fmt.Sprintf("the temperature T = %.2f at which softmax's FGSM mistakes have mean confidence 79.3%%: its FGSM error and confidence", t),
			Figures{Error: frac(f.Error), Confidence: frac(f.MistakeConfidence)}},
		Experiment{"softmax_temperature_clean", fmt.Sprintf("softmax at T = %.2f, clean (the error does not change)", t),
			Figures{Error: frac(c.Error), Confidence: frac(c.Confidence)}},
		Experiment{"rubbish_softmax_temperature", fmt.Sprintf("rubbish class through softmax at T = %.2f, N(0, 1) unclipped", t),
			Figures{Error: frac(r.Error), Confidence: frac(r.Confidence)}})
}

// withTemperature returns a copy of m whose last dense layer is divided by
// t, so that its logits are z/t.
func withTemperature(m *core.Model, t float64) *core.Model {
	c := m.Clone()
	for i := len(c.Layers) - 1; i >= 0; i-- {
		if d, ok := c.Layers[i].(*core.Dense); ok {
			for _, p := range []*core.Param{d.W, d.B} {
				for k := range p.Data {
					p.Data[k] /= t
				}
			}
			break
		}
	}
	return c
}

// rubbishNoise is core.Rubbish with noise N(0, σ²), clipped to [0, 1] if
// clip.
func rubbishNoise(m *core.Model, n int, seed uint64, sigma float64, clip bool) core.Result {
	rng := rand.New(rand.NewPCG(seed, 3))
	var hits int
	var conf float64
	for done := 0; done < n; done += 500 {
		rows := min(500, n-done)
		x := mat.NewDense(rows, m.InputSize(), nil)
		xs := x.RawMatrix().Data
		for i := range xs {
			xs[i] = sigma * rng.NormFloat64()
			if clip {
				xs[i] = min(max(xs[i], 0), 1)
			}
		}
		p := m.Predict(x)
		for i := range rows {
			if top := p.At(i, core.Argmax(p.RawRowView(i))); top > 0.5 {
				hits++
				conf += top
			}
		}
	}
	r := core.Result{N: n, Error: float64(hits) / float64(n)}
	if hits > 0 {
		r.Confidence = conf / float64(hits)
	}
	return r
}

// differences lists the rows whose figures differ from the paper's by more
// than DifferenceLimit, each with its reason from whyRows and the
// experiments that test it.
func differences(r *Report) []Difference {
	exps := map[string]Experiment{}
	for _, e := range r.Experiments {
		exps[e.ID] = e
	}
	var out []Difference
	for _, row := range r.Rows {
		if row.Ours == nil {
			continue
		}
		var figs []string
		for _, f := range []struct {
			name        string
			paper, ours *float64
		}{{"error", row.Paper.Error, row.Ours.Error}, {"confidence", row.Paper.Confidence, row.Ours.Confidence},
			{"agreement", row.Paper.Agreement, row.Ours.Agreement}} {
			if f.paper != nil && f.ours != nil && math.Abs(*f.paper-*f.ours) > DifferenceLimit {
				figs = append(figs, f.name)
			}
		}
		if len(figs) == 0 {
			continue
		}
		w, ok := whyRows[row.ID]
		if !ok {
			out = append(out, Difference{Row: row.ID, Figures: figs, Why: "not explained yet"})
			continue
		}
		why := w.why
		if w.extra != nil {
			if e := w.extra(r); e != "" {
				why += " " + e
			}
		}
		var measured []string
		for _, id := range w.experiments {
			if e, ok := exps[id]; ok {
				measured = append(measured, fmt.Sprintf("%s: %s", e.What, describe(e.Ours)))
			}
		}
		if len(measured) > 0 {
			why += " Measured: " + strings.Join(measured, "; ") + "."
		}
		out = append(out, Difference{Row: row.ID, Figures: figs, Why: why})
	}
	return out
}

// describe prints figures as "error 94.5%, conf 2.7%".
func describe(f Figures) string {
	var parts []string
	for _, p := range []struct {
		name string
		v    *float64
	}{{"error", f.Error}, {"conf", f.Confidence}, {"agree", f.Agreement}} {
		if p.v != nil {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", p.name, 100**p.v))
		}
	}
	return strings.Join(parts, ", ")
}

// epsilonReaching returns the first ε of m's sweep at which the FGSM error
// reaches e, interpolated linearly, or NaN.
func epsilonReaching(m *ModelReport, e float64) float64 {
	if m == nil {
		return math.NaN()
	}
	for i := 1; i < len(m.Sweep); i++ {
		a, b := m.Sweep[i-1], m.Sweep[i]
		if a.Error < e && b.Error >= e {
			return a.Epsilon + (e-a.Error)/(b.Error-a.Error)*(b.Epsilon-a.Epsilon)
		}
	}
	return math.NaN()
}

// whyRow is the reason for a row's difference: the reason in words, stated
// as measured or as most likely, and the experiments that test it.
type whyRow struct {
	why         string
	experiments []string
	extra       func(r *Report) string // a sentence computed from the report, or nil
}
