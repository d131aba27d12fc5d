package main

import (
	"bytes"
	"compress/flate"
	"hash/crc32"
	"strconv"
	"sync"
)

// A small PNG writer for the lab's images: 8-bit grey, RGB or RGBA, each
// row filtered as image/png does, deflated at BestSpeed. It replaces
// image/png (and with it image, image/color, compress/zlib and image/png's
// decoder, which its init registers), which cost app.wasm 257 KB raw and
// 55 KB gzipped for what is a few chunks around compress/flate, already
// linked for the links' drawings.

// pngColorType is the PNG colour type of pixels of bpp bytes.
func pngColorType(bpp int) byte {
	switch bpp {
	case 1:
		return 0 // grey
	case 3:
		return 2 // RGB
	case 4:
		return 6 // RGBA
	}
	panic("writePNG: no colour type has " + strconv.Itoa(bpp) + " bytes a pixel")
}

// writePNG encodes w×h pixels of bpp bytes each (1 grey, 3 RGB, 4 RGBA not
// premultiplied), rows top to bottom. It makes the same bytes as image/png
// at BestSpeed for an *image.Gray, an *image.NRGBA, and an opaque
// *image.RGBA given as RGB.
func writePNG(pix []byte, w, h, bpp int) []byte {
	stride := w * bpp
	if len(pix) != h*stride {
		panic("writePNG: the pixels do not match the size")
	}
	out := append(make([]byte, 0, 128+len(pix)/2), "\x89PNG\r\n\x1a\n"...)
	ihdr := []byte{0, 0, 0, 0, 0, 0, 0, 0, 8, pngColorType(bpp), 0, 0, 0}
	putUint32(ihdr[0:], uint32(w))
	putUint32(ihdr[4:], uint32(h))
	out = pngChunk(out, "IHDR", ihdr)

	z := pngDeflaters.Get().(*pngDeflater)
	defer pngDeflaters.Put(z)
	z.buf.Reset()
	z.buf.WriteString("\x78\x01") // zlib header: deflate, 32 KiB window, fastest
	z.w.Reset(&z.buf)
	z.rows.grow(stride)
	sum := adler{1, 0}
	for y := range h {
		cur := pix[y*stride : (y+1)*stride]
		row := filterRow(&z.rows, cur, bpp)
		sum.add(row)
		z.w.Write(row)
		copy(z.rows.prev, cur)
	}
	z.w.Close()
	z.buf.Write(putUint32(make([]byte, 4), sum.sum()))
	// One IDAT chunk. image/png splits its data where its 32 KiB buffer
	// flushes, so past 32 KiB deflated (more than the lab's images) the two
	// differ in their chunks, not in their pixels.
	out = pngChunk(out, "IDAT", z.buf.Bytes())
	return pngChunk(out, "IEND", nil)
}

// pngDeflater is one encoder's reusable state. The pages draw many small
// images (a defence page shows 96 weight tiles), and under WebAssembly
// making a fresh compressor for each 28×28 tile cost several times more
// than encoding the tile, so the compressors are pooled (the server's
// concurrent renders share the pool safely).
type pngDeflater struct {
	buf  bytes.Buffer
	w    *flate.Writer
	rows pngRows
}

var pngDeflaters = sync.Pool{New: func() any {
	z := new(pngDeflater)
	z.w, _ = flate.NewWriter(&z.buf, flate.BestSpeed)
	return z
}}

// pngRows holds the previous row and the five filtered candidates of the
// current one, each with its filter-type byte first.
type pngRows struct {
	prev []byte
	cand [5][]byte
}

func (r *pngRows) grow(stride int) {
	if cap(r.prev) < stride {
		r.prev = make([]byte, stride)
		for f := range r.cand {
			r.cand[f] = make([]byte, 1+stride)
		}
	}
	r.prev = r.prev[:stride]
	clear(r.prev)
	for f := range r.cand {
		r.cand[f] = r.cand[f][:1+stride]
		r.cand[f][0] = byte(f)
	}
}

// filterRow returns cur filtered, with its filter-type byte first. As
// image/png does, it tries the five PNG filters and keeps the one whose
// bytes, read as signed, have the smallest sum of absolute values, trying
// them in image/png's order (up, Paeth, none, sub, average) and keeping the
// first best, so that it makes the same choices. Above the first row the
// previous row is zeros. Each filter has its own loop: WebAssembly runs
// them about twice as fast as one loop that switches on the filter.
func filterRow(r *pngRows, cur []byte, bpp int) []byte {
	prev := r.prev
	n := len(cur)
	bpp = min(bpp, n)

	up := r.cand[2][1:]
	sum := 0
	for i := range n {
		up[i] = cur[i] - prev[i]
		sum += abs8(up[i])
	}
	best, filter := sum, 2

	pa := r.cand[4][1:]
	sum = 0
	for i := range bpp {
		pa[i] = cur[i] - prev[i]
		sum += abs8(pa[i])
	}
	for i := bpp; i < n && sum < best; i++ {
		pa[i] = cur[i] - paeth(cur[i-bpp], prev[i], prev[i-bpp])
		sum += abs8(pa[i])
	}
	if sum < best {
		best, filter = sum, 4
	}

	sum = 0
	for i := 0; i < n && sum < best; i++ {
		sum += abs8(cur[i])
	}
	if sum < best {
		best, filter = sum, 0
	}

	sub := r.cand[1][1:]
	sum = 0
	for i := range bpp {
		sub[i] = cur[i]
		sum += abs8(sub[i])
	}
	for i := bpp; i < n && sum < best; i++ {
		sub[i] = cur[i] - cur[i-bpp]
		sum += abs8(sub[i])
	}
	if sum < best {
		best, filter = sum, 1
	}

	avg := r.cand[3][1:]
	sum = 0
	for i := range bpp {
		avg[i] = cur[i] - prev[i]/2
		sum += abs8(avg[i])
	}
	for i := bpp; i < n && sum < best; i++ {
		avg[i] = cur[i] - byte((int(cur[i-bpp])+int(prev[i]))/2)
		sum += abs8(avg[i])
	}
	if sum < best {
		filter = 3
	}

	if filter == 0 {
		copy(r.cand[0][1:], cur)
	}
	return r.cand[filter]
}

// abs8 is |v| for v read as a signed byte.
func abs8(v byte) int {
	if s := int(int8(v)); s < 0 {
		return -s
	} else {
		return s
	}
}

// paeth is the PNG Paeth predictor of left a, up b and up-left c.
func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := p-int(a), p-int(b), p-int(c)
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

// pngChunk appends a chunk: length, type, data and the CRC of type and data.
func pngChunk(out []byte, typ string, data []byte) []byte {
	out = append(out, putUint32(make([]byte, 4), uint32(len(data)))...)
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return append(out, putUint32(make([]byte, 4), crc32.ChecksumIEEE(out[start:]))...)
}

// putUint32 writes v big-endian into b[:4] and returns b.
func putUint32(b []byte, v uint32) []byte {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return b
}

// adler is the running Adler-32 checksum that ends a zlib stream.
type adler struct{ a, b uint32 }

func (s *adler) add(p []byte) {
	const mod = 65521
	for len(p) > 0 {
		n := min(len(p), 5552) // the most bytes before b can overflow
		for _, c := range p[:n] {
			s.a += uint32(c)
			s.b += s.a
		}
		s.a %= mod
		s.b %= mod
		p = p[n:]
	}
}

func (s adler) sum() uint32 { return s.b<<16 | s.a }
