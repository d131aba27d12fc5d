//go:build !wasm

package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// siteVersion returns the version the service worker caches under: the
// given one (from git describe) plus a digest of app.wasm, so that a
// rebuilt app replaces the cached one even when the tree is dirty.
func siteVersion(given, web string) (string, error) {
	f, err := os.Open(filepath.Join(web, "app.wasm"))
	if err != nil {
		return "", fmt.Errorf("no app.wasm: build it first with `make run` or GOOS=js GOARCH=wasm go build -o %s/app.wasm ./app (%v)", web, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return cmp.Or(given, "dev") + "+" + hex.EncodeToString(h.Sum(nil))[:10], nil
}

// installCached lists what the service worker caches when it installs,
// besides go-app's own files: what the lab needs to start. base is the
// site's sub-path ("" for the root).
func installCached(prefix string) []string {
	cached := []string{"/web/icon.svg", "/web/digits.bin", "/web/models/mlp.safetensors"}
	if prefix != "" {
		cached = append(cached, prefix+"/") // go-app caches the root as prefix, without the slash
	}
	return cached
}

// workerJS is the service worker. It differs from go-app's default in
// three ways: a page matches the cache without its query string (a shared
// link holds the lab's state there), offline any page of the site's scope
// gets the cached lab, and models and digit files fetched on demand are
// cached as they arrive. So the lab works offline after the first visit, also under a
// sub-path.
const workerJS = `const cacheName = "app-" + "{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(cacheName)
      .then((cache) => cache.addAll(resourcesToCache))
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
  if (req.method !== "GET") {
    return;
  }
  const page = req.mode === "navigate";
  event.respondWith(
    caches.match(req, { ignoreSearch: page }).then((hit) => {
      if (hit) {
        return unredirect(hit);
      }
      return fetch(req).then((res) => {
        const path = new URL(req.url).pathname;
        if (res.ok && (path.includes("/web/models/") || path.endsWith(".bin"))) {
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
