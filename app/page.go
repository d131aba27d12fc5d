//go:build !wasm

package main

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// contentSecurityPolicy is every page's policy: scripts only from the
// site itself (go-app's app.js, wasm_exec.js, the service worker), the one
// inline script linkScript (by its hash), and WebAssembly compilation,
// which needs 'wasm-unsafe-eval' but not 'unsafe-eval'. Styles, images and
// frames are not restricted: the lab draws with inline styles and data:
// URLs, and course pages must be able to frame it.
var contentSecurityPolicy = "script-src 'self' 'wasm-unsafe-eval' '" + scriptHash(linkScript) + "'; object-src 'none'; base-uri 'self'"

// linkScript runs in the head, before the body is parsed: it tells the
// page's CSS whether the address has parameters, and whether it asks for
// the embed layout. A page rendered for the plain link (every page of the
// static site) then hides its pre-rendered example behind placeholders when
// the link names another one, instead of showing an example the link did
// not ask for (firstexample.go), and is laid out as the embed it will be.
const linkScript = `document.documentElement.dataset.link = location.search.length > 1 ? "given" : "plain";` +
	`if (/[?&]embed=(1|true)(&|$)/.test(location.search)) document.documentElement.classList.add("embed");`

// scriptHash is a Content-Security-Policy source for an inline script.
func scriptHash(js string) string {
	sum := sha256.Sum256([]byte(js))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// securityHeaders are sent by `make run` with every response. A static
// host sets its own headers; the pages carry the policy in a meta tag.
var securityHeaders = map[string]string{
	"Content-Security-Policy": contentSecurityPolicy,
	"X-Content-Type-Options":  "nosniff",
	"Referrer-Policy":         "strict-origin-when-cross-origin",
}

//go:embed loader.js
var loaderJS string

// appJS returns go-app's app.js with fgsmlab's loader appended (its
// goappInitWebAssembly replaces go-app's). wasm is app.wasm's URL and size
// its size in bytes, uncompressed (0 if unknown), for the loader's
// progress: a host that compresses app.wasm sends no uncompressed length.
func appJS(goapp []byte, wasm string, size int64) []byte {
	q, _ := json.Marshal(wasm)
	js := strings.ReplaceAll(loaderJS, `"{{.Wasm}}"`, string(q))
	worker := `"/app-worker.js"`
	if m := workerURL.FindSubmatch(goapp); m != nil {
		worker = string(m[1])
	}
	js = strings.ReplaceAll(js, `"{{.Worker}}"`, worker)
	js = strings.ReplaceAll(js, `"{{.WasmSize}}"`, strconv.FormatInt(size, 10))
	return append(append(goapp[:len(goapp):len(goapp)], '\n'), js...)
}

// workerURL finds the service worker's address in go-app's app.js.
var workerURL = regexp.MustCompile(`navigator\.serviceWorker\.register\(\s*("[^"]*")`)

// wasmSize is the size of app.wasm in the web directory, 0 if it is missing.
func wasmSize(web string) int64 {
	st, err := os.Stat(filepath.Join(web, "app.wasm"))
	if err != nil {
		return 0
	}
	return st.Size()
}

// metaTag matches a meta tag of go-app's head; go-app writes its
// attributes in any order.
var metaTag = regexp.MustCompile(`(?i)<meta\b[^>]*>`)

// go-app's server writes a false boolean attribute as name="false", which
// HTML reads as true: a pre-rendered checkbox would show checked, an option
// selected and a button disabled. It writes a true ARIA state as a bare
// attribute, which ARIA reads as undefined.
var (
	falseAttr = regexp.MustCompile(` (checked|selected|disabled|hidden|readonly|required|multiple|autofocus)="false"`)
	bareAria  = regexp.MustCompile(`( aria-(?:hidden|busy|pressed|expanded|checked|selected|disabled|current))([\s>])`)
)

// rewritePage amends the HTML page that go-app renders, whose head is fixed
// in go-app v9:
//   - the Content-Security-Policy goes first, before any script;
//   - the viewport lets a visitor zoom (go-app's forbids it, which fails
//     WCAG 1.4.4);
//   - og:url is dropped: go-app fills it with the address the page was
//     rendered at, the build machine's for a static site, and the page
//     cannot know its public address.
func rewritePage(html []byte) []byte {
	html = falseAttr.ReplaceAll(html, nil)
	html = bareAria.ReplaceAll(html, []byte(`$1="true"$2`))
	return metaTag.ReplaceAllFunc(html, func(tag []byte) []byte {
		t := string(tag)
		switch {
		case strings.Contains(t, `charset=`):
			return []byte(t + `<meta http-equiv="Content-Security-Policy" content="` + contentSecurityPolicy + `">` +
				`<script>` + linkScript + `</script>`)
		case strings.Contains(t, `name="viewport"`):
			return []byte(`<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">`)
		case strings.Contains(t, `property="og:url"`):
			return nil
		}
		return tag
	})
}

// rewritten serves what go-app's handler h serves, with fgsmlab's loader in
// app.js and the pages amended (rewritePage), as generate writes them for
// the static site. Files under /web/ pass through untouched.
func rewritten(h *app.Handler) http.Handler {
	wasm := h.Resources.AppWASM()
	var size int64
	if r, ok := h.Resources.(resources); ok {
		size = wasmSize(r.dir)
	}
	withLoader := func(b []byte) []byte { return appJS(b, wasm, size) }
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasPrefix(req.URL.Path, "/web/") {
			h.ServeHTTP(w, req)
			return
		}
		rw := &pageRewriter{ResponseWriter: w}
		render(h, rw, req)
		var fix func([]byte) []byte
		if req.URL.Path == "/app.js" {
			fix = withLoader
		}
		rw.flush(fix)
	})
}

var renderMu sync.Mutex

// render serves req with go-app's handler, one page at a time: a page is
// rendered with its results, computed with the shared models, which are not
// safe for concurrent use.
func render(h http.Handler, w http.ResponseWriter, req *http.Request) {
	renderMu.Lock()
	defer renderMu.Unlock()
	serverLink = req.URL.RawQuery
	defer func() { serverLink = "" }()
	h.ServeHTTP(w, req)
}

// pageRewriter buffers a page of go-app's handler and writes it rewritten.
type pageRewriter struct {
	http.ResponseWriter
	status int
	buf    []byte
}

func (p *pageRewriter) WriteHeader(status int) { p.status = status }
func (p *pageRewriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	return len(b), nil
}

// flush sends the buffered response, with the page rewritten when it is
// HTML and fix applied to other bodies.
func (p *pageRewriter) flush(fix func([]byte) []byte) {
	body := p.buf
	if strings.HasPrefix(p.Header().Get("Content-Type"), "text/html") {
		body = rewritePage(body)
	} else if fix != nil {
		body = fix(body)
	}
	p.Header().Del("Content-Length")
	if p.status != 0 {
		p.ResponseWriter.WriteHeader(p.status)
	}
	p.ResponseWriter.Write(body)
}
