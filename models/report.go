package models

import (
	"cmp"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"fgsmlab/core"
	"fgsmlab/models/facts"
)

// Figures are the numbers of one experiment, as fractions in [0, 1]. A nil
// field was not stated (paper) or not measured (ours).
type Figures struct {
	Error      *float64 `json:"error,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
	// Agreement is the fraction of a source model's mistakes on which
	// another model picks the same wrong class (§8).
	Agreement *float64 `json:"agreement,omitempty"`
}

// Row is one line of the paper's table with our figure beside it.
type Row struct {
	ID    string   `json:"id"`
	What  string   `json:"what"`
	Paper Figures  `json:"paper"`
	Ours  *Figures `json:"ours,omitempty"` // nil when not reproduced; Note says why
	// OursFloat32 is our figure with the FGSM gradient taken from a float32
	// softmax (core.Options.Float32Softmax), as the paper's float32
	// networks computed it; set on the rows of FGSM examples only.
	OursFloat32 *Figures `json:"ours_float32_softmax,omitempty"`
	// ConfidenceOver says which mean confidence the row uses.
	ConfidenceOver string `json:"confidence_over,omitempty"`
	Note           string `json:"note,omitempty"`
}

// Point is one ε of a sweep.
type Point struct {
	Epsilon           float64 `json:"epsilon"`
	Error             float64 `json:"error"`
	Confidence        float64 `json:"confidence"`         // over all examples
	MistakeConfidence float64 `json:"mistake_confidence"` // over the mistakes
}

// ModelReport is what the report measured on one model.
type ModelReport struct {
	Name     string  `json:"name"`
	Examples int     `json:"examples"`
	Sweep    []Point `json:"fgsm_sweep"`
	// Float32 is FGSM at ε = 0.25 with the gradient of a float32 softmax
	// (core.Options.Float32Softmax).
	Float32 *Point `json:"fgsm_float32_softmax,omitempty"`
	// Rubbish is nil for logreg37, one of whose two probabilities is
	// always at least ½.
	Rubbish *Rubbish `json:"rubbish,omitempty"`
	// Attacks are the model's errors under the stronger attacks of
	// AttackSettings, in their order.
	Attacks []AttackPoint `json:"attacks,omitempty"`
}

// AttackSetting is one of the stronger attacks (issue 11) that the report
// runs on every model at fixed settings, on the first digits of the
// model's test set, against their true labels. The targeted ones (JSMA,
// L-BFGS) are given each digit's runner-up class (core.RunnersUp of the
// clean probabilities and the true label) as their target.
type AttackSetting struct {
	ID      string // the row suffix, as in maxout_adv_pgd40_0.25
	What    string
	Attack  core.Attack
	Options core.Options
	// Examples is the number of digits it runs on; 0 means AttackExamples.
	Examples int
}

// AttackSettings are the stronger attacks of the report. The L2 budget
// ε₂ = 1.5 of FGM and PGD-L2 is about the median ‖η‖₂ that DeepFool and
// C&W find on the undefended networks (0.7–1.5 on softmax, mlp, maxout and
// cnn), so that the one-step and the iterative attack part ways there; the
// L∞ ball of ε = 0.25 holds L2 distances up to 7. The slow attacks run on
// fewer digits, so that `make reproduce` stays within a few minutes.
var AttackSettings = []AttackSetting{
	{ID: "pgd40_0.25", Attack: core.AttackPGD, Options: core.Options{Epsilon: PaperEpsilon, Steps: 40},
		What: "PGD-40 (L∞, ε = 0.25, steps of 2.5ε/40 from a random start; Madry et al. 2018)"},
	{ID: "ll40_0.25", Attack: core.AttackLL, Options: core.Options{Epsilon: PaperEpsilon, Steps: 40, StepSize: 2.5 * PaperEpsilon / 40},
		Examples: 500,
		What:     "iterative least-likely class (L∞, ε = 0.25, 40 steps of 2.5ε/40 towards the least likely clean class; Kurakin et al. 2017)"},
	{ID: "fgm_l2_1.5", Attack: core.AttackFGM, Options: core.Options{Epsilon: 1.5},
		What: "FGM (L2, ε₂ = 1.5, one step of ε₂ along ∇ₓJ/‖∇ₓJ‖₂)"},
	{ID: "pgdl2_40_l2_1.5", Attack: core.AttackPGDL2, Options: core.Options{Epsilon: 1.5, Steps: 40}, Examples: 500,
		What: "PGD-L2-40 (L2, ε₂ = 1.5, steps of 2.5ε₂/40 from a random start; Madry et al. 2018)"},
	{ID: "deepfool", Attack: core.AttackDeepFool, Options: core.Options{},
		What: "DeepFool (L2, no budget: at most 50 steps, overshoot 0.02; Moosavi-Dezfooli et al. 2016)"},
	{ID: "cw", Attack: core.AttackCW, Options: core.Options{}, Examples: 100,
		What: "Carlini–Wagner L2 (no budget: κ = 0, 6 values of c from 1, ≤ 100 Adam steps of 0.1 each; 2017)"},
	{ID: "jsma_runnerup", Attack: core.AttackJSMA, Options: core.Options{}, Examples: 100,
		What: "JSMA towards the runner-up class (no budget: pixel pairs set to 1, at most 14.5% of the pixels; Papernot et al. 2016)"},
	{ID: "lbfgs_runnerup", Attack: core.AttackLBFGS, Options: core.Options{}, Examples: 100,
		What: "box-constrained L-BFGS towards the runner-up class (no budget: 6 values of c from 1, ≤ 60 iterations each; Szegedy et al. 2014)"},
}

// AttackExamples bounds the digits the stronger attacks run on by default:
// PGD-40 costs 40 forward and backward passes per digit.
const AttackExamples = 1000

// AttackPoint is a model's error under one AttackSetting.
type AttackPoint struct {
	ID                string  `json:"id"`
	Examples          int     `json:"examples"`
	Error             float64 `json:"error"`              // against the true labels
	MistakeConfidence float64 `json:"mistake_confidence"` // over the mistakes
	// Success is the fraction of digits on which the attack reached its
	// goal: the target class for the targeted attacks, else a wrong class
	// (then it equals Error). Set for the attacks with no budget only.
	Success *float64 `json:"success,omitempty"`
	// MedianSize is the median size of η over the successes: ‖η‖₂, or the
	// number of pixels changed for JSMA (SizeUnit says which). Set for the
	// attacks with no budget that succeeded at least once.
	MedianSize *float64 `json:"median_size,omitempty"`
	SizeUnit   string   `json:"size_unit,omitempty"`
}

// The units of AttackPoint.MedianSize.
const (
	SizeL2     = "‖η‖₂"
	SizePixels = "pixels changed"
)

// Attack returns the point of the AttackSetting with the given ID, or nil.
func (m ModelReport) Attack(id string) *AttackPoint {
	for i := range m.Attacks {
		if m.Attacks[i].ID == id {
			return &m.Attacks[i]
		}
	}
	return nil
}

// Rubbish is the rubbish-class experiment (paper appendix): Gaussian noise
// images that get a class with probability above ½.
type Rubbish struct {
	Samples    int     `json:"samples"`
	Rate       float64 `json:"rate"`       // fraction of the noise images with a class above ½
	Confidence float64 `json:"confidence"` // their mean top probability (0 when there are none)
}

// At returns the sweep point at ε, which must be one of SweepEpsilons.
func (m ModelReport) At(eps float64) Point {
	for _, p := range m.Sweep {
		if p.Epsilon == eps {
			return p
		}
	}
	panic(fmt.Sprintf("models: no sweep point at ε = %v", eps))
}

// Target is one of the reproduction targets (facts.Targets) with what
// the shipped model got.
type Target struct {
	Row     string  `json:"row"`
	What    string  `json:"what"`
	Limit   float64 `json:"limit"`
	AtLeast bool    `json:"at_least"` // Got ≥ Limit passes; else Got ≤ Limit
	Got     float64 `json:"got"`
	Status  string  `json:"status"` // "PASS", "FAIL" or "MISSING"
}

// Report is the reproduction of the paper's MNIST table.
type Report struct {
	// TestExamples is the number of MNIST test digits used (3s and 7s only
	// for logreg37).
	TestExamples int           `json:"test_examples"`
	Epsilon      float64       `json:"epsilon"`
	Clip         bool          `json:"clip"`
	Rows         []Row         `json:"rows"`
	Models       []ModelReport `json:"models"`
	Targets      []Target      `json:"targets"`
	Missing      []string      `json:"missing,omitempty"` // recipes with no model
	// Linear is §5's L1 study; nil without ReportOptions.Train.
	Linear *LinearStudy `json:"linear,omitempty"`
	// Ensemble is §9; nil without ReportOptions.Ensemble.
	Ensemble *EnsembleReport `json:"ensemble,omitempty"`
	// Experiments are the cheap measurements behind Differences.
	Experiments []Experiment `json:"experiments,omitempty"`
	// Differences are the rows whose figures differ from the paper's by
	// more than DifferenceLimit, each with its reason.
	Differences []Difference `json:"differences,omitempty"`
}

// SweepEpsilons are the ε of the FGSM sweeps: 0, 0.05, …, 0.5.
var SweepEpsilons = func() []float64 {
	e := make([]float64, 11)
	for i := range e {
		e[i] = float64(i) / 20
	}
	return e
}()

// PaperEpsilon is the ε of the paper's MNIST figures.
const PaperEpsilon = facts.PaperEpsilon

// ReportOptions set up Reproduce. Zero values mean the paper's settings.
type ReportOptions struct {
	RubbishSamples int    // Gaussian noise images per model; 0 means 10,000
	Seed           uint64 // seed of the noise images
	// AttackDigits, when positive, caps the digits each of AttackSettings
	// runs on (a quick report for tests); 0 means the settings' own.
	AttackDigits int
	// Log, when set, is told how long each measurement took.
	Log func(what string, took time.Duration)
	// Train, the full training set, enables §5's L1 study (LinearStudy),
	// which needs training errors and retrains logistic regressions.
	Train *core.Dataset
	// Ensemble, a model made by core.NewEnsemble (facts.ReportEnsemble),
	// enables §9's rows, measured on the first EnsembleExamples digits.
	Ensemble *core.Model
}

// Reproduce measures every experiment of the paper's table that MNIST can
// reproduce, with the models in ms (keyed by recipe name; missing models
// leave their rows without our figures) on test. Adversarial examples are
// FGSM, clipped to [0, 1]. It uses every core, one model per goroutine.
func Reproduce(ms map[string]*core.Model, test *core.Dataset, o ReportOptions) *Report {
	if o.RubbishSamples <= 0 {
		o.RubbishSamples = 10000
	}
	r := &Report{TestExamples: test.Len(), Epsilon: PaperEpsilon, Clip: true}
	for _, rc := range Recipes {
		if ms[rc.Name] == nil {
			r.Missing = append(r.Missing, rc.Name)
			continue
		}
		r.Models = append(r.Models, ModelReport{Name: rc.Name})
	}
	x, x32 := crossResult{}, crossResult{}
	var mu sync.Mutex
	jobs := map[string]func(){}
	for i := range r.Models {
		mr := &r.Models[i]
		jobs[mr.Name] = func() {
			others := map[string]*core.Model{}
			for _, name := range transfers[mr.Name] {
				if ms[name] != nil {
					others[name] = ms[name].Clone()
				}
			}
			res, res32 := measureModel(mr, ms[mr.Name].Clone(), test, others, o)
			mu.Lock()
			defer mu.Unlock()
			for name, c := range res {
				x[[2]string{mr.Name, name}] = c
				x32[[2]string{mr.Name, name}] = res32[name]
			}
		}
	}
	if o.Ensemble != nil {
		jobs["ensemble (§9)"] = func() { r.Ensemble = MeasureEnsemble(o.Ensemble, test, EnsembleExamples) }
	}
	maps.Copy(jobs, experimentJobs(ms, test, o, &r.Experiments, &mu))
	runJobs(jobs, o.Log)
	slices.SortFunc(r.Experiments, func(a, b Experiment) int { return cmp.Compare(a.ID, b.ID) })
	if o.Train != nil {
		t := time.Now()
		r.Linear = studyLinear(ms, o.Train, test)
		if o.Log != nil {
			o.Log("the L1 study (§5)", time.Since(t))
		}
	}
	r.Rows = rows(r, x, x32, maxoutNote(ms["maxout"]))
	r.Targets = targets(r)
	r.Differences = differences(r)
	return r
}

// transfers lists, for a model, the models its FGSM examples at ε = 0.25
// are also scored on (§8): transfer between maxout and maxout-adv, and which
// class RBF and softmax pick on maxout's examples.
var transfers = map[string][]string{"maxout": {"maxout-adv", "rbf", "softmax"}, "maxout-adv": {"maxout"},
	"cnn": {"cnn-adv"}, "cnn-adv": {"cnn"}}

// crossResult holds the scores of FGSM examples at ε = 0.25, with the
// agreement of their mistakes (§8), by {crafting model, scoring model}:
// one with the float64 gradient, one with the float32 softmax's.
type crossResult map[[2]string]core.Result

// Model returns the report on the named model, or nil.
func (r *Report) Model(name string) *ModelReport {
	for i := range r.Models {
		if r.Models[i].Name == name {
			return &r.Models[i]
		}
	}
	return nil
}

// Failed reports whether a target failed or could not be measured.
func (r *Report) Failed() bool {
	for _, t := range r.Targets {
		if t.Status != "PASS" {
			return true
		}
	}
	return false
}

// runJobs runs the jobs with at most GOMAXPROCS at a time, the largest
// (the maxout networks) first.
func runJobs(jobs map[string]func(), log func(string, time.Duration)) {
	names := slices.Sorted(maps.Keys(jobs))
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(jobCost[b], jobCost[a]) })
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, name := range names {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			start := time.Now()
			jobs[name]()
			if log != nil {
				log(name, time.Since(start))
			}
		})
	}
	wg.Wait()
}

// jobCost orders the jobs of Reproduce, costliest first.
var jobCost = map[string]int{"ensemble (§9)": 3, "cnn": 4, "cnn-adv": 4, "maxout": 3, "maxout-adv": 3,
	"maxout-noise-sign": 3, "maxout-noise-uniform": 3, "mlp": 2, "softmax": 1, "rbf": 1}

// measureModel sweeps FGSM over SweepEpsilons on m's data, scores the
// examples at ε = 0.25 on others too, with the float64 gradient and the
// float32 softmax's, and feeds m Gaussian noise.
func measureModel(mr *ModelReport, m *core.Model, test *core.Dataset, others map[string]*core.Model, o ReportOptions) (cross, cross32 map[string]core.Result) {
	d := test
	if rc, _ := Find(mr.Name); rc.Data != nil {
		d = rc.Data(test)
	}
	mr.Examples = d.Len()
	for i, r := range core.Sweep(m, d.Images, d.Labels, core.AttackFGSM, SweepEpsilons, core.Options{}, 0) {
		mr.Sweep = append(mr.Sweep, Point{SweepEpsilons[i], r.Error, r.Confidence, r.MistakeConfidence})
	}
	f32 := core.Options{Float32Softmax: true}
	r32 := core.Sweep(m, d.Images, d.Labels, core.AttackFGSM, []float64{PaperEpsilon}, f32, 0)[0]
	mr.Float32 = &Point{PaperEpsilon, r32.Error, r32.Confidence, r32.MistakeConfidence}
	mr.Attacks = measureAttacks(m, d, o.AttackDigits)
	if len(m.Classes) > 2 {
		rb := core.Rubbish(m, o.RubbishSamples, o.Seed)
		mr.Rubbish = &Rubbish{Samples: rb.N, Rate: rb.Error, Confidence: rb.Confidence}
	}
	names := slices.Sorted(maps.Keys(others))
	targets := make([]*core.Model, len(names))
	for i, name := range names {
		targets[i] = others[name]
	}
	cross, cross32 = map[string]core.Result{}, map[string]core.Result{}
	for _, f32 := range []bool{false, true} {
		o := core.Options{Epsilon: PaperEpsilon, Float32Softmax: f32}
		for j, r := range core.Transfer([]*core.Model{m}, targets, d.Images, d.Labels, o)[0] {
			if f32 {
				cross32[names[j]] = r
			} else {
				cross[names[j]] = r
			}
		}
	}
	return cross, cross32
}

// measureAttacks runs each of AttackSettings on the first digits of d
// with m, on no more than limit digits when limit > 0.
func measureAttacks(m *core.Model, d *core.Dataset, limit int) []AttackPoint {
	var out []AttackPoint
	for _, s := range AttackSettings {
		n := min(cmp.Or(s.Examples, AttackExamples), d.Len())
		if limit > 0 {
			n = min(n, limit)
		}
		ds := d.Slice(0, n)
		out = append(out, measureAttack(m, ds, s))
	}
	return out
}

// measureAttack runs one setting on d. For the attacks with no budget it
// also counts the successes and measures η on them.
func measureAttack(m *core.Model, d *core.Dataset, s AttackSetting) AttackPoint {
	var hits core.Tally // against the goal: the targets, or the true labels
	var sizes []float64
	attack := func(m *core.Model, x *mat.Dense, y []int) *mat.Dense {
		goal := y
		if s.Attack.Targeted() {
			goal = core.RunnersUp(m.Predict(x), y)
		}
		_, adv := core.Craft(m, x, goal, s.Attack, s.Options)
		if s.Attack.Budgeted() {
			return adv
		}
		p := m.Predict(adv)
		hits.Add(p, goal)
		eta := core.Perturbation(x, adv)
		for i, g := range goal {
			success := core.Argmax(p.RawRowView(i)) == g
			if !s.Attack.Targeted() {
				success = !success
			}
			if success {
				sizes = append(sizes, size(eta.RawRowView(i), s.Attack))
			}
		}
		return adv
	}
	r := core.EvaluateAttack(m, m, d.Images, d.Labels, attack)
	pt := AttackPoint{ID: s.ID, Examples: r.N, Error: r.Error, MistakeConfidence: r.MistakeConfidence}
	if !s.Attack.Budgeted() {
		pt.Success = frac(1 - hits.Result().Error)
		if !s.Attack.Targeted() {
			pt.Success = frac(r.Error)
		}
		pt.SizeUnit = SizeL2
		if !s.Attack.L2() {
			pt.SizeUnit = SizePixels
		}
		if len(sizes) > 0 {
			pt.MedianSize = frac(median(sizes))
		}
	}
	return pt
}

// size is the size of η by a's norm: ‖η‖₂ for the L2 attacks, else the
// number of pixels changed (JSMA's L0).
func size(eta []float64, a core.Attack) float64 {
	if a.L2() {
		return floats.Norm(eta, 2)
	}
	var n float64
	for _, v := range eta {
		if v != 0 {
			n++
		}
	}
	return n
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// ConfidenceOver values: which mean confidence a row uses.
const (
	OverMistakes = "mistakes"
	OverAll      = "all examples"
	OverRubbish  = "noise images with a class above 0.5"
)

func frac(v float64) *float64 { return &v }

// paper returns the paper's figures for a row, from the table of facts.
// Rows of our own experiments, which the paper does not have, get none.
func paper(id string) Figures {
	f, ok := facts.FindFigure(id)
	if !ok {
		return Figures{}
	}
	return Figures{Error: stated(f.Error), Confidence: stated(f.Confidence), Agreement: stated(f.Agreement)}
}

// stated returns v, or nil where the paper does not state it.
func stated(v float64) *float64 {
	if v == facts.NotStated {
		return nil
	}
	return frac(v)
}

// rowMaker builds the rows of one model; a missing model leaves Ours nil.
type rowMaker struct {
	r      *Report
	x, x32 crossResult
}

// fgsm is a row of a model attacked on itself at ε = 0.25, with the mean
// confidence over its mistakes.
func (b rowMaker) fgsm(id, name, what string, note string) Row {
	row := Row{ID: id, What: what, Paper: paper(id), ConfidenceOver: OverMistakes, Note: note}
	if m := b.r.Model(name); m != nil {
		p := m.At(PaperEpsilon)
		row.Ours = &Figures{Error: frac(p.Error), Confidence: frac(p.MistakeConfidence)}
		row.Note = join(note, fmt.Sprintf("mean confidence over all examples %.1f%%", 100*p.Confidence))
		if q := m.Float32; q != nil {
			row.OursFloat32 = &Figures{Error: frac(q.Error), Confidence: frac(q.MistakeConfidence)}
		}
	} else {
		row.Note = join(note, missing(name))
	}
	return row
}

// control is an fgsm row of one of §6's noise-trained controls, whose
// note gives its clean error too: the paper states none, and noise
// training should cost little of it.
func (b rowMaker) control(id, name, what, note string) Row {
	row := b.fgsm(id, name, what, note)
	if m := b.r.Model(name); m != nil {
		row.Note = join(row.Note, fmt.Sprintf("clean error %.2f%%", 100*m.At(0).Error))
	}
	return row
}

// clean is a row of a model's clean test error and mean confidence over
// all examples.
func (b rowMaker) clean(id, name, what string, note string) Row {
	row := Row{ID: id, What: what, Paper: paper(id), ConfidenceOver: OverAll, Note: note}
	if m := b.r.Model(name); m != nil {
		p := m.At(0)
		row.Ours = &Figures{Error: frac(p.Error), Confidence: frac(p.Confidence)}
	} else {
		row.Note = join(note, missing(name))
	}
	return row
}

func (b rowMaker) rubbish(name string) Row {
	id := "rubbish_" + name
	row := Row{ID: id, What: "rubbish class: Gaussian noise through " + name + ", any class > 0.5",
		Paper: paper(id), ConfidenceOver: OverRubbish, Note: "N(0, 1) per pixel, unclipped"}
	if m := b.r.Model(name); m != nil && m.Rubbish != nil {
		row.Ours = &Figures{Error: frac(m.Rubbish.Rate)}
		row.Note = join(row.Note, fmt.Sprintf("%d samples", m.Rubbish.Samples))
		if m.Rubbish.Rate > 0 {
			row.Ours.Confidence = frac(m.Rubbish.Confidence)
		}
	} else {
		row.Note = join(row.Note, missing(name))
	}
	return row
}

func (b rowMaker) transfer(id, what, craft, target, note string) Row {
	row := Row{ID: id, What: what, Paper: paper(id), ConfidenceOver: OverMistakes, Note: note}
	if res, ok := b.x[[2]string{craft, target}]; ok {
		row.Ours = &Figures{Error: frac(res.Error), Confidence: frac(res.MistakeConfidence)}
		if res, ok := b.x32[[2]string{craft, target}]; ok {
			row.OursFloat32 = &Figures{Error: frac(res.Error), Confidence: frac(res.MistakeConfidence)}
		}
	} else {
		row.Note = join(note, "needs maxout and maxout-adv")
	}
	return row
}

func (b rowMaker) agreement(name string) Row {
	id := "agreement_" + name + "_maxout"
	row := Row{ID: id,
		What:  name + " picks maxout's class on maxout's FGSM mistakes (ε = 0.25)",
		Paper: paper(id),
		Note:  "examples crafted on maxout that maxout gets wrong"}
	if c, ok := b.x[[2]string{"maxout", name}]; ok {
		row.Ours = &Figures{Agreement: frac(c.Agreement)}
		if c, ok := b.x32[[2]string{"maxout", name}]; ok {
			row.OursFloat32 = &Figures{Agreement: frac(c.Agreement)}
		}
	} else {
		row.Note = join(row.Note, "needs maxout and "+name)
	}
	return row
}

// attack is the row of a model under one of AttackSettings, with the mean
// confidence over its mistakes.
func (b rowMaker) attack(name string, s AttackSetting) Row {
	id := strings.ReplaceAll(name, "-", "_") + "_" + s.ID
	row := Row{ID: id, What: name + ", " + s.What, Paper: paper(id), ConfidenceOver: OverMistakes}
	m := b.r.Model(name)
	if m == nil {
		row.Note = missing(name)
		return row
	}
	if p := m.Attack(s.ID); p != nil {
		row.Ours = &Figures{Error: frac(p.Error), Confidence: frac(p.MistakeConfidence)}
		row.Note = fmt.Sprintf("the first %d test digits", p.Examples)
		if !s.Attack.Budgeted() {
			row.Note = join(row.Note, attackSize(*p, s.Attack))
		}
	} else {
		row.Note = "not measured"
	}
	return row
}

// attackSize says how often an attack with no budget reached its goal and
// how large the median η of its successes was.
func attackSize(p AttackPoint, a core.Attack) string {
	goal := "a wrong class"
	if a.Targeted() {
		goal = "the runner-up class"
	}
	if p.Success == nil {
		return "success not measured"
	}
	txt := fmt.Sprintf("success %.1f%% (%s)", 100**p.Success, goal)
	if p.MedianSize == nil {
		return txt + "; no success to measure"
	}
	if p.SizeUnit == SizePixels {
		return txt + fmt.Sprintf("; median %.0f %s over the successes", *p.MedianSize, p.SizeUnit)
	}
	return txt + fmt.Sprintf("; median %s = %.2f over the successes", p.SizeUnit, *p.MedianSize)
}

// attackRows are the rows of every model under every AttackSettings, in
// the order of Recipes.
func (b rowMaker) attackRows() []Row {
	var out []Row
	for _, s := range AttackSettings {
		for _, rc := range Recipes {
			out = append(out, b.attack(rc.Name, s))
		}
	}
	return out
}

func notReproduced(id, what, why string) Row {
	return Row{ID: id, What: what, Paper: paper(id), Note: "not reproduced: " + why}
}

func missing(name string) string { return "model " + name + " missing (make train)" }

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// rows lays out the paper's table (../shared/paper.md) in its order, with
// the rows of our own experiments after it.
func rows(r *Report, x, x32 crossResult, small string) []Row {
	b := rowMaker{r, x, x32}
	return append([]Row{
		b.fgsm("softmax_fgsm_0.25", "softmax", "shallow softmax classifier, FGSM ε = 0.25", ""),
		b.fgsm("maxout_fgsm_0.25", "maxout", "maxout network, FGSM ε = 0.25", small),
		notReproduced("cifar10_conv_maxout_fgsm_0.1", "conv maxout on preprocessed CIFAR-10, ε = 0.1", "CIFAR-10, not MNIST"),
		b.clean("logreg37_clean", "logreg37", "logistic regression, 3s vs 7s (Fig. 2), clean",
			fmt.Sprintf("the %d test 3s and 7s", r.examples("logreg37"))),
		b.fgsm("logreg37_fgsm_0.25", "logreg37", "logistic regression, 3s vs 7s (Fig. 2), FGSM ε = 0.25", ""),
		b.l1Row(),
		b.advRow(),
		b.clean("maxout_clean", "maxout", "maxout + dropout, clean test error before adversarial training", small),
		b.clean("maxout_adv_clean", "maxout-adv", "maxout + dropout, clean test error after adversarial training (α = 0.5, ε = 0.25)", small),
		notReproduced("maxout1600_clean", "1600-unit maxout without adversarial training, clean (mean of 5 runs)", "we train one smaller network (maxout_clean)"),
		notReproduced("maxout1600_adv_clean", "1600-unit maxout with adversarial training, clean (mean of 5 runs)", "we train one smaller network (maxout_adv_clean)"),
		b.fgsm("maxout_adv_fgsm_0.25", "maxout-adv",
			"adversarially trained maxout, FGSM ε = 0.25 on itself; confidence on the examples it still gets wrong", small),
		b.transfer("transfer_maxout_to_maxout_adv", "transfer: maxout's FGSM examples (ε = 0.25) on maxout-adv",
			"maxout", "maxout-adv", small),
		b.transfer("transfer_maxout_adv_to_maxout", "transfer: maxout-adv's FGSM examples (ε = 0.25) on maxout",
			"maxout-adv", "maxout", small),
		b.control("control_random_sign", "maxout-noise-sign",
			"control: maxout trained with ±ε random-sign noise instead of FGSM examples (α = 0.5, ε = 0.25), FGSM ε = 0.25 on itself", small),
		b.control("control_uniform", "maxout-noise-uniform",
			"control: maxout trained with U(−ε, ε) noise instead of FGSM examples (α = 0.5, ε = 0.25), FGSM ε = 0.25 on itself", small),
		b.clean("rbf_clean", "rbf", "shallow RBF network, clean examples", "10 RBF units, one per class, per-pixel precisions"),
		b.fgsm("rbf_fgsm_0.25", "rbf", "shallow RBF network, FGSM ε = 0.25", "10 RBF units, one per class, per-pixel precisions"),
		b.agreement("rbf"),
		b.agreement("softmax"),
		b.ensemble("ensemble_fgsm_on_ensemble"),
		b.ensemble("ensemble_fgsm_on_member"),
		b.rubbish("maxout"),
		b.rubbish("softmax"),
		b.rubbish("rbf"),
		b.clean("cnn_clean", "cnn", "small conv net (not in the paper: it has no MNIST conv net), clean", ""),
		b.fgsm("cnn_fgsm_0.25", "cnn", "small conv net, FGSM ε = 0.25", ""),
		b.clean("cnn_adv_clean", "cnn-adv", "small conv net after adversarial training (α = 0.5, ε = 0.25), clean", ""),
		b.fgsm("cnn_adv_fgsm_0.25", "cnn-adv", "adversarially trained conv net, FGSM ε = 0.25 on itself", ""),
		b.transfer("transfer_cnn_to_cnn_adv", "transfer: cnn's FGSM examples (ε = 0.25) on cnn-adv", "cnn", "cnn-adv", ""),
		b.transfer("transfer_cnn_adv_to_cnn", "transfer: cnn-adv's FGSM examples (ε = 0.25) on cnn", "cnn-adv", "cnn", ""),
		notReproduced("googlenet_panda", "Fig. 1: GoogLeNet, ε = 0.007: \"panda\" 57.7% → \"gibbon\" 99.3%", "ImageNet and GoogLeNet, not MNIST"),
	}, b.attackRows()...)
}

func (r *Report) examples(name string) int {
	if m := r.Model(name); m != nil {
		return m.Examples
	}
	return 0
}

// maxoutNote says how our maxout network differs from the paper's.
func maxoutNote(m *core.Model) string {
	if m == nil {
		return ""
	}
	var layers, units, pieces int
	var out int
	for _, l := range m.Layers {
		switch l := l.(type) {
		case *core.Dense:
			out = l.Out()
		case *core.Maxout:
			layers++
			units, pieces = out/l.Pieces, l.Pieces
		}
	}
	return fmt.Sprintf("smaller maxout: %d layers of %d units × %d pieces (paper: 240 × 5)", layers, units, pieces)
}

// targets checks the shipped models against the reproduction targets
// that the report lists.
func targets(r *Report) []Target {
	var out []Target
	for _, t := range facts.Targets {
		if t.Row == "" {
			continue
		}
		tg := Target{Row: t.Row, What: t.What, Limit: t.Limit, AtLeast: t.AtLeast, Status: "MISSING"}
		if m := r.Model(t.Model); m != nil {
			tg.Got = measured(*m, t.Measure)
			tg.Status = "FAIL"
			if t.Met(tg.Got) {
				tg.Status = "PASS"
			}
		}
		out = append(out, tg)
	}
	return out
}

// measured reads a target's measure from a model's sweep.
func measured(m ModelReport, what facts.Measure) float64 {
	switch what {
	case facts.CleanError:
		return m.At(0).Error
	case facts.FGSMError:
		return m.At(PaperEpsilon).Error
	case facts.FGSMMistakeConfidence:
		return m.At(PaperEpsilon).MistakeConfidence
	}
	panic(fmt.Sprintf("models: unknown measure %d", what))
}
