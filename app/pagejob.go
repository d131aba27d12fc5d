package main

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// jobStatus is where an explanation page's computation stands, as go-app's
// own documentation site types the status of its pages.
type jobStatus int

const (
	loading    jobStatus = iota // fetching the digits and the models
	loadingErr                  // they did not load; the page says why
	ready                       // loaded, waiting for the visitor to start (/train)
	running                     // computing, in slices that yield to the browser
	done
	cancelled
)

// String names the status in the page's data-state, which the tests and
// the style sheet read.
func (s jobStatus) String() string {
	return [...]string{loading: "loading", loadingErr: "failed", ready: "ready", running: "running", done: "done", cancelled: "cancelled"}[s]
}

// pageJob is the skeleton every explanation page shares: load the data in
// the background, then run the computation in slices (chunkRunner) with
// progress and a cancel button. Most pages start computing as soon as they
// have loaded; /train waits, ready, for its Train button. The zero value is
// loading.
type pageJob struct {
	status jobStatus
	failed string // why loading failed
	run    chunkRunner
}

// load runs fetch in the background, then ready on the UI goroutine, or
// shows fetch's error. The job is loading until ready starts it (or, on a
// page whose visitor starts it, sets the status to ready).
func (j *pageJob) load(ctx app.Context, fetch func() error, ready func(app.Context)) {
	j.status = loading
	ctx.Async(func() {
		err := fetch()
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				j.failed, j.status = "Could not load the digits or a model: "+err.Error(), loadingErr
				return
			}
			ready(ctx)
		})
	})
}

// start runs the stages, cancelling a running job first. update re-renders
// the page to show progress; finish, if not nil, runs after the last stage
// and before the last update.
func (j *pageJob) start(ctx app.Context, stages []stage, update, finish func()) {
	j.status = running
	j.run.start(ctx, stages, func(app.Context) { update() }, func(app.Context) {
		j.status = done
		if finish != nil {
			finish()
		}
		update()
	})
}

// cancel stops a running job and reports whether there was one.
func (j *pageJob) cancel() bool {
	if !j.run.busy {
		return false
	}
	j.run.cancel()
	j.status = cancelled
	return true
}

// stop cancels a running job that the visitor started, as /train's Stop
// does: the job is then ready to start again rather than cancelled. It
// reports whether there was one.
func (j *pageJob) stop() bool {
	if !j.cancel() {
		return false
	}
	j.status = ready
	return true
}

// bar is the job's progress bar, labelled for assistive technology.
func (j *pageJob) bar(id, label string) app.UI {
	return app.Progress().ID(id).Max(1).Value(fmt.Sprintf("%.3f", j.run.Progress())).Aria("label", label)
}

// progress is the job's progress bar, its status in words, and its cancel
// button.
func (j *pageJob) progress(id string, onCancel app.EventHandler) app.UI {
	frac := j.run.Progress()
	return app.Div().Class("run-progress").Body(
		j.bar(id, j.words()),
		app.Span().Class("small muted").Text(fmt.Sprintf("%s %.0f%%", j.words(), 100*frac)),
		app.Button().Class("btn").ID(id+"-cancel").Text("Cancel").Disabled(!j.run.busy).OnClick(onCancel),
	)
}

// failure says why loading failed, if it did.
func (j *pageJob) failure() app.UI {
	return app.If(j.failed != "", app.P().Class("error").Text(j.failed))
}

// words are what the progress bar's label says.
func (j *pageJob) words() string {
	switch j.status {
	case loading:
		return "Loading…"
	case loadingErr:
		return "Failed"
	case ready:
		return "Ready"
	case running:
		return "Computing"
	case cancelled:
		return "Cancelled at"
	}
	return fmt.Sprintf("Done in %.1f s:", j.run.Wall/1000)
}
