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
			s.Attack, s.Steps, s.Clip, s.Round = core.AttackIterative, 25, false, true
		}, nil},
		{"eps=0.5", func(s *settings) { s.Eps255 = maxEps255 }, nil},
		{"eps=0", func(s *settings) { s.Eps255 = 0 }, nil},
		{"sample=12", func(s *settings) { s.Sample = 12 }, nil},
		// Hostile or broken values keep their defaults and are named.
		{"model=%3Cscript%3Ealert(1)%3C/script%3E", func(*settings) {}, []string{"model"}},
		{"eps=1e308&target=garbage&steps=-4", func(*settings) {}, []string{"eps", "target", "steps"}},
		{"eps=NaN&clip=maybe", func(*settings) {}, []string{"eps", "clip"}},
		{"eps=0.6", func(*settings) {}, []string{"eps"}},
		{"sample=99999999999999999999999", func(*settings) {}, []string{"sample"}},
		{"x=%3Cimg%20src%3Dx%3E", func(*settings) {}, []string{"x"}},
		{"x=" + strings.Repeat("A", 5000), func(*settings) {}, []string{"x"}},
		{"model=mlp&model=rbf", func(*settings) {}, []string{"model"}},
		{"unknown=1", func(*settings) {}, nil},
		// A value that is not valid URL encoding is named; the rest stands.
		{"model=softmax&eps=%zz&embed=1", func(s *settings) { s.Model, s.Embed = "softmax", true }, []string{"eps"}},
		{"eps=Infinity&steps=%E2%88%9E&target=-0", func(s *settings) { s.Target = 0 }, []string{"eps", "steps"}},
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
	return a.Model == b.Model && a.Attack == b.Attack && a.Eps255 == b.Eps255 && a.Target == b.Target &&
		a.Steps == b.Steps && a.Clip == b.Clip && a.Round == b.Round && a.Sample == b.Sample && a.Embed == b.Embed
}

func TestSettingsRoundTrip(t *testing.T) {
	x := make([]float64, Pixels)
	for i := range x {
		if i%28 > 10 && i%28 < 16 && i > 100 && i < 700 {
			x[i] = float64(i%256) / 255
		}
	}
	s := settings{Model: "maxout", Attack: core.AttackTargeted, Eps255: 7, Target: 9, Steps: 10,
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
