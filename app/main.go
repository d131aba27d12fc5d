// Command app is fgsmlab's lab: a page where a visitor draws a digit or picks
// an MNIST test digit, attacks it with the fast gradient sign method and
// sees why it works (Goodfellow, Shlens and Szegedy, 2015).
//
// The same binary is the page, compiled to WebAssembly, and on the server
// either serves it or writes it as a static site:
//
//	GOOS=js GOARCH=wasm go build -o web/app.wasm ./app
//	go run ./app                          # serve on 127.0.0.1:$PORT (8000)
//	go run ./app -gen dist -base /fgsmlab # write a static site for that sub-path
package main

import "github.com/maxence-charriere/go-app/v9/pkg/app"

func main() {
	// Routes must come before RunWhenOnBrowser, which never returns in the
	// browser; on the server it returns at once.
	routes()
	app.RunWhenOnBrowser()
	serve()
}

// routes registers the lab's one page.
func routes() {
	app.RouteFunc("/", func() app.Composer { return newLab() })
	app.RouteFunc("/linear", func() app.Composer { return newLinearPage() })
	app.RouteFunc("/rubbish", func() app.Composer { return newRubbishPage() })
	app.RouteFunc("/sweeps", func() app.Composer { return newSweepsPage() })
	app.RouteFunc("/defence", func() app.Composer { return newDefencePage() })
	app.RouteFunc("/rbf", func() app.Composer { return newRBFPage() })
	app.RouteFunc("/train", func() app.Composer { return newTrainPage() })
}
