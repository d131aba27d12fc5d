package models

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fgsmlab/models/facts"
)

// TestShippedModels is the golden check: every shipped file loads, its
// recorded metrics are what the model really does on MNIST, and they meet
// the reproduction targets.
func TestShippedModels(t *testing.T) {
	_, test := loadMNIST(t)
	dir := Dir()
	for _, r := range Recipes {
		t.Run(r.Name, func(t *testing.T) {
			t.Parallel()
			m, err := Load(dir, r.Name)
			if err != nil {
				t.Fatal(err)
			}
			var recorded Metrics
			if err := json.Unmarshal([]byte(m.Meta["metrics"]), &recorded); err != nil {
				t.Fatalf("metrics metadata %q: %v", m.Meta["metrics"], err)
			}
			if m.Meta["command"] == "" {
				t.Error("no command in the metadata")
			}
			te := test
			if r.Data != nil {
				te = r.Data(test)
			}
			got := Measure(m, te)
			// Files trained with OpenBLAS are measured here with gonum's
			// kernels: rounding may move an example or two.
			if got.TestExamples != recorded.TestExamples || math.Abs(got.CleanError-recorded.CleanError) > 2e-4 ||
				math.Abs(got.FGSMError-recorded.FGSMError) > 2e-4 || math.Abs(got.FGSMConf-recorded.FGSMConf) > 1e-4 {
				t.Errorf("measured %+v, the file records %+v", got, recorded)
			}
			checkTargets(t, r.Name, got)
		})
	}
}

// checkTargets checks a model's measured metrics against its reproduction
// targets (facts.Targets) that Measure gives.
func checkTargets(t *testing.T, name string, got Metrics) {
	t.Helper()
	for _, tg := range facts.Targets {
		var v float64
		switch {
		case tg.Model != name:
			continue
		case tg.Measure == facts.CleanError:
			v = got.CleanError
		case tg.Measure == facts.FGSMError:
			v = got.FGSMError
		default:
			continue // Measure gives the confidence over all examples; the report checks the rest
		}
		if !tg.Met(v) {
			t.Errorf("%s: got %.2f%%", tg.What, 100*v)
		}
	}
}

// TestSizeBudget: the pages download these files. The lab's picker offers
// the models of facts.LabModels; the others (logreg37's twins, §6's noise
// controls) are fetched by their own pages, and "Save for offline" fetches
// them all.
func TestSizeBudget(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(Dir(), "*.safetensors"))
	var total, lab int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
		name := strings.TrimSuffix(filepath.Base(f), ".safetensors")
		if m, ok := facts.Lookup(name); ok && m.InLab {
			lab += st.Size()
		}
		if name == "mlp" && st.Size() > 1<<20 {
			t.Errorf("the default model is %d bytes, over 1 MB", st.Size())
		}
	}
	if len(files) != len(Recipes) {
		t.Errorf("%d model files for %d recipes", len(files), len(Recipes))
	}
	if lab > 4<<20 {
		t.Errorf("the lab's models take %d bytes, over 4 MB", lab)
	}
	if total > 7<<20 {
		t.Errorf("the model files take %d bytes, over 7 MB", total)
	}
}
