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
