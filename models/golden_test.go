package models

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The targets for the shipped models, on the 10,000 MNIST test
// digits, FGSM with clipping.
var shippedTargets = map[string]struct {
	maxClean, minFGSM, maxFGSM float64
}{
	"softmax":    {maxClean: 0.10, minFGSM: 0.99, maxFGSM: 1},
	"logreg37":   {maxClean: 0.025, minFGSM: 0.95, maxFGSM: 1},
	"mlp":        {maxClean: 0.020, minFGSM: 0, maxFGSM: 1},
	"maxout":     {maxClean: 0.016, minFGSM: 0.85, maxFGSM: 1},
	"maxout-adv": {maxClean: 0.016, minFGSM: 0, maxFGSM: 0.30},
	"rbf":        {maxClean: 1, minFGSM: 0, maxFGSM: 1},
}

// TestShippedModels is the golden check: every shipped file loads, its
// recorded metrics are what the model really does on MNIST, and they meet
// the targets.
func TestShippedModels(t *testing.T) {
	_, test := loadMNIST(t)
	dir := Dir()
	for _, r := range Recipes {
		t.Run(r.Name, func(t *testing.T) {
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
			tg := shippedTargets[r.Name]
			if got.CleanError > tg.maxClean {
				t.Errorf("clean error %.2f%% > %.2f%%", 100*got.CleanError, 100*tg.maxClean)
			}
			if got.FGSMError < tg.minFGSM || got.FGSMError > tg.maxFGSM {
				t.Errorf("FGSM ε=0.25 error %.1f%% outside [%.0f%%, %.0f%%]", 100*got.FGSMError, 100*tg.minFGSM, 100*tg.maxFGSM)
			}
		})
	}
}

// TestSizeBudget: the page downloads these files.
func TestSizeBudget(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(Dir(), "*.safetensors"))
	var total int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
		if filepath.Base(f) == "mlp.safetensors" && st.Size() > 1<<20 {
			t.Errorf("the default model is %d bytes, over 1 MB", st.Size())
		}
	}
	if len(files) != len(Recipes) {
		t.Errorf("%d model files for %d recipes", len(files), len(Recipes))
	}
	if total > 4<<20 {
		t.Errorf("the model files take %d bytes, over 4 MB", total)
	}
}
