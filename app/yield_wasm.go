//go:build wasm

package main

import (
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// yieldToBrowser lets the browser run its pending tasks (input, a paint)
// before the calling goroutine goes on. It waits for a timeout event from
// JavaScript: a Go program that waits on nothing but a JavaScript event
// hands the thread back to the browser. time.Sleep did not always: when
// the runtime's own goroutines (the garbage collector's) ran past the
// sleep's end, Go went on in the same browser task. Call it from
// ctx.Async, never from the UI goroutine.
func yieldToBrowser() {
	done := make(chan struct{})
	var timeout app.Func
	timeout = app.FuncOf(func(this app.Value, args []app.Value) any {
		timeout.Release()
		close(done)
		return nil
	})
	app.Window().Call("setTimeout", timeout, 0)
	<-done
}

// afterPaint runs fn in a browser task of its own after the next frame is
// painted. Work that is not needed for what the visitor sees first (the
// gallery, after the first prediction) goes there: run in the same task,
// it made the lab's start one long task (Lighthouse's total blocking time).
// A hidden tab paints no frames; fn then waits until it is shown.
func afterPaint(ctx app.Context, fn func(app.Context)) {
	var frame app.Func
	frame = app.FuncOf(func(this app.Value, args []app.Value) any {
		frame.Release()
		// requestAnimationFrame runs before the paint; a task queued from
		// it runs after.
		ctx.Async(func() {
			yieldToBrowser()
			ctx.Dispatch(fn)
		})
		return nil
	})
	app.Window().Call("requestAnimationFrame", frame)
}

// The main package's init runs after the Go runtime and every imported
// package have started, before main and go-app's first render. The mark
// names that moment in the performance timeline (TestStartupLongTasks),
// and the yield makes Go's start and the first render two browser tasks
// rather than one long task that blocked input.
func init() {
	mark("fgsmlab:go-init")
	yieldToBrowser()
}

// yielder queues callbacks behind a MessageChannel message: unlike
// setTimeout, which browsers clamp to 4 ms once nested, it gives the
// browser a turn (input, paint) and comes straight back.
var yielder struct {
	sync.Mutex
	port  app.Value
	queue []func()
}

// afterYield lets the browser run its pending tasks, then runs f in the
// component's context.
func afterYield(ctx app.Context, f func(app.Context)) {
	queueAfterYield(func() { ctx.Dispatch(f) })
}

// queueAfterYield runs g once the browser has had its turn.
func queueAfterYield(g func()) {
	yielder.Lock()
	defer yielder.Unlock()
	if yielder.port == nil {
		ch := app.Window().Get("MessageChannel").New()
		fn := app.FuncOf(func(this app.Value, args []app.Value) any {
			yielder.Lock()
			q := yielder.queue
			yielder.queue = nil
			yielder.Unlock()
			for _, g := range q {
				g()
			}
			return nil
		})
		ch.Get("port1").Set("onmessage", fn)
		yielder.port = ch.Get("port2")
	}
	yielder.queue = append(yielder.queue, g)
	yielder.port.Call("postMessage", 0)
}

// yieldQuickly is yieldToBrowser behind a MessageChannel message rather than
// a timeout, which browsers clamp to 4 ms once nested: the browser gets its
// turn and the goroutine comes straight back. Call it from ctx.Async.
func yieldQuickly() {
	done := make(chan struct{})
	queueAfterYield(func() { close(done) })
	<-done
}

// slicedYield returns a core.Options.Yield for an attack run in ctx.Async:
// it hands the thread back to the browser whenever sliceBudget has passed
// since it last did, so that no browser task runs much longer, and tells
// the attack to stop once alive reports false (the visitor moved on).
func slicedYield(alive func() bool) func() bool {
	last := time.Now()
	return func() bool {
		if time.Since(last) >= sliceBudget {
			yieldQuickly()
			last = time.Now()
		}
		return alive()
	}
}
