package models

import (
	"encoding/json"
	"sync"
	"testing"

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
	r := Reproduce(ms, test, ReportOptions{RubbishSamples: 500})
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
}

// A model missing from the set leaves its rows without our figures and is
// listed, rather than failing the report.
func TestReproduceMissingModel(t *testing.T) {
	ms, test := reportInputs(t, 50)
	delete(ms, "maxout")
	r := Reproduce(ms, test, ReportOptions{RubbishSamples: 50})
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
