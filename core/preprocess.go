package core

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// MNIST's digits were made from NIST's binary images this way
// (http://yann.lecun.com/exdb/mnist/): each was size-normalised to fit a
// 20×20 box keeping its aspect ratio, which anti-aliasing turned into grey
// levels, then placed in a 28×28 field so that its centre of mass sits at
// the centre of the field. PreprocessRGBA does the same to a drawing.
const (
	// digitBox is the side of the box the longer side of a digit is scaled to.
	digitBox = 20

	// inkThreshold is the level above which a canvas pixel counts as ink
	// when cropping to the drawing.
	inkThreshold = 0.05

	// maxCanvas bounds the width and the height of a canvas.
	maxCanvas = 4096

	// digitCentre is the target centre of mass in pixel indices. On the MNIST
	// test set the mean centre of mass (Σ i·v / Σ v) is (14.01, 13.99).
	digitCentre = ImageSide / 2
)

// ErrNoInk is returned for a canvas with no ink: no pixel above 0.05.
var ErrNoInk = errors.New("preprocess: the drawing is empty (no ink)")

// preprocess is PreprocessRGBA for a w×h canvas of grey levels in
// row-major order, 1 for ink and 0 for background; values are clamped to
// [0, 1] and NaN counts as 0. The tests draw their digits with it.
func preprocess(gray []float64, w, h int) ([]float64, error) {
	if err := checkCanvas(len(gray), 1, w, h); err != nil {
		return nil, err
	}
	x0, y0, x1, y1, ok := inkBounds(gray, 1, w, h, inkThreshold)
	if !ok {
		return nil, ErrNoInk
	}
	p := preprocessors.Get().(*preprocessor)
	defer preprocessors.Put(p)
	crop := p.cropTo(x1-x0, y1-y0)
	for y := range y1 - y0 {
		row := gray[(y0+y)*w+x0 : (y0+y)*w+x1]
		for x, v := range row {
			crop[y*len(row)+x] = inkLevel(v)
		}
	}
	return p.run(x1-x0, y1-y0)
}

// PreprocessRGBA turns a drawing into an MNIST input row the way MNIST was
// made. pix is the w×h canvas's RGBA bytes (an HTML canvas's
// ImageData.data: 4 bytes a pixel, row-major); it expects white strokes on
// an opaque black canvas and reads ink as R/255. Fill the canvas with black
// first: ImageData holds colours without alpha premultiplied, so a
// transparent canvas gives its anti-aliased stroke edges full ink.
//
// PreprocessRGBA crops to the pixels above 0.05, scales the crop so that its
// longer side is 20 pixels (averaging areas when shrinking, bilinear when
// enlarging), and places it in the 28×28 field shifted by the rounded offset
// that brings its centre of mass to the centre. It returns ErrNoInk for an
// empty drawing and an error for sizes that do not match or exceed
// 4096×4096.
func PreprocessRGBA(pix []byte, w, h int) ([]float64, error) {
	if err := checkCanvas(len(pix), 4, w, h); err != nil {
		return nil, err
	}
	x0, y0, x1, y1, ok := inkBounds(pix, 4, w, h, inkByte)
	if !ok {
		return nil, ErrNoInk
	}
	p := preprocessors.Get().(*preprocessor)
	defer preprocessors.Put(p)
	bw, bh := x1-x0, y1-y0
	crop := p.cropTo(bw, bh)
	for y := range bh {
		row := pix[4*((y0+y)*w+x0) : 4*((y0+y)*w+x1)]
		for x := range bw {
			crop[y*bw+x] = unitBytes[row[4*x]]
		}
	}
	return p.run(bw, bh)
}

// inkByte is the largest red level that is not ink: b/255 ≤ inkThreshold.
var inkByte = func() byte {
	b := byte(0)
	for b < 255 && unitBytes[b+1] <= inkThreshold {
		b++
	}
	return b
}()

func checkCanvas(n, channels, w, h int) error {
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("preprocess: canvas is %d×%d; want a positive size", w, h)
	case w > maxCanvas || h > maxCanvas:
		return fmt.Errorf("preprocess: canvas is %d×%d; at most %d×%d is supported", w, h, maxCanvas, maxCanvas)
	case n != channels*w*h:
		return fmt.Errorf("preprocess: %d values for a %d×%d canvas of %d channels; want %d", n, w, h, channels, channels*w*h)
	}
	return nil
}

// preprocessors holds scratch space, so that a call allocates only its
// result: it runs on every pointer move in the browser.
var preprocessors = sync.Pool{New: func() any { return new(preprocessor) }}

type preprocessor struct {
	crop   []float64 // the drawing's bounding box, bw×bh, clamped to [0, 1]
	cols   []float64 // the crop resampled down the columns: th rows of bw
	small  []float64 // the crop resampled: th rows of tw
	xs, ys resampler
}

func (p *preprocessor) cropTo(bw, bh int) []float64 {
	p.crop = growScratch(p.crop, bw*bh)
	return p.crop
}

// run resamples the bw×bh crop to fit the digitBox, and places it. It
// resamples the columns first: the crop's rows are many and long, and adding
// whole rows is the simplest loop there is.
func (p *preprocessor) run(bw, bh int) ([]float64, error) {
	s := float64(digitBox) / float64(max(bw, bh))
	tw := p.xs.build(bw, s)
	th := p.ys.build(bh, s)

	p.cols = growScratch(p.cols, th*bw)
	clear(p.cols)
	for o := range th {
		dst := p.cols[o*bw : (o+1)*bw]
		for k, wt := range p.ys.taps(o) {
			r := p.ys.first[o] + k
			axpyRow(wt, p.crop[r*bw:(r+1)*bw], dst)
		}
	}
	p.small = growScratch(p.small, th*tw)
	for y := range th {
		p.xs.apply(p.small[y*tw:(y+1)*tw], p.cols[y*bw:(y+1)*bw])
	}
	return placeCentred(p.small, tw, th)
}

// axpyRow adds alpha·x to dst.
func axpyRow(alpha float64, x, dst []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] += alpha * v
	}
}

// inkBounds returns the half-open bounding box of the pixels above
// threshold in a w×h canvas of pix, whose pixels are step values apart.
func inkBounds[T float64 | byte](pix []T, step, w, h int, threshold T) (x0, y0, x1, y1 int, ok bool) {
	x0, y0 = w, h
	for y := range h {
		row := pix[y*w*step : (y+1)*w*step]
		first := -1
		for i := 0; i < len(row); i += step {
			if row[i] > threshold {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		last := first
		for i := len(row) - step; i > first; i -= step {
			if row[i] > threshold {
				last = i
				break
			}
		}
		x0, x1 = min(x0, first/step), max(x1, last/step+1)
		y0, y1 = min(y0, y), y+1
	}
	return x0, y0, x1, y1, x1 > 0
}

// placeCentred puts the tw×th image in a 28×28 field, shifted so that its centre
// of mass lands within half a pixel of the centre, and clamps to [0, 1].
func placeCentred(img []float64, tw, th int) ([]float64, error) {
	var m, mx, my float64
	for y := range th {
		for x, v := range img[y*tw : (y+1)*tw] {
			m += v
			mx += v * float64(x)
			my += v * float64(y)
		}
	}
	if !(m > 0) {
		return nil, ErrNoInk
	}
	ox := int(math.Round(digitCentre - mx/m))
	oy := int(math.Round(digitCentre - my/m))
	out := make([]float64, ImageSize)
	for y := range th {
		if y+oy < 0 || y+oy >= ImageSide {
			continue
		}
		for x, v := range img[y*tw : (y+1)*tw] {
			if x+ox >= 0 && x+ox < ImageSide {
				out[(y+oy)*ImageSide+x+ox] = min(max(v, 0), 1)
			}
		}
	}
	return out, nil
}

// resampler resamples a line of n pixels to m: output o is
// Σₖ w[off[o]+k]·src[first[o]+k].
type resampler struct {
	first []int
	off   []int // len m+1
	w     []float64
}

// build makes the resampler that scales n pixels by s, and returns the output
// length m = ⌈n·s⌉. When shrinking (s ≤ 1), output pixel o averages the
// source interval [o/s, (o+1)/s), weighting each source pixel by its overlap
// (a box filter, which keeps the ink's area). When enlarging, it samples
// bilinearly at the output pixel's centre, with background beyond the ends.
func (k *resampler) build(n int, s float64) int {
	m := max(1, int(math.Ceil(float64(n)*s-1e-9)))
	k.first = growScratch(k.first, m)
	k.off = growScratch(k.off, m+1)
	k.w = k.w[:0]
	for o := range m {
		k.off[o] = len(k.w)
		if s <= 1 {
			lo, hi := float64(o)/s, math.Min(float64(o+1)/s, float64(n))
			k.first[o] = int(lo)
			for i := int(lo); float64(i) < hi; i++ {
				k.w = append(k.w, s*(math.Min(float64(i+1), hi)-math.Max(float64(i), lo)))
			}
			continue
		}
		u := (float64(o)+0.5)/s - 0.5
		i := int(math.Floor(u))
		f := u - float64(i)
		k.first[o] = max(i, 0)
		if i >= 0 && i < n {
			k.w = append(k.w, 1-f)
		}
		if i+1 < n {
			k.w = append(k.w, f)
		}
	}
	k.off[m] = len(k.w)
	return m
}

func (k *resampler) taps(o int) []float64 { return k.w[k.off[o]:k.off[o+1]] }

func (k *resampler) apply(dst, src []float64) {
	for o := range dst {
		src := src[k.first[o]:]
		var sum float64
		for j, wt := range k.taps(o) {
			sum += wt * src[j]
		}
		dst[o] = sum
	}
}

// inkLevel clamps a canvas value to [0, 1], with NaN as 0.
func inkLevel(v float64) float64 {
	switch {
	case v > 1:
		return 1
	case v > 0:
		return v
	}
	return 0
}

func growScratch[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
