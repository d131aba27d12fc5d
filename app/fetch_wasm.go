//go:build wasm

package main

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// maxAsset bounds a fetched model or samples file.
const maxAsset = 64 << 20

// fetchStatic fetches a file under /web/ (such as "models/mlp.safetensors"),
// wherever the site is deployed. It uses the browser's fetch and copies the
// whole body into Go memory at once: reading it through net/http's stream
// took several times as long. It blocks, so call it from ctx.Async.
func fetchStatic(name string) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	check := app.FuncOf(func(this app.Value, args []app.Value) any {
		res := args[0]
		if !res.Get("ok").Bool() {
			return app.JSValue(app.Window().Get("Promise").Call("reject",
				fmt.Sprintf("%d %s", res.Get("status").Int(), res.Get("statusText").String())))
		}
		return app.JSValue(res.Call("arrayBuffer"))
	})
	defer check.Release()
	ok := app.FuncOf(func(this app.Value, args []app.Value) any {
		arr := app.Window().Get("Uint8Array").New(args[0])
		if n := arr.Length(); n > maxAsset {
			done <- result{err: fmt.Errorf("%s is %d bytes, more than the %d allowed", name, n, maxAsset)}
			return nil
		}
		b := make([]byte, arr.Length())
		app.CopyBytesToGo(b, arr)
		done <- result{b: b}
		return nil
	})
	defer ok.Release()
	failed := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{err: fmt.Errorf("could not fetch %s: %s", name, args[0].Call("toString").String())}
		return nil
	})
	defer failed.Release()
	app.Window().Call("fetch", staticURL(name)).Call("then", check).Call("then", ok, failed)
	r := <-done
	return r.b, r.err
}

// staticURL returns the URL of a file under /web/. go-app passes the site's
// sub-path (such as /fgsmlab) in GOAPP_STATIC_RESOURCES_URL.
func staticURL(name string) string {
	return app.Getenv("GOAPP_STATIC_RESOURCES_URL") + "/web/" + name
}
