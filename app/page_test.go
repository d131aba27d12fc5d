//go:build !js

package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var routesOnce sync.Once

// get fetches path from h as a browser would, gzip and all.
func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + path) // the client asks for gzip and decodes it
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

var (
	scriptTag    = regexp.MustCompile(`(?is)<script\b[^>]*>`)
	inlineHandle = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
)

// checkPage checks what every page must be: a CSP before any script, no
// inline script but linkScript, whose hash the CSP names, no inline event
// handler (the CSP would block them), a viewport that allows zooming, no
// boolean attribute written "false", and no og:url naming the build machine.
func checkPage(t *testing.T, name, html string) {
	t.Helper()
	csp := strings.Index(html, `<meta http-equiv="Content-Security-Policy" content="`+contentSecurityPolicy+`">`)
	first := scriptTag.FindStringIndex(html)
	switch {
	case csp < 0:
		t.Errorf("%s: no Content-Security-Policy meta tag", name)
	case first != nil && first[0] < csp:
		t.Errorf("%s: a script comes before the Content-Security-Policy", name)
	}
	for _, at := range scriptTag.FindAllStringIndex(html, -1) {
		tag := html[at[0]:at[1]]
		body, _, _ := strings.Cut(html[at[1]:], "</script>")
		if !strings.Contains(tag, " src=") && body != linkScript {
			t.Errorf("%s: inline script %s%.40s", name, tag, body)
		}
	}
	if !strings.Contains(contentSecurityPolicy, scriptHash(linkScript)) {
		t.Errorf("the policy does not allow linkScript")
	}
	if m := falseAttr.FindString(html); m != "" {
		t.Errorf("%s: %s reads as true in HTML", name, m)
	}
	if m := inlineHandle.FindString(html); m != "" {
		t.Errorf("%s: inline event handler %q", name, m)
	}
	if strings.Contains(html, "user-scalable") || strings.Contains(html, "maximum-scale") {
		t.Errorf("%s: the viewport forbids zooming", name)
	}
	if strings.Contains(html, "og:url") {
		t.Errorf("%s: og:url names the address the page was rendered at", name)
	}
}

func TestServedPagesAreHardened(t *testing.T) {
	routesOnce.Do(routes)
	h := newServer("../web", "test")
	for _, p := range pages {
		for _, q := range []string{"", "?embed=1&eps=%3Cscript%3E"} {
			res, body := get(t, h, p.Path+q)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", p.Path+q, res.StatusCode)
			}
			checkPage(t, p.Path+q, body)
			for k, v := range securityHeaders {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s: header %s is %q, want %q", p.Path+q, k, got, v)
				}
			}
		}
	}
	_, js := get(t, h, "/app.js")
	if !strings.Contains(js, "function fgsmlabEnsureStorage") || !strings.Contains(js, `fgsmlabFetch("/web/app.wasm"`) {
		t.Errorf("app.js lacks fgsmlab's loader, or its app.wasm address")
	}
	if !strings.Contains(js, `serviceWorker.register("/app-worker.js")`) || strings.Contains(js, "{{.") {
		t.Errorf("app.js lacks the service worker's address, or a placeholder was left")
	}
	if strings.Count(js, "async function goappInitWebAssembly") != 2 {
		t.Errorf("app.js should hold go-app's goappInitWebAssembly and, after it, the loader's")
	}
}

func TestGeneratedSiteIsHardened(t *testing.T) {
	if _, err := os.Stat("../web/models/mlp.safetensors"); err != nil {
		t.Skip("no web/app.wasm: the static site is checked after `make web` (make test builds it)")
	}
	routesOnce.Do(routes)
	dir := filepath.Join(t.TempDir(), "dist")
	if err := generate(dir, "../web", "/fgsmlab", "test"); err != nil {
		t.Fatal(err)
	}
	htmls, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "index.html"))
	if len(htmls) < len(pages) || len(more) < len(pages)-1 {
		t.Fatalf("the site has %d pages and %d page folders, want %d", len(htmls), len(more), len(pages))
	}
	for _, f := range append(htmls, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkPage(t, f, string(b))
		if strings.Contains(string(b), "127.0.0.1") {
			t.Errorf("%s names the build machine's address", f)
		}
	}
	js, err := os.ReadFile(filepath.Join(dir, "app.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `fgsmlabFetch("/fgsmlab/web/app.wasm"`) || !strings.Contains(string(js), `serviceWorker.register("/fgsmlab/app-worker.js")`) {
		t.Errorf("the static app.js does not load app.wasm from under the sub-path")
	}
}
