//go:build !wasm

package main

import (
	"cmp"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

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
		start := time.Now()
		if err := generate(*gen, *web, *base, *version); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("fgsmlab: wrote the static site to %s in %.1f s (base %q, version %s)\n", *gen, time.Since(start).Seconds(), cmp.Or(*base, "/"), v)
		return
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fgsmlab: serving the lab at http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, newServer(*web, *version)))
}

// newHandler describes the page to go-app. base is the URL sub-path the
// site lives under ("" for the root).
func newHandler(web, base, version string) *app.Handler {
	prefix := strings.TrimSuffix(base, "/")
	setServerWeb(web) // the pages are rendered with their results
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
		LoadingLabel:            "Loading the lab…",
		Styles:                  []string{"/web/lab.css"},
		RawHeaders:              []string{noScript},
		CacheableResources:      installCached(prefix),
		Resources:               resources{dir: web, prefix: prefix},
		Version:                 version,
		WasmContentLengthHeader: "X-Uncompressed-Length",
		ServiceWorkerTemplate:   workerJS,
	}
}

// noScript explains the page when JavaScript is off. (The loader, in
// loader.js, explains it when WebAssembly is.)
const noScript = `<noscript><style>#app-wasm-loader { display: none; }</style><p class="fgsm-nowasm">This lab runs in your browser and needs JavaScript and WebAssembly. Without them a page shows at most a picture of its first result; to change it, please turn JavaScript on.</p></noscript>`

// generate writes the static site: go-app's pages and scripts, then a copy
// of the static resources into dir/web, the offline list, and the .br and
// .gz copies of the large files (precompressSite). version is
// the given one; the site adds the digest of web's files (siteVersion).
func generate(dir, web, base, version string) error {
	// The directory is replaced; refuse anything that looks like a source tree.
	if c := filepath.Clean(dir); c == "." || c == "/" || c == filepath.Clean(web) {
		return fmt.Errorf("refusing to replace %s with the static site; name a directory of its own, such as dist", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return fmt.Errorf("refusing to replace %s: it holds a go.mod", dir)
	}
	version, err := siteVersion(version, web)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	h := newHandler(web, base, version)
	if err := app.GenerateStaticWebsite(dir, h); err != nil {
		return fmt.Errorf("generating the static site: %v", err)
	}
	if err := rewriteSite(dir, h.Resources.AppWASM(), wasmSize(web)); err != nil {
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
	if err := os.CopyFS(filepath.Join(dir, "web"), os.DirFS(web)); err != nil {
		return err
	}
	list, err := staticOfflineList(dir, web, strings.TrimSuffix(base, "/"), version)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, offlineListPath), list, 0o644); err != nil {
		return err
	}
	// Last, once every file is written: the .br and .gz copies for the
	// hosts that serve them. They are not in the offline list, which
	// names URLs (listed from web, not from dir), nor in the service
	// worker's.
	return precompressSite(dir)
}

// rewriteSite applies to the generated site what `make run` applies as it
// serves: fgsmlab's loader in app.js and the amended pages.
func rewriteSite(dir, wasm string, size int64) error {
	js := filepath.Join(dir, "app.js")
	b, err := os.ReadFile(js)
	if err != nil {
		return err
	}
	if err := os.WriteFile(js, appJS(b, wasm, size), 0o644); err != nil {
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
