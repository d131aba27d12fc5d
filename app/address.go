package main

import (
	"net/url"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The address bar holds a page's state as link parameters (linkparams.go
// reads them); these write it back as the state changes.

// setQuery rewrites the address bar's query without reloading (see setURL).
func setQuery(q url.Values) {
	u := *app.Window().URL()
	u.RawQuery = q.Encode()
	setURL(u.String())
}

// addressBar is what setURL has yet to write.
var addressBar struct {
	sync.Mutex
	at      time.Time // when it was last written
	pending string    // the newest address not yet written, if any
}

// setURL shows u in the address bar without reloading or adding to the
// history, at most about four times a second: browsers throttle
// history.replaceState, and a slider asks at every step. The last address
// asked for is always written.
func setURL(u string) {
	const every = 250 * time.Millisecond
	addressBar.Lock()
	defer addressBar.Unlock()
	if wait := every - time.Since(addressBar.at); wait > 0 {
		if addressBar.pending == "" {
			time.AfterFunc(wait, func() {
				addressBar.Lock()
				defer addressBar.Unlock()
				writeURL(addressBar.pending)
			})
		}
		addressBar.pending = u
		return
	}
	writeURL(u)
}

// writeURL replaces the address; the caller holds addressBar's lock.
func writeURL(u string) {
	addressBar.at, addressBar.pending = time.Now(), ""
	app.Window().Get("history").Call("replaceState", nil, "", u)
}
