//go:build wasm

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// maxOfflineList bounds the offline list: a few dozen entries are a few
// kilobytes.
const maxOfflineList = 1 << 20

// fetchOfflineList fetches and checks the offline list. It blocks: call it
// from ctx.Async.
func fetchOfflineList() (offlineList, error) {
	var list offlineList
	res, err := await(app.Window().Call("fetch", app.Getenv("GOAPP_ROOT_PREFIX")+offlineListPath, map[string]any{"cache": "no-cache"}))
	if err != nil {
		return list, fmt.Errorf("Saving for offline needs the network, which is not reachable now.")
	}
	if !res.Get("ok").Bool() {
		return list, fmt.Errorf("The list of files to save did not load: %d %s.", res.Get("status").Int(), res.Get("statusText").String())
	}
	text, err := await(res.Call("text"))
	if err != nil || text.Type() != app.TypeString || len(text.String()) > maxOfflineList {
		return list, fmt.Errorf("The list of files to save did not load.")
	}
	if err := json.Unmarshal([]byte(text.String()), &list); err != nil {
		return list, fmt.Errorf("The list of files to save is damaged: %v.", err)
	}
	for _, f := range list.Files {
		// Only this site's own files: a path, never another origin.
		if !strings.HasPrefix(f.URL, "/") || strings.HasPrefix(f.URL, "//") || f.Size < 0 {
			return list, fmt.Errorf("The list of files to save is damaged.")
		}
	}
	return list, nil
}

// saveOffline puts every file of the list that the version's cache lacks
// into it, and calls progress with the bytes done after each file. It
// blocks: call it from ctx.Async.
func saveOffline(list offlineList, progress func(done int64)) error {
	caches := app.Window().Get("caches")
	if !caches.Truthy() {
		return fmt.Errorf("this browser does not let the site keep files (a private window, or an insecure address).")
	}
	cache, err := await(caches.Call("open", "app-"+list.Version))
	if err != nil {
		return fmt.Errorf("the browser refused the storage: %v", err)
	}
	var done int64
	for _, f := range list.Files {
		if hit, err := await(cache.Call("match", f.URL)); err != nil || !hit.Truthy() {
			if err := saveFile(cache, f.URL); err != nil {
				return err
			}
		}
		done += f.Size
		progress(done)
	}
	return nil
}

// saveFile fetches url, past the HTTP cache's heuristics, into cache.
func saveFile(cache app.Value, url string) error {
	res, err := await(app.Window().Call("fetch", url, map[string]any{"cache": "no-cache"}))
	if err != nil {
		return fmt.Errorf("the network is not reachable (at %s).", url)
	}
	if !res.Get("ok").Bool() {
		return fmt.Errorf("%s: %d %s.", url, res.Get("status").Int(), res.Get("statusText").String())
	}
	if _, err := await(cache.Call("put", url, res)); err != nil {
		return fmt.Errorf("the browser could not store %s: %v", url, err)
	}
	return nil
}

// networkNeeded says plainly why the browser could not fetch a file under
// web/: offline, and the file never fetched nor saved on this device.
func networkNeeded(name string) error {
	return fmt.Errorf("could not fetch %s: the network is not reachable, and this page needs it once to fetch that file (after that, or after “Save for offline”, it works offline)", name)
}

// newerWorker reports whether the active service worker serves a newer
// version than this page: the site changed, and a reload shows the new
// one. It blocks: call it from ctx.Async.
func newerWorker() bool {
	sw := app.Window().Get("navigator").Get("serviceWorker")
	if !sw.Truthy() {
		return false
	}
	reg, err := await(sw.Call("getRegistration"))
	if err != nil || !reg.Truthy() || !reg.Get("active").Truthy() {
		return false
	}
	channel := app.Window().Get("MessageChannel").New()
	port := channel.Get("port1")
	got := make(chan string, 1)
	reply := app.FuncOf(func(this app.Value, args []app.Value) any {
		// Get on null panics, and the reply is bytes from outside.
		data := args[0].Get("data")
		if data.Type() != app.TypeObject {
			return nil
		}
		if v := data.Get("version"); v.Type() == app.TypeString {
			select {
			case got <- v.String():
			default:
			}
		}
		return nil
	})
	// The handler goes before its release: a late reply must not call a
	// released function, which would stop Go.
	defer reply.Release()
	defer port.Set("onmessage", nil)
	port.Set("onmessage", reply)
	reg.Get("active").Call("postMessage", map[string]any{"type": "fgsmlab:version"},
		app.Window().Get("Array").Call("of", channel.Get("port2")))
	select {
	case v := <-got:
		if v == app.Getenv("GOAPP_VERSION") {
			return false
		}
	case <-time.After(2 * time.Second): // a worker from before this check
		return false
	}
	// A page fetched from the network, past an older worker, is the newer
	// one; the worker that replaces this page's version deletes its cache.
	caches := app.Window().Get("caches")
	if !caches.Truthy() {
		return true
	}
	has, err := await(caches.Call("has", "app-"+app.Getenv("GOAPP_VERSION")))
	return err == nil && has.Type() == app.TypeBoolean && !has.Bool()
}

// onWorkerChange calls f when a new service worker takes this page over,
// until the returned function is called.
func onWorkerChange(f func()) (stop func()) {
	sw := app.Window().Get("navigator").Get("serviceWorker")
	if !sw.Truthy() {
		return func() {}
	}
	h := app.FuncOf(func(this app.Value, args []app.Value) any { f(); return nil })
	sw.Call("addEventListener", "controllerchange", h)
	return func() {
		sw.Call("removeEventListener", "controllerchange", h)
		h.Release()
	}
}

// reloadWhenActive reloads the page once no service worker is installing
// or waiting and the active one has activated, or after ten seconds. go-app
// reports a worker as soon as it has installed: a reload before it has
// activated (and dropped the old version's cache) shows the old version
// again. It blocks: call it from ctx.Async.
func reloadWhenActive() {
	sw := app.Window().Get("navigator").Get("serviceWorker")
	for end := time.Now().Add(10 * time.Second); sw.Truthy() && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		reg, err := await(sw.Call("getRegistration"))
		if err != nil || !reg.Truthy() {
			break
		}
		if reg.Get("installing").Truthy() || reg.Get("waiting").Truthy() {
			continue
		}
		if a := reg.Get("active"); !a.Truthy() || a.Get("state").String() == "activated" {
			break
		}
	}
	app.Window().Get("location").Call("reload")
}
