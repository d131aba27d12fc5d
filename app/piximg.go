package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The explanation pages (/linear, /rubbish) show many small 28×28 images
// that come and go with the state, so they draw them as <img> elements with
// PNG data: URLs rather than canvases that must be painted after mounting.

// pixURL returns a data: URL of a 28×28 RGBA image (as grayRGBA and
// divergingRGBA make).
func pixURL(rgba []byte) string {
	return dataURL(encodeRGBA(rgba, 28, 28))
}

// encodeRGBA writes w×h RGBA bytes as a PNG: RGB when every pixel is opaque,
// as they are here, which is what image/png writes for an opaque image.
func encodeRGBA(rgba []byte, w, h int) []byte {
	rgb := make([]byte, len(rgba)/4*3)
	for i, j := 0, 0; i+3 < len(rgba); i, j = i+4, j+3 {
		if rgba[i+3] != 255 {
			return writePNG(rgba, w, h, 4)
		}
		rgb[j], rgb[j+1], rgb[j+2] = rgba[i], rgba[i+1], rgba[i+2]
	}
	return writePNG(rgb, w, h, 3)
}

// pixImg is a 28×28 image scaled up with its pixels kept square.
func pixImg(rgba []byte, alt string) app.UI {
	return app.Img().Class("pix").Src(pixURL(rgba)).Alt(alt).Width(28).Height(28)
}

// noiseRGBA shows values of any sign, such as N(0, 1) noise, mapping
// −3…3 (three standard deviations) to black…white.
func noiseRGBA(x []float64) []byte {
	v := make([]float64, len(x))
	for i, a := range x {
		v[i] = (a + 3) / 6
	}
	return grayRGBA(v)
}

// pct writes a fraction as a percentage with the given decimals.
func pct(v float64, decimals int) string {
	return fmt.Sprintf("%.*f%%", decimals, 100*v)
}

// niceStep returns a round tick step (1, 2 or 5 × 10^k) that splits span
// into about n intervals.
func niceStep(span float64, n int) float64 {
	if span <= 0 || n <= 0 {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// svgEscape escapes text for an SVG built as a string.
func svgEscape(s string) string { return svgEscaper.Replace(s) }

// svgEscaper is built once: Figure 4 escapes 30 labels per update.
var svgEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
