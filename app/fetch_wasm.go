//go:build wasm

package main

import (
	"cmp"
	"fmt"
	"strconv"

	"fgsmlab/core"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// maxAsset bounds a fetched model or samples file.
const maxAsset = 64 << 20

// fetchStatic fetches a file under /web/ (such as "digits.bin"),
// wherever the site is deployed, with the browser's fetch: reading it
// through net/http's stream took several times as long. Without progress
// it copies the whole body into Go memory at once; with it, it reads the
// body chunk by chunk and calls progress with the bytes received so far
// (which progress must not keep). It blocks, so call it from ctx.Async.
func fetchStatic(name string, progress func(b []byte)) ([]byte, error) {
	res, err := fetchOK(name)
	if err != nil {
		return nil, err
	}
	body := res.Get("body")
	if progress == nil || !body.Truthy() {
		return readWhole(name, res, maxAsset)
	}
	return readStream(name, body, maxAsset, func(b []byte) error {
		progress(b)
		return nil
	})
}

// fetchModel fetches a model file under /web/models/. It judges the file
// by its header as soon as that arrives (core.ModelFileSize) and stops the
// download of a bad or oversized file there, instead of after megabytes.
func fetchModel(name string) ([]byte, error) {
	res, err := fetchOK(name)
	if err != nil {
		return nil, err
	}
	return readModelBody(name, res, nil, 0)
}

// readModelBody reads a model file's response, judging it by its header as
// soon as that arrives and stopping a bad or oversized download there.
// progress, if not nil, hears the bytes received and the file's size (the
// header's, else total).
func readModelBody(name string, res app.Value, progress func(got, total int), total int) ([]byte, error) {
	body := res.Get("body")
	if !body.Truthy() {
		return readWhole(name, res, core.MaxModelFile)
	}
	size := 0
	return readStream(name, body, core.MaxModelFile, func(b []byte) error {
		if size == 0 {
			s, err := core.ModelFileSize(b)
			if err != nil {
				return err
			}
			size = s
		}
		if size > 0 && len(b) > size {
			return fmt.Errorf("the file is longer than the %d bytes its header describes", size)
		}
		if progress != nil {
			progress(len(b), cmp.Or(size, total))
		}
		return nil
	})
}

// fetchOK starts fetching a file under /web/ and checks the status.
func fetchOK(name string) (app.Value, error) {
	// The loader may have started this fetch already, while Go started
	// (data-prefetch in lab.go); otherwise it starts now.
	var p app.Value
	if take := app.Window().Get("fgsmlabTakePrefetch"); take.Truthy() {
		p = take.Invoke(staticURL(name))
	}
	if !p.Truthy() {
		p = app.Window().Call("fetch", staticURL(name))
	}
	res, err := await(p)
	if err != nil {
		return nil, networkNeeded(name) // the promise rejects only without a network
	}
	if !res.Get("ok").Bool() {
		return nil, fmt.Errorf("could not fetch %s: %d %s", name, res.Get("status").Int(), res.Get("statusText").String())
	}
	return res, nil
}

// readWhole copies a response's whole body into Go memory at once.
func readWhole(name string, res app.Value, limit int) ([]byte, error) {
	buf, err := await(res.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("could not read %s: %v", name, err)
	}
	arr := app.Window().Get("Uint8Array").New(buf)
	if n := arr.Length(); n > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", name, n, limit)
	}
	b := make([]byte, arr.Length())
	app.CopyBytesToGo(b, arr)
	return b, nil
}

// readStream reads a body chunk by chunk, calling check with the bytes so
// far; an error from check, or more than limit bytes, cancels the download.
func readStream(name string, body app.Value, limit int, check func(b []byte) error) ([]byte, error) {
	reader := body.Call("getReader")
	var b []byte
	for {
		r, err := await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("could not read %s: %v", name, err)
		}
		if r.Get("done").Bool() {
			return b, nil
		}
		chunk := r.Get("value")
		n := chunk.Length()
		if len(b)+n > limit {
			reader.Call("cancel")
			return nil, fmt.Errorf("%s is more than the %d bytes allowed", name, limit)
		}
		b = append(b, make([]byte, n)...)
		app.CopyBytesToGo(b[len(b)-n:], chunk)
		if err := check(b); err != nil {
			reader.Call("cancel")
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
}

// await blocks until the promise p settles and returns its value, or its
// reason as an error.
func await(p app.Value) (app.Value, error) {
	type result struct {
		v   app.Value
		err error
	}
	done := make(chan result, 1)
	ok := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{v: args[0]}
		return nil
	})
	defer ok.Release()
	failed := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{err: fmt.Errorf("%s", args[0].Call("toString").String())}
		return nil
	})
	defer failed.Release()
	p.Call("then", ok, failed)
	r := <-done
	return r.v, r.err
}

// staticURL returns the URL of a file under /web/. go-app passes the site's
// sub-path (such as /fgsmlab) in GOAPP_STATIC_RESOURCES_URL.
func staticURL(name string) string {
	return app.Getenv("GOAPP_STATIC_RESOURCES_URL") + "/web/" + name
}

// fetchModelURL fetches a visitor's model from an address that
// checkModelURL accepted, with CORS and without credentials, judging it by
// its header as fetchModel does. progress hears the bytes received and the
// file's size (from its header, else Content-Length; 0 until known).
func fetchModelURL(u string, progress func(got, total int)) ([]byte, error) {
	opts := map[string]any{"mode": "cors", "credentials": "omit", "redirect": "follow", "cache": "no-cache"}
	res, err := await(app.Window().Call("fetch", u, opts))
	if err != nil {
		// The browser hides the reason from the page on purpose.
		return nil, fmt.Errorf("the address could not be fetched: the server is unreachable, or it does not allow other sites to fetch the file (it must send Access-Control-Allow-Origin)")
	}
	if !res.Get("ok").Bool() {
		return nil, fmt.Errorf("the server answered %d %s", res.Get("status").Int(), clipText(res.Get("statusText").String(), 40))
	}
	length := 0
	if n, err := strconv.Atoi(res.Get("headers").Call("get", "Content-Length").String()); err == nil && n > 0 {
		length = n
		if n > core.MaxModelFile {
			return nil, fmt.Errorf("the file is %d bytes; a model file may have at most %d", n, core.MaxModelFile)
		}
	}
	return readModelBody("the file", res, progress, length)
}

// readFileBytes reads a File the visitor chose or dropped, refusing one
// over limit bytes before reading it.
func readFileBytes(file app.Value, limit int) ([]byte, error) {
	if n := file.Get("size").Float(); n > float64(limit) {
		return nil, fmt.Errorf("the file is %.0f bytes; a model file may have at most %d", n, limit)
	}
	buf, err := await(file.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("the file could not be read: %v", err)
	}
	arr := app.Window().Get("Uint8Array").New(buf)
	b := make([]byte, arr.Length())
	app.CopyBytesToGo(b, arr)
	return b, nil
}
