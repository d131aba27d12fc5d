package main

import (
	"fmt"
	"sync"

	"fgsmlab/core"
)

// The store keeps what every page shares during a visit: decoded models and
// digit sets, each fetched and decoded once. Models trained in the page are
// added with putModel and are then offered like the shipped ones.
var store = struct {
	sync.Mutex
	models map[string]*core.Model
	sets   map[string]*core.Dataset
	// openedFrom is where the model under openedModel came from.
	openedFrom modelSource
}{models: map[string]*core.Model{}, sets: map[string]*core.Dataset{}}

// Digit sets bundled with the site (made by models/cmd/samples; see the
// Makefile's web target).
const (
	testDigits  = "digits.bin"       // the first MNIST test digits
	trainDigits = "train-digits.bin" // a subset of the MNIST training digits
)

// sharedModel returns the named model, fetching and decoding it on first
// use. It blocks: call it from ctx.Async. The model is shared; a model is
// not safe for concurrent use, so use it from ctx.Dispatch handlers only.
func sharedModel(name string) (*core.Model, error) {
	store.Lock()
	m := store.models[name]
	store.Unlock()
	if m != nil {
		return m, nil
	}
	if name == openedModel {
		return nil, errNotOpened // it comes from openModel, not from the site
	}
	b, err := fetchModel("models/" + name + ".safetensors")
	if err != nil {
		return nil, err
	}
	if m, err = core.ReadModel(b); err != nil {
		return nil, fmt.Errorf("models/%s.safetensors: %w", name, err)
	}
	if n := m.InputSize(); n != core.ImageSize {
		return nil, fmt.Errorf("models/%s.safetensors takes %d inputs; the pages give 28×28 = %d", name, n, core.ImageSize)
	}
	store.Lock()
	if old := store.models[name]; old != nil {
		m = old
	} else {
		store.models[name] = m
	}
	store.Unlock()
	// Decoding a maxout network is a long task in the browser; the
	// caller's use of the model gets a task of its own.
	yieldToBrowser()
	return m, nil
}

// putModel makes a model trained in the page available to every page.
func putModel(name string, m *core.Model) {
	store.Lock()
	store.models[name] = m
	store.Unlock()
}

// sharedDigits returns a bundled digit set (testDigits or trainDigits),
// fetching and decoding it on first use. While it downloads, progress (if
// not nil) hears the bytes received and the file's size (0 until known).
// It blocks: call it from ctx.Async.
func sharedDigits(file string, progress func(got, total int)) (*core.Dataset, error) {
	store.Lock()
	d := store.sets[file]
	store.Unlock()
	if d != nil {
		return d, nil
	}
	var heard func([]byte)
	if progress != nil {
		heard = func(b []byte) {
			total, _ := core.SamplesFileSize(b)
			progress(len(b), total)
		}
	}
	b, err := fetchStatic(file, heard)
	if err != nil {
		return nil, err
	}
	// Converting the 10,000 training digits in one go made a long task.
	if d, err = core.DecodeSamplesPausing(b, yieldToBrowser); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	store.Lock()
	store.sets[file] = d
	store.Unlock()
	yieldToBrowser() // as after a model
	return d, nil
}

// sharedModels returns the named models, as sharedModel does, or the first
// error. It blocks: call it from ctx.Async.
func sharedModels(names []string) ([]*core.Model, error) {
	ms := make([]*core.Model, len(names))
	for i, name := range names {
		m, err := sharedModel(name)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	return ms, nil
}
