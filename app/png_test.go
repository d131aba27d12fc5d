package main

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"
)

// refPNG is what image/png, which writePNG replaces, makes of img.
func refPNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngInputs are inputs like the lab's: a digit-like blob on black, noise
// and a signed perturbation.
func pngInputs() map[string][]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	in := map[string][]float64{"blob": make([]float64, Pixels), "noise": make([]float64, Pixels), "eta": make([]float64, Pixels), "black": make([]float64, Pixels)}
	for i := range Pixels {
		x, y := i%28-14, i/28-14
		if x*x+y*y < 60 && x*x+y*y > 20 {
			in["blob"][i] = 0.5 + 0.5*rng.Float64()
		}
		in["noise"][i] = rng.NormFloat64()
		in["eta"][i] = 0.25 * (rng.Float64()*2 - 1)
	}
	return in
}

func TestWritePNGMatchesImagePNG(t *testing.T) {
	for name, x := range pngInputs() {
		for _, scale := range []int{1, 10} {
			// encodePNG: grey, each pixel scale×scale.
			img := image.NewGray(image.Rect(0, 0, 28*scale, 28*scale))
			g := toBytes(x)
			for i := range img.Pix {
				img.Pix[i] = g[(i/(28*scale)/scale)*28+i%(28*scale)/scale]
			}
			if got, want := encodePNG(x, scale), refPNG(t, img); !bytes.Equal(got, want) {
				t.Errorf("%s ×%d grey: %d bytes, image/png makes %d different ones", name, scale, len(got), len(want))
			}
		}
		// pixURL: opaque RGBA from grayRGBA, noiseRGBA and divergingRGBA.
		for kind, rgba := range map[string][]byte{"gray": grayRGBA(x), "noise": noiseRGBA(x), "diverging": divergingRGBA(x, 0.25)} {
			img := image.NewRGBA(image.Rect(0, 0, 28, 28))
			copy(img.Pix, rgba)
			if got, want := encodeRGBA(rgba, 28, 28), refPNG(t, img); !bytes.Equal(got, want) {
				t.Errorf("%s %s RGBA: %d bytes, image/png makes %d different ones", name, kind, len(got), len(want))
			}
		}
	}
}

func TestWritePNGSpriteAndAlpha(t *testing.T) {
	// A 280×280 sprite of 100 digit-like tiles, as the gallery makes.
	rng := rand.New(rand.NewPCG(3, 4))
	img := image.NewGray(image.Rect(0, 0, 280, 280))
	for i := range img.Pix {
		x, y := i%28-14+rng.IntN(3), i/280%28-14+rng.IntN(3)
		if r := x*x + y*y; r > 20+i%7 && r < 70-i/280%9 {
			img.Pix[i] = byte(128 + rng.IntN(128))
		}
	}
	if got, want := writePNG(img.Pix, 280, 280, 1), refPNG(t, img); !bytes.Equal(got, want) {
		t.Errorf("sprite: %d bytes, image/png makes %d different ones", len(got), len(want))
	}
	// Not opaque: written as RGBA, and it decodes to the same pixels.
	rgba := make([]byte, 4*7*5)
	for i := range rgba {
		rgba[i] = byte(rng.IntN(256))
	}
	nrgba := &image.NRGBA{Pix: rgba, Stride: 4 * 7, Rect: image.Rect(0, 0, 7, 5)}
	b := encodeRGBA(rgba, 7, 5)
	if want := refPNG(t, nrgba); !bytes.Equal(b, want) {
		t.Errorf("translucent: %d bytes, image/png makes %d different ones", len(b), len(want))
	}
	dec, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := dec.(*image.NRGBA)
	if !ok || !bytes.Equal(got.Pix, rgba) {
		t.Errorf("translucent: decodes as %T with other pixels", dec)
	}
}

func TestWritePNGLarge(t *testing.T) {
	// Noise that does not compress, over 32 KiB deflated: image/png splits
	// the data into IDAT chunks where its buffered writer happens to flush,
	// so only the pixels are compared.
	rng := rand.New(rand.NewPCG(5, 6))
	pix := make([]byte, 300*300)
	for i := range pix {
		pix[i] = byte(rng.IntN(256))
	}
	dec, err := png.Decode(bytes.NewReader(writePNG(pix, 300, 300, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := dec.(*image.Gray); !ok || g.Rect != image.Rect(0, 0, 300, 300) || !bytes.Equal(g.Pix, pix) {
		t.Errorf("noise: decodes as %T %v with other pixels", dec, dec.Bounds())
	}
}
