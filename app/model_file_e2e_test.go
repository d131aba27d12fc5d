//go:build e2e && !js

// Hostile model files: the lab must refuse them with a visible reason, and
// stop downloading a bad one at its header.
package main

import (
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fgsmlab/core"

	"github.com/chromedp/chromedp"
)

// badModelServer serves the lab as labServer does, but answers every
// request for models/mlp.safetensors with serve, and has no service
// worker: the worker pre-caches mlp and copies every model it fetches into
// its cache, reading the whole body whatever the page does, so with it
// this would test the worker, not the page.
func badModelServer(t *testing.T, serve http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/app-worker.js" {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/models/mlp.safetensors") {
			serve(w, r)
			return
		}
		labHandler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// modelError opens the lab on srv and returns the model panel's error.
func modelError(t *testing.T, srv *httptest.Server) string {
	ctx := newTab(t)
	var msg string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/?model=mlp"),
		chromedp.Poll(`document.querySelector(".model .error")`, nil, chromedp.WithPollingTimeout(60*time.Second)),
		eval(`document.querySelector(".model .error").textContent`, &msg),
		// Go is still running: another model works.
		eval(`(() => { const s = document.getElementById("model"); s.value = "softmax";
			s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, nil),
		poll(`document.querySelector(".figure").dataset.ready === "true"`),
	)
	if err != nil {
		t.Fatalf("%v (the panel said %q)", err, msg)
	}
	return msg
}

// TestNarrowFirstLayerRefused: a model whose first layer takes 100 inputs
// killed Go ("dense layer wants 100 inputs, got 784"); now the page says
// which layer is wrong, and goes on.
func TestNarrowFirstLayerRefused(t *testing.T) {
	tensors := map[string]core.Tensor{
		"l0.weight": {Shape: []int{10, 100}, Data: make([]float64, 1000)},
		"l0.bias":   {Shape: []int{10}, Data: make([]float64, 10)},
	}
	meta := map[string]string{
		"format": core.FormatVersion, "name": "mlp", "input": core.InputConvention,
		"classes": `["0","1","2","3","4","5","6","7","8","9"]`,
		"arch":    `[{"kind":"dense","weight":"l0.weight","bias":"l0.bias"},{"kind":"softmax"}]`,
	}
	file := core.EncodeSafetensors(tensors, meta, "F32")
	srv := badModelServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write(file) })
	msg := modelError(t, srv)
	t.Logf("the page says: %s", msg)
	if !strings.Contains(msg, `layer 0 (dense): tensor "l0.weight" takes 100 inputs`) {
		t.Errorf("the page says %q; want the layer and its width named", msg)
	}
}

// TestHugeModelStoppedAtHeader: a 100 MB model file is refused from its
// header, and the download stops there.
func TestHugeModelStoppedAtHeader(t *testing.T) {
	const size = 100 << 20
	h := []byte(`{"l0.weight":{"dtype":"F32","shape":[26214390,1],"data_offsets":[0,104857560]},` +
		`"__metadata__":{"format":"fgsmlab/1","input":"1 features","classes":"[]","arch":"[]"}}`)
	for (8+len(h))%8 != 0 {
		h = append(h, ' ')
	}
	var sent atomic.Int64
	srv := badModelServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		head := append(binary.LittleEndian.AppendUint64(nil, uint64(len(h))), h...)
		n, _ := w.Write(head)
		sent.Add(int64(n))
		chunk := make([]byte, 64<<10)
		for sent.Load() < size {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	msg := modelError(t, srv)
	t.Logf("the page says: %s; the server sent %.1f MB of %d", msg, float64(sent.Load())/1e6, size>>20)
	if !strings.Contains(msg, "at most") {
		t.Errorf("the page says %q; want the size limit", msg)
	}
	if sent.Load() > 16<<20 {
		t.Errorf("the server sent %.1f MB before the lab gave up; want the download stopped near the header", float64(sent.Load())/1e6)
	}
}
