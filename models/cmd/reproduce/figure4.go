package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"fgsmlab/core"
)

// The paper's Figure 4 (§8): one test digit on maxout, the ten logits of
// x + ε·sign(∇ₓJ), unclipped, far beyond the pixel range. It is the figure
// /linear?panel=logits shows live, for figure4Digit.
const (
	figure4Digit = 0  // the first test digit
	figure4Half  = 15 // ε in [−15, 15]
	figure4Strip = 11 // inputs in the strip under the chart
)

// figure4 draws the logits of test digit figure4Digit on m, the breakpoints
// as ticks under them and a strip of inputs with the correctly classified
// ones framed in green, and returns the caption with the number of linear
// pieces and the band of ε where the digit is classified correctly.
func figure4(m *core.Model, d *core.Dataset) (*vgimg.Canvas, string, error) {
	if d.Len() <= figure4Digit {
		return nil, "", fmt.Errorf("no test digit %d", figure4Digit)
	}
	x, label := d.Image(figure4Digit), d.Labels[figure4Digit]
	s := core.FGSMDirection(m, x, label)
	path, err := core.NewLogitPath(m, x, s, -figure4Half, figure4Half)
	if err != nil {
		return nil, "", err
	}
	p := plot.New()
	// The plot's font has no ∇ or subscript x.
	p.Title.Text = fmt.Sprintf("%s's logits on x + ε·sign(grad_x J), test digit %d (a %s), unclipped; green bar: classified as %s",
		m.Name, figure4Digit, m.Classes[label], m.Classes[label])
	p.X.Label.Text = fmt.Sprintf("ε (|ε| ≤ 1 shaded: the pixel scale); ticks under the curves: the %d breakpoints", len(path.Breaks))
	p.Y.Label.Text = "logit"
	p.Add(plotter.NewGrid())
	const n = 601
	lines := make([]plotter.XYs, path.Classes)
	for k := range lines {
		lines[k] = make(plotter.XYs, n)
	}
	lo, hi := 0.0, 0.0
	for i := range n {
		e := -figure4Half + 2*figure4Half*float64(i)/(n-1)
		for k, v := range path.At(min(e, figure4Half), nil) {
			lines[k][i] = plotter.XY{X: e, Y: v}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	pad := 0.06 * (hi - lo)
	shade, err := plotter.NewPolygon(plotter.XYs{{X: -1, Y: lo - 2*pad}, {X: 1, Y: lo - 2*pad}, {X: 1, Y: hi + pad}, {X: -1, Y: hi + pad}})
	if err != nil {
		return nil, "", err
	}
	shade.Color, shade.LineStyle.Width = color.RGBA{241, 235, 254, 255}, 0
	p.Add(shade)
	for pass := range 2 {
		for k, xy := range lines {
			if (k == label) != (pass == 1) {
				continue
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, "", err
			}
			l.Color, l.Width = figure4Colours[k%len(figure4Colours)], vg.Points(1.2)
			name := m.Classes[k]
			if k == label {
				l.Color, l.Width, name = color.RGBA{109, 40, 217, 255}, vg.Points(3), name+" (true)"
			}
			p.Add(l)
			p.Legend.Add(name, l)
		}
	}
	var ticks plotter.XYs
	for _, t := range path.Breaks {
		ticks = append(ticks, plotter.XY{X: t, Y: lo - 1.5*pad})
	}
	if len(ticks) > 0 {
		sc, err := plotter.NewScatter(ticks)
		if err != nil {
			return nil, "", err
		}
		sc.Shape, sc.Color, sc.Radius = tickGlyph{}, color.Black, vg.Points(4)
		p.Add(sc)
	}
	for _, iv := range path.Wins(label) {
		l, err := plotter.NewLine(plotter.XYs{{X: iv.Lo, Y: lo - 0.5*pad}, {X: iv.Hi, Y: lo - 0.5*pad}})
		if err != nil {
			return nil, "", err
		}
		l.Color, l.Width = color.RGBA{21, 128, 61, 255}, vg.Points(4)
		p.Add(l)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -figure4Half, figure4Half, lo-2*pad, hi+pad
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.XOffs = -vg.Points(300) // the empty top middle

	strip, right := figure4StripImage(m, x, s, label)
	const w, h, sh = 900, 430, 110
	c := vgimg.New(vg.Points(w), vg.Points(h+sh))
	dc := vgdraw.New(c)
	p.Draw(sub(dc, 0, vg.Points(sh), vg.Points(w), vg.Points(h+sh)))
	sp := imagePanel(fmt.Sprintf("x + ε·s at ε = −%d, −%d, …, %d (clamped to [0, 1] for display only); green frame: classified correctly (%d of %d)",
		figure4Half, figure4Half-3, figure4Half, right, figure4Strip), strip)
	sp.Title.TextStyle.Font.Size = vg.Points(10)
	sp.Draw(sub(dc, vg.Points(30), 0, vg.Points(w-10), vg.Points(sh)))

	var bands []string
	for _, iv := range path.Wins(label) {
		bands = append(bands, fmt.Sprintf("[%.3g, %.3g]", iv.Lo, iv.Hi))
	}
	band := "nowhere in [−15, 15]"
	if len(bands) > 0 {
		band = "for ε in " + strings.Join(bands, " ∪ ")
	}
	caption := fmt.Sprintf("Test digit %d (a %s) on %s, along s = sign(∇ₓJ(θ, x, y)) for its true label, without clipping, "+
		"computed exactly from the linear pieces (core.LogitPath): the logits are piecewise linear in ε, with **%d linear pieces** "+
		"over [−%d, %d]; the network says %s **%s** (green bar) and something else everywhere else in the range. ",
		figure4Digit, m.Classes[label], m.Name, path.Pieces(), figure4Half, figure4Half, m.Classes[label], band)
	neg, pos, of := figure4Ends(m, d, 100)
	caption += fmt.Sprintf("The paper finds correct classification only in a thin band around ε = 0. Along the FGSM "+
		"direction that holds here too; against it (ε < 0) the true logit grows fastest: of the first %d test digits, "+
		"%d are still classified correctly at ε = −%d, and %d at ε = +%d. "+
		"/linear?panel=logits shows the same figure live for any test digit.", of, neg, figure4Half, pos, figure4Half)
	return c, caption, nil
}

// figure4Ends counts, among the first n test digits, those classified
// correctly at each end of the range, ε = −figure4Half and +figure4Half.
func figure4Ends(m *core.Model, d *core.Dataset, n int) (neg, pos, of int) {
	w, err := core.NewPathWalker(m)
	if err != nil {
		return 0, 0, 0
	}
	for i := range min(n, d.Len()) {
		x, y := d.Image(i), d.Labels[i]
		p := w.Path(x, core.FGSMDirection(m, x, y), -figure4Half, figure4Half)
		if core.Argmax(p.At(-figure4Half, nil)) == y {
			neg++
		}
		if core.Argmax(p.At(figure4Half, nil)) == y {
			pos++
		}
		of++
	}
	return neg, pos, of
}

// figure4StripImage draws x + ε·s at evenly spaced ε, clamped for display,
// the correctly classified ones framed in green, and counts those.
func figure4StripImage(m *core.Model, x, s []float64, label int) (image.Image, int) {
	var tiles []*image.RGBA
	right := 0
	in := make([]float64, len(x))
	for i := range figure4Strip {
		e := -float64(figure4Half) + 2*figure4Half*float64(i)/(figure4Strip-1)
		for j := range x {
			in[j] = x[j] + e*s[j]
		}
		t := tile(in, 2, grey)
		framed := image.NewRGBA(image.Rect(0, 0, t.Bounds().Dx()+8, t.Bounds().Dy()+8))
		bg := color.Color(color.White)
		if core.Argmax(m.PredictOne(in)) == label {
			bg, right = color.RGBA{21, 128, 61, 255}, right+1
		}
		draw.Draw(framed, framed.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
		draw.Draw(framed, t.Bounds().Add(image.Pt(4, 4)), t, image.Point{}, draw.Src)
		tiles = append(tiles, framed)
	}
	return mosaic(tiles, figure4Strip, 6, color.White), right
}

// figure4Colours are the classes' lines, as on the page (app/logits.go):
// Tableau 10, less purple, which marks the true class.
var figure4Colours = []color.Color{
	color.RGBA{0x4e, 0x79, 0xa7, 255}, color.RGBA{0xf2, 0x8e, 0x2b, 255}, color.RGBA{0xe1, 0x57, 0x59, 255},
	color.RGBA{0x76, 0xb7, 0xb2, 255}, color.RGBA{0x59, 0xa1, 0x4f, 255}, color.RGBA{0xed, 0xc9, 0x48, 255},
	color.RGBA{0x9c, 0x75, 0x5f, 255}, color.RGBA{0xff, 0x9d, 0xa7, 255}, color.RGBA{0x79, 0x70, 0x6e, 255},
	color.RGBA{0x2f, 0x4b, 0x7c, 255},
}

// tickGlyph is a short vertical line: a breakpoint on the ε axis.
type tickGlyph struct{}

func (tickGlyph) DrawGlyph(c *vgdraw.Canvas, sty vgdraw.GlyphStyle, pt vg.Point) {
	c.StrokeLine2(vgdraw.LineStyle{Color: sty.Color, Width: vg.Points(0.6)}, pt.X, pt.Y-sty.Radius, pt.X, pt.Y+sty.Radius)
}
