package main

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"fgsmlab/core"
)

// The paper's Figure 4 (§8), live: the maxout network's ten logits along
// one test digit's FGSM direction, x + ε·s with s = sign(∇ₓJ(θ, x, y)) for
// the digit's true label y, unclipped, over a wide range of ε. The curves
// come from core.LogitPath, exactly: the network is piecewise linear along
// the line, and the walk finds every breakpoint.

// logitsModel is the network of the figure, as in the paper.
const logitsModel = "maxout"

// logitsSamples is how many values of ε the chart draws; logitsStrip how
// many inputs the strip under it shows.
const (
	logitsSamples = 301
	logitsStrip   = 11
)

// logitsRanges are the half-widths of ε's range the reader can choose: the
// paper's axis goes far past the pixel range (|ε| ≤ 1) into the rubbish
// regime; the narrow ones show the thin band around ε = 0.
var logitsRanges = []float64{0.25, 0.5, 1, 2, 5, 10, 15, 20}

const logitsDefaultRange = 15

// logitsFigure is the figure for one digit and range.
type logitsFigure struct {
	digit, label int
	half         float64
	path         *core.LogitPath
	eps          []float64   // the chart's ε, evenly spaced over [−half, half]
	logits       [][]float64 // the scores at each of eps
	wins         []core.Interval
	strip        []stripInput
	classes      []string
	computeMS    float64 // the direction, the path and the logits at eps
	totalMS      float64 // all of it, with the strip and the chart (logitsPanel.compute)
	stripJSON    string  // the strip's ε and logits, for the tests (stripLogits)
	chart        string  // svg's result, kept: the page renders for other reasons too
	live         string  // the panel's HTML of the figure (liveHTML)
	made         int     // the panel's count of figures when this one was made: the oldest is dropped first
	typed        bool    // computed while the reader typed its digit (logitsPanel.typed)
}

// stripInput is one input of the strip under the chart.
type stripInput struct {
	eps   float64
	src   string // a PNG of x + ε·s clamped to [0, 1] for display
	pred  int
	right bool
}

// computeLogits makes the figure for digit x with its label: the FGSM
// direction, the exact path over [−half, half], its scores at
// logitsSamples values of ε and the strip's inputs.
func computeLogits(w *core.PathWalker, m *core.Model, x []float64, digit, label int, half float64) *logitsFigure {
	start := time.Now()
	s := core.FGSMDirection(m, x, label)
	f := &logitsFigure{digit: digit, label: label, half: half, classes: m.Classes}
	f.path = w.Path(x, s, -half, half)
	f.eps = evenly(-half, half, logitsSamples)
	f.logits = make([][]float64, len(f.eps))
	for i, e := range f.eps {
		f.logits[i] = f.path.At(e, nil)
	}
	f.computeMS = float64(time.Since(start).Microseconds()) / 1000
	f.wins = f.path.Wins(label)
	img := make([]float64, len(x))
	for _, e := range evenly(-half, half, logitsStrip) {
		for j := range x {
			img[j] = x[j] + e*s[j]
		}
		pred := core.Argmax(f.path.At(e, nil))
		f.strip = append(f.strip, stripInput{eps: e, src: greyURL(img), pred: pred, right: pred == label})
	}
	strip, _ := json.Marshal(stripLogits(f))
	f.stripJSON = string(strip)
	return f
}

// greyURL is a data: URL of a 28×28 grey PNG of x clamped to [0, 1]: one
// byte a pixel, a third of grayRGBA's RGB.
func greyURL(x []float64) string {
	g := make([]byte, len(x))
	for i, v := range x {
		g[i] = byte(math.Round(min(max(v, 0), 1) * 255))
	}
	return dataURL(writePNG(g, 28, 28, 1))
}

// evenly returns n values from lo to hi, both included exactly.
func evenly(lo, hi float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	v[n-1] = hi
	return v
}

// band says in words where the digit is classified correctly.
func (f *logitsFigure) band() string {
	if len(f.wins) == 0 {
		return "nowhere in this range"
	}
	var parts []string
	for _, iv := range f.wins {
		parts = append(parts, fmt.Sprintf("[%s, %s]", epsWord(iv.Lo), epsWord(iv.Hi)))
	}
	return "for ε in " + strings.Join(parts, " ∪ ")
}

func epsWord(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) < 0.01:
		return fmt.Sprintf("%.4f", v)
	case math.Abs(v) < 1:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// classColours are the other classes' lines (Tableau 10, less purple);
// the true class is drawn thick in the accent colour.
var classColours = [10]string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#9c755f", "#ff9da7", "#79706e", "#2f4b7c"}

const trueColour = "#6d28d9"

func classColour(k, label int) string {
	if k == label {
		return trueColour
	}
	return classColours[k%len(classColours)]
}

// svg draws the figure's chart: the ten logits against ε, the pixel range
// |ε| ≤ 1 shaded, the band where the digit is classified correctly as a
// bar under the curves, and the breakpoints as ticks under the axis.
func (f *logitsFigure) svg() string {
	if f.chart == "" {
		f.chart = f.draw()
	}
	return f.chart
}

func (f *logitsFigure) draw() string {
	const W, H = 640.0, 340.0
	const left, right, top, bottom = 60.0, 12.0, 12.0, 58.0 // room for "−2000" at a phone's larger font
	yMin, yMax := math.Inf(1), math.Inf(-1)
	for _, row := range f.logits {
		for _, v := range row {
			yMin, yMax = min(yMin, v), max(yMax, v)
		}
	}
	ystep := niceStep(yMax-yMin, 5)
	yMin, yMax = math.Floor(yMin/ystep)*ystep, math.Ceil(yMax/ystep)*ystep
	if yMax <= yMin {
		yMax = yMin + ystep
	}
	px := func(e float64) float64 { return left + (e+f.half)/(2*f.half)*(W-left-right) }
	py := func(v float64) float64 { return top + (yMax-v)/(yMax-yMin)*(H-top-bottom) }
	axisY := H - bottom

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="logitplot" role="img" aria-labelledby="logitplot-title">`, W, H)
	fmt.Fprintf(&b, `<title id="logitplot-title">The ten logits of maxout on x + ε·sign(∇ₓJ) for test digit %d (a %s), ε from %g to %g: %d linear pieces</title>`,
		f.digit, f.classes[f.label], -f.half, f.half, f.path.Pieces())
	// The pixel range: beyond |ε| = 1 no pixel of x + ε·s is in [0, 1].
	if f.half > 1 {
		fmt.Fprintf(&b, `<rect class="lg-pixel" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, px(-1), top, px(1)-px(-1), axisY-top)
		fmt.Fprintf(&b, `<text class="pl-marklabel" x="%.1f" y="%.1f" text-anchor="middle">|ε| ≤ 1</text>`, px(0), top+11)
	}
	for v := yMin; v <= yMax+ystep/2; v += ystep {
		y := py(v)
		fmt.Fprintf(&b, `<line class="pl-grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, W-right, y, y)
		fmt.Fprintf(&b, `<text class="pl-tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, tickLabel(v, ystep))
	}
	xstep := niceStep(2*f.half, 6)
	for v := -math.Floor(f.half/xstep) * xstep; v <= f.half+xstep/1e6; v += xstep {
		x := px(v)
		fmt.Fprintf(&b, `<line class="pl-axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x, x, axisY, axisY+4)
		fmt.Fprintf(&b, `<text class="pl-tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, axisY+15, tickLabel(v, xstep))
	}
	fmt.Fprintf(&b, `<line class="pl-axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, W-right, axisY, axisY)
	if yMin < 0 && yMax > 0 {
		fmt.Fprintf(&b, `<line class="pl-axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, W-right, py(0), py(0))
	}
	fmt.Fprintf(&b, `<line class="pl-cursor" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, px(0), px(0), top, axisY)
	// Breakpoints, as ticks in a row under the axis labels.
	fmt.Fprintf(&b, `<path class="lg-breaks" d="`)
	tickY := strconv.AppendFloat(nil, axisY+21, 'f', 1, 64)
	var num []byte
	for _, t := range f.path.Breaks { // strconv, not Fprintf: about 800 a figure
		num = append(strconv.AppendFloat(append(num[:0], 'M'), px(t), 'f', 1, 64), ' ')
		num = append(append(num, tickY...), "v6"...)
		b.Write(num)
	}
	fmt.Fprintf(&b, `"><title>%d breakpoints, where an activation pattern changes</title></path>`, len(f.path.Breaks))
	fmt.Fprintf(&b, `<text class="pl-label" x="%.1f" y="%.1f" text-anchor="middle">ε, the step along sign(∇ₓJ) (unclipped); ticks: breakpoints</text>`, (left+W-right)/2, H-8)
	fmt.Fprintf(&b, `<text class="pl-label" transform="translate(12 %.1f) rotate(-90)" text-anchor="middle">logit</text>`, (top+axisY)/2)
	// Where the digit is classified correctly.
	for _, iv := range f.wins {
		x0, x1 := px(iv.Lo), px(iv.Hi)
		fmt.Fprintf(&b, `<rect class="lg-right" x="%.1f" y="%.1f" width="%.1f" height="5"><title>classified correctly for ε in [%s, %s]</title></rect>`,
			x0, axisY-6, max(x1-x0, 1.5), epsWord(iv.Lo), epsWord(iv.Hi))
	}
	// The lines, the true class last so that it is on top. A sample with
	// no breakpoint on either side of it is on the line through its
	// neighbours, exactly: it is left out.
	keep := f.corners()
	for pass := range 2 {
		for k := range f.classes {
			if (k == f.label) != (pass == 1) {
				continue
			}
			cls := "lg-line"
			if k == f.label {
				cls += " lg-true"
			}
			fmt.Fprintf(&b, `<polyline class="%s" stroke="%s" data-class="%d" points="`, cls, classColour(k, f.label), k)
			// strconv, not Fprintf: 3,010 points per update.
			var num []byte
			for i, e := range f.eps {
				if !keep[i] {
					continue
				}
				num = strconv.AppendFloat(num[:0], px(e), 'f', 1, 64)
				num = append(num, ',')
				num = strconv.AppendFloat(num, py(f.logits[i][k]), 'f', 1, 64)
				num = append(num, ' ')
				b.Write(num)
			}
			fmt.Fprintf(&b, `"><title>logit of “%s”</title></polyline>`, svgEscape(f.classes[k]))
		}
	}
	// Direct labels at both ends, where the lines are far apart.
	for _, end := range []int{0, len(f.eps) - 1} {
		f.endLabels(&b, end, px, py)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// corners reports, per sample of eps, whether a breakpoint lies between
// its neighbours, so that the lines bend there; the ends are kept.
func (f *logitsFigure) corners() []bool {
	keep := make([]bool, len(f.eps))
	n := len(keep) - 1
	keep[0], keep[n] = true, true
	for i := 1; i < n; i++ {
		j := sort.SearchFloat64s(f.path.Breaks, f.eps[i-1])
		for j < len(f.path.Breaks) && f.path.Breaks[j] <= f.eps[i-1] {
			j++
		}
		keep[i] = j < len(f.path.Breaks) && f.path.Breaks[j] < f.eps[i+1]
	}
	return keep
}

// endLabels writes the class names at one end of the lines, skipping any
// that would overlap a label already written.
func (f *logitsFigure) endLabels(b *strings.Builder, i int, px, py func(float64) float64) {
	row := f.logits[i]
	order := make([]int, len(row))
	for k := range order {
		order[k] = k
	}
	// The true class first, then from the top down.
	for a := 1; a < len(order); a++ {
		for c := a; c > 0 && trueThenHigher(order[c], order[c-1], row, f.label); c-- {
			order[c], order[c-1] = order[c-1], order[c]
		}
	}
	var used []float64
	x, anchor, dx := px(f.eps[i]), "end", -4.0
	if i == 0 {
		anchor, dx = "start", 4
	}
	for _, k := range order {
		y := py(row[k])
		clash := false
		for _, u := range used {
			clash = clash || math.Abs(u-y) < 12
		}
		if clash {
			continue
		}
		used = append(used, y)
		cls := "lg-end"
		if k == f.label {
			cls += " lg-end-true"
		}
		fmt.Fprintf(b, `<text class="%s" x="%.1f" y="%.1f" text-anchor="%s" fill="%s">%s</text>`,
			cls, x+dx, y-4, anchor, classColour(k, f.label), svgEscape(f.classes[k]))
	}
}

// less orders the labels: the true class first, then by larger value.
func trueThenHigher(a, b int, row []float64, label int) bool {
	if a == label || b == label {
		return a == label
	}
	return row[a] > row[b]
}
