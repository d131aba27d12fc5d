// Command hello is the smallest go-app v9 page, the baseline that
// `make wasm-size` compares app.wasm with and that `make go-app-floor`
// times on a throttled phone. It marks "go-mounted" in the page's
// performance timeline once go-app has mounted it.
package main

import "github.com/maxence-charriere/go-app/v9/pkg/app"

type hello struct{ app.Compo }

func (h *hello) Render() app.UI { return app.H1().Text("Hello") }

func (h *hello) OnMount(ctx app.Context) {
	app.Window().Get("performance").Call("mark", "go-mounted")
}

func main() {
	app.Route("/", &hello{})
	app.RunWhenOnBrowser()
}
