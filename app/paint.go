package main

import (
	"encoding/base64"
	"math"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// Images are 28×28 canvases scaled up by CSS with image-rendering:
// pixelated, so each model input pixel stays a visible square.

// grayRGBA turns a 28×28 input (white ink on black, as MNIST stores it)
// into RGBA bytes. Values outside [0, 1], which an unclipped attack makes,
// are clamped for display.
func grayRGBA(x []float64) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		g := byte(math.Round(min(max(v, 0), 1) * 255))
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = g, g, g, 255
	}
	return b
}

// Diverging colour map for η: blue for −scale, near-white for 0, red for
// +scale (ColorBrewer RdBu ends).
var (
	divNeg  = [3]float64{33, 102, 172}
	divZero = [3]float64{247, 247, 247}
	divPos  = [3]float64{178, 24, 43}
)

func divergingRGBA(eta []float64, scale float64) []byte {
	b := make([]byte, 4*len(eta))
	for i, v := range eta {
		t := 0.0
		if scale > 0 {
			t = min(max(v/scale, -1), 1)
		}
		end := divPos
		if t < 0 {
			end, t = divNeg, -t
		}
		for c := range 3 {
			b[4*i+c] = byte(math.Round(divZero[c] + t*(end[c]-divZero[c])))
		}
		b[4*i+3] = 255
	}
	return b
}

// paint puts 28×28 RGBA bytes on the canvas with the given id.
func paint(id string, rgba []byte) {
	c := app.Window().GetElementByID(id)
	if !c.Truthy() {
		return
	}
	side := int(math.Sqrt(float64(len(rgba) / 4))) // 28, or a convolution's kernel
	if c.Get("width").Int() != side {
		c.Set("width", side)
		c.Set("height", side)
	}
	ctx := c.Call("getContext", "2d")
	img := ctx.Call("createImageData", side, side)
	app.CopyBytesToJS(img.Get("data"), rgba)
	ctx.Call("putImageData", img, 0, 0)
}

// blank clears the canvas with the given id.
func blank(id string) {
	c := app.Window().GetElementByID(id)
	if c.Truthy() {
		c.Call("getContext", "2d").Call("clearRect", 0, 0, 28, 28)
	}
}

// encodePNG writes a 28×28 input as an 8-bit grey PNG, each pixel repeated
// scale×scale times.
func encodePNG(x []float64, scale int) []byte {
	n := 28 * scale
	pix := make([]byte, n*n)
	g := toBytes(x)
	for y := range n {
		for xx := range n {
			pix[y*n+xx] = g[(y/scale)*28+xx/scale]
		}
	}
	return writePNG(pix, n, n, 1)
}

// dataURL returns a data: URL of PNG bytes.
func dataURL(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}
