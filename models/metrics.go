package models

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"fgsmlab/core"
)

// Metrics are the test-set figures a model file records.
type Metrics struct {
	TestExamples int     `json:"test_examples"`
	CleanError   float64 `json:"clean_error"`
	FGSMError    float64 `json:"fgsm_error_0.25"`
	FGSMConf     float64 `json:"fgsm_confidence_0.25"`
}

// Measure evaluates m on the test set: clean, and under FGSM at ε = 0.25
// with clipping.
func Measure(m *core.Model, test *core.Dataset) Metrics {
	clean := core.Evaluate(m, test.Images, test.Labels)
	adv := core.EvaluateAttack(m, m, test.Images, test.Labels, core.FGSMAttack(core.Options{Epsilon: 0.25}))
	return Metrics{TestExamples: test.Len(), CleanError: clean.Error, FGSMError: adv.Error, FGSMConf: adv.Confidence}
}

// Record stores the metrics and the command in m.Meta.
func (mt Metrics) Record(m *core.Model, command string) {
	b, _ := json.Marshal(mt)
	m.Meta["metrics"] = string(b)
	m.Meta["command"] = command
}

// Dir is the folder that holds the shipped model files: this package's
// folder, found from the working directory or its parents.
func Dir() string {
	for dir, _ := os.Getwd(); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "models", "recipes.go")); err == nil {
			return filepath.Join(dir, "models")
		}
		if dir == filepath.Dir(dir) {
			return "models"
		}
	}
}

// Load reads a shipped model by name from dir.
func Load(dir, name string) (*core.Model, error) {
	b, err := os.ReadFile(filepath.Join(dir, name+".safetensors"))
	if err != nil {
		return nil, err
	}
	m, err := core.ReadModel(b)
	if err != nil {
		return nil, fmt.Errorf("%s.safetensors: %w", name, err)
	}
	return m, nil
}
