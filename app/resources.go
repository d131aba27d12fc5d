//go:build !wasm

package main

import (
	"bytes"
	"cmp"
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

// ServeHTTP serves the files under /web/, compressed as the request's
// Accept-Encoding allows: brotli, else gzip, else as they are. Compressed
// copies are kept in memory, keyed by the file's size and modification
// time (staticFile), each with its own ETag.
func (r resources) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name := path.Clean(strings.TrimPrefix(req.URL.Path, "/web/"))
	if strings.HasPrefix(name, "..") || strings.HasPrefix(name, "/") {
		http.NotFound(w, req)
		return
	}
	file := filepath.Join(r.dir, filepath.FromSlash(name))
	f, err := loadStatic(file)
	if err != nil {
		http.NotFound(w, req)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Uncompressed-Length", strconv.Itoa(f.size))
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		h.Set("Content-Type", t)
	} else {
		h.Set("Content-Type", "application/octet-stream")
	}
	var body []byte
	var c coding
	if f.compressible {
		switch negotiateEncoding(acceptEncoding(req)) {
		case "br":
			body, c = f.brotli()
		case "gzip":
			body, c = f.gzip(), gzipBest
		}
	}
	if body == nil {
		// As it is: http.ServeFile answers If-None-Match, Range and HEAD.
		h.Set("ETag", f.etag)
		http.ServeFile(w, req, file)
		return
	}
	etag := codedETag(f.etag, c.tag)
	h.Set("ETag", etag)
	if etagMatches(req.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Encoding", c.encoding)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if req.Method != http.MethodHead {
		w.Write(body)
	}
}

// acceptEncoding is the request's Accept-Encoding, all its lines.
func acceptEncoding(req *http.Request) string {
	return strings.Join(req.Header.Values("Accept-Encoding"), ",")
}

// staticFile is a file under web as the server last read it, with its
// compressed copies, made when first asked for. The brotli copy comes in
// two steps: quality 11 takes seconds (about 35 s for app.wasm), so until
// it is ready, which happens in the background one file at a time, the
// file is sent at quality 5, which takes about as long as gzip -9 and is
// already smaller. The quality-11 copy is kept in the disk cache
// (compressedCached), so after `make site`, or on the server's next start,
// it is there at once.
type staticFile struct {
	file         string
	mod          time.Time
	size         int
	etag         string
	compressible bool
	raw          []byte // nil unless compressible
	sum          [32]byte

	gzOnce   sync.Once
	gz       []byte
	fastOnce sync.Once
	fast     []byte
	brOnce   sync.Once
	br       []byte        // quality 11, once brDone is closed
	brDone   chan struct{} // closed when br is set
}

var staticCache sync.Map // file name → *staticFile

// brotliWorker lets one quality-11 compression run at a time, so that the
// server keeps a core for its visitors.
var brotliWorker = make(chan struct{}, 1)

// loadStatic returns file's entry, read again if its size or modification
// time changed.
func loadStatic(file string) (*staticFile, error) {
	st, err := os.Stat(file)
	if err != nil || st.IsDir() {
		return nil, os.ErrNotExist
	}
	if v, ok := staticCache.Load(file); ok {
		if f := v.(*staticFile); f.mod.Equal(st.ModTime()) && f.size == int(st.Size()) {
			return f, nil
		}
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	f := &staticFile{
		file: file, mod: st.ModTime(), size: len(raw), sum: sum,
		etag:         `"` + hex.EncodeToString(sum[:8]) + `"`,
		compressible: compressible(file, int64(len(raw))),
		brDone:       make(chan struct{}),
	}
	if f.compressible {
		f.raw = raw
	}
	staticCache.Store(file, f)
	return f, nil
}

func (f *staticFile) gzip() []byte {
	f.gzOnce.Do(func() { f.gz = smaller(compressedCached(gzipBest, f.raw, f.sum), f.size) })
	return f.gz
}

// brotli returns the best brotli copy ready now, and its coding; nil if
// it is not smaller than the file.
func (f *staticFile) brotli() ([]byte, coding) {
	f.brOnce.Do(f.startBrotli)
	select {
	case <-f.brDone:
		return f.br, brotliBest
	default:
	}
	f.fastOnce.Do(func() { f.fast = smaller(brotliFast.encode(f.raw), f.size) })
	return f.fast, brotliFast
}

// startBrotli takes the quality-11 copy from the disk cache, or starts
// making it.
func (f *staticFile) startBrotli() {
	if b, ok := fromCache(brotliBest, f.sum); ok || len(f.raw) < minCached {
		if !ok {
			b = brotliBest.encode(f.raw) // small: milliseconds
		}
		f.br = smaller(b, f.size)
		close(f.brDone)
		return
	}
	go func() {
		brotliWorker <- struct{}{}
		defer func() { <-brotliWorker }()
		if v, ok := staticCache.Load(f.file); ok && v == f {
			f.br = smaller(compressedCached(brotliBest, f.raw, f.sum), f.size)
		} // else the file changed meanwhile, and this entry is no longer served
		close(f.brDone)
	}()
}

// warmStatic makes file's compressed copies as the server sends them,
// waiting for the quality-11 brotli one: for the benchmarks, which measure
// what a visitor downloads from a server that has been running a while.
func warmStatic(file string) error {
	f, err := loadStatic(file)
	if err != nil || !f.compressible {
		return err
	}
	f.gzip()
	f.brotli()
	<-f.brDone
	return nil
}

// newServer returns the lab's HTTP handler: go-app's pages and files as
// the static site has them (a liveSite, re-versioned when a file in web
// changes), with the security headers on every response. Files under
// /web/ are compressed by resources.ServeHTTP; every other response is
// compressed here as it goes (compressWriter), with brotli at quality 5.
func newServer(web, version string) http.Handler {
	h := newLiveSite(web, version)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		for k, v := range securityHeaders {
			w.Header().Set(k, v)
		}
		if strings.HasPrefix(req.URL.Path, "/web/") {
			h.ServeHTTP(w, req)
			return
		}
		w.Header().Set("Vary", "Accept-Encoding")
		var c coding // none: the response is sent as it is
		switch negotiateEncoding(acceptEncoding(req)) {
		case "br":
			c = brotliFast
		case "gzip":
			c = gzipBest
		}
		cw := &compressWriter{ResponseWriter: w, c: c, head: req.Method == http.MethodHead}
		// go-app answers 304 to its own ETag: give it that ETag when the
		// client revalidates the copy coded as this response will be.
		if inm := req.Header.Get("If-None-Match"); inm != "" && c.encode != nil {
			if base, ok := strings.CutSuffix(inm, "-"+c.tag+`"`); ok {
				req = req.Clone(req.Context())
				req.Header.Set("If-None-Match", base+`"`)
				cw.coded304 = true
			}
		}
		h.ServeHTTP(cw, req)
		cw.finish()
	})
}

// compressWriter holds a response and sends it with its Content-Length,
// compressed with c (if any) when its status is 200, it is not compressed
// already, and compressing makes it smaller; its ETag then names the
// coding.
type compressWriter struct {
	http.ResponseWriter
	c        coding
	head     bool // a HEAD request: the body is measured, not sent
	coded304 bool // If-None-Match named the coded ETag
	status   int
	buf      bytes.Buffer
}

func (cw *compressWriter) WriteHeader(status int) {
	if cw.status == 0 {
		cw.status = status
	}
}

func (cw *compressWriter) Write(b []byte) (int, error) {
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	return cw.buf.Write(b)
}

func (cw *compressWriter) finish() {
	h := cw.Header()
	status := cmp.Or(cw.status, http.StatusOK)
	body := cw.buf.Bytes()
	switch {
	case status == http.StatusNotModified && cw.coded304:
		h.Set("ETag", codedETag(h.Get("ETag"), cw.c.tag))
	case cw.c.encode != nil && status == http.StatusOK && h.Get("Content-Encoding") == "" && len(body) >= minCompressed:
		if b := smaller(cw.c.encode(body), len(body)); b != nil {
			body = b
			h.Set("Content-Encoding", cw.c.encoding)
			if etag := h.Get("ETag"); etag != "" {
				h.Set("ETag", codedETag(etag, cw.c.tag))
			}
		}
	}
	if status == http.StatusOK && (len(body) > 0 || !cw.head) {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	cw.ResponseWriter.WriteHeader(status)
	if !cw.head && status != http.StatusNotModified && status != http.StatusNoContent {
		cw.ResponseWriter.Write(body)
	}
}

var _ app.ResourceProvider = resources{}
var _ io.Writer = (*compressWriter)(nil)
