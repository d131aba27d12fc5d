//go:build !wasm

package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// serve runs the server side: it serves the lab, or with -gen writes it as
// a static site.
func serve() {
	addr := flag.String("addr", "127.0.0.1:"+cmp.Or(os.Getenv("PORT"), "8000"), "address to serve on")
	web := flag.String("web", "web", "directory of the static resources (app.wasm, models, digits.bin)")
	gen := flag.String("gen", "", "write a static site into this directory instead of serving")
	base := flag.String("base", "", "URL sub-path of the static site, such as /fgsmlab")
	version := flag.String("version", "", "version of the site, normally from git describe")
	flag.Parse()

	v, err := siteVersion(*version, *web)
	if err != nil {
		log.Fatal(err)
	}
	if *gen != "" {
		if err := generate(*gen, *web, *base, v); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("fgsmlab: wrote the static site to %s (base %q, version %s)\n", *gen, cmp.Or(*base, "/"), v)
		return
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fgsmlab: serving the lab at http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, newServer(*web, v)))
}

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

// newHandler describes the page to go-app. base is the URL sub-path the
// site lives under ("" for the root).
func newHandler(web, base, version string) *app.Handler {
	prefix := strings.TrimSuffix(base, "/")
	cached := []string{"/web/icon.svg", "/web/digits.bin", "/web/models/mlp.safetensors"}
	if prefix != "" {
		cached = append(cached, prefix+"/") // go-app caches the root as prefix, without the slash
	}
	return &app.Handler{
		Name:                    "fgsmlab",
		ShortName:               "fgsmlab",
		Title:                   "fgsmlab: fool a digit classifier with one gradient step",
		Description:             "Draw a digit, attack it with the fast gradient sign method, and see why it works.",
		Author:                  "fgsmlab",
		Lang:                    "en",
		Icon:                    app.Icon{Default: "/web/icon.png", Large: "/web/icon-512.png", SVG: "/web/icon.svg"},
		BackgroundColor:         "#f6f5f1",
		ThemeColor:              "#f6f5f1",
		LoadingLabel:            "Loading the lab: {progress}%",
		Styles:                  []string{"/web/lab.css"},
		RawHeaders:              []string{noScript},
		CacheableResources:      cached,
		Resources:               resources{dir: web, prefix: prefix},
		Version:                 version,
		WasmContentLengthHeader: "X-Uncompressed-Length",
		ServiceWorkerTemplate:   workerJS,
	}
}

// noScript explains the page when JavaScript is off. (The loader, in
// loader.js, explains it when WebAssembly is.)
const noScript = `<noscript><p class="fgsm-nowasm">This lab runs in your browser and needs JavaScript and WebAssembly. Please turn JavaScript on.</p></noscript>`

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

// generate writes the static site: go-app's pages and scripts, then a copy
// of the static resources into dir/web.
func generate(dir, web, base, version string) error {
	// The directory is replaced; refuse anything that looks like a source tree.
	if c := filepath.Clean(dir); c == "." || c == "/" || c == filepath.Clean(web) {
		return fmt.Errorf("refusing to replace %s with the static site; name a directory of its own, such as dist", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return fmt.Errorf("refusing to replace %s: it holds a go.mod", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	h := newHandler(web, base, version)
	if err := app.GenerateStaticWebsite(dir, h); err != nil {
		return fmt.Errorf("generating the static site: %v", err)
	}
	if err := rewriteSite(dir, h.Resources.AppWASM()); err != nil {
		return err
	}
	for _, need := range []string{"app.wasm", "digits.bin", "models/mlp.safetensors", "lab.css", "icon.png", "icon.svg"} {
		if _, err := os.Stat(filepath.Join(web, need)); err != nil {
			return fmt.Errorf("the static site needs %s/%s: %v", web, need, err)
		}
	}
	// go-app writes each page as train.html, which GitHub Pages serves for
	// /train; other file servers answer /train with /train/, so each page
	// is also train/index.html.
	for _, p := range pages {
		if p.Path == "/" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, p.Path+".html"))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, p.Path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, p.Path, "index.html"), b, 0o644); err != nil {
			return err
		}
	}
	return os.CopyFS(filepath.Join(dir, "web"), os.DirFS(web))
}

// rewriteSite applies to the generated site what `make run` applies as it
// serves: fgsmlab's loader in app.js and the amended pages.
func rewriteSite(dir, wasm string) error {
	js := filepath.Join(dir, "app.js")
	b, err := os.ReadFile(js)
	if err != nil {
		return err
	}
	if err := os.WriteFile(js, appJS(b, wasm), 0o644); err != nil {
		return err
	}
	pages, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return err
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, rewritePage(b), 0o644); err != nil {
			return err
		}
	}
	return nil
}
