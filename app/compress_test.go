//go:build !js

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNegotiateEncoding(t *testing.T) {
	for _, c := range []struct{ accept, want string }{
		{"", ""},
		{"gzip, deflate, br, zstd", "br"}, // Chromium
		{"gzip, deflate, br", "br"},
		{"gzip", "gzip"},
		{"x-gzip", "gzip"},
		{"deflate", ""},
		{"identity", ""},
		{"BR", "br"},
		{"br;q=0, gzip", "gzip"},
		{"br; q=0.0, gzip;q=0.5", "gzip"},
		{"gzip;q=0", ""},
		{"br;q=0,gzip;q=0", ""},
		{"gzip;q=1, br;q=0.8", "gzip"}, // the client's weights decide
		{"gzip;q=0.8, br;q=0.8", "br"}, // a tie goes to brotli
		{"br;q=0.5, identity", ""},     // identity weighs 1
		{"*", "br"},
		{"*;q=0", ""}, // nothing acceptable: identity all the same
		{"*;q=0, gzip", "gzip"},
		{"*, br;q=0", "gzip"},
		{"identity;q=0, *;q=0.1", "br"},
		{"br;q=abc, gzip", "gzip"}, // a malformed weight drops its item
		{"br;q=2, gzip", "gzip"},
		{" ,br , ", "br"},
		{"br;level=1", "br"},
	} {
		if got := negotiateEncoding(c.accept); got != c.want {
			t.Errorf("Accept-Encoding %q: got %q, want %q", c.accept, got, c.want)
		}
	}
	// Several header lines count as one list.
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Add("Accept-Encoding", "gzip;q=0.5")
	req.Header.Add("Accept-Encoding", "br")
	if got := negotiateEncoding(acceptEncoding(req)); got != "br" {
		t.Errorf("two Accept-Encoding lines: got %q, want br", got)
	}
}

// compressibleBytes is n bytes of text-like data that compresses, the
// same for a seed.
func compressibleBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	words := []string{"weight", "bias", "relu", "softmax", "gradient", "sign", "epsilon", " ", ",", "\n", "0.25", "{", "}"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.Bytes()[:n]
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

type served struct {
	status       int
	header       http.Header
	body         []byte
	decoded      []byte
	encoding     string
	etag, length string
}

// fetch asks h for path with this Accept-Encoding (and If-None-Match, if
// not empty) and decodes the body.
func fetch(t *testing.T, h http.Handler, method, path, accept, inm string) served {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	s := served{status: res.StatusCode, header: res.Header, body: rec.Body.Bytes(),
		encoding: res.Header.Get("Content-Encoding"), etag: res.Header.Get("ETag"), length: res.Header.Get("Content-Length")}
	var err error
	switch {
	case len(s.body) == 0: // HEAD, 304
	case s.encoding == "br":
		s.decoded, err = unbrotli(s.body)
	case s.encoding == "gzip":
		s.decoded, err = ungzip(s.body)
	case s.encoding == "":
		s.decoded = s.body
	default:
		t.Fatalf("%s: Content-Encoding %q", path, s.encoding)
	}
	if err != nil {
		t.Fatalf("%s (%s): the body does not decode: %v", path, s.encoding, err)
	}
	if method == http.MethodGet && s.status == http.StatusOK && s.length != strconv.Itoa(len(s.body)) {
		t.Errorf("%s (%s): Content-Length %s, body %d bytes", path, s.encoding, s.length, len(s.body))
	}
	return s
}

// touch gives a file a new modification time, as a rebuild would.
func touch(t *testing.T, name string, d time.Duration) {
	t.Helper()
	when := time.Now().Add(d)
	if err := os.Chtimes(name, when, when); err != nil {
		t.Fatal(err)
	}
}

func TestStaticFilesNegotiated(t *testing.T) {
	t.Setenv("FGSMLAB_CACHE", t.TempDir())
	web := t.TempDir()
	big := compressibleBytes(minCached+5000, 1) // large enough for the two brotli steps
	files := map[string][]byte{
		"app.wasm":             big,
		"small.css":            []byte("body{}"),
		"icon.png":             compressibleBytes(4000, 2), // images are not compressed
		"models/x.safetensors": randomBytes(4000),          // does not compress
	}
	for name, b := range files {
		writeFile(t, filepath.Join(web, name), string(b))
	}
	h := resources{dir: web}

	brFirst := fetch(t, h, "GET", "/web/app.wasm", "gzip, deflate, br, zstd", "")
	gz := fetch(t, h, "GET", "/web/app.wasm", "gzip", "")
	plain := fetch(t, h, "GET", "/web/app.wasm", "", "")
	for _, s := range []served{brFirst, gz, plain} {
		if s.status != 200 || !bytes.Equal(s.decoded, big) {
			t.Fatalf("%q: status %d, decoded body equal: %v", s.encoding, s.status, bytes.Equal(s.decoded, big))
		}
		if s.header.Get("Vary") != "Accept-Encoding" || s.header.Get("X-Uncompressed-Length") != strconv.Itoa(len(big)) ||
			s.header.Get("Content-Type") != "application/wasm" {
			t.Errorf("%q: headers %v", s.encoding, s.header)
		}
	}
	if brFirst.encoding != "br" || gz.encoding != "gzip" || plain.encoding != "" {
		t.Errorf("encodings %q, %q, %q; want br, gzip, none", brFirst.encoding, gz.encoding, plain.encoding)
	}

	// The quality-11 copy replaces the quality-5 one when it is ready,
	// and lands in the disk cache.
	if err := warmStatic(filepath.Join(web, "app.wasm")); err != nil {
		t.Fatal(err)
	}
	br := fetch(t, h, "GET", "/web/app.wasm", "br", "")
	if br.encoding != "br" || !bytes.Equal(br.decoded, big) || len(br.body) > len(brFirst.body) {
		t.Errorf("after warming: %q, %d bytes (quality 5: %d)", br.encoding, len(br.body), len(brFirst.body))
	}
	etags := map[string]bool{}
	for _, s := range []served{brFirst, br, gz, plain} {
		etags[s.etag] = true
	}
	if len(etags) != 4 {
		t.Errorf("the ETags of the four bodies should differ: %q %q %q %q", brFirst.etag, br.etag, gz.etag, plain.etag)
	}
	if _, ok := fromCache(brotliBest, sha256.Sum256(big)); !ok {
		t.Errorf("the quality-11 copy is not in the disk cache")
	}

	// HEAD, and revalidation.
	head := fetch(t, h, "HEAD", "/web/app.wasm", "br", "")
	if head.status != 200 || len(head.body) != 0 || head.length != strconv.Itoa(len(br.body)) || head.etag != br.etag {
		t.Errorf("HEAD: status %d, %d body bytes, Content-Length %s (want %d), ETag %s", head.status, len(head.body), head.length, len(br.body), head.etag)
	}
	for _, c := range []struct {
		accept, inm string
		want        int
	}{
		{"br", br.etag, 304},
		{"br", `"x", W/` + br.etag, 304},
		{"br", gz.etag, 200}, // a gzip copy does not revalidate the brotli one
		{"gzip", gz.etag, 304},
		{"", plain.etag, 304},
		{"", br.etag, 200},
	} {
		s := fetch(t, h, "GET", "/web/app.wasm", c.accept, c.inm)
		if s.status != c.want {
			t.Errorf("Accept-Encoding %q, If-None-Match %s: status %d, want %d", c.accept, c.inm, s.status, c.want)
		}
		if c.want == 304 && (len(s.body) != 0 || s.etag != strings.TrimPrefix(c.inm, `"x", W/`)) {
			t.Errorf("304 with %d body bytes, ETag %s", len(s.body), s.etag)
		}
	}

	// Small, image and incompressible files go as they are.
	for _, name := range []string{"small.css", "icon.png", "models/x.safetensors"} {
		s := fetch(t, h, "GET", "/web/"+name, "br, gzip", "")
		if s.status != 200 || s.encoding != "" || !bytes.Equal(s.body, files[name]) {
			t.Errorf("%s: status %d, Content-Encoding %q", name, s.status, s.encoding)
		}
	}

	// A rebuilt file is read again.
	changed := compressibleBytes(minCompressed*3, 3)
	writeFile(t, filepath.Join(web, "app.wasm"), string(changed))
	touch(t, filepath.Join(web, "app.wasm"), time.Second)
	if s := fetch(t, h, "GET", "/web/app.wasm", "br", ""); !bytes.Equal(s.decoded, changed) || s.etag == br.etag {
		t.Errorf("after a rebuild: the old body, or the old ETag %s", s.etag)
	}
}

func TestDiskCacheChecksItsCopies(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FGSMLAB_CACHE", dir)
	raw := compressibleBytes(minCached, 4)
	sum := sha256.Sum256(raw)
	b := compressedCached(gzipBest, raw, sum)
	if got, ok := fromCache(gzipBest, sum); !ok || !bytes.Equal(got, b) {
		t.Fatalf("the copy is not in the cache")
	}
	name := cacheFile(gzipBest, sum)
	// A copy of other content, under this content's name, is dropped.
	os.WriteFile(name, gzipBytes([]byte("other")), 0o644)
	if _, ok := fromCache(gzipBest, sum); ok {
		t.Errorf("a wrong copy was used")
	}
	if _, err := os.Stat(name); err == nil {
		t.Errorf("the wrong copy was kept")
	}
	if got, _ := ungzip(compressedCached(gzipBest, raw, sum)); !bytes.Equal(got, raw) {
		t.Errorf("compressing again gave other content")
	}
	t.Setenv("FGSMLAB_CACHE", "off")
	if cacheFile(gzipBest, sum) != "" {
		t.Errorf("FGSMLAB_CACHE=off still names a cache file")
	}
}

func TestServerCompressesPages(t *testing.T) {
	routesOnce.Do(routes)
	h := newServer(fakeWeb(t), "test")
	for _, path := range []string{"/app.js", "/", "/train", offlineListPath, "/manifest.webmanifest"} {
		plain := fetch(t, h, "GET", path, "", "")
		br := fetch(t, h, "GET", path, "gzip, deflate, br, zstd", "")
		gz := fetch(t, h, "GET", path, "gzip", "")
		if plain.status != 200 || br.status != 200 || gz.status != 200 {
			t.Fatalf("%s: status %d, %d, %d", path, plain.status, br.status, gz.status)
		}
		if len(plain.body) < minCompressed {
			if br.encoding != "" || gz.encoding != "" {
				t.Errorf("%s: %d bytes, compressed", path, len(plain.body))
			}
			continue
		}
		if plain.encoding != "" || br.encoding != "br" || gz.encoding != "gzip" {
			t.Errorf("%s: Content-Encoding %q, %q, %q; want none, br, gzip", path, plain.encoding, br.encoding, gz.encoding)
		}
		if !sameAnyOrder(br.decoded, plain.body) || !sameAnyOrder(gz.decoded, plain.body) {
			t.Errorf("%s: the compressed bodies differ from the plain one", path)
		}
		for _, s := range []served{plain, br, gz} {
			if s.header.Get("Vary") != "Accept-Encoding" || s.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s (%q): headers %v", path, s.encoding, s.header)
			}
		}
		if plain.etag == "" || br.etag == plain.etag || gz.etag == plain.etag || br.etag == gz.etag {
			t.Errorf("%s: ETags %s, %s, %s should differ", path, plain.etag, br.etag, gz.etag)
		}
		for _, s := range []served{plain, br, gz} {
			accept := map[string]string{"": "", "br": "br", "gzip": "gzip"}[s.encoding]
			re := fetch(t, h, "GET", path, accept, s.etag)
			if re.status != http.StatusNotModified || re.etag != s.etag || len(re.body) != 0 {
				t.Errorf("%s (%q) revalidated: status %d, ETag %s (want 304, %s)", path, s.encoding, re.status, re.etag, s.etag)
			}
		}
		if re := fetch(t, h, "GET", path, "br", plain.etag); re.status != http.StatusNotModified || re.etag != plain.etag {
			t.Errorf("%s: revalidating the plain copy while accepting br: status %d, ETag %s", path, re.status, re.etag)
		}
		head := fetch(t, h, "HEAD", path, "br", "")
		n, _ := strconv.Atoi(head.length)
		if path != "/app.js" {
			n = len(br.body) // the page's attributes come in another order, which compresses differently
		}
		if head.status != 200 || len(head.body) != 0 || head.encoding != "br" || n != len(br.body) {
			t.Errorf("%s: HEAD: status %d, %d body bytes, %q, Content-Length %s (GET: %d)", path, head.status, len(head.body), head.encoding, head.length, len(br.body))
		}
	}
}

// sameAnyOrder says whether a and b hold the same bytes in some order:
// go-app writes a page's attributes in map order, which changes from one
// request to the next.
func sameAnyOrder(a, b []byte) bool {
	var ca, cb [256]int
	for _, x := range a {
		ca[x]++
	}
	for _, x := range b {
		cb[x]++
	}
	return ca == cb
}

func TestGenerateWritesCompressedCopies(t *testing.T) {
	routesOnce.Do(routes)
	t.Setenv("FGSMLAB_CACHE", t.TempDir())
	web := fakeWeb(t)
	writeFile(t, filepath.Join(web, "app.wasm"), string(compressibleBytes(20000, 5)))
	writeFile(t, filepath.Join(web, "models/mlp.safetensors"), string(compressibleBytes(3000, 6)))
	writeFile(t, filepath.Join(web, "models/rbf.safetensors"), string(randomBytes(3000))) // does not compress
	writeFile(t, filepath.Join(web, "digits.bin"), string(compressibleBytes(minCompressed-1, 7)))
	writeFile(t, filepath.Join(web, "icon.png"), string(compressibleBytes(3000, 8)))
	dist := filepath.Join(t.TempDir(), "dist")
	if err := generate(dist, web, "/fgsmlab", "test"); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{ // whether a file gets copies
		"web/app.wasm": true, "web/models/mlp.safetensors": true, "index.html": true, "app.js": true,
		"train/index.html":           true,
		"web/models/rbf.safetensors": false, "web/digits.bin": false, "web/icon.png": false, "web/icon.svg": false,
	}
	var copies int
	err := filepath.WalkDir(dist, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
			return err
		}
		rel, _ := filepath.Rel(dist, name)
		rel = filepath.ToSlash(rel)
		raw, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		for _, c := range []coding{brotliBest, gzipBest} {
			b, err := os.ReadFile(name + c.ext)
			if err != nil {
				if w, listed := want[rel]; w || !listed && compressible(name, int64(len(raw))) {
					t.Errorf("%s has no %s copy", rel, c.ext)
				}
				continue
			}
			copies++
			if w, listed := want[rel]; listed && !w {
				t.Errorf("%s should have no %s copy", rel, c.ext)
			}
			if got, err := c.decode(b); err != nil || !bytes.Equal(got, raw) {
				t.Errorf("%s%s does not decompress to the file (%v)", rel, c.ext, err)
			}
			if len(b) >= len(raw) {
				t.Errorf("%s%s is not smaller than the file", rel, c.ext)
			}
			st, _ := os.Stat(name)
			if cst, _ := os.Stat(name + c.ext); !cst.ModTime().Equal(st.ModTime()) {
				t.Errorf("%s%s has another modification time than the file", rel, c.ext)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if copies < 2*len(pages) {
		t.Errorf("only %d compressed copies", copies)
	}
	// The copies are for the host: no list of URLs names them.
	b, err := os.ReadFile(filepath.Join(dist, offlineListPath))
	if err != nil {
		t.Fatal(err)
	}
	var list offlineList
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range list.Files {
		if strings.HasSuffix(f.URL, ".br") || strings.HasSuffix(f.URL, ".gz") || seen[f.URL] {
			t.Errorf("the offline list names %s (twice: %v)", f.URL, seen[f.URL])
		}
		seen[f.URL] = true
	}
	worker, err := os.ReadFile(filepath.Join(dist, "app-worker.js"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(worker), ".br\"") || strings.Contains(string(worker), ".gz\"") {
		t.Errorf("the service worker caches a compressed copy")
	}
}
