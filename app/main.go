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

import (
	"regexp"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

func main() {
	// Routes must come before RunWhenOnBrowser, which never returns in the
	// browser; on the server it returns at once.
	routes()
	repairAddress() // before go-app reads it
	app.RunWhenOnBrowser()
	serve()
}

// routes registers the lab and the explanation pages.
func routes() {
	route := func(path string, page func() app.Composer) {
		app.RouteFunc(path, page)
		if path != "/" {
			// A plain file server answers /train with a redirect to /train/,
			// served from the copy that generate writes to train/index.html.
			app.RouteWithRegexpFunc("^"+regexp.QuoteMeta(path)+"/$", page)
		}
	}
	route("/", func() app.Composer { return newLab() })
	route("/linear", func() app.Composer { return newLinearPage() })
	route("/rubbish", func() app.Composer { return newRubbishPage() })
	route("/sweeps", func() app.Composer { return newSweepsPage() })
	route("/defence", func() app.Composer { return newDefencePage() })
	route("/rbf", func() app.Composer { return newRBFPage() })
	route("/train", func() app.Composer { return newTrainPage() })
}
