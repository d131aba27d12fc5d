package core

// The hand-written kernels, in one place. Each exists because WebAssembly,
// where the pages run, has no assembly BLAS: gonum's pure-Go products are
// several times slower there than plain loops that reuse each loaded value
// (see dense_wasm.go), and loops that visit only the nonzero entries skip
// the black pixels of a digit and the units a ReLU turned off. Natively
// they serve the single-example paths and the ε sweep, where they are on a
// par with gonum's assembly.

// addRows adds Σₙ coef[n]·M[idx[n]] to dst, where row k of M is
// m[k·stride:][:len(dst)], eight rows per pass over dst (axpy8): under
// WebAssembly that was 3–5 times faster than gonum's pure-Go product and
// than one row at a time. A last partial group is padded with zero
// coefficients, which add exactly nothing. The products of dense_wasm.go
// and the sweep's dense layers (sweep.go) use it.
func addRows(dst, coef []float64, idx []int, m []float64, stride int) {
	c := len(dst)
	var a [8]float64
	var rows [8][]float64
	for n := 0; n < len(idx); n += 8 {
		for p := range 8 {
			a[p], rows[p] = 0, m[idx[n]*stride:][:c]
			if n+p < len(idx) {
				a[p], rows[p] = coef[n+p], m[idx[n+p]*stride:][:c]
			}
		}
		axpy8(a, rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6], rows[7], dst)
	}
}

// addFewRows is addRows for a handful of rows, as a convolution's input
// gradient has at one position (the filters with a nonzero gradient
// there): eight rows per pass while eight remain, then four, then one,
// where addRows would pad the last group with zero rows.
func addFewRows(dst, coef []float64, idx []int, m []float64, stride int) {
	c, n := len(dst), len(idx)
	full := n - n%8
	addRows(dst, coef[:full], idx[:full], m, stride)
	row := func(j int) []float64 { return m[idx[j]*stride:][:c] }
	j := full
	for ; j+4 <= n; j += 4 {
		axpy4(coef[j], coef[j+1], coef[j+2], coef[j+3], row(j), row(j+1), row(j+2), row(j+3), dst)
	}
	for ; j < n; j++ {
		axpy(coef[j], row(j), dst)
	}
}

// gather lists the nonzero entries of v, appending their indices to
// idx[:0] and their values to coef[:0]: the input addRows wants.
func gather(idx []int, coef, v []float64) ([]int, []float64) {
	idx, coef = idx[:0], coef[:0]
	for j, a := range v {
		if a != 0 {
			idx = append(idx, j)
			coef = append(coef, a)
		}
	}
	return idx, coef
}

// transposeTo writes the transpose of the rows × cols matrix a, whose rows
// start stride apart, into dst (cols × rows, contiguous) and returns it;
// dst is allocated when too small. addRows wants Wᵀ to compute x·Wᵀ as a
// sum of rows.
func transposeTo(dst, a []float64, rows, cols, stride int) []float64 {
	if cap(dst) < rows*cols {
		dst = make([]float64, rows*cols)
	}
	dst = dst[:rows*cols]
	for i := range rows {
		for j, v := range a[i*stride : i*stride+cols] {
			dst[j*rows+i] = v
		}
	}
	return dst
}

// axpy8 computes dst += Σ a[p]·c_p for the eight rows c_p. Taking a by value
// lets the compiler keep it in registers: a slice might alias dst.
func axpy8(a [8]float64, c0, c1, c2, c3, c4, c5, c6, c7, dst []float64) {
	n := len(dst)
	c0, c1, c2, c3, c4, c5, c6, c7 = c0[:n], c1[:n], c2[:n], c3[:n], c4[:n], c5[:n], c6[:n], c7[:n]
	a0, a1, a2, a3, a4, a5, a6, a7 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
	i := 0
	for ; i+4 <= n; i += 4 { // four per iteration: each loop turn costs a dispatch under WebAssembly
		dst[i] += a0*c0[i] + a1*c1[i] + a2*c2[i] + a3*c3[i] + a4*c4[i] + a5*c5[i] + a6*c6[i] + a7*c7[i]
		j := i + 1
		dst[j] += a0*c0[j] + a1*c1[j] + a2*c2[j] + a3*c3[j] + a4*c4[j] + a5*c5[j] + a6*c6[j] + a7*c7[j]
		j = i + 2
		dst[j] += a0*c0[j] + a1*c1[j] + a2*c2[j] + a3*c3[j] + a4*c4[j] + a5*c5[j] + a6*c6[j] + a7*c7[j]
		j = i + 3
		dst[j] += a0*c0[j] + a1*c1[j] + a2*c2[j] + a3*c3[j] + a4*c4[j] + a5*c5[j] + a6*c6[j] + a7*c7[j]
	}
	for ; i < n; i++ {
		dst[i] += a0*c0[i] + a1*c1[i] + a2*c2[i] + a3*c3[i] + a4*c4[i] + a5*c5[i] + a6*c6[i] + a7*c7[i]
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

// dot4 returns the dot products of x with the four consecutive rows of w,
// two columns per iteration (the loop's own cost matters under
// WebAssembly).
func dot4(w, x []float64) (s0, s1, s2, s3 float64) {
	n := len(x)
	w0, w1, w2, w3 := w[:n], w[n:2*n], w[2*n:3*n], w[3*n:4*n]
	i := 0
	for ; i+2 <= n; i += 2 {
		a, b := x[i], x[i+1]
		s0 += w0[i]*a + w0[i+1]*b
		s1 += w1[i]*a + w1[i+1]*b
		s2 += w2[i]*a + w2[i+1]*b
		s3 += w3[i]*a + w3[i+1]*b
	}
	for ; i < n; i++ {
		v := x[i]
		s0 += w0[i] * v
		s1 += w1[i] * v
		s2 += w2[i] * v
		s3 += w3[i] * v
	}
	return
}

// axpy4 computes dst += a·x + b·y + c·z + e·u, two elements per iteration.
func axpy4(a, b, c, e float64, x, y, z, u, dst []float64) {
	n := len(dst)
	x, y, z, u = x[:n], y[:n], z[:n], u[:n]
	i := 0
	for ; i+2 <= n; i += 2 {
		dst[i] += a*x[i] + b*y[i] + c*z[i] + e*u[i]
		dst[i+1] += a*x[i+1] + b*y[i+1] + c*z[i+1] + e*u[i+1]
	}
	for ; i < n; i++ {
		dst[i] += a*x[i] + b*y[i] + c*z[i] + e*u[i]
	}
}

// sparseDot is Σ a[i]·b[i] over the indices nz.
func sparseDot(a, b []float64, nz []int32) float64 {
	var s0, s1 float64
	k := 0
	for ; k+2 <= len(nz); k += 2 {
		i, j := nz[k], nz[k+1]
		s0 += a[i] * b[i]
		s1 += a[j] * b[j]
	}
	if k < len(nz) {
		i := nz[k]
		s0 += a[i] * b[i]
	}
	return s0 + s1
}

func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// axpy computes dst += alpha·x.
func axpy(alpha float64, x, dst []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] += alpha * v
	}
}

// add computes dst += x.
func add(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] += v
	}
}

// addScalar computes dst += a, elementwise.
func addScalar(dst []float64, a float64) {
	for i := range dst {
		dst[i] += a
	}
}

// sum returns Σ x[i].
func sum(x []float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += x[i]
		s1 += x[i+1]
	}
	if i < len(x) {
		s0 += x[i]
	}
	return s0 + s1
}

// axpy2x4 computes d0 += Σ a[p]·c_p and d1 += Σ a[4+p]·c_p over the four
// rows c_p: each loaded value of c serves two destination rows. Under
// WebAssembly this ran the convolutions' W·X̂ 1.5–2.5 times faster than
// addRows, which loads eight rows of c per destination row.
func axpy2x4(a [8]float64, c0, c1, c2, c3, d0, d1 []float64) {
	n := len(d0)
	d1, c0, c1, c2, c3 = d1[:n], c0[:n], c1[:n], c2[:n], c3[:n]
	a0, a1, a2, a3, b0, b1, b2, b3 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
	for i := range d0 {
		x0, x1, x2, x3 := c0[i], c1[i], c2[i], c3[i]
		d0[i] += a0*x0 + a1*x1 + a2*x2 + a3*x3
		d1[i] += b0*x0 + b1*x1 + b2*x2 + b3*x3
	}
}
