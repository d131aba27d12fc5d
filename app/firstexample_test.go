package main

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The example travels in the page with its images as float64 bits: the
// runtime must read back exactly what the server computed, or the
// takeover would change the picture.
func TestExampleRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	img := func() []float64 {
		v := make([]float64, Pixels)
		for i := range v {
			v[i] = rng.Float64()
		}
		v[0], v[1], v[2] = math.Copysign(0, -1), math.SmallestNonzeroFloat64, 1.0/255
		return v
	}
	e := &firstExample{Link: "sample=4&eps=0.102", Classes: []string{"0", "1"},
		Out: outcome{X: img(), Adv: img(), Eta: img(), Clean: []float64{0.25, 0.75}, Fool: []float64{0.5, 0.5}, CleanLabel: 1, L0: 3}}
	text, x, adv, eta, err := encodeExample(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeExample(text, x, adv, eta)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want []float64
	}{{"X", got.Out.X, e.Out.X}, {"Adv", got.Out.Adv, e.Out.Adv}, {"Eta", got.Out.Eta, e.Out.Eta}, {"Clean", got.Out.Clean, e.Out.Clean}} {
		if len(c.got) != len(c.want) {
			t.Fatalf("%s: %d values, want %d", c.name, len(c.got), len(c.want))
		}
		for i := range c.want {
			if math.Float64bits(c.got[i]) != math.Float64bits(c.want[i]) {
				t.Fatalf("%s[%d] = %v, want %v exactly", c.name, i, c.got[i], c.want[i])
			}
		}
	}
	if got.Link != e.Link || got.Out.CleanLabel != 1 || got.Out.L0 != 3 || len(got.Classes) != 2 {
		t.Errorf("the rest of the example did not survive: %+v", got)
	}
	for _, bad := range [][4]string{{"", x, adv, eta}, {"{", x, adv, eta}, {`{"Out":{"X":"x"}}`, x, adv, eta},
		{text, "!!", adv, eta}, {text, x, "AAAA", eta}, {text, x, adv, "AAAAAAA="}, {text, x, adv, "AAAAAAAAAAA="}} {
		if _, err := decodeExample(bad[0], bad[1], bad[2], bad[3]); err == nil {
			t.Errorf("decodeExample accepted %.80q", bad)
		}
	}
	if e.Out.X == nil || text == "" {
		t.Error("encodeExample changed the example it encoded")
	}
}

// FuzzDecodeExample: whatever a page carries (a page the service worker
// kept from an older version, a hand-edited copy), reading it never
// panics, and what it accepts has three images of one size.
func FuzzDecodeExample(f *testing.F) {
	e := &firstExample{Out: outcome{X: make([]float64, 4), Adv: make([]float64, 4), Eta: make([]float64, 4), Clean: []float64{1}}}
	text, x, adv, eta, _ := encodeExample(e)
	f.Add(text, x, adv, eta)
	f.Add("{}", "", "", "")
	f.Add(`{"Out":{"Clean":[1e400]}}`, "AAAAAAAAAAA=", "", "!")
	f.Fuzz(func(t *testing.T, text, x, adv, eta string) {
		got, err := decodeExample(text, x, adv, eta)
		if err == nil && (len(got.Out.Adv) != len(got.Out.X) || len(got.Out.Eta) != len(got.Out.X)) {
			t.Errorf("accepted images of %d, %d and %d pixels", len(got.Out.X), len(got.Out.Adv), len(got.Out.Eta))
		}
	})
}
