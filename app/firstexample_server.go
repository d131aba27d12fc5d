//go:build !wasm

package main

import (
	"fmt"
	"sync"
)

// serverWeb is the web directory the server reads the site's files from
// when it renders a page with its results (fetch_other.go); newHandler
// names it.
var serverWeb struct {
	sync.Mutex
	dir string
}

// setServerWeb names the web directory; the pages' shared models and digits
// are forgotten, since its files may have changed (liveSite).
func setServerWeb(dir string) {
	serverWeb.Lock()
	serverWeb.dir = dir
	serverWeb.Unlock()
	store.Lock()
	clear(store.models)
	clear(store.sets)
	store.Unlock()
}

func serverWebDir() string {
	serverWeb.Lock()
	defer serverWeb.Unlock()
	return serverWeb.dir
}

// exampleFor computes, natively, the example of the lab settings s for the
// link query, with the shared models and digits the pages use. The server
// renders one page at a time (render in page.go), as a model needs.
func exampleFor(s settings, query string) (*firstExample, error) {
	m, err := sharedModel(s.Model)
	if err != nil {
		return nil, err
	}
	x := s.Input
	if x == nil {
		d, err := sharedDigits(testDigits, nil)
		if err != nil {
			return nil, err
		}
		if s.Sample < 0 || s.Sample >= d.Len() {
			// The runtime says so and shows the first digit.
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
