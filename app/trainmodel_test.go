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
		// The objective: §6's noise controls, or plain, which is α = 1.
		{"objective=random&alpha=0.25", func(s *trainSpec) { s.Noise, s.Alpha20 = core.AttackRandomSign, 5 }, nil},
		{"objective=uniform", func(s *trainSpec) { s.Noise = core.AttackUniform }, nil},
		{"objective=plain&alpha=0.25", func(s *trainSpec) { s.Alpha20 = 20 }, nil},
		{"objective=fgsm&alpha=1", func(*trainSpec) {}, nil},
		// An old link's plain=1 is still the α = 1 comparison.
		{"alpha=0.25&plain=1", func(s *trainSpec) { s.Alpha20, s.Plain = 5, true }, nil},
		{"objective=pgd&plain=0", func(s *trainSpec) { s.Plain = false }, []string{"objective"}},
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
	for obj, noise := range map[string]core.Attack{"random": core.AttackRandomSign, "uniform": core.AttackUniform} {
		ns := s.withObjective(obj)
		if c := ns.config(); c.Adversarial == nil || *c.Adversarial != (core.Adversarial{Alpha: 0.5, Epsilon: 64.0 / 255, Attack: noise}) {
			t.Errorf("objective %s configures %+v", obj, c.Adversarial)
		}
		if n := ns.modelName(); n != "yours-softmax-"+obj+"-a0.5" {
			t.Errorf("objective %s: model name %q", obj, n)
		}
		if c := ns.plain().config(); c.Adversarial != nil {
			t.Errorf("objective %s: the plain comparison configures %+v", obj, c.Adversarial)
		}
	}
	if c := s.withObjective("plain").config(); c.Adversarial != nil {
		t.Errorf("objective plain configures %+v", c.Adversarial)
	}
}
