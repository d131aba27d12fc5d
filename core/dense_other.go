//go:build !js

package core

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// The batched products of Dense go to gonum's BLAS (or OpenBLAS) natively;
// dense_wasm.go has the WebAssembly versions.

// mulABt computes y = x·wᵀ (the WebAssembly version uses s).
func mulABt(y, x, w *mat.Dense, s *mulScratch) { y.Mul(x, w.T()) }

// mulAB computes dx = dy·w.
func mulAB(dx, dy, w *mat.Dense) { dx.Mul(dy, w) }

// addAtB computes g += dyᵀ·x, in place.
func addAtB(g, dy, x *mat.Dense) {
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, dy.RawMatrix(), x.RawMatrix(), 1, g.RawMatrix())
}

// addABt computes g += a·bᵀ, in place.
func addABt(g, a, b *mat.Dense) {
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, a.RawMatrix(), b.RawMatrix(), 1, g.RawMatrix())
}

// mulDenseAB computes y = a·b for an a with few zeros (a convolution's
// filters).
func mulDenseAB(y, a, b *mat.Dense) { y.Mul(a, b) }
