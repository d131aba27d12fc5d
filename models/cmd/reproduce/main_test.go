package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fgsmlab/internal/mnistdir"
	"fgsmlab/models"
)

// A report on 200 test digits writes report.json, REPORT.md and PNG figures
// that REPORT.md links to.
func TestRunWritesReport(t *testing.T) {
	if _, err := mnistdir.Dir(); err != nil {
		t.Skip("MNIST not available:", err)
	}
	for _, rc := range models.Recipes {
		if _, err := os.Stat(filepath.Join(models.Dir(), rc.Name+".safetensors")); err != nil {
			t.Skipf("shipped model missing: %v", err)
		}
	}
	out := t.TempDir()
	stdout := os.Stdout
	os.Stdout, _ = os.Open(os.DevNull)
	_, err := run(options{n: 200, rubbish: 200, attackDigits: 3, in: models.Dir(), out: out})
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	var r models.Report
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil || r.TestExamples != 200 || len(r.Rows) == 0 {
		t.Fatalf("report.json: %v, %d test digits, %d rows", err, r.TestExamples, len(r.Rows))
	}
	md, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "## The stronger attacks at a glance") {
		t.Error("REPORT.md has no table of the stronger attacks")
	}
	for _, fig := range []string{"report/sweep.png", "report/figure2.png", "report/figure3.png", "report/figure4.png"} {
		if !strings.Contains(string(md), "]("+fig+")") {
			t.Errorf("REPORT.md does not show %s", fig)
		}
		f, err := os.Open(filepath.Join(out, fig))
		if err != nil {
			t.Error(err)
			continue
		}
		if _, err := png.DecodeConfig(f); err != nil {
			t.Errorf("%s: %v", fig, err)
		}
		f.Close()
	}
}
