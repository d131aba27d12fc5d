package main

import (
	"math"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// padSize is the side of the drawing pad's canvas in canvas pixels.
const padSize = 280

// pad is the drawing pad, <canvas id="pad">: white strokes on an opaque
// black canvas, as MNIST stores its digits. Pointer events cover mouse,
// touch and pen alike. After each change it turns the canvas into a model
// input and hands it to onInput (nil when the pad is empty).
type pad struct {
	app.Compo

	onInput func(ctx app.Context, x []float64)

	strokes []stroke
	brush   int // stroke width in canvas pixels
	drawing bool

	ctx2d app.Value
	rgba  []byte // the canvas's RGBA bytes, reused
}

// stroke is one pointer-down-to-up line: its width and x, y pairs.
type stroke struct {
	width float64
	pts   []float64
}

func newPad(onInput func(app.Context, []float64)) *pad {
	return &pad{onInput: onInput, brush: 20, rgba: make([]byte, 4*padSize*padSize)}
}

func (p *pad) OnMount(ctx app.Context) {
	canvas := app.Window().GetElementByID("pad")
	p.ctx2d = canvas.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	p.redraw()
}

func (p *pad) Render() app.UI {
	return app.Div().Class("pad-wrap").Body(
		app.Canvas().ID("pad").Class("pad").Width(padSize).Height(padSize).
			Role("img").Aria("label", "Drawing pad: draw a digit with a mouse, a finger or a pen").
			On("pointerdown", p.onDown).
			On("pointermove", p.onMove).
			On("pointerup", p.onUp).
			On("pointercancel", p.onUp),
		app.If(len(p.strokes) == 0, app.P().Class("pad-hint").Aria("hidden", true).Text("Draw a digit here")),
		app.Div().Class("pad-tools").Body(
			app.Button().ID("undo").Class("btn").Text("Undo").Disabled(len(p.strokes) == 0).
				Aria("label", "Undo the last stroke").OnClick(p.onUndo),
			app.Button().ID("clear").Class("btn").Text("Clear").Disabled(len(p.strokes) == 0).
				Aria("label", "Clear the drawing pad").OnClick(p.onClear),
			app.Label().Class("brush").For("brush").Text("Brush"),
			app.Input().ID("brush").Type("range").Min(8).Max(36).Step(1).
				Value(p.brush).Aria("valuetext", "brush width").OnInput(p.onBrush),
		),
	)
}

// clear empties the pad without reporting it; the lab calls it when the
// input comes from elsewhere (a sample, a link, a message).
func (p *pad) clear() {
	if len(p.strokes) == 0 {
		return
	}
	p.strokes = nil
	p.redraw()
	p.Update()
}

func (p *pad) onDown(ctx app.Context, e app.Event) {
	e.PreventDefault()
	e.Get("target").Call("setPointerCapture", e.Get("pointerId"))
	p.drawing = true
	x, y := p.point(e)
	p.strokes = append(p.strokes, stroke{width: float64(p.brush), pts: []float64{x, y}})
	p.drawSegment(x, y, x, y, float64(p.brush))
	p.emit(ctx)
}

func (p *pad) onMove(ctx app.Context, e app.Event) {
	ctx.PreventUpdate() // the pad's own controls do not change while drawing
	if !p.drawing || len(p.strokes) == 0 {
		return
	}
	s := &p.strokes[len(p.strokes)-1]
	x, y := p.point(e)
	n := len(s.pts)
	p.drawSegment(s.pts[n-2], s.pts[n-1], x, y, s.width)
	s.pts = append(s.pts, x, y)
	p.emit(ctx)
}

func (p *pad) onUp(ctx app.Context, e app.Event) {
	if !p.drawing {
		ctx.PreventUpdate()
		return
	}
	p.drawing = false
	// The moves of this stroke each cancelled the pad's pending update, the
	// one pointerdown asked for too: render now, so Undo and Clear are
	// enabled.
	p.Update()
}

func (p *pad) onUndo(ctx app.Context, e app.Event) {
	if len(p.strokes) > 0 {
		p.strokes = p.strokes[:len(p.strokes)-1]
		p.redraw()
		p.emit(ctx)
	}
}

func (p *pad) onClear(ctx app.Context, e app.Event) {
	p.strokes = nil
	p.redraw()
	p.emit(ctx)
}

func (p *pad) onBrush(ctx app.Context, e app.Event) {
	if w := ctx.JSSrc().Get("valueAsNumber").Int(); w >= 8 && w <= 36 {
		p.brush = w
	}
}

// point returns the pointer's position in canvas pixels.
func (p *pad) point(e app.Event) (float64, float64) {
	r := e.Get("target").Call("getBoundingClientRect")
	w, h := r.Get("width").Float(), r.Get("height").Float()
	if w <= 0 || h <= 0 {
		return 0, 0
	}
	x := (e.Get("clientX").Float() - r.Get("left").Float()) * padSize / w
	y := (e.Get("clientY").Float() - r.Get("top").Float()) * padSize / h
	return math.Round(x*10) / 10, math.Round(y*10) / 10
}

func (p *pad) drawSegment(x0, y0, x1, y1, width float64) {
	c := p.ctx2d
	c.Set("lineWidth", width)
	c.Call("beginPath")
	c.Call("moveTo", x0, y0)
	c.Call("lineTo", x1, y1)
	c.Call("stroke")
}

// redraw paints the canvas black and replays every stroke.
func (p *pad) redraw() {
	c := p.ctx2d
	if c == nil || !c.Truthy() {
		return
	}
	c.Set("fillStyle", "#000")
	c.Call("fillRect", 0, 0, padSize, padSize)
	c.Set("strokeStyle", "#fff")
	c.Set("lineCap", "round")
	c.Set("lineJoin", "round")
	for _, s := range p.strokes {
		pts := s.pts
		if len(pts) == 2 {
			p.drawSegment(pts[0], pts[1], pts[0], pts[1], s.width)
			continue
		}
		c.Set("lineWidth", s.width)
		c.Call("beginPath")
		c.Call("moveTo", pts[0], pts[1])
		for i := 2; i < len(pts); i += 2 {
			c.Call("lineTo", pts[i], pts[i+1])
		}
		c.Call("stroke")
	}
}

// emit reads the canvas with one copy into Go memory and preprocesses it
// as MNIST was made (core.PreprocessRGBA).
func (p *pad) emit(ctx app.Context) {
	if len(p.strokes) == 0 {
		p.onInput(ctx, nil)
		return
	}
	data := p.ctx2d.Call("getImageData", 0, 0, padSize, padSize).Get("data")
	app.CopyBytesToGo(p.rgba, data)
	x, err := core.PreprocessRGBA(p.rgba, padSize, padSize)
	if err != nil { // no ink above the threshold yet
		p.onInput(ctx, nil)
		return
	}
	// An 8-bit input, like MNIST's, is exactly what a shared link holds.
	for i, v := range x {
		x[i] = math.Round(v*255) / 255
	}
	p.onInput(ctx, x)
}
