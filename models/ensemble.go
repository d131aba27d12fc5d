package models

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"fgsmlab/core"
)

// SmallMaxout is the recipe of the members of the smaller ensemble that
// /defence loads (facts.PageEnsemble): the maxout network with 32 units
// per layer instead of 240 and lighter dropout on its hidden layers, 10
// epochs. It is not a shipped lab model, so it is not in Recipes and
// `make train` does not remake it: models/cmd/ensemble does. Its
// description is SmallMaxoutWhat (Recipe.What reads the shipped registry).
var SmallMaxout = Recipe{
	Name:   "maxout-small",
	New:    func(rng *rand.Rand, _ *core.Dataset) *core.Model { return maxoutOf("maxout-small", rng, 32, 0.2, 0.25) },
	Config: func() core.TrainConfig { return adam(1e-3, 10, nil) },
	Half:   true,
}

// SmallMaxoutWhat describes SmallMaxout's models.
const SmallMaxoutWhat = "a small maxout network for the §9 ensemble of the page: two maxout layers of 32 units × 3 pieces, dropout"

// LoadEnsemble reads the named member files from dir (see
// facts.ReportEnsemble), names each member after its file and returns them.
func LoadEnsemble(dir string, names []string) ([]*core.Model, error) {
	var ms []*core.Model
	for _, name := range names {
		m, err := Load(dir, name)
		if err != nil {
			return nil, err
		}
		m.Name = name[strings.LastIndex(name, "/")+1:]
		ms = append(ms, m)
	}
	return ms, nil
}

// EnsembleReport is §9 measured: FGSM at ε = 0.25 crafted on the whole
// ensemble and on its first member alone, both scored on the ensemble.
type EnsembleReport struct {
	Examples int `json:"examples"`
	// Members are the members' names and clean test errors on the same
	// digits, the attacked member first.
	Members []EnsembleMember `json:"members"`
	// Clean is the ensemble's clean error; OnEnsemble and OnMember its
	// error under FGSM crafted on the ensemble and on Members[0].
	Clean      Point `json:"clean"`
	OnEnsemble Point `json:"fgsm_on_ensemble"`
	OnMember   Point `json:"fgsm_on_member"`
}

// EnsembleMember is one member's clean error.
type EnsembleMember struct {
	Name       string  `json:"name"`
	CleanError float64 `json:"clean_error"`
	// Epochs is how long it trained, read from the command in its file
	// (0 when the file does not say).
	Epochs int `json:"epochs,omitempty"`
}

// trainedEpochs reads the epochs from the command that made m: its
// -epochs flag, or else its recipe's (0 when there is neither).
func trainedEpochs(m *core.Model) int {
	cmd := m.Meta["command"]
	if f := regexp.MustCompile(`-epochs (\d+)`).FindStringSubmatch(cmd); f != nil {
		n, _ := strconv.Atoi(f[1])
		return n
	}
	if f := regexp.MustCompile(`-only (\S+)`).FindStringSubmatch(cmd); f != nil {
		if rc, err := Find(f[1]); err == nil {
			return rc.Config().Epochs
		}
	}
	return 0
}

// EnsembleExamples is how many test digits the report's ensemble is
// measured on: each digit costs FGSM through every member, so all 10,000
// would add about a minute to `make reproduce`.
const EnsembleExamples = 2000

// MeasureEnsemble measures §9 on the first n digits of test (all when
// n ≤ 0 or n is larger) with e, a model made by core.NewEnsemble, whose
// first member is the one attacked alone.
func MeasureEnsemble(e *core.Model, test *core.Dataset, n int) *EnsembleReport {
	layer, ok := e.Layers[0].(*core.Ensemble)
	if !ok || len(e.Layers) != 1 {
		panic(fmt.Sprintf("models: model %q is not an ensemble (core.NewEnsemble)", e.Name))
	}
	if n <= 0 || n > test.Len() {
		n = test.Len()
	}
	d := test.Slice(0, n)
	r := &EnsembleReport{Examples: n}
	for _, m := range layer.Members {
		r.Members = append(r.Members, EnsembleMember{m.Name, core.Evaluate(m, d.Images, d.Labels).Error, trainedEpochs(m)})
	}
	fgsm := core.FGSMAttack(core.Options{Epsilon: PaperEpsilon})
	point := func(res core.Result, eps float64) Point {
		return Point{Epsilon: eps, Error: res.Error, Confidence: res.Confidence, MistakeConfidence: res.MistakeConfidence}
	}
	r.Clean = point(core.Evaluate(e, d.Images, d.Labels), 0)
	r.OnEnsemble = point(core.EvaluateAttack(e, e, d.Images, d.Labels, fgsm), PaperEpsilon)
	r.OnMember = point(core.EvaluateAttack(layer.Members[0], e, d.Images, d.Labels, fgsm), PaperEpsilon)
	return r
}

// ensemble is one of the §9 rows, ensemble_fgsm_on_ensemble or
// ensemble_fgsm_on_member: the ensemble's error under FGSM crafted on it or
// on one member, with the confidence over its mistakes.
func (b rowMaker) ensemble(id string) Row {
	onMember := id == "ensemble_fgsm_on_member"
	what := "ensemble of maxout networks, FGSM ε = 0.25 crafted on the whole ensemble"
	if onMember {
		what = "ensemble of maxout networks, FGSM ε = 0.25 crafted on one member, scored on the ensemble"
	}
	row := Row{ID: id, What: what, Paper: paper(id), ConfidenceOver: OverMistakes, Note: "paper: 12 maxout networks"}
	e := b.r.Ensemble
	if e == nil {
		row.Note = join(row.Note, "needs the ensemble's members (facts.ReportEnsemble)")
		return row
	}
	p := e.OnEnsemble
	if onMember {
		p = e.OnMember
	}
	row.Ours = &Figures{Error: frac(p.Error), Confidence: frac(p.MistakeConfidence)}
	row.Note = join(row.Note, e.note(onMember))
	return row
}

// note says what the ensemble was: its members and their clean errors.
func (e *EnsembleReport) note(onMember bool) string {
	var errs []string
	for _, m := range e.Members {
		ep := ""
		if m.Epochs > 0 {
			ep = fmt.Sprintf(" (%d epochs)", m.Epochs)
		}
		errs = append(errs, fmt.Sprintf("%s %.2f%%%s", m.Name, 100*m.CleanError, ep))
	}
	s := fmt.Sprintf("ours: %d maxout networks (facts.ReportEnsemble), clean errors %s, the ensemble %.2f%%; the first %d test digits",
		len(e.Members), strings.Join(errs, ", "), 100*e.Clean.Error, e.Examples)
	if onMember {
		s += "; crafted on " + e.Members[0].Name
	}
	return s
}
