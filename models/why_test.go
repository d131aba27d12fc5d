package models

import (
	"math"
	"strings"
	"testing"

	"fgsmlab/core"
)

// A row needs a reason when one of its figures is more than 5 points from
// the paper's; the reason lists the experiments that test it.
func TestDifferences(t *testing.T) {
	r := &Report{
		Rows: []Row{
			{ID: "maxout_fgsm_0.25", Paper: Figures{Error: frac(0.894), Confidence: frac(0.976)},
				Ours: &Figures{Error: frac(1), Confidence: frac(0.95)}},
			{ID: "maxout_clean", Paper: Figures{Error: frac(0.0094)}, Ours: &Figures{Error: frac(0.0127)}},
			{ID: "cifar10_conv_maxout_fgsm_0.1", Paper: Figures{Error: frac(0.87)}},
			{ID: "no_reason_row", Paper: Figures{Agreement: frac(0.5)}, Ours: &Figures{Agreement: frac(0.3)}},
		},
		Experiments: []Experiment{{ID: "maxout_fgsm_float32", What: "float32", Ours: Figures{Error: frac(0.949)}}},
	}
	d := differences(r)
	if len(d) != 2 {
		t.Fatalf("%d differences, want 2: %+v", len(d), d)
	}
	if d[0].Row != "maxout_fgsm_0.25" || strings.Join(d[0].Figures, ",") != "error" {
		t.Errorf("first difference %+v, want maxout_fgsm_0.25 on its error only", d[0])
	}
	if !strings.Contains(d[0].Why, "float32: error 94.9%") {
		t.Errorf("the reason does not quote its experiment: %s", d[0].Why)
	}
	if d[1].Row != "no_reason_row" || d[1].Figures[0] != "agreement" || d[1].Why != "not explained yet" {
		t.Errorf("second difference %+v", d[1])
	}
}

// Every reason belongs to a row of the table.
func TestWhyRowsAreRows(t *testing.T) {
	ids := map[string]bool{}
	for _, row := range rows(&Report{}, crossResult{}, crossResult{}, "") {
		ids[row.ID] = true
	}
	for id := range whyRows {
		if !ids[id] {
			t.Errorf("whyRows has %s, which is no row", id)
		}
	}
}

// The FGSM, transfer and agreement rows carry the float32 softmax's
// figures beside the float64 ones; the clean rows do not.
func TestFloat32Rows(t *testing.T) {
	var sweep []Point
	for _, e := range SweepEpsilons {
		sweep = append(sweep, Point{Epsilon: e, Error: 1, Confidence: 0.9, MistakeConfidence: 0.9})
	}
	r := &Report{Models: []ModelReport{{Name: "maxout", Sweep: sweep,
		Float32: &Point{Epsilon: PaperEpsilon, Error: 0.95, MistakeConfidence: 0.8}}}}
	x := crossResult{{"maxout", "maxout-adv"}: {Error: 0.4}, {"maxout", "rbf"}: {Agreement: 0.3}}
	x32 := crossResult{{"maxout", "maxout-adv"}: {Error: 0.35}, {"maxout", "rbf"}: {Agreement: 0.25}}
	want := map[string]float64{"maxout_fgsm_0.25": 0.95, "transfer_maxout_to_maxout_adv": 0.35, "agreement_rbf_maxout": 0.25}
	for _, row := range rows(r, x, x32, "") {
		w, ok := want[row.ID]
		switch {
		case ok && row.OursFloat32 == nil:
			t.Errorf("%s has no float32 figures", row.ID)
		case ok:
			got := row.OursFloat32.Error
			if got == nil {
				got = row.OursFloat32.Agreement
			}
			if got == nil || *got != w {
				t.Errorf("%s: float32 figure %v, want %v", row.ID, fmtPtr(got), w)
			}
		case row.OursFloat32 != nil:
			t.Errorf("%s has float32 figures", row.ID)
		}
	}
}

// Dividing the logits by a temperature keeps every prediction; the sweep's
// crossing is interpolated between its points.
func TestTemperatureAndCrossing(t *testing.T) {
	ms, test := reportInputs(t, 100, "softmax")
	m := ms["softmax"]
	hot := m.Predict(test.Images)
	cool := withTemperature(m, 3).Predict(test.Images)
	for i := range test.Len() {
		if core.Argmax(hot.RawRowView(i)) != core.Argmax(cool.RawRowView(i)) {
			t.Fatalf("digit %d changes class at T = 3", i)
		}
		if cool.At(i, core.Argmax(cool.RawRowView(i))) > hot.At(i, core.Argmax(hot.RawRowView(i)))+1e-12 {
			t.Fatalf("digit %d is more confident at T = 3", i)
		}
	}
	mr := &ModelReport{Sweep: []Point{{Epsilon: 0, Error: 0.1}, {Epsilon: 0.05, Error: 0.3}, {Epsilon: 0.1, Error: 0.7}}}
	if e := epsilonReaching(mr, 0.5); math.Abs(e-0.075) > 1e-12 {
		t.Errorf("ε reaching 50%% = %v, want 0.075", e)
	}
	if e := epsilonReaching(mr, 0.9); !math.IsNaN(e) {
		t.Errorf("ε reaching 90%% = %v, want NaN", e)
	}
}
