//go:build !openblas || !cgo

package core

// BLAS names the matrix-product backend this binary was built with.
const BLAS = "gonum (pure Go)"
