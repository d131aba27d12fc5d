package main

import (
	"fmt"
	"time"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// This file opens the visitor's own model in the lab: from the file
// picker, from a file dropped on the page, or from an address (a link's or
// a message's model_url). A model that cannot be opened leaves the lab
// with the model it had, and the panel says why.

// measureDigits is how many bundled test digits the lab measures an opened
// model's errors on when its file does not carry them.
const measureDigits = 1000

// cardOf is the card of a model the lab holds.
func (l *lab) cardOf(name string, m *core.Model) modelCard {
	if name != openedModel {
		return newModelCard(m)
	}
	c := newOpenedCard(m)
	if c.Clean == "" && c.Attack == "" {
		c.Measured = true
		c.AttackEps = fmt.Sprintf("%.3f", l.s.Eps())
		if l.measured.model == m && l.measured.eps255 == l.s.Eps255 {
			c.Clean, c.Attack = l.measured.clean, l.measured.attack
		}
	}
	return c
}

// measurement is the last measured errors of the opened model.
type measurement struct {
	model         *core.Model
	eps255        int
	clean, attack string
}

// loadOpened shows the opened model: the one this visit holds, or the
// one the link's model_url names, fetched now.
func (l *lab) loadOpened(ctx app.Context) {
	src, ok := openedSource()
	switch {
	case l.s.ModelURL != "" && (!ok || src.URL != l.s.ModelURL):
		l.openURL(ctx, l.s.ModelURL)
	case ok:
		m, _ := sharedModel(openedModel) // in the store: no fetch
		l.tookOpened(ctx, l.openGen, m, src, nil)
	default:
		l.fallBack(ctx)
	}
}

// openFile opens a File the visitor picked or dropped.
func (l *lab) openFile(ctx app.Context, file app.Value) {
	l.openGen++
	gen := l.openGen
	src := modelSource{File: clipText(file.Get("name").String(), 60)}
	l.picker.open.err = ""
	l.picker.Update()
	ctx.Async(func() {
		b, err := readFileBytes(file, core.MaxModelFile)
		var m *core.Model
		if err == nil {
			m, err = readOpened(b)
		}
		ctx.Dispatch(func(ctx app.Context) { l.tookOpened(ctx, gen, m, src, err) })
	})
}

// openURL fetches a model from an address that checkModelURL accepted,
// showing the download's progress.
func (l *lab) openURL(ctx app.Context, u string) {
	l.openGen++
	gen := l.openGen
	src := modelSource{File: urlFileName(u), URL: u}
	o := &l.picker.open
	o.downloading, o.got, o.total, o.err = true, 0, 0, ""
	l.picker.Update()
	ctx.Async(func() {
		var last time.Time
		b, err := fetchModelURL(u, func(got, total int) {
			if time.Since(last) < 50*time.Millisecond {
				return
			}
			last = time.Now()
			ctx.Dispatch(func(ctx app.Context) {
				if gen == l.openGen && o.downloading {
					o.got, o.total = got, total
					l.picker.Update()
				}
			})
		})
		var m *core.Model
		if err == nil {
			m, err = readOpened(b)
		}
		ctx.Dispatch(func(ctx app.Context) { l.tookOpened(ctx, gen, m, src, err) })
	})
}

// tookOpened shows a model that was opened, or why it could not be.
func (l *lab) tookOpened(ctx app.Context, gen int, m *core.Model, src modelSource, err error) {
	if gen != l.openGen {
		return // a later attempt replaced this one
	}
	o := &l.picker.open
	o.downloading = false
	if err != nil {
		o.err = fmt.Sprintf("Could not open %s: %v.", or(src.File, "the model"), err)
		if l.s.Model == openedModel && l.models[openedModel] == nil {
			l.fallBack(ctx) // the link named it: there is no model yet
		} else {
			o.err += " The lab keeps the model it had."
			l.picker.Update()
		}
		l.postError(o.err)
		mark("fgsmlab:open-failed")
		return
	}
	putOpened(m, src)
	l.models[openedModel] = m
	o.src, o.name, o.err = src, m.Name, ""
	l.measured = measurement{}
	l.s.Model, l.s.ModelURL = openedModel, src.URL
	card := l.cardOf(openedModel, m)
	l.picker.show(openedModel, &card, "")
	mark("fgsmlab:model-opened")
	l.recompute(ctx)
	l.measureOpened(ctx)
}

// fallBack shows the default model when the one the link named cannot be.
func (l *lab) fallBack(ctx app.Context) {
	l.s.ModelURL = ""
	def := modelNames[0]
	if l.picker.open.err != "" {
		l.picker.open.err += " The lab shows " + def + " instead."
	}
	l.onModel(ctx, def)
}

// measureSoon measures the opened model's errors again once ε has stayed
// put for a moment.
func (l *lab) measureSoon(ctx app.Context) {
	l.measureWait++
	wait := l.measureWait
	l.measure.cancel()
	ctx.After(500*time.Millisecond, func(ctx app.Context) {
		if wait == l.measureWait {
			l.measureOpened(ctx)
		}
	})
}

// measureOpened measures, when the opened model is shown and its file
// does not carry its errors, its clean error and its FGSM error at the
// current ε on the bundled test digits, a slice per browser task.
func (l *lab) measureOpened(ctx app.Context) {
	m := l.models[openedModel]
	if l.s.Model != openedModel || m == nil || l.samples == nil {
		return
	}
	if c := newModelCard(m); c.Clean != "" || c.Attack != "" {
		return // the file says them
	}
	eps255 := l.s.Eps255
	if l.measured.model == m && l.measured.eps255 == eps255 {
		return
	}
	d := l.samples.Slice(0, min(measureDigits, l.samples.Len()))
	run := &errorRun{m: m, d: d, o: core.Options{Epsilon: float64(eps255) / 255}}
	o := &l.picker.open
	o.measuring, o.progress = true, 0
	l.showOpenedCard()
	l.measure.start(ctx, []stage{{step: run.step, progress: run.progress}},
		func(ctx app.Context) {
			o.progress = l.measure.Progress()
			l.picker.Update()
		},
		func(ctx app.Context) {
			o.measuring = false
			l.measured = measurement{model: m, eps255: eps255,
				clean: percent(run.clean.Result().Error), attack: percent(run.fgsm.Result().Error)}
			l.showOpenedCard()
			mark("fgsmlab:opened-measured")
		})
}

// errorRun measures a model's clean error and FGSM error (with the true
// labels, clipped to [0, 1]) on a digit set, a few digits per step, as
// core.Evaluate and core.Sweep count them. Unlike core.SweepRun it keeps no
// copy of the weights, which for a model of millions of parameters would
// cost tens of megabytes and one long task to make.
type errorRun struct {
	m           *core.Model
	d           *core.Dataset
	o           core.Options
	done        int
	clean, fgsm core.Tally
}

func (r *errorRun) step(n int) bool {
	end := min(r.done+n, r.d.Len())
	b := r.d.Slice(r.done, end)
	clean, adv := core.Craft(r.m, b.Images, b.Labels, core.AttackFGSM, r.o)
	r.clean.Add(clean, b.Labels)
	r.fgsm.Add(r.m.Predict(adv), b.Labels)
	r.done = end
	return r.done == r.d.Len()
}

func (r *errorRun) progress() float64 { return float64(r.done) / float64(max(1, r.d.Len())) }

// showOpenedCard redraws the opened model's card when it is shown.
func (l *lab) showOpenedCard() {
	if m := l.models[openedModel]; m != nil && l.s.Model == openedModel {
		card := l.cardOf(openedModel, m)
		l.picker.show(openedModel, &card, "")
	}
}

// dropTarget covers the page while a file is dragged over it (html.dragging,
// set by listenDrops), saying what a drop does.
func dropTarget() app.UI {
	return app.Div().Class("drop-target").Aria("hidden", true).Body(
		app.P().Body(
			app.Strong().Text("Drop your model here"),
			app.Span().Text("a .safetensors file: the lab attacks it with the digit and ε you have"),
		),
	)
}

// listenDrops lets a file dropped anywhere on the page open as the
// visitor's model. While files are dragged over the page the document has
// the class "dragging", which shows the drop target.
func (l *lab) listenDrops() {
	doc := app.Window().Get("document")
	root := doc.Get("documentElement")
	dragging := func(on bool) { root.Get("classList").Call("toggle", "dragging", on) }
	hasFiles := func(e app.Value) bool {
		dt := e.Get("dataTransfer")
		if !dt.Truthy() {
			return false
		}
		return app.Window().Get("Array").Call("from", dt.Get("types")).Call("includes", "Files").Bool()
	}
	over := app.FuncOf(func(this app.Value, args []app.Value) any {
		if e := args[0]; hasFiles(e) {
			e.Call("preventDefault") // allows the drop
			e.Get("dataTransfer").Set("dropEffect", "copy")
			dragging(true)
		}
		return nil
	})
	leave := app.FuncOf(func(this app.Value, args []app.Value) any {
		if e := args[0]; !e.Get("relatedTarget").Truthy() {
			dragging(false) // left the window
		}
		return nil
	})
	drop := app.FuncOf(func(this app.Value, args []app.Value) any {
		e := args[0]
		if !hasFiles(e) {
			return nil
		}
		e.Call("preventDefault") // the browser would open the file instead
		dragging(false)
		files := e.Get("dataTransfer").Get("files")
		if files.Length() > 0 {
			file := files.Index(0)
			l.ctx.Dispatch(func(ctx app.Context) { l.openFile(ctx, file) })
		}
		return nil
	})
	w := app.Window()
	for _, h := range []struct {
		event string
		f     app.Func
	}{{"dragenter", over}, {"dragover", over}, {"dragleave", leave}, {"drop", drop}} {
		w.Call("addEventListener", h.event, h.f)
	}
	l.release = append(l.release, func() {
		w.Call("removeEventListener", "dragenter", over)
		w.Call("removeEventListener", "dragover", over)
		w.Call("removeEventListener", "dragleave", leave)
		w.Call("removeEventListener", "drop", drop)
		dragging(false)
		over.Release()
		leave.Release()
		drop.Release()
	})
}
