//go:build js

package core

import "gonum.org/v1/gonum/mat"

// Under WebAssembly gonum's matrix product is pure Go behind a general
// blocked, goroutine-parallel driver, which for a training batch (128 rows
// against a 10- or 64-row W) ran at about a tenth of what plain loops reach.
// These kernels add several rows per pass over the destination, or take dot
// products of two rows against four, so that each loaded value serves
// several products, and skip zero coefficients (black pixels, ReLU units
// that are off). They sum in another order than gonum, so results differ
// from native ones in the last bits.

// mulABt computes y = x·wᵀ. For a wide layer it goes row by row as
// Σₖ x[i,k]·wᵀ[k] over the nonzero x[i,k], with wᵀ made in s.wt: adding
// rows eight at a time (addRows) ran faster under node than dot products
// two rows by four, and it skips the black pixels of a digit and the units
// a ReLU turned off. The transpose costs one pass over w, which a small
// batch does not repay (a page crafting a few digits at a time on maxout
// slowed down), and a narrow layer (softmax regression's ten outputs) makes
// rows too short for addRows: both keep the dot products.
func mulABt(y, x, w *mat.Dense, s *mulScratch) {
	xr, wr, yr := x.RawMatrix(), w.RawMatrix(), y.RawMatrix()
	n, out, in := xr.Rows, wr.Rows, wr.Cols
	if out < 32 || n < 32 {
		mulABtDots(y, x, w)
		return
	}
	if cap(s.wt) < in*out {
		s.wt = make([]float64, in*out)
	}
	wt := s.wt[:in*out]
	for j := range out {
		for k, v := range wr.Data[j*wr.Stride : j*wr.Stride+in] {
			wt[k*out+j] = v
		}
	}
	for i := range n {
		yi := yr.Data[i*yr.Stride : i*yr.Stride+out]
		s.idx, s.coef = s.idx[:0], s.coef[:0]
		for k, v := range xr.Data[i*xr.Stride : i*xr.Stride+in] {
			if v != 0 {
				s.idx = append(s.idx, k)
				s.coef = append(s.coef, v)
			}
		}
		clear(yi)
		addRows(yi, s.coef, s.idx, wt)
	}
}

// mulABtDots computes y = x·wᵀ with dot products, two rows of x by four
// of w.
func mulABtDots(y, x, w *mat.Dense) {
	xr, wr, yr := x.RawMatrix(), w.RawMatrix(), y.RawMatrix()
	n, out, in := xr.Rows, wr.Rows, wr.Cols
	i := 0
	for ; i+2 <= n; i += 2 {
		x0 := xr.Data[i*xr.Stride : i*xr.Stride+in]
		x1 := xr.Data[(i+1)*xr.Stride : (i+1)*xr.Stride+in]
		y0 := yr.Data[i*yr.Stride : i*yr.Stride+out]
		y1 := yr.Data[(i+1)*yr.Stride : (i+1)*yr.Stride+out]
		j := 0
		for ; j+4 <= out; j += 4 {
			w4 := wr.Data[j*wr.Stride : (j+3)*wr.Stride+in]
			y0[j], y0[j+1], y0[j+2], y0[j+3], y1[j], y1[j+1], y1[j+2], y1[j+3] = dot2x4(x0, x1, w4, wr.Stride)
		}
		for ; j < out; j++ {
			wj := wr.Data[j*wr.Stride : j*wr.Stride+in]
			y0[j], y1[j] = dot(wj, x0), dot(wj, x1)
		}
	}
	for ; i < n; i++ {
		xi := xr.Data[i*xr.Stride : i*xr.Stride+in]
		yi := yr.Data[i*yr.Stride : i*yr.Stride+out]
		for j := range yi {
			yi[j] = dot(wr.Data[j*wr.Stride:j*wr.Stride+in], xi)
		}
	}
}

// dot2x4 returns the dot products of x0 and x1 with the four rows of w
// that start stride apart.
func dot2x4(x0, x1, w []float64, stride int) (a0, a1, a2, a3, b0, b1, b2, b3 float64) {
	n := len(x0)
	x1 = x1[:n]
	w0, w1, w2, w3 := w[:n], w[stride:stride+n], w[2*stride:2*stride+n], w[3*stride:3*stride+n]
	for k, u := range x0 {
		v := x1[k]
		p, q, r, s := w0[k], w1[k], w2[k], w3[k]
		a0 += p * u
		a1 += q * u
		a2 += r * u
		a3 += s * u
		b0 += p * v
		b1 += q * v
		b2 += r * v
		b3 += s * v
	}
	return
}

// mulAB computes dx = dy·w, row by row as Σⱼ dy[i,j]·w[j], skipping zero
// dy[i,j].
func mulAB(dx, dy, w *mat.Dense) {
	dr, wr, xr := dy.RawMatrix(), w.RawMatrix(), dx.RawMatrix()
	n, out, in := dr.Rows, wr.Rows, wr.Cols
	var nz []int
	for i := 0; i < n; i++ {
		dyi := dr.Data[i*dr.Stride : i*dr.Stride+out]
		dxi := xr.Data[i*xr.Stride : i*xr.Stride+in]
		clear(dxi)
		nz = nz[:0]
		for j, g := range dyi {
			if g != 0 {
				nz = append(nz, j)
			}
		}
		combineRows(dxi, dyi, nz, wr.Data, wr.Stride)
	}
}

// addAtB computes g += dyᵀ·x: row j of g gains Σᵢ dy[i,j]·x[i], skipping
// zero dy[i,j].
func addAtB(g, dy, x *mat.Dense) {
	dr, xr, gr := dy.RawMatrix(), x.RawMatrix(), g.RawMatrix()
	n, out, in := dr.Rows, dr.Cols, xr.Cols
	var nz []int
	coef := make([]float64, n)
	for j := 0; j < out; j++ {
		nz = nz[:0]
		for i := 0; i < n; i++ {
			c := dr.Data[i*dr.Stride+j]
			coef[i] = c
			if c != 0 {
				nz = append(nz, i)
			}
		}
		combineRows(gr.Data[j*gr.Stride:j*gr.Stride+in], coef, nz, xr.Data, xr.Stride)
	}
}

// combineRows computes dst += Σ_{k∈nz} c[k]·rows[k], where row k starts at
// k·stride, eight rows per pass over dst (axpy8, as the sweep's addRows). A
// last partial group is padded with zero coefficients, which add exactly
// nothing.
func combineRows(dst, c []float64, nz []int, rows []float64, stride int) {
	n := len(dst)
	var a [8]float64
	var r [8][]float64
	for k := 0; k < len(nz); k += 8 {
		for p := range 8 {
			j := nz[k]
			a[p], r[p] = 0, rows[j*stride:j*stride+n]
			if k+p < len(nz) {
				j = nz[k+p]
				a[p], r[p] = c[j], rows[j*stride:j*stride+n]
			}
		}
		axpy8(a, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], dst)
	}
}
