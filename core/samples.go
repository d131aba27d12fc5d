package core

import (
	"encoding/binary"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// A samples file is a compact set of labelled digits for the web page:
//
//	"FGSD"                  magic
//	1                       version byte
//	count                   uint32, little-endian
//	count label bytes       digits 0–9
//	count×784 pixel bytes   row-major 28×28 images, 0–255, white on black
const (
	samplesMagic   = "FGSD"
	samplesVersion = 1
	samplesHeader  = len(samplesMagic) + 1 + 4
)

// SamplesFileSize returns the size in bytes of the samples file that
// starts with b, read from its header, so that a download can show its
// progress. It reports false when b is shorter than the header or does not
// start like a samples file.
func SamplesFileSize(b []byte) (int, bool) {
	if len(b) < samplesHeader || string(b[:4]) != samplesMagic || b[4] != samplesVersion {
		return 0, false
	}
	return samplesHeader + int(binary.LittleEndian.Uint32(b[5:]))*(1+ImageSize), true
}

// SamplesError reports a samples file that cannot be decoded.
type SamplesError string

func (e SamplesError) Error() string { return "samples: invalid file: " + string(e) }

// EncodeSamples writes d as a samples file, rounding each pixel to the
// nearest of 256 levels (values outside [0, 1] are clamped, NaN is 0). It
// panics if d has more than 2³²−1 digits, rows that are not 28×28 images
// or a label that is not a digit.
func EncodeSamples(d *Dataset) []byte {
	n := d.Len()
	if uint64(n) > math.MaxUint32 {
		panic(fmt.Sprintf("core: %d digits do not fit in a samples file", n))
	}
	if r, c := d.Images.Dims(); n > 0 && (r != n || c != ImageSize) {
		panic(fmt.Sprintf("core: dataset has %d labels and %d×%d images; want %d×%d", n, r, c, n, ImageSize))
	}
	b := make([]byte, samplesHeader, samplesHeader+n*(1+ImageSize))
	copy(b, samplesMagic)
	b[4] = samplesVersion
	binary.LittleEndian.PutUint32(b[5:], uint32(n))
	for _, l := range d.Labels {
		if l < 0 || l > 9 {
			panic(fmt.Sprintf("core: label %d is not a digit", l))
		}
		b = append(b, byte(l))
	}
	for i := range n {
		for _, v := range d.Image(i) {
			b = append(b, unitToByte(v))
		}
	}
	return b
}

// unitToByte rounds v in [0, 1] to a byte, clamping and mapping NaN to 0.
func unitToByte(v float64) byte {
	switch {
	case v >= 1:
		return 255
	case v > 0:
		return byte(math.Round(v * 255))
	}
	return 0
}

// DecodeSamples parses a samples file. Pixels become byte/255.
func DecodeSamples(b []byte) (*Dataset, error) { return DecodeSamplesPausing(b, nil) }

// samplesBlock is the number of digits DecodeSamplesPausing converts
// between pauses: about 10 ms of work in a browser.
const samplesBlock = 1000

// DecodeSamplesPausing is DecodeSamples for a caller that must not hold its
// thread long, such as a web page: it calls pause, if not nil, after every
// block of digits it converts.
func DecodeSamplesPausing(b []byte, pause func()) (*Dataset, error) {
	if len(b) < samplesHeader {
		return nil, SamplesError(fmt.Sprintf("%d bytes is too short for the %d-byte header", len(b), samplesHeader))
	}
	if string(b[:4]) != samplesMagic {
		return nil, SamplesError(fmt.Sprintf("magic %q; want %q", b[:4], samplesMagic))
	}
	if b[4] != samplesVersion {
		return nil, SamplesError(fmt.Sprintf("version %d; want %d", b[4], samplesVersion))
	}
	n := uint64(binary.LittleEndian.Uint32(b[5:]))
	if want := uint64(samplesHeader) + n*(1+ImageSize); uint64(len(b)) != want {
		return nil, SamplesError(fmt.Sprintf("%d digits need %d bytes; the file has %d", n, want, len(b)))
	}
	if n == 0 {
		return emptyDataset(), nil
	}
	labels := b[samplesHeader : samplesHeader+int(n)]
	d := &Dataset{Images: mat.NewDense(int(n), ImageSize, nil), Labels: make([]int, n)}
	for i, l := range labels {
		if l > 9 {
			return nil, SamplesError(fmt.Sprintf("label %d of digit %d is not a digit", l, i))
		}
		d.Labels[i] = int(l)
	}
	pixels, data := b[samplesHeader+int(n):], d.Images.RawMatrix().Data
	for at := 0; at < len(pixels); at += samplesBlock * ImageSize {
		end := min(at+samplesBlock*ImageSize, len(pixels))
		bytesToUnit(data[at:end], pixels[at:end])
		if pause != nil && end < len(pixels) {
			pause()
		}
	}
	return d, nil
}
