package main

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// offlineListPath is where, under the site's root, the server and the
// static site publish the offline list: every file of this version with
// its size (offlinesite.go).
const offlineListPath = "/offline.json"

// offlineList is the JSON at offlineListPath. Version is the service
// worker's version, whose cache "Save for offline" fills.
type offlineList struct {
	Version string        `json:"version"`
	Files   []offlineFile `json:"files"`
}

// offlineFile is one URL of the site (its path, sub-path included) and
// its size in bytes.
type offlineFile struct {
	URL  string `json:"url"`
	Size int64  `json:"size"`
}

// saveState is where "Save for offline" stands.
type saveState int

const (
	saveIdle    saveState = iota // the button
	saveAsking                   // fetching the list to show its size
	saveConfirm                  // the size is shown; download or not
	saveRunning                  // downloading, with progress
	saveDone                     // everything is in the cache
	saveFailed                   // msg says why
)

// String names the state in the page's data-state, for tests and styles.
func (s saveState) String() string {
	return [...]string{"idle", "asking", "confirm", "running", "done", "failed"}[s]
}

// offlineBar is on every page, under the navigation. It says "A new
// version is ready" when go-app reports an installed service worker newer
// than the page, and, except in embed mode (Compact), offers "Save for
// offline": the whole site, every page, model and digit file, into the
// version's cache, after showing its size.
type offlineBar struct {
	app.Compo
	Compact bool

	updated     bool
	reloading   bool
	state       saveState
	list        offlineList
	done, total int64
	msg         string
	stopWatch   func()
	// ctx is the bar's own, from OnMount: a button's context dispatches
	// nothing once the button is gone, and each step replaces its buttons.
	ctx app.Context
}

func newOfflineBar(compact bool) *offlineBar { return &offlineBar{Compact: compact} }

// OnMount looks for a newer version three ways: go-app's record of an
// update, the active worker's version (a worker installed before the app
// started is one go-app never reports), and later any worker that takes
// the page over.
func (b *offlineBar) OnMount(ctx app.Context) {
	b.ctx = ctx
	b.updated = ctx.AppUpdateAvailable()
	check := func() {
		ctx.Async(func() {
			if newerWorker() {
				ctx.Dispatch(func(ctx app.Context) { b.updated = true })
			}
		})
	}
	check()
	b.stopWatch = onWorkerChange(check)
}

func (b *offlineBar) OnDismount() {
	if b.stopWatch != nil {
		b.stopWatch()
	}
}

func (b *offlineBar) OnAppUpdate(ctx app.Context) { b.updated = true }

func (b *offlineBar) Render() app.UI {
	return app.Div().Class("offline-bar").Body(
		app.If(b.updated,
			app.Div().ID("update-notice").Class("notice update").Role("status").Body(
				app.Span().Text("A new version is ready. "),
				app.Button().ID("update-reload").Class("btn").Text("Reload").Disabled(b.reloading).
					OnClick(func(app.Context, app.Event) { b.reloading = true; b.ctx.Async(reloadWhenActive) }),
			),
		).Else(app.Span().Class("sr-only")),
		app.If(!b.Compact, b.renderSave()).Else(app.Span().Class("sr-only")),
	)
}

// renderSave shows the step "Save for offline" is at.
func (b *offlineBar) renderSave() app.UI {
	return app.Div().ID("save-offline").Class("save-offline").DataSet("state", b.state.String()).Body(
		app.If(b.state == saveIdle || b.state == saveAsking,
			app.Button().Class("btn").Disabled(b.state == saveAsking).Text("Save for offline").OnClick(b.ask),
		).ElseIf(b.state == saveConfirm,
			app.Span().Text(fmt.Sprintf("Save every page, model and digit file on this device: %s to download. ", megabytes(b.total))),
			app.Button().ID("save-offline-go").Class("btn").Text("Download "+megabytes(b.total)).OnClick(b.save),
			app.Button().Class("btn").Text("Not now").OnClick(func(ctx app.Context, e app.Event) { b.state = saveIdle }),
		).ElseIf(b.state == saveRunning,
			app.Label().For("save-progress").Text(fmt.Sprintf("Saving for offline: %s of %s ", megabytes(b.done), megabytes(b.total))),
			app.Progress().ID("save-progress").Max(b.total).Value(b.done),
		).ElseIf(b.state == saveDone,
			app.Span().Role("status").Text("Saved: every page and model now works offline."),
		).Else(
			app.Span().Role("alert").Text(b.msg+" "),
			app.Button().Class("btn").Text("Try again").OnClick(b.ask),
		),
	)
}

// ask fetches the offline list and shows its size.
func (b *offlineBar) ask(_ app.Context, e app.Event) {
	b.state = saveAsking
	ctx := b.ctx
	ctx.Async(func() {
		list, err := fetchOfflineList()
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case err != nil:
				b.state, b.msg = saveFailed, err.Error()
			case list.Version != app.Getenv("GOAPP_VERSION"):
				// The site changed since this page loaded: saving now would
				// mix two versions. The new version's worker is on its way.
				b.state, b.updated = saveIdle, true
			default:
				b.list, b.total, b.state = list, list.size(), saveConfirm
			}
		})
	})
}

// save caches the whole list, with progress.
func (b *offlineBar) save(_ app.Context, e app.Event) {
	b.state, b.done = saveRunning, 0
	list, ctx := b.list, b.ctx
	ctx.Async(func() {
		err := saveOffline(list, func(done int64) {
			ctx.Dispatch(func(ctx app.Context) { b.done = done })
		})
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				b.state, b.msg = saveFailed, "Saving stopped: "+err.Error()
				return
			}
			b.state, b.done = saveDone, b.total
		})
	})
}

// size is the sum of the files' sizes.
func (l offlineList) size() int64 {
	var n int64
	for _, f := range l.Files {
		n += f.Size
	}
	return n
}

// megabytes writes a size for people: "23.4 MB".
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
