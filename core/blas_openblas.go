//go:build openblas && cgo

package core

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// openBLAS routes the matrix products, where training spends its time, to
// OpenBLAS (Debian's libopenblas-dev) and keeps gonum's pure-Go kernels for
// everything else. Build with -tags openblas; see README.md.
type openBLAS struct{ gonum.Implementation }

// BLAS names the matrix-product backend this binary was built with.
const BLAS = "OpenBLAS (cgo)"

func init() { blas64.Use(openBLAS{}) }

func trans(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

func (o openBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int,
	b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 || k == 0 || len(a) == 0 || len(b) == 0 {
		o.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	C.cblas_dgemm(C.CblasRowMajor, trans(tA), trans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.double(alpha), (*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.double)(unsafe.Pointer(&b[0])), C.blasint(ldb), C.double(beta),
		(*C.double)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}
