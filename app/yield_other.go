//go:build !wasm

package main

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// Outside the browser there is no event loop to yield to; these keep the
// server build (which pre-renders the pages) compiling and behaving.

func yieldToBrowser() {}

func afterPaint(ctx app.Context, fn func(app.Context)) { ctx.Dispatch(fn) }

func afterYield(ctx app.Context, fn func(app.Context)) { ctx.Dispatch(fn) }

func yieldQuickly() {}
