package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"fgsmlab/core"
	"fgsmlab/models"
)

// figure is one PNG of the report; file is relative to REPORT.md.
type figure struct {
	file, title, caption string
}

func writeFigures(r *models.Report, ms map[string]*core.Model, test *core.Dataset, dir string) ([]figure, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var figs []figure
	add := func(name string, f figure, c *vgimg.Canvas, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := savePNG(c, filepath.Join(dir, name)); err != nil {
			return err
		}
		f.file = filepath.ToSlash(filepath.Join(filepath.Base(dir), name))
		figs = append(figs, f)
		return nil
	}
	if len(r.Models) > 0 {
		c, err := sweepFigure(r)
		if err := add("sweep.png", figure{title: "Error and confidence against ε (FGSM, clipped)",
			caption: sweepCaption}, c, err); err != nil {
			return nil, err
		}
	}
	if m := ms["logreg37"]; m != nil {
		c, caption, err := figure2(m, models.ThreesAndSevens(test))
		if err := add("figure2.png", figure{title: "Figure 2: logistic regression on 3s and 7s",
			caption: caption}, c, err); err != nil {
			return nil, err
		}
	}
	if ms["maxout"] != nil || ms["maxout-adv"] != nil {
		c, err := figure3(ms["maxout"], ms["maxout-adv"])
		if err := add("figure3.png", figure{title: "Figure 3: first-layer weights of maxout and maxout-adv",
			caption: figure3Caption}, c, err); err != nil {
			return nil, err
		}
	}
	if m := ms["maxout"]; m != nil && test.Len() > 0 {
		c, caption, err := figure4(m, test)
		if err := add("figure4.png", figure{title: "Figure 4: maxout's logits along the FGSM direction, far past the pixel range",
			caption: caption}, c, err); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

func savePNG(c *vgimg.Canvas, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

const sweepCaption = "FGSM on each model's own gradient, x̃ clipped to [0, 1], on the test digits (logreg37: the " +
	"3s and 7s only). Left: error; middle: mean probability of the predicted class over all examples; right: the " +
	"same over the mistakes only (0 where a model makes none). Crosses are the paper's figures at ε = 0.25."

// sweepFigure plots error and both mean confidences against ε, one line
// per model, with the paper's figures at ε = 0.25 as crosses.
func sweepFigure(r *models.Report) (*vgimg.Canvas, error) {
	panels := []struct {
		title, ylabel string
		get           func(models.Point) float64
		paper         func(models.Figures) *float64
	}{
		{"FGSM error", "error (%)", func(p models.Point) float64 { return p.Error },
			func(f models.Figures) *float64 { return f.Error }},
		{"Mean confidence, all examples", "mean top probability (%)",
			func(p models.Point) float64 { return p.Confidence }, nil},
		{"Mean confidence on the mistakes", "mean top probability (%)",
			func(p models.Point) float64 { return p.MistakeConfidence },
			func(f models.Figures) *float64 { return f.Confidence }},
	}
	row := make([]*plot.Plot, len(panels))
	legend := plot.New()
	legend.HideAxes()
	legend.Legend.Top, legend.Legend.Left = true, true
	legend.Legend.TextStyle.Font.Size = vg.Points(12)
	for k, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.title
		p.X.Label.Text = "ε (pixel scale [0, 1])"
		p.Y.Label.Text = pn.ylabel
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 0.5, 0, 100
		p.Add(plotter.NewGrid())
		for i, m := range r.Models {
			if err := addSweepLine(p, legend, i, m, pn.get, k == 0); err != nil {
				return nil, err
			}
		}
		if pn.paper != nil {
			if err := addPaperMarks(p, legend, r, pn.paper, k == 0); err != nil {
				return nil, err
			}
		}
		row[k] = p
	}
	const w, h, lw = 1000, 340, 110
	c := vgimg.New(vg.Points(w), vg.Points(h))
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Points(20), PadTop: vg.Points(6),
		PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(10)}
	for i, cv := range plot.Align([][]*plot.Plot{row}, tiles, sub(dc, 0, 0, vg.Points(w-lw), vg.Points(h)))[0] {
		row[i].Draw(cv)
	}
	legend.Draw(sub(dc, vg.Points(w-lw), vg.Points(h/3), vg.Points(w), vg.Points(h-20)))
	return c, nil
}

func addSweepLine(p, legend *plot.Plot, i int, m models.ModelReport, get func(models.Point) float64, inLegend bool) error {
	xys := make(plotter.XYs, len(m.Sweep))
	for j, pt := range m.Sweep {
		xys[j].X, xys[j].Y = pt.Epsilon, 100*get(pt)
	}
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, l.Width = plotutil.Color(i), vg.Points(1.5)
	pts.Color, pts.Shape, pts.Radius = plotutil.Color(i), plotutil.Shape(i), vg.Points(2.5)
	p.Add(l, pts)
	if inLegend {
		legend.Legend.Add(m.Name, l, pts)
	}
	return nil
}

// addPaperMarks puts the paper's ε = 0.25 figure of each model, taken from
// the report's "<model>_fgsm_0.25" rows, as a cross in the model's colour.
func addPaperMarks(p, legend *plot.Plot, r *models.Report, get func(models.Figures) *float64, inLegend bool) error {
	for i, m := range r.Models {
		id := strings.ReplaceAll(m.Name, "-", "_") + "_fgsm_0.25"
		for _, row := range r.Rows {
			if row.ID != id || get(row.Paper) == nil {
				continue
			}
			s, err := plotter.NewScatter(plotter.XYs{{X: models.PaperEpsilon, Y: 100 * *get(row.Paper)}})
			if err != nil {
				return err
			}
			s.Shape, s.Color, s.Radius = boldCross{}, plotutil.Color(i), vg.Points(6)
			p.Add(s)
		}
	}
	if inLegend {
		s, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return err
		}
		s.Shape, s.Radius = boldCross{}, vg.Points(5)
		legend.Legend.Add("paper, ε = 0.25", s)
	}
	return nil
}

// imagePanel is a plot that shows img with a title and no axes.
func imagePanel(title string, img image.Image) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.HideAxes()
	b := img.Bounds()
	p.Add(plotter.NewImage(img, 0, 0, float64(b.Dx()), float64(b.Dy())))
	return p
}

// sub is the part of c between the given corners.
func sub(c draw.Canvas, x0, y0, x1, y1 vg.Length) draw.Canvas {
	return draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}}
}

// boldCross is draw.CrossGlyph drawn with a 2-point line, to stand out from
// the sweep lines.
type boldCross struct{}

func (boldCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(2)}
	r := sty.Radius * 0.7071
	c.StrokeLine2(ls, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
	c.StrokeLine2(ls, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
}
