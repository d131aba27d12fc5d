package main

import (
	"fmt"
	"image"
	"image/color"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"fgsmlab/core"
	"fgsmlab/models"
)

// figure2 redraws the paper's Figure 2 for logreg37: (a) its weights, (b)
// their sign, (c) test 3s and 7s and (d) their FGSM versions at ε = 0.25.
func figure2(m *core.Model, d *core.Dataset) (*vgimg.Canvas, string, error) {
	dense, ok := m.Layers[0].(*core.Dense)
	if !ok || dense.Out() != 1 || dense.In() != side*side {
		return nil, "", fmt.Errorf("logreg37 does not start with a 784 → 1 dense layer")
	}
	w := dense.W.Data
	x, labels := firstOfEach(d, 8)
	adv := core.FGSM(m, x, labels, core.Options{Epsilon: models.PaperEpsilon})
	right := func(x *mat.Dense) int { return correct(m, x, labels) }
	a := maxAbs(w)
	wColor, wMap := diverging(a)
	sColor, _ := diverging(1)
	sign := make([]float64, len(w))
	for i, v := range w {
		sign[i] = core.Sign(v)
	}
	panels := []*plot.Plot{
		imagePanel("(a) weights w", tile(w, 8, wColor)),
		imagePanel("(b) sign(w): red +1, blue −1", tile(sign, 8, sColor)),
		imagePanel(fmt.Sprintf("(c) test 3s and 7s: %d/%d right", right(x), len(labels)), digits(x, 4)),
		imagePanel(fmt.Sprintf("(d) FGSM, ε = %g: %d/%d right", models.PaperEpsilon, right(adv), len(labels)), digits(adv, 4)),
	}
	const s, title, bar, gap = 170, 24, 44, 12
	c := vgimg.New(vg.Points(4*s+5*gap), vg.Points(s+title+bar+gap))
	dc := draw.New(c)
	for i, p := range panels {
		x0 := vg.Points(float64(gap + i*(s+gap)))
		p.Draw(sub(dc, x0, vg.Points(bar), x0+vg.Points(s), vg.Points(bar+s+title)))
	}
	cb := plot.New()
	cb.HideY()
	cb.X.Label.Text = "weight (w > 0 pushes towards 7)"
	cb.Add(&plotter.ColorBar{ColorMap: wMap})
	cb.Draw(sub(dc, vg.Points(gap), 0, vg.Points(gap+s), vg.Points(bar)))
	caption := fmt.Sprintf("logreg37 is a 784 → 1 sigmoid trained on 3s against 7s; (c) and (d) show the first %d 3s "+
		"and 7s of the test set (3s in the top rows). For logistic regression ∇ₓJ is a multiple of w, so the FGSM "+
		"perturbation is ±ε·sign(w): (d) is (c) plus or minus %g·(b), clipped to [0, 1]. The paper: 1.6%% clean "+
		"error, 99%% at ε = 0.25; ours is in the table above.", len(labels)/2, models.PaperEpsilon)
	return c, caption, nil
}

// firstOfEach returns the first n examples of label 0 and of label 1.
func firstOfEach(d *core.Dataset, n int) (*mat.Dense, []int) {
	x := mat.NewDense(2*n, side*side, nil)
	var labels []int
	for want := 0; want < 2; want++ {
		for i := 0; i < d.Len() && len(labels) < (want+1)*n; i++ {
			if d.Labels[i] == want {
				copy(x.RawRowView(len(labels)), d.Image(i))
				labels = append(labels, want)
			}
		}
	}
	if len(labels) < 2*n {
		return mat.DenseCopyOf(x.Slice(0, len(labels), 0, side*side)), labels
	}
	return x, labels
}

func correct(m *core.Model, x *mat.Dense, labels []int) int {
	p := m.Predict(x)
	n := 0
	for i, y := range labels {
		if core.Argmax(p.RawRowView(i)) == y {
			n++
		}
	}
	return n
}

// digits draws the rows of x as grey digits, cols to a row.
func digits(x *mat.Dense, cols int) image.Image {
	n, _ := x.Dims()
	tiles := make([]*image.RGBA, n)
	for i := range tiles {
		tiles[i] = tile(x.RawRowView(i), 2, grey)
	}
	return mosaic(tiles, cols, 4, color.White)
}

const figure3Caption = "The first piece of each of the first 36 first-layer maxout units (row u·pieces of the first " +
	"dense layer), each scaled to its own largest |w|: red positive, white 0, blue negative. The paper's Figure 3 " +
	"finds the adversarially trained model's weights more localised and interpretable."

// figure3 shows first-layer filters of the maxout networks side by side.
func figure3(plain, adv *core.Model) (*vgimg.Canvas, error) {
	var panels []*plot.Plot
	for i, m := range []*core.Model{plain, adv} {
		if m == nil {
			continue
		}
		img, err := filters(m, 36)
		if err != nil {
			return nil, err
		}
		panels = append(panels, imagePanel(fmt.Sprintf("(%c) %s: units 1–36, first piece", 'a'+i, m.Name), img))
	}
	const s, title, gap = 270, 24, 16
	c := vgimg.New(vg.Points(float64(len(panels)*(s+gap)+gap)), vg.Points(s+title+gap))
	dc := draw.New(c)
	for i, p := range panels {
		x0 := vg.Points(float64(gap + i*(s+gap)))
		p.Draw(sub(dc, x0, vg.Points(gap/2), x0+vg.Points(s), vg.Points(gap/2+s+title)))
	}
	return c, nil
}

// filters draws the first piece of the first n units of m's first dense
// layer (every row if no maxout follows it).
func filters(m *core.Model, n int) (image.Image, error) {
	var dense *core.Dense
	pieces := 1
	for _, l := range m.Layers {
		if d, ok := l.(*core.Dense); ok && dense == nil {
			dense = d
		}
		if mx, ok := l.(*core.Maxout); ok && dense != nil {
			pieces = mx.Pieces
			break
		}
	}
	if dense == nil || dense.In() != side*side {
		return nil, fmt.Errorf("%s has no dense layer on the 28×28 input", m.Name)
	}
	var tiles []*image.RGBA
	for u := 0; u < n && u*pieces < dense.Out(); u++ {
		w := dense.W.Data[u*pieces*side*side : (u*pieces+1)*side*side]
		colorOf, _ := diverging(maxAbs(w))
		tiles = append(tiles, tile(w, 2, colorOf))
	}
	return mosaic(tiles, 6, 4, color.White), nil
}
