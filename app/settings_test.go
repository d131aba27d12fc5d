package main

import (
	"slices"
	"strings"
	"testing"

	"fgsmlab/core"
)

func TestParseSettings(t *testing.T) {
	def := defaultSettings()
	cases := []struct {
		query string
		want  func(*settings)
		bad   []string
	}{
		{"", func(*settings) {}, nil},
		{"model=softmax&eps=0.1&embed=1", func(s *settings) { s.Model, s.Eps255, s.Embed = "softmax", 26, true }, nil},
		{"attack=targeted&target=3", func(s *settings) { s.Attack, s.Target = core.AttackTargeted, 3 }, nil},
		{"attack=iterative&steps=25&clip=0&round=1", func(s *settings) {
			s.setAttack(core.AttackIterative)
			s.Params[pSteps], s.Clip, s.Round = 25, false, true
		}, nil},
		// Each attack reads its own settings, from its defaults.
		{"attack=pgd&steps=20&step=0.01&random_start=0", func(s *settings) {
			s.setAttack(core.AttackPGD)
			s.Params[pSteps], s.Params[pStepSize], s.Params[pRandomStart] = 20, 0.01, 0
		}, nil},
		{"attack=pgd", func(s *settings) { s.setAttack(core.AttackPGD); s.Params[pSteps] = 40 }, nil},
		{"attack=fgm&eps=3.31", func(s *settings) { s.setAttack(core.AttackFGM); s.EpsL2 = 3.3 }, nil},
		{"attack=pgd-l2&eps=10&steps=10", func(s *settings) {
			s.setAttack(core.AttackPGDL2)
			s.EpsL2, s.Params[pSteps] = 10, 10
		}, nil},
		{"attack=deepfool&overshoot=0.05&steps=30", func(s *settings) {
			s.setAttack(core.AttackDeepFool)
			s.Params[pOvershoot], s.Params[pSteps] = 0.05, 30
		}, nil},
		{"attack=cw&c=0.1&search=3&steps=50&kappa=2", func(s *settings) {
			s.setAttack(core.AttackCW)
			s.Params[pC], s.Params[pSearchSteps], s.Params[pSteps], s.Params[pKappa] = 0.1, 3, 50, 2
		}, nil},
		{"attack=jsma&target=2&gamma=0.3", func(s *settings) {
			s.setAttack(core.AttackJSMA)
			s.Target, s.Params[pGamma] = 2, 0.3
		}, nil},
		{"attack=lbfgs&target=5&c=10&search=2", func(s *settings) {
			s.setAttack(core.AttackLBFGS)
			s.Target, s.Params[pC], s.Params[pSearchSteps] = 5, 10, 2
		}, nil},
		{"attack=ll&steps=0&step=0.004", func(s *settings) {
			s.setAttack(core.AttackLL)
			s.Params[pStepSize] = 0.004
		}, nil},
		// A setting the attack does not take is ignored, as unknown ones are.
		{"attack=fgsm&steps=5&c=3", func(*settings) {}, nil},
		// Out of range, not whole, not finite: the attack's default.
		{"attack=fgm&eps=11", func(s *settings) { s.setAttack(core.AttackFGM) }, []string{"eps"}},
		{"attack=pgd&steps=1.5&random_start=2&step=-1", func(s *settings) { s.setAttack(core.AttackPGD) },
			[]string{"steps", "step", "random_start"}},
		{"attack=deepfool&overshoot=0&steps=NaN", func(s *settings) { s.setAttack(core.AttackDeepFool) }, []string{"steps", "overshoot"}},
		{"attack=cw&c=Infinity&kappa=51", func(s *settings) { s.setAttack(core.AttackCW) }, []string{"c", "kappa"}},
		{"eps=0.5", func(s *settings) { s.Eps255 = maxEps255 }, nil},
		{"eps=0", func(s *settings) { s.Eps255 = 0 }, nil},
		{"sample=12", func(s *settings) { s.Sample = 12 }, nil},
		// Hostile or broken values keep their defaults and are named.
		{"model=%3Cscript%3Ealert(1)%3C/script%3E", func(*settings) {}, []string{"model"}},
		{"attack=iterative&eps=1e308&target=garbage&steps=-4", func(s *settings) { s.setAttack(core.AttackIterative) },
			[]string{"eps", "target", "steps"}},
		{"eps=NaN&clip=maybe", func(*settings) {}, []string{"eps", "clip"}},
		{"eps=0.6", func(*settings) {}, []string{"eps"}},
		{"sample=99999999999999999999999", func(*settings) {}, []string{"sample"}},
		{"x=%3Cimg%20src%3Dx%3E", func(*settings) {}, []string{"x"}},
		{"x=" + strings.Repeat("A", 5000), func(*settings) {}, []string{"x"}},
		{"model=mlp&model=rbf", func(*settings) {}, []string{"model"}},
		{"unknown=1", func(*settings) {}, nil},
		// A value that is not valid URL encoding is named; the rest stands.
		{"model=softmax&eps=%zz&embed=1", func(s *settings) { s.Model, s.Embed = "softmax", true }, []string{"eps"}},
		{"attack=iterative&eps=Infinity&steps=%E2%88%9E&target=-0", func(s *settings) { s.setAttack(core.AttackIterative) },
			[]string{"eps", "steps"}},
	}
	for _, c := range cases {
		q := parseLink(c.query)
		got := parseSettings(q)
		bad := q.bad
		want := def
		c.want(&want)
		if got.Input != nil || !equalSettings(got, want) {
			t.Errorf("parseSettings(%q) = %+v, want %+v", c.query, got, want)
		}
		if !slices.Equal(bad, c.bad) {
			t.Errorf("parseSettings(%q) names %v as invalid, want %v", c.query, bad, c.bad)
		}
	}
}

func equalSettings(a, b settings) bool {
	return a.Model == b.Model && a.Attack == b.Attack && a.Eps255 == b.Eps255 && a.EpsL2 == b.EpsL2 && a.Target == b.Target &&
		a.Params == b.Params && a.Clip == b.Clip && a.Round == b.Round && a.Sample == b.Sample && a.Embed == b.Embed
}

func TestSettingsRoundTrip(t *testing.T) {
	x := make([]float64, Pixels)
	for i := range x {
		if i%28 > 10 && i%28 < 16 && i > 100 && i < 700 {
			x[i] = float64(i%256) / 255
		}
	}
	s := settings{Model: "maxout", Attack: core.AttackTargeted, Eps255: 7, EpsL2: 2, Target: 9,
		Clip: false, Round: true, Sample: -1, Input: x, Embed: true}
	q := s.query()
	if n := len(q.Get("x")); n > 400 {
		t.Errorf("a sparse input encodes to %d characters; want it compact (≤ 400)", n)
	}
	link := parseLink(q.Encode())
	got, bad := parseSettings(link), link.bad
	if len(bad) > 0 {
		t.Fatalf("round trip names %v as invalid", bad)
	}
	if !equalSettings(got, s) || !slices.Equal(got.Input, x) {
		t.Errorf("round trip changed the settings:\n got %+v\nwant %+v", got, s)
	}
}

// Every attack's link reproduces its settings, the ones it takes set away
// from their defaults.
func TestEveryAttackRoundTrips(t *testing.T) {
	for _, a := range labAttacks {
		s := defaultSettings()
		s.setAttack(a.Attack)
		s.Eps255, s.EpsL2, s.Target = 9, 4.5, 6
		if !a.Attack.Targeted() {
			s.Target = 0 // the link carries no target
		}
		if !s.Attack.L2() || s.sized() {
			s.EpsL2 = defaultSettings().EpsL2
		}
		if s.Attack.L2() || s.sized() {
			s.Eps255 = defaultSettings().Eps255
		}
		for _, u := range a.Params {
			p := params[u.ID]
			switch {
			case p.Check:
				s.Params[u.ID] = 1 - u.Def
			case p.Int:
				s.Params[u.ID] = p.Min + 1
			default:
				s.Params[u.ID] = p.Min + 3*p.Step
			}
		}
		link := parseLink(s.query().Encode())
		got := parseSettings(link)
		if len(link.bad) > 0 || !equalSettings(got, s) {
			t.Errorf("%s: the link %q reads back as %+v (invalid: %v), want %+v", a.Attack, s.query().Encode(), got, link.bad, s)
		}
	}
}

func TestDecodeInputRejects(t *testing.T) {
	for _, v := range []string{"", "!!!", encodeInput(make([]float64, 10)), "AAAA"} {
		if _, err := decodeInput(v); err == nil {
			t.Errorf("decodeInput(%q) accepted it", v)
		}
	}
	long := make([]float64, Pixels+1)
	if _, err := decodeInput(encodeInput(long)); err == nil {
		t.Error("decodeInput accepted 785 pixels")
	}
}
