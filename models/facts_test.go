package models

import (
	"slices"
	"testing"

	"fgsmlab/models/facts"
)

// TestRecipesAreShipped: each shipped model of the registry has a recipe,
// and each recipe a registry entry.
func TestRecipesAreShipped(t *testing.T) {
	var recipes, shipped []string
	for _, r := range Recipes {
		recipes = append(recipes, r.Name)
	}
	for _, m := range facts.Shipped {
		shipped = append(shipped, m.Name)
	}
	slices.Sort(recipes)
	slices.Sort(shipped)
	if !slices.Equal(recipes, shipped) {
		t.Errorf("recipes %q, shipped models %q", recipes, shipped)
	}
}

// TestReportRowsAreThePaper: the report has one row per figure of the
// paper's table, in its order (with the rows of our own experiments, which
// have no paper figure, among them), and each listed target reads a row.
func TestReportRowsAreThePaper(t *testing.T) {
	r := &Report{}
	var got, want, all []string
	for _, row := range rows(r, crossResult{}, crossResult{}, "") {
		all = append(all, row.ID)
		if _, ok := facts.FindFigure(row.ID); ok {
			got = append(got, row.ID)
		}
	}
	for _, f := range facts.Paper {
		want = append(want, f.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("report rows %q, the paper's figures %q", got, want)
	}
	for _, tg := range facts.Targets {
		if tg.Row != "" && tg.Row != tg.Model && !slices.Contains(all, tg.Row) {
			t.Errorf("target %q reads row %q, which the report does not have", tg.What, tg.Row)
		}
	}
}
