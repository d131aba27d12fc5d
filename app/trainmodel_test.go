package main

import (
	"slices"
	"testing"

	"fgsmlab/core"
)

func TestParseTrainSpec(t *testing.T) {
	def := defaultTrainSpec()
	for _, c := range []struct {
		query string
		want  func(*trainSpec)
		bad   []string
	}{
		{"", func(*trainSpec) {}, nil},
		{"kind=mlp&alpha=0.25&eps=0.1&epochs=3&lr=0.005&seed=42&plain=0&embed=1", func(s *trainSpec) {
			s.Kind, s.Alpha20, s.Eps255, s.Epochs, s.LR, s.Seed, s.Plain, s.Embed = "mlp", 5, 26, 3, 0.005, 42, false, true
		}, nil},
		{"alpha=1", func(s *trainSpec) { s.Alpha20 = 20 }, nil},
		{"kind=<script>&alpha=0&eps=2&epochs=11&lr=0.3&seed=-1&plain=yes", func(*trainSpec) {},
			[]string{"kind", "alpha", "eps", "epochs", "lr", "seed", "plain"}},
		// Repeated parameters are named, as on every page.
		{"alpha=NaN&epochs=1&epochs=2", func(*trainSpec) {}, []string{"alpha", "epochs"}},
		{"kind=mlp&seed=%zz", func(s *trainSpec) { s.Kind = "mlp" }, []string{"seed"}},
	} {
		q := parseLink(c.query)
		got, bad := parseTrainSpec(q), q.bad
		want := def
		c.want(&want)
		if got != want || !slices.Equal(bad, c.bad) {
			t.Errorf("%q: got %+v, bad %v; want %+v, bad %v", c.query, got, bad, want, c.bad)
		}
		if again := parseTrainSpec(parseLink(got.query().Encode())); again != got {
			t.Errorf("%q: the query of %+v reads back as %+v", c.query, got, again)
		}
	}
}

// TestTraineeAndConfig checks the models the page trains: their sizes,
// that a seed fixes them, and that α = 1 is plain training.
func TestTraineeAndConfig(t *testing.T) {
	for kind, params := range map[string]int{"softmax": 7850, "mlp": 50890} {
		a, b := newTrainee(kind, 3), newTrainee(kind, 3)
		if a.ParamCount() != params {
			t.Errorf("%s has %d parameters, want %d", kind, a.ParamCount(), params)
		}
		if !slices.Equal(a.Params()[0].Data, b.Params()[0].Data) {
			t.Errorf("%s: the same seed gave different weights", kind)
		}
	}
	s := defaultTrainSpec()
	if c := s.config(); c.Adversarial == nil || *c.Adversarial != (core.Adversarial{Alpha: 0.5, Epsilon: 64.0 / 255}) {
		t.Errorf("α = 0.5, ε = 64/255 configures %+v", c.Adversarial)
	}
	if c := s.plain().config(); c.Adversarial != nil {
		t.Errorf("α = 1 configures %+v; want plain training", c.Adversarial)
	}
	if n := s.modelName(); n != "yours-softmax-a0.5" {
		t.Errorf("model name %q", n)
	}
}
