//go:build e2e && !js

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestLoaderCountsBytes: while app.wasm downloads, the loading note counts
// its bytes as they arrive, then says the lab is starting, and the lab
// starts. The host either sends app.wasm as application/wasm (the compiler
// reads the browser's own response and the loader counts a copy) or as
// another type, as a misconfigured host does (the bytes then reach the
// compiler through a stream of the right type).
func TestLoaderCountsBytes(t *testing.T) {
	for _, wrongType := range []bool{false, true} {
		name := "application/wasm"
		if wrongType {
			name = "octet-stream"
		}
		t.Run(name, func(t *testing.T) {
			h := labHandler()
			if wrongType {
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, ".wasm") {
						w = &retyped{ResponseWriter: w}
					}
					labHandler().ServeHTTP(w, r)
				})
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			ctx := newTab(t)
			var labels []string
			err := chromedp.Run(ctx,
				network.Enable(),
				network.EmulateNetworkConditions(false, 20, 6e6/8, 1e6/8),
				chromedp.ActionFunc(func(ctx context.Context) error {
					_, err := cdppage.AddScriptToEvaluateOnNewDocument(`window.fgsmlabLabels = [];
						document.addEventListener("DOMContentLoaded", () => {
							const l = document.getElementById("app-wasm-loader-label");
							new MutationObserver(() => window.fgsmlabLabels.push(l.textContent))
								.observe(l, {childList: true, characterData: true, subtree: true});
						});`).Do(ctx)
					return err
				}),
				chromedp.Navigate(srv.URL+"/"),
				poll(`window.fgsmlabFirstPrediction !== undefined`),
				eval(`window.fgsmlabLabels`, &labels))
			if err != nil {
				t.Fatal(err)
			}
			counted := regexp.MustCompile(`^Loading (\d+\.\d) of (\d+\.\d) MB, then starting$`)
			share := regexp.MustCompile(`^Loading (\d+)%, then starting$`)
			var got []float64 // the fraction received, as each note says it
			starting := false
			for _, l := range labels {
				if m := counted.FindStringSubmatch(l); m != nil {
					a, _ := strconv.ParseFloat(m[1], 64)
					b, _ := strconv.ParseFloat(m[2], 64)
					got = append(got, a/b)
				} else if m := share.FindStringSubmatch(l); m != nil {
					p, _ := strconv.ParseFloat(m[1], 64)
					got = append(got, p/100)
				} else if l == "Starting the lab…" {
					starting = true
				} else if l != "Loading the lab…" {
					t.Errorf("the note said %q", l)
				}
			}
			if len(got) > 0 {
				t.Logf("%d notes; the count went from %.3f to %.3f", len(labels), got[0], got[len(got)-1])
			}
			if len(got) < 3 || !starting {
				t.Fatalf("the note counted %d times and said it was starting: %v; want the bytes counted as they came, then starting: %q", len(got), starting, labels)
			}
			for i := 1; i < len(got); i++ {
				if got[i] < got[i-1] || got[i] > 1 {
					t.Errorf("the count went from %.3f to %.3f", got[i-1], got[i])
				}
			}
			if last := got[len(got)-1]; last < 0.9 {
				t.Errorf("the last count was %.3f of the download", last)
			}
		})
	}
}

// retyped sends its response as application/octet-stream, whatever the
// handler says.
type retyped struct {
	http.ResponseWriter
	wrote bool
}

func (w *retyped) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *retyped) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}
