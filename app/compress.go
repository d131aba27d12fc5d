//go:build !wasm

package main

// Compression, for a phone on a slow network: the static site gets .br and
// .gz copies beside its large files, for hosts that serve them
// (precompressSite), and `make run` sends brotli or gzip as the request's
// Accept-Encoding allows (negotiateEncoding; resources.ServeHTTP for the
// files under /web/, newServer for the rest).

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// minCompressed is the size below which a file is sent as it is: a few
// hundred bytes gain nothing worth a second copy.
const minCompressed = 1024

// compressibleExt are the file types that compress; images and other
// compressed formats do not.
var compressibleExt = map[string]bool{
	".html": true, ".js": true, ".css": true, ".wasm": true, ".json": true,
	".webmanifest": true, ".svg": true, ".bin": true, ".safetensors": true,
}

// compressible says whether a file of this name and size gets compressed
// copies.
func compressible(name string, size int64) bool {
	return size >= minCompressed && compressibleExt[strings.ToLower(path.Ext(name))]
}

// A coding is one way of compressing a file.
type coding struct {
	encoding string // the Content-Encoding
	ext      string // the suffix of the static site's copy
	tag      string // added to the ETag, and names the disk cache's copy
	encode   func([]byte) []byte
	decode   func([]byte) ([]byte, error)
	cached   bool // slow enough to keep in the disk cache (compressedCached)
}

var (
	// brotliBest is the static files' brotli: quality 11 with the largest
	// standard window (2^24 bytes), which gains another 1.3% on app.wasm.
	// It takes about 35 s for app.wasm on this project's machine, hence
	// the disk cache.
	brotliBest = coding{encoding: "br", ext: ".br", tag: "br", cached: true,
		encode: func(b []byte) []byte { return brotliBytes(b, 11, 24) }, decode: unbrotli}
	// brotliFast is brotli at quality 5, under a second for app.wasm and
	// already smaller than gzip -9: dynamic responses, and static files
	// until their brotliBest copy is ready.
	brotliFast = coding{encoding: "br", ext: ".br", tag: "br5",
		encode: func(b []byte) []byte { return brotliBytes(b, 5, 0) }, decode: unbrotli}
	gzipBest = coding{encoding: "gzip", ext: ".gz", tag: "gz", cached: true,
		encode: gzipBytes, decode: ungzip}
)

// brotliBytes compresses raw with brotli at this quality, with a window of
// 2^lgwin bytes (0: the library's default) or the smallest one that holds
// raw: a larger window only costs memory and time.
func brotliBytes(raw []byte, quality, lgwin int) []byte {
	if lgwin == 0 {
		lgwin = 22
	}
	for lgwin > 10 && 1<<(lgwin-1) >= len(raw) {
		lgwin--
	}
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: quality, LGWin: lgwin})
	w.Write(raw)
	w.Close()
	return buf.Bytes()
}

func gzipBytes(raw []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(raw)
	w.Close()
	return buf.Bytes()
}

func unbrotli(b []byte) ([]byte, error) { return io.ReadAll(brotli.NewReader(bytes.NewReader(b))) }

func ungzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// negotiateEncoding picks the response's content coding from the request's
// Accept-Encoding (RFC 9110, section 12.5.3): "br", "gzip", or "" for none.
// The client's weights decide, q=0 refusing a coding; between equal
// weights brotli, then gzip, then identity is preferred, and identity that
// the header does not name (itself or by "*") comes last. A request without
// the header gets identity, and so does one that refuses everything the
// server has (which RFC 9110 allows rather than a 415).
func negotiateEncoding(accept string) string {
	weights := map[string]float64{}
	for _, item := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(item, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if name == "x-gzip" {
			name = "gzip"
		}
		q, ok := 1.0, true
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				q, ok = f, err == nil && f >= 0 && f <= 1
			}
		}
		if !ok {
			continue // a malformed weight: ignore the item
		}
		if w, seen := weights[name]; !seen || q > w {
			weights[name] = q
		}
	}
	weight := func(coding string) float64 {
		if w, ok := weights[coding]; ok {
			return w
		}
		if w, ok := weights["*"]; ok {
			return w
		}
		if coding == "identity" {
			// Acceptable unless refused, but unnamed it is the last resort.
			return 1e-6
		}
		return 0
	}
	best, bestW := "", 0.0
	for _, c := range []string{"br", "gzip", "identity"} {
		if w := weight(c); w > bestW {
			best, bestW = c, w
		}
	}
	if best == "identity" {
		return ""
	}
	return best
}

// codedETag is the ETag of a representation coded with the coding of this
// tag: the file's ETag, its tag added inside the quotes.
func codedETag(etag, tag string) string {
	if base, ok := strings.CutSuffix(etag, `"`); ok && tag != "" {
		return base + "-" + tag + `"`
	}
	return etag
}

// etagMatches says whether an If-None-Match header names etag: a list,
// compared weakly (RFC 9110, section 13.1.2), or "*".
func etagMatches(header, etag string) bool {
	for _, e := range strings.Split(header, ",") {
		e = strings.TrimSpace(e)
		if e == "*" || e != "" && strings.TrimPrefix(e, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// compressedCached returns raw compressed with c, whose SHA-256 is sum.
// The slow codings are kept in a disk cache shared by `make site`, `make
// run` and the tests, so that compressing app.wasm at brotli's best
// quality happens once per build of it: FGSMLAB_CACHE names its
// directory, "off" turns it off; by default it is fgsmlab/compressed in
// the user's cache directory. A copy from the cache is decompressed and
// checked against sum before use, and the least recently used copies go
// when the cache passes cacheLimit.
func compressedCached(c coding, raw []byte, sum [32]byte) []byte {
	if len(raw) < minCached {
		return c.encode(raw)
	}
	if b, ok := fromCache(c, sum); ok {
		return b
	}
	b := c.encode(raw)
	toCache(c, sum, b)
	return b
}

// cacheLimit is the disk cache's size: room for a dozen builds of the site.
const cacheLimit = 256 << 20

// minCached is the smallest file the disk cache keeps: smaller ones take
// a few milliseconds to compress even at brotli's quality 11.
const minCached = 8 << 10

func cacheDir() string {
	switch d := os.Getenv("FGSMLAB_CACHE"); d {
	case "off":
		return ""
	case "":
		if u, err := os.UserCacheDir(); err == nil {
			return filepath.Join(u, "fgsmlab", "compressed")
		}
		return ""
	default:
		return d
	}
}

func cacheFile(c coding, sum [32]byte) string {
	if d := cacheDir(); d != "" && c.cached {
		return filepath.Join(d, hex.EncodeToString(sum[:])+"."+c.tag)
	}
	return ""
}

// fromCache returns the cached copy, if there is one that decompresses to
// the content whose hash is sum.
func fromCache(c coding, sum [32]byte) ([]byte, bool) {
	name := cacheFile(c, sum)
	if name == "" {
		return nil, false
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, false
	}
	if raw, err := c.decode(b); err != nil || sha256.Sum256(raw) != sum {
		os.Remove(name)
		return nil, false
	}
	now := time.Now()
	if st, err := os.Stat(name); err == nil && now.Sub(st.ModTime()) > time.Hour {
		os.Chtimes(name, now, now) // used: the least recently used go first
	}
	return b, true
}

var cacheMu sync.Mutex

// toCache stores a copy, then trims the cache to cacheLimit. Failures
// only cost the time to compress again.
func toCache(c coding, sum [32]byte, b []byte) {
	name := cacheFile(c, sum)
	if name == "" {
		return
	}
	dir := filepath.Dir(name)
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(b)
	if err = errors.Join(err, tmp.Close()); err != nil || os.Rename(tmp.Name(), name) != nil {
		os.Remove(tmp.Name())
		return
	}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type entry struct {
		name string
		size int64
		mod  time.Time
	}
	var all []entry
	var total int64
	for _, e := range entries {
		if st, err := e.Info(); err == nil && st.Mode().IsRegular() {
			all = append(all, entry{e.Name(), st.Size(), st.ModTime()})
			total += st.Size()
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod.Before(all[j].mod) })
	for _, e := range all {
		if total <= cacheLimit {
			break
		}
		if os.Remove(filepath.Join(dir, e.name)) == nil {
			total -= e.size
		}
	}
}

// smaller returns b if it is smaller than the n bytes it compresses, or
// nil: a copy that is not smaller is not worth sending.
func smaller(b []byte, n int) []byte {
	if len(b) >= n {
		return nil
	}
	return b
}

// precompressSite writes, beside every compressible file under dir, its
// brotli (.br, quality 11) and gzip (.gz, level 9) copies, each only when
// it is smaller than the file. Hosts such as nginx with gzip_static and
// brotli_static serve them to the clients that accept them. The work runs
// on every core, the slowest first: brotli of app.wasm is most of it.
func precompressSite(dir string) error {
	type job struct {
		file string
		size int64
		c    coding
	}
	var jobs []job
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		if compressible(name, st.Size()) {
			jobs = append(jobs, job{name, st.Size(), brotliBest}, job{name, st.Size(), gzipBest})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Brotli at quality 11 is about 30 times slower than gzip -9.
	cost := func(j job) int64 {
		if j.c.tag == brotliBest.tag {
			return 30 * j.size
		}
		return j.size
	}
	sort.SliceStable(jobs, func(i, k int) bool { return cost(jobs[i]) > cost(jobs[k]) })
	work := make(chan job)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if errs[i] == nil {
					errs[i] = precompress(j.file, j.c)
				}
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	return errors.Join(errs...)
}

// precompress writes file's copy compressed with c, if it is smaller,
// with the file's modification time.
func precompress(file string, c coding) error {
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	b := smaller(compressedCached(c, raw, sha256.Sum256(raw)), len(raw))
	if b == nil {
		return nil
	}
	if err := os.WriteFile(file+c.ext, b, 0o644); err != nil {
		return err
	}
	return os.Chtimes(file+c.ext, st.ModTime(), st.ModTime())
}
