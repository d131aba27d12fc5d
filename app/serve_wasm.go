//go:build wasm

package main

// serve is the server side; in the browser RunWhenOnBrowser never returns,
// so it is never reached.
func serve() {}
