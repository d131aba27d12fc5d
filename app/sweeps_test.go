package main

import (
	"fmt"
	"slices"
	"strings"
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

// The curves parameter takes PGD among the kinds, through the shared link
// parser: a good list is kept in the link's order, a bad one falls back to
// the default and names the parameter in the notice.
func TestSweepsCurvesLink(t *testing.T) {
	for _, c := range []struct {
		query  string
		want   []string
		notice bool
	}{
		{"", []string{"fgsm", "random", "uniform", "pgd"}, false},
		{"curves=fgsm,pgd", []string{"fgsm", "pgd"}, false},
		{"curves=pgd", []string{"pgd"}, false},
		{"curves=pgd,pgd40", []string{"fgsm", "random", "uniform", "pgd"}, true},
		{"curves=", []string{"fgsm", "random", "uniform", "pgd"}, true},
	} {
		serverLink = c.query
		p := newSweepsPage()
		p.OnInit()
		serverLink = ""
		if !slices.Equal(p.curves, c.want) {
			t.Errorf("%q: curves %v, want %v", c.query, p.curves, c.want)
		}
		if got := len(p.notices) > 0 && strings.Contains(p.notices[0], "curves"); got != c.notice {
			t.Errorf("%q: notices %q, want one naming curves: %v", c.query, p.notices, c.notice)
		}
	}
}

// Ticking a curve keeps sweepKinds' order; unticking drops it.
func TestSweepsToggleCurve(t *testing.T) {
	p := &sweepsPage{curves: []string{"pgd", "fgsm"}}
	p.toggleCurve(nil, "random", true)
	if want := []string{"fgsm", "random", "pgd"}; !slices.Equal(p.curves, want) {
		t.Fatalf("after ticking random: %v, want %v", p.curves, want)
	}
	p.toggleCurve(nil, "pgd", false)
	if want := []string{"fgsm", "random"}; !slices.Equal(p.curves, want) {
		t.Fatalf("after unticking pgd: %v, want %v", p.curves, want)
	}
}

// PGD runs on the first pgdDigits digits at most, the other curves on all
// N; the page's words say how many.
func TestSweepsPGDDigits(t *testing.T) {
	for _, k := range sweepKinds {
		for _, n := range []int{50, 100, 1000} {
			want := n
			if k.kind == "pgd" {
				want = min(n, pgdDigits)
			}
			if got := k.digits(n); got != want {
				t.Errorf("%s on N = %d: %d digits, want %d", k.kind, n, got, want)
			}
		}
	}
	if w := pgdWhat(1000); !strings.Contains(w, fmt.Sprintf("first %d digits", pgdDigits)) || !strings.Contains(w, fmt.Sprintf("PGD-%d", pgdSteps)) {
		t.Errorf("pgdWhat(1000) = %q does not say PGD-%d on the first %d digits", w, pgdSteps, pgdDigits)
	}
	if w := pgdWhat(50); !strings.Contains(w, "first 50 digits") {
		t.Errorf("pgdWhat(50) = %q does not say the first 50 digits", w)
	}
}
