package main

import (
	"slices"
	"testing"
)

// Ticking a model keeps the chosen ones in modelNames' order, however the
// link listed them; unticking drops it.
func TestSweepsToggleKeepsModelOrder(t *testing.T) {
	last := modelNames[len(modelNames)-1]
	p := &sweepsPage{chosen: []string{last, modelNames[0]}} // a link's order
	p.toggleModel(nil, modelNames[1], true)
	if want := []string{modelNames[0], modelNames[1], last}; !slices.Equal(p.chosen, want) {
		t.Fatalf("after ticking %s: %v, want %v", modelNames[1], p.chosen, want)
	}
	p.toggleModel(nil, modelNames[1], true)
	p.toggleModel(nil, modelNames[0], false)
	if want := []string{modelNames[1], last}; !slices.Equal(p.chosen, want) {
		t.Fatalf("after ticking %s again and unticking %s: %v, want %v", modelNames[1], modelNames[0], p.chosen, want)
	}
}
