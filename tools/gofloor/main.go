// Command gofloor times go-app's smallest page (tools/wasmsize/hello) on a
// phone on slow 4G, as TestPhoneFirstVisit times the lab: 150 ms round
// trips, 1.6 Mbps down, 750 kbps up and a 4× slower CPU, applied through
// the DevTools protocol in headless Chromium, with the cache off. It prints
// when go-app has mounted the page, with app.wasm sent in brotli (quality
// 11) and in gzip (-9): no page built on go-app v9 can become live sooner
// on that phone. Usage (make go-app-floor):
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o hello.wasm ./tools/wasmsize/hello
//	go run ./tools/gofloor -runs 3 hello.wasm
//
// With -serve it only serves the page (brotli), for Lighthouse.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

type hello struct{ app.Compo }

func (h *hello) Render() app.UI { return app.H1().Text("Hello") }

func main() {
	runs := flag.Int("runs", 3, "first visits per encoding")
	serve := flag.Bool("serve", false, "only serve the page, in brotli, and print its address")
	chromium := flag.String("chromium", "/usr/bin/chromium", "the browser")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: gofloor [-runs n] [-serve] hello.wasm")
	}
	raw, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	app.Route("/", &hello{}) // the server's side of the page, as the wasm's
	for _, enc := range []string{"br", "gzip"} {
		body := compress(raw, enc)
		url, stop := start(body, enc)
		if *serve {
			fmt.Printf("serving %s (app.wasm: %d bytes in %s)\n", url, len(body), enc)
			select {}
		}
		var ts []float64
		for range *runs {
			ts = append(ts, visit(*chromium, url))
		}
		stop()
		slices.Sort(ts)
		fmt.Printf("go-app hello world, app.wasm %.2f MiB in %s: mounted after %.2f s (median of %v s)\n",
			float64(len(body))/(1<<20), enc, ts[len(ts)/2], ts)
	}
}

func compress(b []byte, enc string) []byte {
	var out bytes.Buffer
	if enc == "br" {
		w := brotli.NewWriterLevel(&out, 11)
		w.Write(b)
		w.Close()
	} else {
		w, _ := gzip.NewWriterLevel(&out, 9)
		w.Write(b)
		w.Close()
	}
	return out.Bytes()
}

// start serves the page, with app.wasm compressed as enc.
func start(wasm []byte, enc string) (url string, stop func()) {
	mux := http.NewServeMux()
	mux.HandleFunc("/web/app.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		w.Header().Set("Content-Encoding", enc)
		w.Write(wasm)
	})
	mux.Handle("/", &app.Handler{Name: "hello"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }
}

// visit is a first visit on the throttled phone: the seconds from the
// navigation until go-app has mounted the page.
func visit(chromium, url string) float64 {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var ms float64
	err := chromedp.Run(ctx,
		network.Enable(), network.SetCacheDisabled(true),
		emulation.SetDeviceMetricsOverride(412, 823, 1.75, true),
		network.EmulateNetworkConditions(false, 150, 1.6e6/8, 750e3/8).WithConnectionType(network.ConnectionTypeCellular4g),
		emulation.SetCPUThrottlingRate(4),
		chromedp.Navigate(url),
		chromedp.Poll(`(() => { const e = performance.getEntriesByName("go-mounted")[0]; return e ? e.startTime : false })()`, &ms))
	if err != nil {
		log.Fatal(err)
	}
	return ms / 1000
}
