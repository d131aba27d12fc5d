package main

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
)

const side = 28 // MNIST images are side×side, row-major

// colorFunc maps a value to a pixel colour.
type colorFunc func(float64) color.Color

// grey maps [0, 1] to black…white, as MNIST stores digits.
func grey(v float64) color.Color {
	return color.Gray{Y: uint8(math.Round(255 * min(max(v, 0), 1)))}
}

// diverging returns blue for −limit, white for 0 and red for +limit, and
// the colour map behind it for a colour bar.
func diverging(limit float64) (colorFunc, palette.ColorMap) {
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-limit)
	cm.SetMax(limit)
	return func(v float64) color.Color {
		c, err := cm.At(min(max(v, -limit), limit))
		if err != nil {
			return color.Black
		}
		return c
	}, cm
}

// tile renders one 28×28 image, each pixel as a k×k block.
func tile(v []float64, k int, colorOf colorFunc) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, side*k, side*k))
	for i, x := range v[:side*side] {
		r, c := i/side, i%side
		draw.Draw(img, image.Rect(c*k, r*k, (c+1)*k, (r+1)*k), image.NewUniform(colorOf(x)), image.Point{}, draw.Src)
	}
	return img
}

// mosaic lays the tiles out in rows of cols, gap pixels apart on bg.
func mosaic(tiles []*image.RGBA, cols, gap int, bg color.Color) *image.RGBA {
	w := tiles[0].Bounds().Dx()
	rows := (len(tiles) + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cols*w+(cols-1)*gap, rows*w+(rows-1)*gap))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	for i, t := range tiles {
		x, y := (i%cols)*(w+gap), (i/cols)*(w+gap)
		draw.Draw(img, image.Rect(x, y, x+w, y+w), t, image.Point{}, draw.Src)
	}
	return img
}

func maxAbs(v []float64) float64 {
	var a float64
	for _, x := range v {
		a = max(a, math.Abs(x))
	}
	return a
}
