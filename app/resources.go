//go:build !wasm

package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// resources tells go-app where the static files are: the directory dir is
// served as /web, and every URL starts with prefix (a sub-path such as
// "/fgsmlab", or "" for the root).
type resources struct {
	dir    string
	prefix string
}

func (r resources) Package() string { return r.prefix }
func (r resources) Static() string  { return r.prefix }
func (r resources) AppWASM() string { return r.prefix + "/web/app.wasm" }

// ServeHTTP serves the files under /web/, gzipped when the client accepts
// it. Compressed copies are kept in memory, keyed by the file's size and
// modification time.
func (r resources) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name := path.Clean(strings.TrimPrefix(req.URL.Path, "/web/"))
	if strings.HasPrefix(name, "..") || strings.HasPrefix(name, "/") {
		http.NotFound(w, req)
		return
	}
	file := filepath.Join(r.dir, filepath.FromSlash(name))
	f, err := gzipped(file)
	if err != nil {
		http.NotFound(w, req)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Uncompressed-Length", strconv.Itoa(f.size))
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		h.Set("Content-Type", t)
	} else {
		h.Set("Content-Type", "application/octet-stream")
	}
	if req.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if !strings.Contains(req.Header.Get("Accept-Encoding"), "gzip") {
		http.ServeFile(w, req, file)
		return
	}
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(len(f.gz)))
	if req.Method != http.MethodHead {
		w.Write(f.gz)
	}
}

type gzFile struct {
	mod  time.Time
	size int
	gz   []byte
	etag string
}

var gzCache sync.Map // file name → *gzFile

func gzipped(file string) (*gzFile, error) {
	st, err := os.Stat(file)
	if err != nil || st.IsDir() {
		return nil, os.ErrNotExist
	}
	if v, ok := gzCache.Load(file); ok {
		if f := v.(*gzFile); f.mod.Equal(st.ModTime()) && f.size == int(st.Size()) {
			return f, nil
		}
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	sum := sha256.Sum256(raw)
	f := &gzFile{mod: st.ModTime(), size: len(raw), gz: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	gzCache.Store(file, f)
	return f, nil
}

// newServer returns the lab's HTTP handler: go-app's pages and files as
// the static site has them (a liveSite, re-versioned when a file in web
// changes), with the security headers on every response and its own small
// responses gzipped too.
func newServer(web, version string) http.Handler {
	h := newLiveSite(web, version)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		if strings.HasPrefix(req.URL.Path, "/web/") || !strings.Contains(req.Header.Get("Accept-Encoding"), "gzip") {
			h.ServeHTTP(w, req)
			return
		}
		zw := &gzipWriter{ResponseWriter: w}
		defer zw.Close()
		h.ServeHTTP(zw, req)
	})
}

// gzipWriter compresses a response whose status is 200.
type gzipWriter struct {
	http.ResponseWriter
	zw      *gzip.Writer
	started bool
}

func (g *gzipWriter) WriteHeader(status int) {
	if !g.started {
		g.started = true
		if status == http.StatusOK {
			g.Header().Del("Content-Length")
			g.Header().Set("Content-Encoding", "gzip")
			g.Header().Set("Vary", "Accept-Encoding")
			g.zw, _ = gzip.NewWriterLevel(g.ResponseWriter, gzip.BestCompression)
		}
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.started {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		return g.zw.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

func (g *gzipWriter) Close() {
	if g.zw != nil {
		g.zw.Close()
	}
}

var _ app.ResourceProvider = resources{}
var _ io.Writer = (*gzipWriter)(nil)
