//go:build !wasm

package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
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

// fetchModelURL is for the browser only: the server never fetches a
// visitor's model.
func fetchModelURL(u string, progress func(got, total int)) ([]byte, error) {
	return nil, errors.New("only the page fetches a model_url")
}

// readFileBytes is for the browser only.
func readFileBytes(file app.Value, limit int) ([]byte, error) {
	return nil, errors.New("only the page reads a visitor's file")
}
