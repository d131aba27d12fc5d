package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// This file connects the lab to the page that frames it, through
// window.postMessage (see message.go for the messages).

// listen starts accepting fgsmlab:set and fgsmlab:draw messages.
func (l *lab) listen() {
	f := app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) > 0 {
			l.onMessage(args[0])
		}
		return nil
	})
	w := app.Window()
	w.Call("addEventListener", "message", f)
	l.release = append(l.release, func() {
		w.Call("removeEventListener", "message", f)
		f.Release()
	})
}

// onMessage runs on the JavaScript event. It ignores messages that are not
// meant for the lab, refuses other origins, and answers a message of the
// wrong shape with an fgsmlab:error saying why.
func (l *lab) onMessage(e app.Value) {
	data := e.Get("data")
	if data.Type() != app.TypeObject || data.IsNull() {
		return
	}
	typ := data.Get("type")
	if typ.Type() != app.TypeString || !strings.HasPrefix(typ.String(), "fgsmlab:") {
		return // not for us
	}
	if t := typ.String(); t == msgState || t == msgError {
		return // our own posts, seen when the lab is not framed
	}
	origin := e.Get("origin").String()
	if !l.trusted(e.Get("source"), origin) {
		app.Window().Get("console").Call("warn", "fgsmlab: ignored a message from an origin that does not frame the lab: "+origin)
		return
	}
	text, err := stringify(data)
	var cmd command
	if err == nil {
		cmd, err = parseMessage(text, l.sampleCount())
	}
	if err != nil {
		reply := map[string]any{"type": msgError, "error": err.Error()}
		if src := e.Get("source"); src.Truthy() {
			src.Call("postMessage", reply, origin)
		}
		return
	}
	l.ctx.Dispatch(func(ctx app.Context) { l.apply(ctx, cmd) })
}

// trusted says whether a message comes from the lab's own origin, or from
// the page that frames it with that page's origin.
func (l *lab) trusted(source app.Value, origin string) bool {
	w := app.Window()
	own := w.Get("location").Get("origin").String()
	if origin == own && origin != "null" {
		return true
	}
	parent := w.Get("parent")
	framed := !parent.Equal(w.JSValue())
	return framed && source.Equal(parent) && origin == parentOrigin() && origin != ""
}

// parentOrigin returns the origin of the framing page, from
// location.ancestorOrigins where the browser has it, else from the referrer.
func parentOrigin() string {
	w := app.Window()
	if ao := w.Get("location").Get("ancestorOrigins"); ao.Truthy() && ao.Length() > 0 {
		return ao.Index(0).String()
	}
	ref := w.Get("document").Get("referrer").String()
	u, err := url.Parse(ref)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// stringify turns a message into JSON in the browser, so that Go checks a
// plain string. A value JSON cannot hold (a cycle, a BigInt) is an error.
func stringify(v app.Value) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("message cannot be written as JSON")
		}
	}()
	return app.Window().Get("JSON").Call("stringify", v).String(), nil
}

func (l *lab) sampleCount() int {
	if l.samples == nil {
		return 0
	}
	return l.samples.Len()
}

// apply carries out a checked message.
func (l *lab) apply(ctx app.Context, cmd command) {
	if cmd.input != nil {
		l.pad.clear()
		l.onDraw(ctx, cmd.input)
		return
	}
	before := l.s
	cmd.set(&l.s)
	l.controls.show(l.s)
	l.eps.show(l.s.Eps255)
	if l.s.Model != before.Model {
		l.onModel(ctx, l.s.Model)
	}
	if l.s.Sample != before.Sample && l.s.Sample >= 0 {
		l.useSample(ctx, l.s.Sample)
		return
	}
	l.recompute(ctx)
}

// postState tells the framing page (or the lab's own window when it is not
// framed) the current result, as an fgsmlab:state message.
func (l *lab) postState() {
	o := l.out
	if o == nil {
		return
	}
	msg := stateMessage{
		Type:        msgState,
		Model:       l.s.Model,
		Attack:      l.s.Attack,
		Eps:         l.s.Eps(),
		Target:      l.s.Target,
		Clean:       predMessage{Label: o.CleanLabel, Confidence: o.Clean[o.CleanLabel], Probs: o.Clean},
		Adversarial: predMessage{Label: o.AdvLabel, Confidence: o.Fool[o.AdvLabel], Probs: o.Fool},
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return
	}
	w := app.Window()
	obj := w.Get("JSON").Call("parse", string(b))
	parent := w.Get("parent")
	if parent.Equal(w.JSValue()) {
		w.Call("postMessage", obj, w.Get("location").Get("origin"))
		return
	}
	target := parentOrigin()
	if target == "" {
		target = "*" // the state is not secret; an unknown parent still gets it
	}
	parent.Call("postMessage", obj, target)
}

// exposeHooks publishes window.fgsmlabBench(n) for the in-browser benchmark:
// it times the lab's own predict + FGSM + predict on the current model and
// input over n rounds, and returns JSON with the median and 90th percentile
// in milliseconds, and the medians of one predict and one input gradient.
// Rounds of several runs each get past the coarse timer browsers give pages.
func (l *lab) exposeHooks() {
	f := app.FuncOf(func(this app.Value, args []app.Value) any {
		rounds := 21
		if len(args) > 0 && args[0].Type() == app.TypeNumber {
			rounds = min(max(args[0].Int(), 1), 1000)
		}
		m, x := l.models[l.s.Model], l.x
		if m == nil || x == nil {
			return `{"error":"no model or input yet"}`
		}
		s := l.s
		s.Attack = core.AttackFGSM
		perf := app.Window().Get("performance")
		// median times fn over the rounds, in milliseconds per call.
		median := func(fn func()) (float64, float64) {
			const runs = 20
			var times []float64
			for range rounds {
				t0 := perf.Call("now").Float()
				for range runs {
					fn()
				}
				times = append(times, (perf.Call("now").Float()-t0)/runs)
			}
			sort.Float64s(times)
			return times[len(times)/2], times[len(times)*9/10]
		}
		med, p90 := median(func() { attack(m, x, s) })
		pred, _ := median(func() { m.PredictOne(x) })
		grad, _ := median(func() { m.InputGradientOne(x, 0) })
		b, _ := json.Marshal(map[string]any{
			"model": s.Model, "rounds": rounds, "runs_per_round": 20,
			"median_ms": med, "p90_ms": p90, "predict_ms": pred, "gradient_ms": grad,
		})
		return string(b)
	})
	app.Window().Set("fgsmlabBench", f)
	l.release = append(l.release, f.Release)
}
