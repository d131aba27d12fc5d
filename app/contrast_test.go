package main

import (
	"math"
	"testing"
)

// TestCellShadeContrast: every cell of /rbf's transfer matrix has text
// that contrasts with its background by at least WCAG's 4.5:1.
func TestCellShadeContrast(t *testing.T) {
	if r := contrastRatio(relativeLuminance([3]float64{255, 255, 255}), relativeLuminance([3]float64{0, 0, 0})); math.Abs(r-21) > 1e-9 {
		t.Fatalf("white on black: %g, want 21", r)
	}
	if r := contrastRatio(relativeLuminance([3]float64{0x76, 0x76, 0x76}), 1); r < 4.5 || r > 4.6 {
		t.Fatalf("#767676 on white: %g, want 4.54", r) // the lightest grey that passes
	}
	for i := 0; i <= 1000; i++ {
		e := float64(i) / 1000
		_, white := cellShade(e)
		l := relativeLuminance(blendOnWhite([3]float64{109, 40, 217}, 0.08+0.8*e))
		text := 0.0
		if white {
			text = 1
		}
		if r := contrastRatio(text, l); r < 4.5 {
			t.Errorf("error %.3f: white text %v, contrast %.2f:1; want at least 4.5:1", e, white, r)
		}
	}
}
