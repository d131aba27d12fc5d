package main

import (
	"fmt"
	"math"
	"strings"
)

// dimPlotMaxN is the right end of the dimensionality plot: a 32×32 colour
// image (CIFAR-10) has 3,072 inputs.
const dimPlotMaxN = 3072

// dimPlot draws §3's argument as an SVG: for a linear model with n inputs
// whose weights have mean magnitude mean, the worst-case perturbation with
// ‖η‖∞ = ε changes the activation by ε·mean·n, which grows linearly with n,
// while ‖η‖∞ itself stays ε. Random ±ε noise changes it only by about
// ε·rms·√n. margin is a typical clean |w·x + b|; n is the chosen dimension.
func dimPlot(eps, mean, rms, margin float64, n int) string {
	const W, H = 480.0, 270.0
	const left, right, top, bottom = 50.0, 14.0, 14.0, 42.0
	maxN := float64(dimPlotMaxN)
	yMax := max(eps*mean*maxN, margin*1.15, 1e-9)
	step := niceStep(yMax, 5)
	yMax = math.Ceil(yMax/step) * step
	px := func(n float64) float64 { return left + n/maxN*(W-left-right) }
	py := func(v float64) float64 { return H - bottom - min(v, yMax)/yMax*(H-top-bottom) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="dimplot" role="img" aria-labelledby="dimplot-title">`, W, H)
	fmt.Fprintf(&b, `<title id="dimplot-title">Activation change against the number of inputs n, at ε = %.3f</title>`, eps)
	// Grid and y axis.
	for v := 0.0; v <= yMax+step/2; v += step {
		y := py(v)
		fmt.Fprintf(&b, `<line class="pl-grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, W-right, y, y)
		fmt.Fprintf(&b, `<text class="pl-tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, tickLabel(v, step))
	}
	// x axis.
	for v := 0.0; v <= maxN; v += 500 {
		x := px(v)
		fmt.Fprintf(&b, `<line class="pl-axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x, x, H-bottom, H-bottom+4)
		fmt.Fprintf(&b, `<text class="pl-tick" x="%.1f" y="%.1f" text-anchor="middle">%g</text>`, x, H-bottom+16, v)
	}
	fmt.Fprintf(&b, `<line class="pl-axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, W-right, H-bottom, H-bottom)
	fmt.Fprintf(&b, `<text class="pl-label" x="%.1f" y="%.1f" text-anchor="middle">n, the number of inputs</text>`, (left+W-right)/2, H-6)
	fmt.Fprintf(&b, `<text class="pl-label" transform="translate(13 %.1f) rotate(-90)" text-anchor="middle">change in w·x</text>`, (top+H-bottom)/2)
	// Dimensions of real data sets.
	for _, d := range []struct {
		n    float64
		name string
	}{{784, "MNIST 784"}, {3072, "CIFAR-10 3,072"}} {
		x := px(d.n)
		anchor := "middle"
		if d.n == maxN {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line class="pl-mark" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x, x, top, H-bottom)
		fmt.Fprintf(&b, `<text class="pl-marklabel" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, x, top+10, anchor, d.name)
	}
	// The typical clean margin: past it, the attack flips a typical digit.
	fmt.Fprintf(&b, `<line class="pl-margin" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"><title>typical clean |w·x + b| = %.2f</title></line>`,
		left, W-right, py(margin), py(margin), margin)
	// ‖η‖∞ = ε, flat in n.
	fmt.Fprintf(&b, `<line class="s-inf" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"><title>‖η‖∞ = ε = %.3f for every n</title></line>`,
		left, W-right, py(eps), py(eps), eps)
	// Random ±ε noise: ε·rms·√n.
	var pts []string
	for i := 0; i <= 120; i++ {
		v := maxN * float64(i) / 120
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(v), py(eps*rms*math.Sqrt(v))))
	}
	fmt.Fprintf(&b, `<polyline class="s-rand" points="%s"><title>random ±ε noise: about ε·rms(w)·√n</title></polyline>`, strings.Join(pts, " "))
	// FGSM: ε·m·n.
	fmt.Fprintf(&b, `<line class="s-fgsm" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"><title>ε·sign(w): ε·m·n</title></line>`,
		px(0), px(maxN), py(0), py(eps*mean*maxN))
	// Direct labels, so the picture reads without the legend.
	fmt.Fprintf(&b, `<text class="pl-serieslabel s-fgsm-t" x="%.1f" y="%.1f" text-anchor="end">FGSM: ε·m·n</text>`, px(maxN)-4, py(eps*mean*maxN)+16)
	fmt.Fprintf(&b, `<text class="pl-serieslabel s-inf-t" x="%.1f" y="%.1f" text-anchor="end">‖η‖∞ = ε, flat</text>`, px(maxN)-4, py(eps)-5)
	fmt.Fprintf(&b, `<text class="pl-serieslabel s-margin-t" x="%.1f" y="%.1f">typical clean margin</text>`, px(0)+6, py(margin)-5)
	// The chosen n.
	nf := float64(n)
	fmt.Fprintf(&b, `<line class="pl-cursor" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, px(nf), px(nf), top, H-bottom)
	for _, p := range []struct {
		class string
		v     float64
		what  string
	}{
		{"d-fgsm", eps * mean * nf, "ε·m·n"},
		{"d-rand", eps * rms * math.Sqrt(nf), "random noise ≈ ε·rms·√n"},
		{"d-inf", eps, "‖η‖∞"},
	} {
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="5"><title>n = %d: %s = %.3f</title></circle>`,
			p.class, px(nf), py(p.v), n, p.what, p.v)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// tickLabel writes an axis value with as many decimals as the step needs.
func tickLabel(v, step float64) string {
	d := max(0, int(math.Ceil(-math.Log10(step))))
	return fmt.Sprintf("%.*f", d, v)
}
