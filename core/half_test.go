package core

import (
	"math"
	"testing"
)

func TestHalf(t *testing.T) {
	cases := []struct {
		v    float64
		bits uint16
	}{
		{0, 0x0000},
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff},                  // the largest half
		{1e6, 0x7c00},                    // overflows to Inf
		{math.Ldexp(1, -24), 0x0001},     // the smallest subnormal
		{math.Ldexp(1, -14), 0x0400},     // the smallest normal
		{1 + math.Ldexp(1, -11), 0x3c00}, // a tie rounds to even
		{1 + 3*math.Ldexp(1, -11), 0x3c02},
		{0.1, 0x2e66},
		{math.Ldexp(1, -26), 0x0000}, // underflows
	}
	for _, c := range cases {
		if got := toHalf(c.v); got != c.bits {
			t.Errorf("toHalf(%v) = %#04x, want %#04x", c.v, got, c.bits)
		}
	}
	// Every half has the value of its definition, and every finite one
	// survives the round trip.
	for h := range 1 << 16 {
		v := fromHalf(uint16(h))
		if want := halfByDefinition(uint16(h)); v != want && !(math.IsNaN(v) && math.IsNaN(want)) ||
			math.Signbit(v) != math.Signbit(want) && !math.IsNaN(want) {
			t.Fatalf("fromHalf(%#04x) = %v, want %v", h, v, want)
		}
		if math.IsNaN(v) {
			continue
		}
		if back := toHalf(v); back != uint16(h) && !(v == 0 && back&0x7fff == 0) {
			t.Fatalf("half %#04x → %v → %#04x", h, v, back)
		}
	}
}

// halfByDefinition is the value of the binary16 bits h by the standard's
// formula: (−1)^sign × 1.fraction × 2^(exponent − 15), or 0.fraction ×
// 2^−14 for a subnormal.
func halfByDefinition(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)/1024
	switch exp {
	case 0:
		return sign * frac * math.Ldexp(1, -14)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * (1 + frac) * math.Ldexp(1, exp-15)
}
