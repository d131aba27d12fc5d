package export_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
)

// python is Debian's interpreter, which python3-torch installs into; a
// python3 earlier on PATH (pyenv, a virtualenv) may lack torch.
const python = "/usr/bin/python3"

// tolerance is the agreement asked of the lab: each value within 1e-6 of
// the largest magnitude in PyTorch's vector. Both sides compute in float64
// from the same float64 weights, so only the order of the sums differs.
const tolerance = 1e-6

// reference is reference.json as make_reference.py writes it: the inputs
// once, then per model PyTorch's outputs for each input, in order.
type reference struct {
	Command string
	Torch   string
	Inputs  []struct {
		Input string
		Label int
		X     []float64
	}
	Models []struct {
		File    string
		Outputs []struct{ Probs, Grad []float64 }
	}
}

func TestFixturesAgreeWithPyTorch(t *testing.T) {
	checkAgreement(t, "testdata")
}

// TestFreshExportAgreesWithPyTorch runs the exporter and the reference
// generator now, with another seed than the fixtures', so that a change
// to either is checked as well as the committed files.
func TestFreshExportAgreesWithPyTorch(t *testing.T) {
	requireTorch(t)
	mnist, err := mnistdir.Dir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	start := time.Now()
	runPython(t, "make_reference.py", "--mnist", mnist, "--out", dir, "--seed", "2", "--steps", "200")
	t.Logf("make_reference.py: %.1f s", time.Since(start).Seconds())
	checkAgreement(t, dir)
}

// checkAgreement reads dir/reference.json and checks every model it names
// against PyTorch's probabilities and input gradients.
func checkAgreement(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("reference.json: %v", err)
	}
	if len(ref.Models) == 0 || len(ref.Inputs) == 0 {
		t.Fatalf("reference.json has %d models and %d inputs", len(ref.Models), len(ref.Inputs))
	}
	for _, r := range ref.Models {
		t.Run(r.File, func(t *testing.T) {
			m := readModel(t, filepath.Join(dir, r.File), strings.TrimSuffix(r.File, ".safetensors"))
			if len(r.Outputs) != len(ref.Inputs) {
				t.Fatalf("%d outputs for %d inputs", len(r.Outputs), len(ref.Inputs))
			}
			worst := 0.0
			for i, in := range ref.Inputs {
				what := fmt.Sprintf("%s, label %d", in.Input, in.Label)
				worst = max(worst, compare(t, what+": probabilities", m.PredictOne(in.X), r.Outputs[i].Probs))
				worst = max(worst, compare(t, what+": input gradient", m.InputGradientOne(in.X, in.Label), r.Outputs[i].Grad))
			}
			t.Logf("largest difference from PyTorch: %.2g of the vector's largest magnitude", worst)
		})
	}
}

// readModel reads a model file that the exporter wrote with the given name
// and the default class labels.
func readModel(t *testing.T, path, name string) *core.Model {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.ReadModel(b)
	if err != nil {
		t.Fatalf("core.ReadModel(%s): %v", filepath.Base(path), err)
	}
	if m.Name != name {
		t.Errorf("name %q, want %q", m.Name, name)
	}
	if want := strings.Split("0 1 2 3 4 5 6 7 8 9", " "); !slices.Equal(m.Classes, want) {
		t.Errorf("classes %q, want %q", m.Classes, want)
	}
	return m
}

// compare reports the values of got that differ from PyTorch's want by more
// than tolerance times want's largest magnitude, and returns the largest
// difference in those units.
func compare(t *testing.T, what string, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, PyTorch has %d", what, len(got), len(want))
		return math.Inf(1)
	}
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	worst, bad := 0.0, 0
	for j := range want {
		d := math.Abs(got[j] - want[j])
		if d == 0 {
			continue
		}
		rel := d / scale // +Inf when PyTorch's vector is all zeros
		worst = max(worst, rel)
		if !(rel <= tolerance) {
			if bad++; bad <= 3 {
				t.Errorf("%s [%d] = %.17g, PyTorch %.17g (difference %.2g of the largest magnitude %.3g)", what, j, got[j], want[j], rel, scale)
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d values differ in all", what, bad)
	}
	return worst
}

// requireTorch skips the test unless Debian's python3 imports torch.
func requireTorch(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("PyTorch cannot run under js/wasm")
	}
	if out, err := exec.Command(python, "-c", "import torch").CombinedOutput(); err != nil {
		t.Skipf("PyTorch is not installed (%s -c 'import torch': %v %s); only the committed fixtures were checked",
			python, err, strings.TrimSpace(string(out)))
	}
}

// runPython runs a script of this directory with args and returns its
// standard output; it fails the test, with the script's errors, if the
// script fails.
func runPython(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(python, append([]string{script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestCommandLine exports a model saved whole with torch.save through the
// command line, in half precision, and reads it back.
func TestCommandLine(t *testing.T) {
	requireTorch(t)
	dir := t.TempDir()
	saved, out := filepath.Join(dir, "model.pt"), filepath.Join(dir, "cli.safetensors")
	runPython(t, "-c", "import sys, torch; from torch import nn; torch.manual_seed(3); torch.save(nn.Sequential("+
		"nn.Conv2d(1, 3, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Linear(507, 10)), sys.argv[1])", saved)
	runPython(t, "torch_to_fgsmlab.py", saved, out, "--name", "cli", "--mean", "0.5", "--std", "0.25",
		"--dtype", "F16", "--description", "from the command line")
	m := readModel(t, out, "cli")
	if got := m.Meta["description"]; got != "from the command line" {
		t.Errorf("description %q", got)
	}
	if got := m.Meta["command"]; !strings.Contains(got, "torch_to_fgsmlab.py") || !strings.Contains(got, "--dtype F16") {
		t.Errorf("command %q does not record the command line", got)
	}
	var kinds []string
	for _, s := range m.Arch() {
		kinds = append(kinds, s.Kind)
	}
	if want := []string{"normalize", "conv2d", "relu", "flatten", "dense", "softmax"}; !slices.Equal(kinds, want) {
		t.Errorf("arch %v, want %v", kinds, want)
	}
}
