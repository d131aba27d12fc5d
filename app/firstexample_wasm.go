//go:build wasm

package main

import "errors"

// examples is the server's (firstexample_server.go); in the page, the lab
// computes its examples itself.
var examples exampleMaker

type exampleMaker struct{}

func (exampleMaker) example(settings, string) (*firstExample, error) {
	return nil, errors.New("only the server pre-renders examples")
}
