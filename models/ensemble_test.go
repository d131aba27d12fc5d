package models

import (
	"strings"
	"testing"

	"fgsmlab/core"
)

// The §9 rows carry the ensemble's errors beside the paper's 91.1% and
// 87.9%, name the members in the note, and have no figure of ours without
// an ensemble.
func TestEnsembleRows(t *testing.T) {
	e := &EnsembleReport{Examples: 2000,
		Members:    []EnsembleMember{{"maxout", 0.0127, 40}, {"maxout-s2", 0.014, 15}},
		Clean:      Point{Error: 0.011},
		OnEnsemble: Point{Epsilon: PaperEpsilon, Error: 0.99, MistakeConfidence: 0.8},
		OnMember:   Point{Epsilon: PaperEpsilon, Error: 0.9, MistakeConfidence: 0.7}}
	cases := []struct {
		id             string
		paper, ours, c float64
	}{
		{"ensemble_fgsm_on_ensemble", 0.911, 0.99, 0.8},
		{"ensemble_fgsm_on_member", 0.879, 0.9, 0.7},
	}
	for _, c := range cases {
		row := findRow(t, rows(&Report{Ensemble: e}, crossResult{}, crossResult{}, ""), c.id)
		if row.Paper.Error == nil || *row.Paper.Error != c.paper {
			t.Errorf("%s: paper %v, want %v", c.id, row.Paper.Error, c.paper)
		}
		if row.Ours == nil || *row.Ours.Error != c.ours || *row.Ours.Confidence != c.c {
			t.Errorf("%s: ours %+v, want error %v, confidence %v", c.id, row.Ours, c.ours, c.c)
		}
		for _, want := range []string{"2 maxout networks", "maxout 1.27% (40 epochs)", "maxout-s2 1.40% (15 epochs)", "ensemble 1.10%", "2000 test digits"} {
			if !strings.Contains(row.Note, want) {
				t.Errorf("%s: note %q does not say %q", c.id, row.Note, want)
			}
		}
		if strings.Contains(row.Note, "crafted on maxout") != (c.id == "ensemble_fgsm_on_member") {
			t.Errorf("%s: note %q", c.id, row.Note)
		}
		if none := findRow(t, rows(&Report{}, crossResult{}, crossResult{}, ""), c.id); none.Ours != nil || none.Note == "" {
			t.Errorf("%s without an ensemble: %+v", c.id, none)
		}
	}
}

func findRow(t *testing.T, rs []Row, id string) Row {
	t.Helper()
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no row %s", id)
	return Row{}
}

// MeasureEnsemble scores on the ensemble the FGSM examples crafted on the
// ensemble and on its first member.
func TestMeasureEnsemble(t *testing.T) {
	ms, test := reportInputs(t, 40, "maxout", "mlp")
	e, err := core.NewEnsemble("e", ms["maxout"], ms["mlp"])
	if err != nil {
		t.Fatal(err)
	}
	r := MeasureEnsemble(e, test, 30)
	d := test.Slice(0, 30)
	o := core.Options{Epsilon: PaperEpsilon}
	onEnsemble := core.Evaluate(e, core.FGSM(e, d.Images, d.Labels, o), d.Labels)
	onMember := core.Evaluate(e, core.FGSM(ms["maxout"], d.Images, d.Labels, o), d.Labels)
	if r.Examples != 30 || r.OnEnsemble.Error != onEnsemble.Error || r.OnMember.Error != onMember.Error {
		t.Errorf("got %d digits, errors %v and %v; want 30, %v and %v", r.Examples, r.OnEnsemble.Error, r.OnMember.Error,
			onEnsemble.Error, onMember.Error)
	}
	if len(r.Members) != 2 || r.Members[0].Name != "maxout" || r.Members[1].Name != "mlp" || r.Members[0].Epochs != 40 || r.Members[1].Epochs != 15 {
		t.Errorf("members %+v", r.Members)
	}
	if r.OnEnsemble.Error < 0.5 {
		t.Errorf("FGSM on the ensemble fools it on %.0f%% of the digits only", 100*r.OnEnsemble.Error)
	}
}
