//go:build !wasm

package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fgsmlab/core"
)

// siteVersion returns the version the service worker caches under: the
// given one (from git describe) plus a digest of every file under web (the
// app, the models, the digits, the styles and icons). The worker serves
// cache-first within a version, so any changed file must make a new
// version: a fixed model file then reaches returning visitors, even when
// the tree is dirty.
func siteVersion(given, web string) (string, error) {
	if _, err := os.Stat(filepath.Join(web, "app.wasm")); err != nil {
		return "", fmt.Errorf("no app.wasm: build it first with `make run` or GOOS=js GOARCH=wasm go build -o %s/app.wasm ./app (%v)", web, err)
	}
	h := sha256.New()
	err := filepath.WalkDir(web, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(web, name)
		// The name and a separator, so that moving bytes between files
		// changes the digest too.
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		n, err := io.Copy(h, f)
		fmt.Fprintf(h, "\x00%d\x00", n)
		return err
	})
	if err != nil {
		return "", err
	}
	return cmp.Or(given, "dev") + "+" + hex.EncodeToString(h.Sum(nil))[:10], nil
}

// webStamp sums up every file under web by name, size and modification
// time: much cheaper than siteVersion, it tells a running server when to
// compute the version again.
func webStamp(web string) string {
	var b strings.Builder
	filepath.WalkDir(web, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if st, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", name, st.Size(), st.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// installCached lists what the service worker caches when it installs,
// besides go-app's own files: what the lab needs to start. base is the
// site's sub-path ("" for the root).
func installCached(prefix string) []string {
	cached := []string{"/web/icon.svg", "/web/digits.bin", "/web/models/mlp.safetensors", prefix + offlineListPath}
	if prefix != "" {
		cached = append(cached, prefix+"/") // go-app caches the root as prefix, without the slash
	}
	return cached
}

// workerJS is the service worker. It differs from go-app's default in
// four ways: a page matches the cache without its query string (a shared
// link holds the lab's state there), offline any page of the site's scope
// gets the cached lab, models and digit files fetched on demand are cached
// as they arrive, and it installs past the HTTP cache. So the lab works
// offline after the first visit, also under a sub-path. Serving cache-first
// is right because the cache's name is the version, which changes with
// any file under web (siteVersion); "Save for offline" (offlinebar.go)
// adds the rest of the site to the same cache. A model file larger than
// the page accepts (core.MaxModelFile) is not kept: keeping it would read
// the whole download that the page stops at its header.
var workerJS = strings.ReplaceAll(workerTemplate, "MAX_MODEL_FILE", strconv.Itoa(core.MaxModelFile))

const workerTemplate = `const cacheName = "app-" + "{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};
const maxModelFile = MAX_MODEL_FILE;

// keepable says whether a response fetched on demand may be kept: a model
// file must say its size, and be one the page accepts.
function keepable(path, res) {
  if (!res.ok) {
    return false;
  }
  if (!path.includes("/web/models/")) {
    return true;
  }
  const size = parseInt(res.headers.get("Content-Length"), 10);
  return size > 0 && size <= maxModelFile;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(cacheName)
      // Past the HTTP cache: a new version must not cache a stale copy.
      .then((cache) => cache.addAll(resourcesToCache.map((u) => new Request(u, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== cacheName).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// A page asks which version this worker serves; a page older than that
// offers to reload (offlinebar.go). go-app's own signal, an "installed"
// worker, is lost when it comes before the WebAssembly app has started.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "fgsmlab:version" && event.ports[0]) {
    event.ports[0].postMessage({ version: "{{.Version}}" });
  }
});

// A cached redirect (a host sends /fgsmlab on to /fgsmlab/) cannot answer a
// navigation; serve its body as a plain response.
function unredirect(res) {
  if (!res || !res.redirected) {
    return res;
  }
  return res.blob().then((body) => new Response(body, {
    status: res.status, statusText: res.statusText, headers: res.headers,
  }));
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) {
    // Another site's file (a visitor's model_url) is left to the browser
    // and never kept: a model under development must not go stale here.
    return;
  }
  const page = req.mode === "navigate";
  event.respondWith(
    caches.match(req, { ignoreSearch: page }).then((hit) => {
      if (hit) {
        return unredirect(hit);
      }
      // Files under web/ and the offline list are kept once fetched; they
      // are checked with the server first, so that a heuristically fresh
      // HTTP-cache copy from an older version cannot enter this version.
      const path = new URL(req.url).pathname;
      const keep = !page && (path.includes("/web/") || path.endsWith("/offline.json"));
      return fetch(keep ? new Request(req, { cache: "no-cache" }) : req).then((res) => {
        if (keep && keepable(path, res)) {
          const copy = res.clone();
          caches.open(cacheName).then((cache) => cache.put(req, copy));
        }
        return res;
      }).catch((err) => {
        if (!page) {
          throw err;
        }
        // Offline, every page of the scope is the lab, cached at its root
        // with or without the trailing slash.
        const root = self.registration.scope;
        return caches.match(root, { ignoreSearch: true })
          .then((r) => r || caches.match(root.replace(/\/$/, ""), { ignoreSearch: true }))
          .then((r) => unredirect(r) || Promise.reject(err));
      });
    })
  );
});
`
