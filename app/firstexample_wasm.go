//go:build wasm

package main

import "errors"

// exampleFor is the server's (firstexample_server.go); in the page, the lab
// computes its examples itself.
func exampleFor(settings, string) (*firstExample, error) {
	return nil, errors.New("only the server pre-renders examples")
}
