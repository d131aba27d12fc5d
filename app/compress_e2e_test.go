//go:build e2e && !js

// Compression: Chromium gets app.wasm and the pages from `make run` as
// brotli, and the lab starts.
package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestLabStartsFromBrotli: Chromium, fetching the lab from `make run`'s
// server, gets app.wasm and the pages as brotli, decodes them, and the lab
// starts.
func TestLabStartsFromBrotli(t *testing.T) {
	var mu sync.Mutex
	encodings := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		labHandler().ServeHTTP(w, r)
		mu.Lock()
		encodings[r.URL.Path] = w.Header().Get("Content-Encoding")
		mu.Unlock()
	}))
	defer srv.Close()
	ctx := newTab(t)
	var first float64
	var sizes struct{ Encoded, Decoded int64 }
	if err := chromedp.Run(ctx, waitReady(srv.URL+"/"),
		eval(`window.fgsmlabFirstPrediction`, &first),
		eval(`(() => { const e = performance.getEntriesByName(location.origin + "/web/app.wasm")[0];
			return {Encoded: e.encodedBodySize, Decoded: e.decodedBodySize}; })()`, &sizes)); err != nil {
		t.Fatal(err)
	}
	if first <= 0 {
		t.Errorf("no first prediction (%v)", first)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, path := range []string{"/web/app.wasm", "/", "/app.js"} {
		if encodings[path] != "br" {
			t.Errorf("%s: Content-Encoding %q, want br", path, encodings[path])
		}
	}
	st, err := os.Stat(filepath.Join(webDir, "app.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if sizes.Decoded != st.Size() || sizes.Encoded <= 0 || sizes.Encoded > st.Size()/3 {
		t.Errorf("app.wasm: %d bytes on the wire, %d decoded; the file has %d", sizes.Encoded, sizes.Decoded, st.Size())
	}
	t.Logf("app.wasm: %s on the wire, %s decoded", formatKB(float64(sizes.Encoded)), formatKB(float64(sizes.Decoded)))
}
