//go:build !wasm

package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// offlinePaths lists, from the site's root, every file "Save for offline"
// fetches: each page, go-app's scripts and styles, and every file under web.
func offlinePaths(web string) ([]string, error) {
	var paths []string
	for _, p := range pages {
		paths = append(paths, p.Path)
	}
	paths = append(paths, "/app.js", "/app.css", "/wasm_exec.js", "/manifest.webmanifest")
	err := filepath.WalkDir(web, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(web, name)
		paths = append(paths, "/web/"+filepath.ToSlash(rel))
		return err
	})
	return paths, err
}

// newOfflineList measures every path with size and writes the list as
// JSON, each URL under the site's sub-path prefix.
func newOfflineList(version, prefix string, paths []string, size func(path string) (int64, error)) ([]byte, error) {
	list := offlineList{Version: version}
	for _, p := range paths {
		n, err := size(p)
		if err != nil {
			return nil, fmt.Errorf("the offline list: %s: %v", p, err)
		}
		list.Files = append(list.Files, offlineFile{URL: prefix + p, Size: n})
	}
	return json.Marshal(list)
}

// staticOfflineList is the offline list of the static site in dir, where
// go-app wrote each page as index.html or name.html.
func staticOfflineList(dir, web, prefix, version string) ([]byte, error) {
	paths, err := offlinePaths(web)
	if err != nil {
		return nil, err
	}
	return newOfflineList(version, prefix, paths, func(p string) (int64, error) {
		file := p
		if p == "/" {
			file = "/index.html"
		} else if !strings.Contains(p, ".") {
			file = p + ".html"
		}
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			return 0, err
		}
		return st.Size(), nil
	})
}

// serverOfflineList is the offline list of the lab that h serves: files
// under web by their size, pages and go-app's files by what h answers.
func serverOfflineList(h http.Handler, web, version string) ([]byte, error) {
	paths, err := offlinePaths(web)
	if err != nil {
		return nil, err
	}
	return newOfflineList(version, "", paths, func(p string) (int64, error) {
		if name, ok := strings.CutPrefix(p, "/web/"); ok {
			st, err := os.Stat(filepath.Join(web, filepath.FromSlash(name)))
			if err != nil {
				return 0, err
			}
			return st.Size(), nil
		}
		var w sizeWriter
		req, _ := http.NewRequest(http.MethodGet, p, nil)
		h.ServeHTTP(&w, req)
		if w.status != 0 && w.status != http.StatusOK {
			return 0, fmt.Errorf("status %d", w.status)
		}
		return w.n, nil
	})
}

// sizeWriter is a ResponseWriter that keeps only the body's length.
type sizeWriter struct {
	header http.Header
	status int
	n      int64
}

func (w *sizeWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *sizeWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

func (w *sizeWriter) WriteHeader(status int) { w.status = status }

// liveSite serves the lab with go-app's handler (as rewritten serves it),
// made again with a new
// version whenever a file under web changes: a server left running while
// a model is replaced must not keep handing returning visitors the old
// cache. It also serves the offline list.
type liveSite struct {
	web, given string

	mu      sync.Mutex
	stamp   string
	handler http.Handler
	list    []byte
}

func newLiveSite(web, given string) *liveSite { return &liveSite{web: web, given: given} }

// current returns the handler and offline list of the files in web now.
func (s *liveSite) current() (http.Handler, []byte, error) {
	stamp := webStamp(s.web)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handler != nil && stamp == s.stamp {
		return s.handler, s.list, nil
	}
	v, err := siteVersion(s.given, s.web)
	if err != nil {
		return nil, nil, err
	}
	h := rewritten(newHandler(s.web, "", v))
	list, err := serverOfflineList(h, s.web, v)
	if err != nil {
		return nil, nil, err
	}
	s.stamp, s.handler, s.list = stamp, h, list
	return h, list, nil
}

func (s *liveSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, list, err := s.current()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if r.URL.Path == offlineListPath {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(list)
		return
	}
	h.ServeHTTP(w, r)
}
