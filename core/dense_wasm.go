//go:build js

package core

import "gonum.org/v1/gonum/mat"

// Under WebAssembly gonum's matrix product is pure Go behind a general
// blocked, goroutine-parallel driver, which for a training batch (128 rows
// against a 10- or 64-row W) ran at about a tenth of what plain loops reach.
// The products below use the kernels of kernels.go, which add several rows
// per pass over the destination, or take dot products of two rows against
// four, so that each loaded value serves several products, and skip zero
// coefficients (black pixels, ReLU units that are off). They sum in another order than gonum, so results differ
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
	s.wt = transposeTo(s.wt, wr.Data, out, in, wr.Stride)
	for i := range n {
		yi := yr.Data[i*yr.Stride : i*yr.Stride+out]
		s.idx, s.coef = gather(s.idx, s.coef, xr.Data[i*xr.Stride:i*xr.Stride+in])
		clear(yi)
		addRows(yi, s.coef, s.idx, s.wt, out)
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

// mulAB computes dx = dy·w, row by row as Σⱼ dy[i,j]·w[j], skipping zero
// dy[i,j].
func mulAB(dx, dy, w *mat.Dense) {
	dr, wr, xr := dy.RawMatrix(), w.RawMatrix(), dx.RawMatrix()
	n, out, in := dr.Rows, wr.Rows, wr.Cols
	var idx []int
	var coef []float64
	for i := 0; i < n; i++ {
		dxi := xr.Data[i*xr.Stride : i*xr.Stride+in]
		clear(dxi)
		idx, coef = gather(idx, coef, dr.Data[i*dr.Stride:i*dr.Stride+out])
		addRows(dxi, coef, idx, wr.Data, wr.Stride)
	}
}

// addAtB computes g += dyᵀ·x: row j of g gains Σᵢ dy[i,j]·x[i], skipping
// zero dy[i,j].
func addAtB(g, dy, x *mat.Dense) {
	dr, xr, gr := dy.RawMatrix(), x.RawMatrix(), g.RawMatrix()
	n, out, in := dr.Rows, dr.Cols, xr.Cols
	var idx []int
	var coef []float64
	for j := 0; j < out; j++ {
		idx, coef = idx[:0], coef[:0]
		for i := 0; i < n; i++ {
			if c := dr.Data[i*dr.Stride+j]; c != 0 {
				idx = append(idx, i)
				coef = append(coef, c)
			}
		}
		addRows(gr.Data[j*gr.Stride:j*gr.Stride+in], coef, idx, xr.Data, xr.Stride)
	}
}

// addABt computes g += a·bᵀ with dot products, two rows of a by four of
// b.
func addABt(g, a, b *mat.Dense) {
	ar, br, gr := a.RawMatrix(), b.RawMatrix(), g.RawMatrix()
	n, m, k := ar.Rows, br.Rows, ar.Cols
	for i := 0; i < n; i += 2 {
		a0 := ar.Data[i*ar.Stride : i*ar.Stride+k]
		a1 := a0 // an odd last row is paired with itself; only its own sums are kept
		if i+1 < n {
			a1 = ar.Data[(i+1)*ar.Stride : (i+1)*ar.Stride+k]
		}
		g0 := gr.Data[i*gr.Stride : i*gr.Stride+m]
		j := 0
		for ; j+4 <= m; j += 4 {
			s0, s1, s2, s3, t0, t1, t2, t3 := dot2x4(a0, a1, br.Data[j*br.Stride:(j+3)*br.Stride+k], br.Stride)
			g0[j] += s0
			g0[j+1] += s1
			g0[j+2] += s2
			g0[j+3] += s3
			if i+1 < n {
				g1 := gr.Data[(i+1)*gr.Stride : (i+1)*gr.Stride+m]
				g1[j] += t0
				g1[j+1] += t1
				g1[j+2] += t2
				g1[j+3] += t3
			}
		}
		for ; j < m; j++ {
			bj := br.Data[j*br.Stride : j*br.Stride+k]
			g0[j] += dot(a0, bj)
			if i+1 < n {
				gr.Data[(i+1)*gr.Stride+j] += dot(a1, bj)
			}
		}
	}
}

// mulDenseAB computes y = a·b for an a with few zeros (a convolution's
// filters, times its windows X̂): two rows of y by four rows of b per pass
// (axpy2x4), without looking for zeros.
func mulDenseAB(y, a, b *mat.Dense) {
	ar, br, yr := a.RawMatrix(), b.RawMatrix(), y.RawMatrix()
	n, k, m := ar.Rows, ar.Cols, br.Cols
	for i := 0; i < n; i += 2 {
		y0, a0 := row(yr.Data, yr.Stride, i, m), row(ar.Data, ar.Stride, i, k)
		clear(y0)
		if i+1 == n { // an odd last row, one row of b at a time
			for j, c := range a0 {
				axpy(c, row(br.Data, br.Stride, j, m), y0)
			}
			break
		}
		y1, a1 := row(yr.Data, yr.Stride, i+1, m), row(ar.Data, ar.Stride, i+1, k)
		clear(y1)
		j := 0
		for ; j+4 <= k; j += 4 {
			axpy2x4([8]float64{a0[j], a0[j+1], a0[j+2], a0[j+3], a1[j], a1[j+1], a1[j+2], a1[j+3]},
				row(br.Data, br.Stride, j, m), row(br.Data, br.Stride, j+1, m),
				row(br.Data, br.Stride, j+2, m), row(br.Data, br.Stride, j+3, m), y0, y1)
		}
		for ; j < k; j++ {
			bj := row(br.Data, br.Stride, j, m)
			axpy(a0[j], bj, y0)
			axpy(a1[j], bj, y1)
		}
	}
}

// row returns row i, of cols values, of a matrix whose rows start stride
// apart in d.
func row(d []float64, stride, i, cols int) []float64 { return d[i*stride : i*stride+cols] }
