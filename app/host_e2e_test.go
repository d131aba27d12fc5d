//go:build e2e && !js

package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// crossSiteHost serves the README's host page framing the lab at
// labURL+path, and returns the host page's URL. The host is on
// http://localhost:P and the lab on http://127.0.0.1:Q: different sites, as
// a course platform and GitHub Pages are, so the browser treats the frame as
// third-party (its storage can be blocked, its origin differs). attrs are
// extra attributes of the iframe, such as `sandbox="allow-scripts"`.
func crossSiteHost(t *testing.T, labURL, path, attrs string) string {
	t.Helper()
	if !strings.HasPrefix(labURL, "http://127.0.0.1:") {
		t.Fatalf("the lab must be served on 127.0.0.1, not %s", labURL)
	}
	page := strings.NewReplacer("LAB", labURL, "PATH", path, "ATTRS", attrs).Replace(hostPage)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	t.Cleanup(host.Close)
	return strings.Replace(host.URL, "127.0.0.1", "localhost", 1) + "/"
}
