//go:build !wasm

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fgsmlab/core"
)

// examples computes, natively, the example a lab link names, for the
// server's rendering of the page (firstExample). Models and digits are read
// from the web directory newHandler names and kept while their files stay
// the same.
var examples = &exampleMaker{}

type exampleMaker struct {
	mu     sync.Mutex // models are not safe for concurrent use
	web    string
	models map[string]cachedFile[*core.Model]
	digits cachedFile[*core.Dataset]
}

// cachedFile is a decoded file and the file's state when it was read.
type cachedFile[T any] struct {
	size  int64
	mtime time.Time
	v     T
}

// setWeb names the web directory; the pages' shared models and digits are
// forgotten, since its files may have changed (liveSite).
func (e *exampleMaker) setWeb(dir string) {
	e.mu.Lock()
	e.web = dir
	e.mu.Unlock()
	store.Lock()
	clear(store.models)
	clear(store.sets)
	store.Unlock()
}

func (e *exampleMaker) webDir() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.web
}

// example returns the example of the lab settings s, computed for the link
// query; nil (and an error) when the web directory lacks what it needs.
func (e *exampleMaker) example(s settings, query string) (*firstExample, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.web == "" {
		return nil, fmt.Errorf("no web directory")
	}
	m, err := e.model(s.Model)
	if err != nil {
		return nil, err
	}
	x := s.Input
	if x == nil {
		d, err := e.samples()
		if err != nil {
			return nil, err
		}
		if s.Sample < 0 || s.Sample >= d.Len() {
			// The runtime says so and shows the first digit; so does it.
			return nil, fmt.Errorf("no test digit %d", s.Sample)
		}
		x = d.Image(s.Sample)
	}
	return &firstExample{
		Link:    query,
		Out:     attack(m, x, s),
		Card:    newModelCard(m),
		Classes: m.Classes,
	}, nil
}

func (e *exampleMaker) model(name string) (*core.Model, error) {
	file := filepath.Join(e.web, "models", name+".safetensors")
	c, err := readCached(file, e.models[name], core.ReadModel)
	if err != nil {
		return nil, err
	}
	if n := c.v.InputSize(); n != core.ImageSize {
		return nil, fmt.Errorf("%s takes %d inputs, not 28×28", file, n)
	}
	if e.models == nil {
		e.models = map[string]cachedFile[*core.Model]{}
	}
	e.models[name] = c
	return c.v, nil
}

func (e *exampleMaker) samples() (*core.Dataset, error) {
	c, err := readCached(filepath.Join(e.web, testDigits), e.digits, core.DecodeSamples)
	if err != nil {
		return nil, err
	}
	e.digits = c
	return c.v, nil
}

// readCached decodes file, or returns old when the file has not changed.
func readCached[T any](file string, old cachedFile[T], decode func([]byte) (T, error)) (cachedFile[T], error) {
	st, err := os.Stat(file)
	if err != nil {
		return old, err
	}
	if st.Size() == old.size && st.ModTime().Equal(old.mtime) {
		return old, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return old, err
	}
	v, err := decode(b)
	if err != nil {
		return old, fmt.Errorf("%s: %w", file, err)
	}
	return cachedFile[T]{size: st.Size(), mtime: st.ModTime(), v: v}, nil
}
