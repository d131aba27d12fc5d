package core

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// canvas is a w×h drawing for the tests.
type canvas struct {
	w, h int
	pix  []float64
}

func newCanvas(w, h int) *canvas { return &canvas{w, h, make([]float64, w*h)} }

// rect inks [x0, x1)×[y0, y1) with v.
func (c *canvas) rect(x0, y0, x1, y1 int, v float64) *canvas {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			c.pix[y*c.w+x] = v
		}
	}
	return c
}

// ring draws an anti-aliased ellipse outline, like a hand-drawn 0.
func (c *canvas) ring(cx, cy, rx, ry, width float64) *canvas {
	for y := range c.h {
		for x := range c.w {
			dx, dy := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			d := math.Abs(math.Hypot(dx, dy)-1) * math.Min(rx, ry)
			c.pix[y*c.w+x] = math.Max(c.pix[y*c.w+x], math.Min(1, math.Max(0, width/2+0.5-d)))
		}
	}
	return c
}

func (c *canvas) preprocess(t testing.TB) []float64 {
	t.Helper()
	out, err := preprocess(c.pix, c.w, c.h)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// centreOfMass is (Σ x·v, Σ y·v) / Σ v over a 28×28 image, in pixel indices.
func centreOfMass(img []float64) (cx, cy float64) {
	var m float64
	for i, v := range img {
		m += v
		cx += v * float64(i%ImageSide)
		cy += v * float64(i/ImageSide)
	}
	return cx / m, cy / m
}

// inkBox is the width and height of the bounding box of the non-zero pixels
// of a 28×28 image.
func inkBox(img []float64) (w, h int) {
	x0, y0, x1, y1, ok := inkBounds(img, 1, ImageSide, ImageSide, 0)
	if !ok {
		return 0, 0
	}
	return x1 - x0, y1 - y0
}

func pixelSum(v []float64) (s float64) {
	for _, x := range v {
		s += x
	}
	return s
}

func TestPreprocessShapes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		c          *canvas
		boxW, boxH int     // the expected ink box
		mass       float64 // expected Σ pixels, 0 to skip
	}{
		{"centred square", newCanvas(280, 280).rect(90, 90, 190, 190, 1), 20, 20, 400},
		{"square in a corner", newCanvas(280, 280).rect(0, 180, 100, 280, 1), 20, 20, 400},
		{"wide stroke", newCanvas(280, 280).rect(40, 100, 240, 110, 1), 20, 1, 20},
		{"tall stroke, a 1", newCanvas(280, 280).rect(130, 20, 145, 260, 1), 2, 20, 20 * 15.0 / 12},
		{"tiny dot", newCanvas(280, 280).rect(3, 270, 4, 271, 1), 20, 20, 0},
		{"2×1 dot", newCanvas(280, 280).rect(50, 50, 52, 51, 0.8), 20, 10, 0},
		{"ring", newCanvas(280, 280).ring(140, 140, 60, 90, 18), 14, 20, 0},
		{"faint fringe is cropped", newCanvas(100, 100).rect(0, 0, 100, 100, 0.05).rect(20, 30, 60, 70, 1), 20, 20, 400},
		{"not square canvas", newCanvas(300, 20).rect(5, 0, 25, 20, 1), 20, 20, 400},
	} {
		out := tc.c.preprocess(t)
		cx, cy := centreOfMass(out)
		// A rounded shift leaves the centre within half a pixel; an even,
		// symmetric shape sits exactly half a pixel off, either way.
		if tol := 0.5 + 1e-9; math.Abs(cx-14) > tol || math.Abs(cy-14) > tol {
			t.Errorf("%s: centre of mass (%.2f, %.2f); want (14, 14) ± 0.5", tc.name, cx, cy)
		}
		if w, h := inkBox(out); w != tc.boxW || h != tc.boxH {
			t.Errorf("%s: ink box %d×%d; want %d×%d", tc.name, w, h, tc.boxW, tc.boxH)
		}
		for i, v := range out {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%s: pixel %d is %v", tc.name, i, v)
			}
		}
		// Shrinking averages areas, so the ink's mass scales by the area.
		if m := pixelSum(out); tc.mass > 0 && math.Abs(m-tc.mass) > 1e-9 {
			t.Errorf("%s: mass %.6f; want %.6f", tc.name, m, tc.mass)
		}
	}
}

func TestPreprocessTranslationInvariant(t *testing.T) {
	a := newCanvas(280, 280).ring(100, 120, 40, 70, 14).preprocess(t)
	b := newCanvas(280, 280).ring(190, 150, 40, 70, 14).preprocess(t)
	var diff float64
	for i := range a {
		diff = math.Max(diff, math.Abs(a[i]-b[i]))
	}
	// The ring's anti-aliasing differs with its sub-pixel position.
	if diff > 0.02 {
		t.Errorf("moving the drawing changes a pixel by %.3f", diff)
	}
}

func TestPreprocessNaN(t *testing.T) {
	clean := newCanvas(280, 280).rect(90, 90, 190, 150, 1)
	dirty := newCanvas(280, 280).rect(0, 0, 280, 280, math.NaN()).rect(90, 90, 190, 150, 1)
	dirty.pix[0], dirty.pix[1] = math.Inf(-1), -3
	a, b := clean.preprocess(t), dirty.preprocess(t)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("pixel %d: %v with NaN background, %v without", i, b[i], a[i])
		}
	}
	bright := newCanvas(280, 280).rect(90, 90, 190, 150, math.Inf(1)).preprocess(t)
	for i := range a {
		if a[i] != bright[i] {
			t.Fatalf("pixel %d: %v with +Inf ink, %v with 1", i, bright[i], a[i])
		}
	}
}

func TestPreprocessErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		pix  []float64
		w, h int
		want string
	}{
		{"empty canvas", make([]float64, 280*280), 280, 280, "no ink"},
		{"below threshold", newCanvas(10, 10).rect(0, 0, 10, 10, inkThreshold).pix, 10, 10, "no ink"},
		{"all NaN", newCanvas(5, 5).rect(0, 0, 5, 5, math.NaN()).pix, 5, 5, "no ink"},
		{"zero width", nil, 0, 10, "0×10"},
		{"negative", nil, -1, -1, "positive"},
		{"too wide", nil, maxCanvas + 1, 1, "at most"},
		{"too tall", nil, 1, 1 << 40, "at most"},
		{"length", make([]float64, 99), 10, 10, "99 values"},
	} {
		_, err := preprocess(tc.pix, tc.w, tc.h)
		if err == nil || !strings.HasPrefix(err.Error(), "preprocess: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want one containing %q", tc.name, err, tc.want)
		}
		if (tc.want == "no ink") != errors.Is(err, ErrNoInk) {
			t.Errorf("%s: errors.Is(%v, ErrNoInk) is wrong", tc.name, err)
		}
	}
	if _, err := PreprocessRGBA(make([]byte, 10*10*3), 10, 10); err == nil {
		t.Error("PreprocessRGBA accepts 3 bytes a pixel")
	}
}

func TestPreprocessRGBA(t *testing.T) {
	c := newCanvas(280, 280).ring(140, 140, 50, 80, 16)
	rgba := make([]byte, 4*len(c.pix))
	for i, v := range c.pix {
		b := byte(math.Round(v * 255))
		rgba[4*i], rgba[4*i+1], rgba[4*i+2], rgba[4*i+3] = b, 255-b, 7, 255 // only R counts
		c.pix[i] = float64(b) / 255
	}
	got, err := PreprocessRGBA(rgba, c.w, c.h)
	if err != nil {
		t.Fatal(err)
	}
	want := c.preprocess(t)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pixel %d: %v from RGBA, %v from gray", i, got[i], want[i])
		}
	}
}

// drawLikeAPerson pastes an MNIST digit into a side×side canvas the way a
// person might draw it: its longer side 80–240 pixels, enlarged bilinearly,
// somewhere inside the canvas.
func drawLikeAPerson(img []float64, side int, rng *rand.Rand) *canvas {
	x0, y0, x1, y1, _ := inkBounds(img, 1, ImageSide, ImageSide, 0)
	size := 80 + 160*rng.Float64()
	k := size / float64(max(x1-x0, y1-y0))
	// Bilinear ink reaches one digit pixel beyond the centres of the edge
	// pixels: half a pixel beyond the ink box.
	left, right := (float64(x0)-0.5)*k, (float64(x1)+0.5)*k
	top, bottom := (float64(y0)-0.5)*k, (float64(y1)+0.5)*k
	offX := -left + rng.Float64()*(float64(side)-(right-left))
	offY := -top + rng.Float64()*(float64(side)-(bottom-top))

	// Canvas pixel x samples the digit at u = (x + ½ − offX)/k − ½; a black
	// border of one pixel gives the taps at u in (−1, 28).
	const pw = ImageSide + 2
	var padded [pw * pw]float64
	for y := range ImageSide {
		copy(padded[(y+1)*pw+1:], img[y*ImageSide:(y+1)*ImageSide])
	}
	c := newCanvas(side, side)
	for y := max(0, int(offY+top)); y < min(side, int(offY+bottom)+1); y++ {
		v := (float64(y)+0.5-offY)/k + 0.5 // in the padded image
		iy := int(v)
		fy := v - float64(iy)
		if v < 0 || iy+1 >= pw {
			continue
		}
		r0, r1 := padded[iy*pw:], padded[(iy+1)*pw:]
		for x := max(0, int(offX+left)); x < min(side, int(offX+right)+1); x++ {
			u := (float64(x)+0.5-offX)/k + 0.5
			ix := int(u)
			fx := u - float64(ix)
			if u < 0 || ix+1 >= pw {
				continue
			}
			c.pix[y*side+x] = (1-fy)*((1-fx)*r0[ix]+fx*r0[ix+1]) + fy*((1-fx)*r1[ix]+fx*r1[ix+1])
		}
	}
	return c
}

// redrawn preprocesses n MNIST test digits drawn like a person would.
func redrawn(t *testing.T, n int) (orig, redrawn *mat.Dense, labels []int) {
	d := testDigits(t).Slice(0, n)
	rng := rand.New(rand.NewPCG(1, 2))
	redrawn = mat.NewDense(n, ImageSize, nil)
	for i := range n {
		copy(redrawn.RawRowView(i), drawLikeAPerson(d.Image(i), 280, rng).preprocess(t))
	}
	return d.Images, redrawn, d.Labels
}

// TestPreprocessRedrawnMNIST checks that preprocessing undoes a drawing's
// size and position: redrawn digits stay close to MNIST's own.
func TestPreprocessRedrawnMNIST(t *testing.T) {
	orig, re, _ := redrawn(t, 300)
	var diff mat.Dense
	diff.Sub(orig, re)
	r, c := diff.Dims()
	mad := mat.Sum(applyAbs(&diff)) / float64(r*c)
	t.Logf("mean absolute difference from the original digits: %.4f", mad)
	if mad > 0.05 {
		t.Errorf("mean absolute difference %.4f; want at most 0.05", mad)
	}
}

func applyAbs(m *mat.Dense) *mat.Dense {
	m.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, m)
	return m
}

// TestPreprocessKeepsAccuracy is the product's requirement: a model is as
// accurate on digits drawn on the canvas and preprocessed as on MNIST's.
func TestPreprocessKeepsAccuracy(t *testing.T) {
	b, err := os.ReadFile("../models/mlp.safetensors")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("models/mlp.safetensors does not exist yet: train it first")
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	orig, re, labels := redrawn(t, 1000)
	a0, a1 := accuracy(m, orig, labels), accuracy(m, re, labels)
	t.Logf("accuracy of %s on %d MNIST test digits: %.1f%% as they are, %.1f%% redrawn and preprocessed", m.Name, len(labels), 100*a0, 100*a1)
	if math.Abs(a0-a1) > 0.01 {
		t.Errorf("accuracy %.1f%% after preprocessing; want within 1 point of %.1f%%", 100*a1, 100*a0)
	}
}

func accuracy(m *Model, x *mat.Dense, labels []int) float64 {
	p := m.Predict(x)
	right := 0
	for i, l := range labels {
		if Argmax(p.RawRowView(i)) == l {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

func BenchmarkPreprocess(b *testing.B) {
	c := newCanvas(280, 280).ring(140, 140, 60, 95, 18)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := preprocess(c.pix, c.w, c.h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPreprocessRGBA(b *testing.B) {
	c := newCanvas(280, 280).ring(140, 140, 60, 95, 18)
	rgba := make([]byte, 4*len(c.pix))
	for i, v := range c.pix {
		rgba[4*i], rgba[4*i+3] = byte(255*v), 255
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PreprocessRGBA(rgba, c.w, c.h); err != nil {
			b.Fatal(err)
		}
	}
}
