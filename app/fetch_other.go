//go:build !wasm

package main

import (
	"errors"
	"os"
	"path/filepath"
)

// On the server, the pages fetch the site's files from the web directory
// newHandler names, so that the server can render them with their results
// (prerender.go).

// fetchStatic reads a file of the web directory.
func fetchStatic(name string, progress func(b []byte)) ([]byte, error) {
	dir := serverWebDir()
	if dir == "" {
		return nil, errors.New("no web directory to read " + name + " from")
	}
	return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
}

// fetchModel reads a model file of the web directory.
func fetchModel(name string) ([]byte, error) { return fetchStatic(name, nil) }
