package models

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
)

var reportMNIST struct {
	once sync.Once
	test *core.Dataset
	err  error
}

// reportInputs loads the named shipped models (all when none are named) and
// the first n MNIST test digits, or skips the test when one is missing.
func reportInputs(t *testing.T, n int, names ...string) (map[string]*core.Model, *core.Dataset) {
	t.Helper()
	reportMNIST.once.Do(func() {
		dir, err := mnistdir.Dir()
		if err == nil {
			_, reportMNIST.test, err = core.LoadMNIST(dir)
		}
		reportMNIST.err = err
	})
	if reportMNIST.err != nil {
		t.Skip("MNIST not available:", reportMNIST.err)
	}
	test := reportMNIST.test
	if len(names) == 0 {
		for _, r := range Recipes {
			names = append(names, r.Name)
		}
	}
	ms := map[string]*core.Model{}
	for _, name := range names {
		m, err := Load(Dir(), name)
		if err != nil {
			t.Skipf("shipped model missing: %v", err)
		}
		ms[name] = m
	}
	return ms, test.Slice(0, n)
}

// The report on 200 test digits has every id that the reproduction targets ask for, with
// our figures as fractions.
func TestReproduceRows(t *testing.T) {
	ms, test := reportInputs(t, 200)
	r := Reproduce(ms, test, ReportOptions{RubbishSamples: 500, AttackDigits: 5})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows []struct {
			ID    string
			Paper map[string]float64
			Ours  map[string]float64
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	ours := map[string]map[string]float64{}
	for _, row := range got.Rows {
		if _, dup := ours[row.ID]; dup {
			t.Errorf("id %s appears twice", row.ID)
		}
		ours[row.ID] = row.Ours
		for _, f := range []map[string]float64{row.Paper, row.Ours} {
			for k, v := range f {
				if !(v >= 0 && v <= 1) {
					t.Errorf("%s: %s = %v is not a fraction", row.ID, k, v)
				}
			}
		}
	}
	for _, id := range []string{
		"softmax_fgsm_0.25", "maxout_fgsm_0.25", "maxout_adv_fgsm_0.25", "logreg37_clean",
		"logreg37_fgsm_0.25", "rbf_fgsm_0.25", "transfer_maxout_to_maxout_adv",
		"transfer_maxout_adv_to_maxout", "rubbish_maxout", "rubbish_softmax", "rubbish_rbf",
		"maxout_clean", "maxout_adv_clean", "rbf_clean",
	} {
		f, ok := ours[id]
		if !ok {
			t.Errorf("no row %s", id)
			continue
		}
		if _, ok := f["error"]; !ok {
			t.Errorf("row %s has no error of ours", id)
		}
	}
	for _, id := range []string{"agreement_rbf_maxout", "agreement_softmax_maxout"} {
		if _, ok := ours[id]["agreement"]; !ok {
			t.Errorf("row %s has no agreement of ours", id)
		}
	}
	if len(r.Targets) == 0 {
		t.Error("no targets")
	}
	measured := map[string]bool{}
	for _, e := range r.Experiments {
		measured[e.ID] = true
	}
	for id, w := range whyRows {
		for _, e := range w.experiments {
			if !measured[e] {
				t.Errorf("the reason for %s quotes experiment %s, which the report does not measure", id, e)
			}
		}
	}
	for _, m := range r.Models {
		if m.Float32 == nil {
			t.Errorf("%s has no float32 softmax figure", m.Name)
		}
	}
}

// A model missing from the set leaves its rows without our figures and is
// listed, rather than failing the report.
func TestReproduceMissingModel(t *testing.T) {
	ms, test := reportInputs(t, 50)
	delete(ms, "maxout")
	r := Reproduce(ms, test, ReportOptions{RubbishSamples: 50, AttackDigits: 2})
	for _, row := range r.Rows {
		if row.ID == "maxout_fgsm_0.25" && row.Ours != nil {
			t.Error("maxout_fgsm_0.25 has figures without a maxout model")
		}
	}
	if len(r.Missing) != 1 || r.Missing[0] != "maxout" {
		t.Errorf("Missing = %v, want [maxout]", r.Missing)
	}
	if !r.Failed() {
		t.Error("Failed() = false with a target unmeasured")
	}
}

// The stronger attacks' rows read each model's AttackPoints: a measured
// model gets its error and its confidence over the mistakes, a missing one
// no figures and a note that says so.
func TestAttackRows(t *testing.T) {
	var sweep []Point
	for _, e := range SweepEpsilons {
		sweep = append(sweep, Point{Epsilon: e})
	}
	r := &Report{Models: []ModelReport{
		{Name: "rbf", Sweep: sweep, Attacks: []AttackPoint{{ID: "pgd40_0.25", Examples: 1000, Error: 0.42, MistakeConfidence: 0.07}}},
		{Name: "mlp", Sweep: sweep},
	}}
	byID := map[string]Row{}
	for _, row := range rows(r, crossResult{}, crossResult{}, "") {
		if _, dup := byID[row.ID]; dup {
			t.Errorf("id %s appears twice", row.ID)
		}
		byID[row.ID] = row
	}
	rbf, ok := byID["rbf_pgd40_0.25"]
	if !ok {
		t.Fatal("no row rbf_pgd40_0.25")
	}
	if rbf.Ours == nil || *rbf.Ours.Error != 0.42 || *rbf.Ours.Confidence != 0.07 || rbf.ConfidenceOver != OverMistakes {
		t.Errorf("rbf_pgd40_0.25 = %+v, want error 0.42 and confidence 0.07 over the mistakes", rbf.Ours)
	}
	if !strings.Contains(rbf.Note, "1000") {
		t.Errorf("rbf_pgd40_0.25's note %q does not give the number of digits", rbf.Note)
	}
	adv, ok := byID["maxout_adv_pgd40_0.25"]
	if !ok || adv.Ours != nil || !strings.Contains(adv.Note, "missing") {
		t.Errorf("maxout_adv_pgd40_0.25 = %+v (present %v), want no figures and a note that the model is missing", adv, ok)
	}
	if mlp := byID["mlp_pgd40_0.25"]; mlp.Ours != nil || mlp.Note != "not measured" {
		t.Errorf("mlp_pgd40_0.25 = %+v, want no figures: the model was not attacked", mlp)
	}
	for _, rc := range Recipes {
		if _, ok := byID[strings.ReplaceAll(rc.Name, "-", "_")+"_pgd40_0.25"]; !ok {
			t.Errorf("no PGD-40 row for %s", rc.Name)
		}
	}
}

// measureAttacks scores PGD-40 against the true labels: on a model that is
// never right it finds every digit wrong, and its points count the digits.
func TestMeasureAttacks(t *testing.T) {
	w := core.Tensor{Shape: []int{10, 4}, Data: make([]float64, 40)}
	b := core.Tensor{Shape: []int{10}, Data: []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 5}} // always 9
	m, err := core.Build("always9", []core.LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "softmax"}},
		[]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, map[string]core.Tensor{"w": w, "b": b})
	if err != nil {
		t.Fatal(err)
	}
	d := &core.Dataset{Images: mat.NewDense(3, 4, nil), Labels: []int{1, 2, 3}}
	got := measureAttacks(m, d, 0)
	if len(got) != len(AttackSettings) {
		t.Fatalf("%d points for %d settings", len(got), len(AttackSettings))
	}
	for i, p := range got {
		s := AttackSettings[i]
		if p.ID != s.ID || p.Examples != 3 || p.Error != 1 {
			t.Errorf("point %+v, want %s on 3 digits with error 1", p, s.ID)
		}
		if s.Attack.Budgeted() {
			if p.Success != nil || p.MedianSize != nil {
				t.Errorf("%s has a budget but got a success rate and a median size", s.ID)
			}
			continue
		}
		// Every digit is already in a wrong class, and for the targeted
		// attacks in the target, the runner-up 9: success needs no η.
		wantUnit := SizeL2
		if s.Attack == core.AttackJSMA {
			wantUnit = SizePixels
		}
		if p.Success == nil || *p.Success != 1 || p.MedianSize == nil || *p.MedianSize > 1e-3 || p.SizeUnit != wantUnit {
			t.Errorf("%s: success %v, median size %v %s; want 1, about 0 %s", s.ID, fmtPtr(p.Success), fmtPtr(p.MedianSize), p.SizeUnit, wantUnit)
		}
	}
}

// The size of η is its L2 norm for the L2 attacks and the number of pixels
// changed for JSMA; the median of an even count is the mean of the middle
// two.
func TestAttackSizeAndMedian(t *testing.T) {
	eta := []float64{0, 3, 0, -4, 0}
	if got := size(eta, core.AttackDeepFool); got != 5 {
		t.Errorf("DeepFool's size of %v = %v, want ‖η‖₂ = 5", eta, got)
	}
	if got := size(eta, core.AttackJSMA); got != 2 {
		t.Errorf("JSMA's size of %v = %v, want 2 pixels", eta, got)
	}
	for _, c := range []struct {
		v    []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7},
	} {
		if got := median(slices.Clone(c.v)); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.v, got, c.want)
		}
	}
}

// An attack with no budget gets its success rate and median size in its
// row's note, with the goal it was given.
func TestAttackRowsSize(t *testing.T) {
	var sweep []Point
	for _, e := range SweepEpsilons {
		sweep = append(sweep, Point{Epsilon: e})
	}
	r := &Report{Models: []ModelReport{{Name: "mlp", Sweep: sweep, Attacks: []AttackPoint{
		{ID: "jsma_runnerup", Examples: 100, Error: 0.9, Success: frac(0.85), MedianSize: frac(23), SizeUnit: SizePixels},
		{ID: "deepfool", Examples: 1000, Error: 1, Success: frac(1), MedianSize: frac(1.234), SizeUnit: SizeL2},
	}}}}
	byID := map[string]Row{}
	for _, row := range rows(r, crossResult{}, crossResult{}, "") {
		byID[row.ID] = row
	}
	for id, want := range map[string][]string{
		"mlp_jsma_runnerup": {"100 test digits", "success 85.0% (the runner-up class)", "median 23 pixels changed"},
		"mlp_deepfool":      {"1000 test digits", "success 100.0% (a wrong class)", "median ‖η‖₂ = 1.23"},
	} {
		for _, w := range want {
			if !strings.Contains(byID[id].Note, w) {
				t.Errorf("%s's note %q does not say %q", id, byID[id].Note, w)
			}
		}
	}
}

func fmtPtr(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprint(*v)
}
