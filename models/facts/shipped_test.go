package facts

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMakefileShipped: the Makefile copies the shipped models into the site
// by the names in its SHIPPED, which must be the registry's, in its order.
// A test keeps the Makefile plain make; reading the names with `go run`
// would compile a program on every make invocation.
func TestMakefileShipped(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^SHIPPED\s*:=(.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no SHIPPED := line")
	}
	var names []string
	for _, s := range Shipped {
		names = append(names, s.Name)
	}
	if got := strings.Fields(string(m[1])); !slices.Equal(got, names) {
		t.Errorf("the Makefile's SHIPPED is %q, the registry %q", got, names)
	}
}

// TestMakefileEnsemble: the Makefile copies the page's ensemble into the
// site by the names in its ENSEMBLE, which must be PageEnsemble's.
func TestMakefileEnsemble(t *testing.T) {
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^ENSEMBLE\s*:=(.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no ENSEMBLE := line")
	}
	if got := strings.Fields(string(m[1])); !slices.Equal(got, PageEnsemble) {
		t.Errorf("the Makefile's ENSEMBLE is %q, facts.PageEnsemble %q", got, PageEnsemble)
	}
}

// TestTablesAreWhole: every lab model has a colour and a blurb, names and
// figure IDs are unique, and each target reads a model of the registry.
func TestTablesAreWhole(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Shipped {
		if seen[m.Name] || m.What == "" || (m.InLab && (m.Color == "" || m.Blurb == "")) {
			t.Errorf("model %q: repeated or incomplete", m.Name)
		}
		seen[m.Name] = true
	}
	if LabModels()[0] != "mlp" {
		t.Errorf("the lab's default is %q, want mlp", LabModels()[0])
	}
	ids := map[string]bool{}
	for _, f := range Paper {
		if ids[f.ID] || f.Section == "" {
			t.Errorf("figure %q: repeated or without a section", f.ID)
		}
		ids[f.ID] = true
	}
	for _, tg := range Targets {
		if !seen[tg.Model] {
			t.Errorf("target %q reads model %q, not shipped", tg.What, tg.Model)
		}
	}
}
