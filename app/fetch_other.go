//go:build !wasm

package main

import "errors"

// fetchStatic only runs in the browser (see fetch_wasm.go).
func fetchStatic(name string, progress func(b []byte)) ([]byte, error) {
	return nil, errors.New("fetchStatic runs only in the browser")
}

// fetchModel only runs in the browser (see fetch_wasm.go).
func fetchModel(name string) ([]byte, error) {
	return nil, errors.New("fetchModel runs only in the browser")
}
