//go:build !js

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fakeWeb writes a small web directory with the files the site needs.
func fakeWeb(t *testing.T) string {
	t.Helper()
	web := filepath.Join(t.TempDir(), "web")
	for name, body := range map[string]string{
		"app.wasm": "\x00asm", "digits.bin": "digits", "models/mlp.safetensors": "mlp weights",
		"models/rbf.safetensors": "rbf weights", "lab.css": "body{}", "icon.png": "png", "icon.svg": "<svg/>",
	} {
		writeFile(t, filepath.Join(web, name), body)
	}
	return web
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The service worker serves cache-first within a version, so every change
// of a shipped file must change the version.
func TestSiteVersionChangesWithEveryFile(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(web string)
	}{
		{"a model's bytes", func(web string) { writeFile(t, filepath.Join(web, "models/rbf.safetensors"), "fixed weights") }},
		{"the digits", func(web string) { writeFile(t, filepath.Join(web, "digits.bin"), "digitz") }},
		{"the styles", func(web string) { writeFile(t, filepath.Join(web, "lab.css"), "body{x}") }},
		{"a new file", func(web string) { writeFile(t, filepath.Join(web, "models/new.safetensors"), "new") }},
		{"a renamed file", func(web string) {
			os.Rename(filepath.Join(web, "models/rbf.safetensors"), filepath.Join(web, "models/rbf2.safetensors"))
		}},
		{"bytes moved between files", func(web string) {
			writeFile(t, filepath.Join(web, "icon.png"), "pn")
			writeFile(t, filepath.Join(web, "icon.svg"), "g<svg/>")
		}},
	} {
		web := fakeWeb(t)
		before, err := siteVersion("v1", web)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := siteVersion("v1", web); again != before {
			t.Fatalf("the same files give two versions, %s and %s", before, again)
		}
		c.change(web)
		if after, _ := siteVersion("v1", web); after == before {
			t.Errorf("changing %s keeps the version %s", c.name, before)
		}
	}
	if _, err := siteVersion("v1", t.TempDir()); err == nil {
		t.Error("a web directory without app.wasm gives a version")
	}
}

// workerVersion reads the version the service worker caches under.
func workerVersion(t *testing.T, js string) string {
	t.Helper()
	m := regexp.MustCompile(`const cacheName = "app-" \+ "([^"]+)"`).FindStringSubmatch(js)
	if m == nil {
		t.Fatalf("no cache name in the worker:\n%.300s", js)
	}
	return m[1]
}

// checkOfflineList checks that list names every page and every file under
// web, under prefix, with the size that get answers (pages within slack
// bytes), and the worker's version.
func checkOfflineList(t *testing.T, list offlineList, web, prefix, version string, slack int64, get func(url string) int64) {
	t.Helper()
	if list.Version != version {
		t.Errorf("the offline list is for version %s, the worker %s", list.Version, version)
	}
	want := map[string]bool{}
	for _, p := range pages {
		want[prefix+p.Path] = true
	}
	filepath.WalkDir(web, func(name string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(web, name)
			want[prefix+"/web/"+filepath.ToSlash(rel)] = true
		}
		return nil
	})
	for _, f := range list.Files {
		delete(want, f.URL)
		n, d := get(f.URL), slack
		if strings.Contains(f.URL, "/web/") {
			d = 0
		}
		if n < f.Size-d || n > f.Size+d {
			t.Errorf("the offline list gives %s %d bytes; it has %d", f.URL, f.Size, n)
		}
	}
	for u := range want {
		t.Errorf("the offline list misses %s", u)
	}
}

func TestStaticSiteOfflineList(t *testing.T) {
	routes()
	web := fakeWeb(t)
	dist := filepath.Join(t.TempDir(), "dist")
	if err := generate(dist, web, "/fgsmlab", "v1"); err != nil {
		t.Fatal(err)
	}
	var list offlineList
	b, err := os.ReadFile(filepath.Join(dist, "offline.json"))
	if err == nil {
		err = json.Unmarshal(b, &list)
	}
	if err != nil {
		t.Fatal(err)
	}
	worker, err := os.ReadFile(filepath.Join(dist, "app-worker.js"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/fgsmlab", http.FileServer(http.Dir(dist))))
	defer srv.Close()
	checkOfflineList(t, list, web, "/fgsmlab", workerVersion(t, string(worker)), 0, func(u string) int64 {
		res, err := http.Get(srv.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		n, _ := io.Copy(io.Discard, res.Body)
		return n
	})
	if !strings.Contains(string(worker), `"/fgsmlab/offline.json"`) {
		t.Error("the worker does not install the offline list, which Save for offline needs offline")
	}
}

// TestServerNoticesChangedFiles: `make run` left running while a model
// is replaced serves a new worker version and a new offline list.
func TestServerNoticesChangedFiles(t *testing.T) {
	routes()
	web := fakeWeb(t)
	srv := httptest.NewServer(newServer(web, "v1"))
	defer srv.Close()
	get := func(u string) (string, int64) {
		res, err := http.Get(srv.URL + u) // Go's client asks for gzip and unzips
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b := new(strings.Builder)
		n, _ := io.Copy(b, res.Body)
		return b.String(), n
	}
	worker, _ := get("/app-worker.js")
	before := workerVersion(t, worker)
	list, _ := get("/offline.json")
	var l offlineList
	if err := json.Unmarshal([]byte(list), &l); err != nil {
		t.Fatal(err)
	}
	// go-app writes the request's host into a page (og:url), which the
	// server's own measure cannot know.
	checkOfflineList(t, l, web, "", before, 100, func(u string) int64 { _, n := get(u); return n })

	time.Sleep(10 * time.Millisecond) // a new modification time on coarse clocks
	writeFile(t, filepath.Join(web, "models/rbf.safetensors"), "fixed weights")
	worker, _ = get("/app-worker.js")
	if after := workerVersion(t, worker); after == before {
		t.Errorf("after a model changed, the server still hands out the worker of version %s", before)
	}
	list, _ = get("/offline.json")
	if !strings.Contains(list, `"size":13`) {
		t.Errorf("the offline list does not have the new model's size: %s", list)
	}
}
