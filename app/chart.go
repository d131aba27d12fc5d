package main

import (
	"fmt"
	"math"
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// lineChart is an SVG line chart drawn by the app: axes with ticks and
// labels, several series, the paper's numbers as distinct markers, and
// hover values (a vertical line and a readout of every series at that x;
// each point also carries a <title> for browsers and screen readers).
// It draws at the pixel width of its box, so its text stays readable on a
// 360 px phone.
type lineChart struct {
	app.Compo

	id, title      string
	xLabel, yLabel string
	xMin, xMax     float64
	yMin, yMax     float64
	xTicks, yTicks []float64
	xFmt, yFmt     func(float64) string

	series []series
	refs   []refPoint
	legend []legendItem // nil: one entry per series
	empty  string       // shown when there is nothing to draw

	width   int // of the box, in CSS pixels
	hover   int // index into the x values, or -1
	release func()
}

// series is one curve; X and Y have the same length.
type series struct {
	Name  string
	Color string
	Dash  string // an SVG stroke-dasharray; "" draws a solid line
	X, Y  []float64
}

// refPoint is a number from the paper, drawn as a hollow diamond.
type refPoint struct {
	X, Y  float64
	Label string
	Color string
}

// legendItem is one entry of the legend: a line sample, or a diamond for
// the paper's points.
type legendItem struct {
	Label, Color, Dash string
	Diamond            bool
}

const (
	svgNS       = "http://www.w3.org/2000/svg"
	chartHeight = 260
	padLeft     = 46
	padRight    = 12
	padTop      = 12
	padBottom   = 40
)

func svgEl(tag string) app.HTMLElem { return app.Elem(tag).XMLNS(svgNS) }

func newLineChart(id, title, xLabel, yLabel string) *lineChart {
	pct := func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }
	return &lineChart{
		id: id, title: title, xLabel: xLabel, yLabel: yLabel,
		xMin: 0, xMax: 0.5, yMin: 0, yMax: 1,
		xTicks: []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5},
		yTicks: []float64{0, 0.25, 0.5, 0.75, 1},
		xFmt:   func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
		yFmt:   pct,
		hover:  -1, width: 600,
	}
}

// show draws new series and reference points.
func (c *lineChart) show(s []series, refs []refPoint) {
	c.series, c.refs = s, refs
	if c.hover >= 0 && (len(s) == 0 || c.hover >= len(s[0].X)) {
		c.hover = -1
	}
	c.Update()
}

func (c *lineChart) OnMount(ctx app.Context) {
	c.measure()
	f := app.FuncOf(func(this app.Value, args []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) {
			if c.measure() {
				c.Update()
			}
		})
		return nil
	})
	app.Window().Call("addEventListener", "resize", f)
	c.release = func() {
		app.Window().Call("removeEventListener", "resize", f)
		f.Release()
	}
	c.Update()
}

func (c *lineChart) OnDismount() {
	if c.release != nil {
		c.release()
	}
}

// measure reads the width of the chart's box; it reports a change.
func (c *lineChart) measure() bool {
	e := app.Window().GetElementByID(c.id)
	if !e.Truthy() {
		return false
	}
	w := e.Get("clientWidth").Int()
	if w <= 0 || w == c.width {
		return false
	}
	c.width = max(w, 200)
	return true
}

func (c *lineChart) px(x float64) float64 {
	w := float64(c.width - padLeft - padRight)
	return padLeft + w*(x-c.xMin)/(c.xMax-c.xMin)
}

func (c *lineChart) py(y float64) float64 {
	h := float64(chartHeight - padTop - padBottom)
	y = min(max(y, c.yMin), c.yMax)
	return padTop + h*(1-(y-c.yMin)/(c.yMax-c.yMin))
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func (c *lineChart) Render() app.UI {
	return app.Figure().Class("chart").Body(
		app.FigCaption().Class("chart-title").Text(c.title),
		app.Div().ID(c.id).Class("chart-box").Body(c.svg()),
		c.renderLegend(),
		c.readout(),
	)
}

func (c *lineChart) svg() app.UI {
	w := c.width
	kids := []app.UI{svgEl("title").Text(c.title)}
	kids = append(kids, c.axes()...)
	for _, s := range c.series {
		kids = append(kids, c.line(s))
	}
	for _, r := range c.refs {
		kids = append(kids, c.diamond(r))
	}
	if len(c.series) == 0 && c.empty != "" {
		kids = append(kids, svgEl("text").Attr("x", w/2).Attr("y", chartHeight/2).
			Attr("text-anchor", "middle").Attr("fill", "#6b645d").Attr("font-size", 13).Text(c.empty))
	}
	if c.hover >= 0 && len(c.series) > 0 {
		x := c.px(c.series[0].X[c.hover])
		kids = append(kids, svgEl("line").Attr("x1", f1(x)).Attr("x2", f1(x)).
			Attr("y1", padTop).Attr("y2", chartHeight-padBottom).
			Attr("stroke", "#1c1917").Attr("stroke-width", 1).Attr("stroke-dasharray", "3 3").
			Attr("pointer-events", "none"))
	}
	return svgEl("svg").
		Attr("viewBox", fmt.Sprintf("0 0 %d %d", w, chartHeight)).
		Attr("width", w).Attr("height", chartHeight).
		Attr("role", "img").Attr("aria-label", c.title).
		Attr("tabindex", 0).
		Attr("font-family", "system-ui, sans-serif").
		On("pointermove", c.onMove).
		On("pointerdown", c.onMove).
		On("pointerleave", func(ctx app.Context, e app.Event) { c.setHover(-1) }).
		On("keydown", c.onKey).
		Body(kids...)
}

func (c *lineChart) axes() []app.UI {
	var out []app.UI
	grey, ink := "#e6e3dc", "#6b645d"
	x0, x1 := c.px(c.xMin), c.px(c.xMax)
	y0, y1 := c.py(c.yMin), c.py(c.yMax)
	for _, t := range c.yTicks {
		y := f1(c.py(t))
		out = append(out,
			svgEl("line").Attr("x1", f1(x0)).Attr("x2", f1(x1)).Attr("y1", y).Attr("y2", y).
				Attr("stroke", grey).Attr("stroke-width", 1),
			svgEl("text").Attr("x", f1(x0-6)).Attr("y", y).Attr("dy", "0.32em").
				Attr("text-anchor", "end").Attr("font-size", 11).Attr("fill", ink).Text(c.yFmt(t)),
		)
	}
	for _, t := range c.xTicks {
		x := f1(c.px(t))
		out = append(out,
			svgEl("line").Attr("x1", x).Attr("x2", x).Attr("y1", f1(y0)).Attr("y2", f1(y0+4)).
				Attr("stroke", ink).Attr("stroke-width", 1),
			svgEl("text").Attr("x", x).Attr("y", f1(y0+16)).
				Attr("text-anchor", "middle").Attr("font-size", 11).Attr("fill", ink).Text(c.xFmt(t)),
		)
	}
	out = append(out,
		svgEl("line").Attr("x1", f1(x0)).Attr("x2", f1(x1)).Attr("y1", f1(y0)).Attr("y2", f1(y0)).
			Attr("stroke", ink).Attr("stroke-width", 1),
		svgEl("line").Attr("x1", f1(x0)).Attr("x2", f1(x0)).Attr("y1", f1(y0)).Attr("y2", f1(y1)).
			Attr("stroke", ink).Attr("stroke-width", 1),
		svgEl("text").Attr("x", f1((x0+x1)/2)).Attr("y", chartHeight-6).
			Attr("text-anchor", "middle").Attr("font-size", 12).Attr("fill", "#1c1917").Text(c.xLabel),
		svgEl("text").Attr("transform", fmt.Sprintf("translate(12 %s) rotate(-90)", f1((y0+y1)/2))).
			Attr("text-anchor", "middle").Attr("font-size", 12).Attr("fill", "#1c1917").Text(c.yLabel),
	)
	return out
}

func (c *lineChart) line(s series) app.UI {
	d := ""
	var dots []app.UI
	for i := range s.X {
		if math.IsNaN(s.Y[i]) {
			continue
		}
		x, y := c.px(s.X[i]), c.py(s.Y[i])
		cmd := "L"
		if d == "" {
			cmd = "M"
		}
		d += fmt.Sprintf("%s%s %s", cmd, f1(x), f1(y))
		r := 2.5
		if i == c.hover {
			r = 4.5
		}
		dots = append(dots, svgEl("circle").Attr("cx", f1(x)).Attr("cy", f1(y)).Attr("r", r).
			Attr("fill", s.Color).Attr("data-y", strconv.FormatFloat(s.Y[i], 'g', -1, 64)).Body(
			svgEl("title").Text(fmt.Sprintf("%s — %s = %s: %s", s.Name, c.xLabel, c.xFmt(s.X[i]), c.yFmt(s.Y[i]))),
		))
	}
	path := svgEl("path").Attr("d", d).Attr("fill", "none").Attr("stroke", s.Color).
		Attr("stroke-width", 2).Attr("stroke-linejoin", "round")
	if s.Dash != "" {
		path = path.Attr("stroke-dasharray", s.Dash)
	}
	return svgEl("g").Attr("data-series", s.Name).Body(append([]app.UI{path}, dots...)...)
}

func (c *lineChart) diamond(r refPoint) app.UI {
	x, y := c.px(r.X), c.py(r.Y)
	const s = 6.5
	d := fmt.Sprintf("M%s %sL%s %sL%s %sL%s %sZ", f1(x), f1(y-s), f1(x+s), f1(y), f1(x), f1(y+s), f1(x-s), f1(y))
	return svgEl("path").Attr("d", d).Attr("fill", "#fff").Attr("stroke", r.Color).
		Attr("stroke-width", 2).Attr("data-ref", r.Label).Body(
		svgEl("title").Text(fmt.Sprintf("The paper: %s, %s at %s = %s", r.Label, c.yFmt(r.Y), c.xLabel, c.xFmt(r.X))),
	)
}

func (c *lineChart) renderLegend() app.UI {
	items := c.legend
	if items == nil {
		for _, s := range c.series {
			items = append(items, legendItem{Label: s.Name, Color: s.Color, Dash: s.Dash})
		}
		if len(c.refs) > 0 {
			items = append(items, legendItem{Label: "the paper's number", Color: "#1c1917", Diamond: true})
		}
	}
	return app.Ul().Class("chart-legend").Body(
		app.Range(items).Slice(func(i int) app.UI {
			it := items[i]
			return app.Li().Body(legendSwatch(it), app.Span().Text(it.Label))
		}),
	)
}

func legendSwatch(it legendItem) app.UI {
	var mark app.UI
	if it.Diamond {
		mark = svgEl("path").Attr("d", "M14 2L20 8L14 14L8 8Z").Attr("fill", "#fff").
			Attr("stroke", it.Color).Attr("stroke-width", 2)
	} else {
		l := svgEl("line").Attr("x1", 1).Attr("x2", 27).Attr("y1", 8).Attr("y2", 8).
			Attr("stroke", it.Color).Attr("stroke-width", 2.5)
		if it.Dash != "" {
			l = l.Attr("stroke-dasharray", it.Dash)
		}
		mark = l
	}
	return svgEl("svg").Attr("width", 28).Attr("height", 16).Attr("viewBox", "0 0 28 16").
		Attr("aria-hidden", "true").Body(mark)
}

// readout lists every series at the hovered x.
func (c *lineChart) readout() app.UI {
	if c.hover < 0 || len(c.series) == 0 {
		return app.P().Class("chart-readout muted small").Text("Hover or tap the chart (or focus it and use ← →) to read the values.")
	}
	x := c.series[0].X[c.hover]
	return app.Div().Class("chart-readout small").Aria("live", "polite").Body(
		app.Strong().Text(fmt.Sprintf("%s = %s", c.xLabel, c.xFmt(x))),
		app.Ul().Body(
			app.Range(c.series).Slice(func(i int) app.UI {
				s := c.series[i]
				v := "—"
				if c.hover < len(s.Y) && !math.IsNaN(s.Y[c.hover]) {
					v = c.yFmt(s.Y[c.hover])
				}
				return app.Li().Body(
					app.Span().Class("dot").Style("background", s.Color),
					app.Span().Text(s.Name+": "),
					app.B().Text(v),
				)
			}),
		),
	)
}

func (c *lineChart) onMove(ctx app.Context, e app.Event) {
	if len(c.series) == 0 {
		return
	}
	box := ctx.JSSrc().Call("getBoundingClientRect")
	w := box.Get("width").Float()
	if w <= 0 {
		return
	}
	vx := (e.Get("clientX").Float() - box.Get("left").Float()) * float64(c.width) / w
	best, dist := -1, math.Inf(1)
	for i, x := range c.series[0].X {
		if d := math.Abs(c.px(x) - vx); d < dist {
			best, dist = i, d
		}
	}
	c.setHover(best)
}

func (c *lineChart) onKey(ctx app.Context, e app.Event) {
	if len(c.series) == 0 {
		return
	}
	n := len(c.series[0].X)
	switch e.Get("key").String() {
	case "ArrowRight":
		c.setHover(min(c.hover+1, n-1))
	case "ArrowLeft":
		c.setHover(max(c.hover-1, 0))
	default:
		return
	}
	e.PreventDefault()
}

func (c *lineChart) setHover(i int) {
	if i != c.hover {
		c.hover = i
		c.Update()
	}
}
