package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"sort"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// This file connects the lab to the page that frames it, through
// window.postMessage (see message.go for the messages).

// listen starts accepting fgsmlab:set and fgsmlab:draw messages. Checked
// messages wait in an inbox and are applied once a frame, so that a burst
// of them costs one recompute.
func (l *lab) listen() {
	in := &inbox{}
	in.frame = app.FuncOf(func(this app.Value, args []app.Value) any {
		l.ctx.Dispatch(func(ctx app.Context) {
			for _, cmd := range in.take() {
				l.apply(ctx, cmd)
			}
		})
		return nil
	})
	f := app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		if cmd, ok := l.onMessage(args[0]); ok {
			l.ctx.Dispatch(func(ctx app.Context) { in.add(cmd) })
		}
		return nil
	})
	w := app.Window()
	w.Call("addEventListener", "message", f)
	l.release = append(l.release, func() {
		w.Call("removeEventListener", "message", f)
		f.Release()
		in.frame.Release()
	})
}

// inbox holds the checked messages that arrived since the last frame. It
// is used from Dispatch handlers only.
type inbox struct {
	cmds  []command
	asked bool
	frame app.Func
}

// add queues a message and asks for a frame. A cross-site frame that is
// out of view gets no animation frames, so a timeout stands in for one.
func (in *inbox) add(cmd command) {
	in.cmds = append(in.cmds, cmd)
	if in.asked {
		return
	}
	in.asked = true
	w := app.Window()
	w.Call("requestAnimationFrame", in.frame)
	w.Call("setTimeout", in.frame, 100)
}

// take empties the inbox, coalesced.
func (in *inbox) take() []command {
	cmds := coalesce(in.cmds)
	in.cmds, in.asked = nil, false
	return cmds
}

// onMessage runs on the JavaScript event and returns the checked message.
// It checks the sender before it reads e.data, because reading it
// deserializes the whole message: an untrusted frame's megabytes are never
// touched. A trusted sender's message is read field by field (pageValue),
// and one of the wrong shape gets an fgsmlab:error saying why.
func (l *lab) onMessage(e app.Value) (command, bool) {
	origin, source := e.Get("origin").String(), e.Get("source")
	if !l.trusted(source, origin) {
		warnUntrusted(origin)
		return command{}, false
	}
	cmd, err := l.read(e.Get("data"))
	if err == errNotForLab {
		return command{}, false
	}
	if err != nil {
		reply := map[string]any{"type": msgError, "error": err.Error()}
		if source.Truthy() {
			source.Call("postMessage", reply, origin)
		}
		return command{}, false
	}
	return cmd, true
}

var errNotForLab = errors.New("not a message for the lab")

// read checks a trusted message. syscall/js panics on what it cannot
// represent; a message must never make Go exit, so a panic here is an
// error for the sender.
func (l *lab) read(data app.Value) (cmd command, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("message could not be read: %v", r)
		}
	}()
	v := pageValue{data}
	if !forLab(v) {
		return command{}, errNotForLab
	}
	return parseMessage(v, l.sampleCount())
}

// warned holds the origins already warned about: a hostile frame may post
// thousands of messages. Used from the message handler only.
var warned = map[string]bool{}

func warnUntrusted(origin string) {
	if warned[origin] || len(warned) > 100 {
		return
	}
	warned[origin] = true
	app.Window().Get("console").Call("warn", "fgsmlab: ignoring messages from an origin that does not frame the lab: "+origin)
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

// pageValue is a JavaScript value seen through jsValue, for the message
// checks. Each method reads one thing, so nothing is converted to Go
// before its type and size are checked.
type pageValue struct{ v app.Value }

// Kind recovers from syscall/js's panic on a BigInt, which it has no type
// for: a trusted page can post one, and Go must not exit over it.
func (p pageValue) Kind() (k jsKind) {
	defer func() {
		if recover() != nil {
			k = jsOther
		}
	}()
	switch p.v.Type() {
	case app.TypeUndefined:
		return jsUndefined
	case app.TypeNull:
		return jsNull
	case app.TypeBoolean:
		return jsBoolean
	case app.TypeNumber:
		return jsNumber
	case app.TypeString:
		return jsString
	case app.TypeObject:
		if app.Window().Get("Array").Call("isArray", p.v).Bool() {
			return jsArray
		}
		return jsObject
	}
	return jsOther
}

func (p pageValue) Keys() []string {
	keys := app.Window().Get("Object").Call("keys", p.v)
	n := min(keys.Length(), maxKeys+1)
	out := make([]string, n)
	for i := range out {
		out[i] = keys.Index(i).String()
	}
	return out
}

func (p pageValue) Get(key string) jsValue { return pageValue{p.v.Get(key)} }

// Len reads a string's length through its String object: syscall/js reads
// properties of objects only, and String() would copy the whole string.
func (p pageValue) Len() int {
	if p.v.Type() == app.TypeString {
		return app.Window().Call("Object", p.v).Length()
	}
	return p.v.Length()
}

func (p pageValue) Index(i int) jsValue { return pageValue{p.v.Index(i)} }
func (p pageValue) Float() float64      { return p.v.Float() }
func (p pageValue) Str() string         { return p.v.String() }

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
	if err := cmd.set(&l.s); err != nil {
		l.postError(err.Error())
	}
	l.controls.show(l.s)
	l.eps.show(l.s)
	if l.s.Model != before.Model {
		l.onModel(ctx, l.s.Model)
	}
	if cmd.modelURL != "" {
		l.openURL(ctx, cmd.modelURL) // shown once it has arrived
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
		Norm:        "linf",
		Settings:    map[string]float64{},
		Target:      l.s.Target,
		Clean:       predMessage{Label: o.CleanLabel, Confidence: o.Clean[o.CleanLabel], Probs: o.Clean},
		Adversarial: predMessage{Label: o.AdvLabel, Confidence: o.Fool[o.AdvLabel], Probs: o.Fool},
		Eta:         etaMessage{LInf: o.LInf, L2: o.L2, L0: o.L0},
	}
	switch {
	case l.s.sized():
		msg.Eps, msg.Norm = 0, "none"
	case l.s.Attack.L2():
		msg.Eps, msg.Norm = l.s.EpsL2, "l2"
	}
	for _, u := range attackInfo(l.s.Attack).Params {
		msg.Settings[params[u.ID].Key] = l.s.Params[u.ID]
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

// postError tells the framing page (or the lab's own window) about a
// failure that came after its message was accepted, such as a model_url
// that did not download, as an fgsmlab:error message.
func (l *lab) postError(why string) {
	w := app.Window()
	msg := map[string]any{"type": msgError, "error": why}
	parent := w.Get("parent")
	if parent.Equal(w.JSValue()) {
		w.Call("postMessage", msg, w.Get("location").Get("origin"))
		return
	}
	if target := parentOrigin(); target != "" {
		parent.Call("postMessage", msg, target) // an error may name an address: not to "*"
	}
}

// exposeHooks publishes window.fgsmlabMemory(), the bytes of WebAssembly
// memory the Go runtime holds (runtime.MemStats.Sys: the memory only
// grows, so this is what a message cost the page for good), and
// window.fgsmlabBench(n, attack) for the in-browser benchmark:
// it times the lab's own predict + FGSM + predict on the current model and
// input over n rounds, and returns JSON with the median and 90th percentile
// in milliseconds, the medians of one predict and one input gradient, and
// what the job computed (x, ε, the clean probabilities, x̃ and its
// probabilities), so that another implementation can be checked against it.
// Rounds of several runs each get past the coarse timer browsers give pages.
// Given an attack's name, it also times that attack with its default
// settings (the computation alone, not sliced) as attack_ms and
// attack_p90_ms.
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
		s.setAttack(core.AttackFGSM)
		perf := app.Window().Get("performance")
		// median times fn over the rounds, in milliseconds per call, with
		// runs calls a round.
		median := func(runs int, fn func()) (float64, float64) {
			var times []float64
			for range rounds {
				t0 := perf.Call("now").Float()
				for range runs {
					fn()
				}
				times = append(times, (perf.Call("now").Float()-t0)/float64(runs))
			}
			sort.Float64s(times)
			return times[len(times)/2], times[len(times)*9/10]
		}
		med, p90 := median(20, func() { attack(m, x, s) })
		pred, _ := median(20, func() { m.PredictOne(x) })
		grad, _ := median(20, func() { m.InputGradientOne(x, 0) })
		o := attack(m, x, s)
		out := map[string]any{
			"model": s.Model, "rounds": rounds, "runs_per_round": 20,
			"median_ms": med, "p90_ms": p90, "predict_ms": pred, "gradient_ms": grad,
			"x": o.X, "eps": s.Eps(), "clip": s.Clip, "round": s.Round,
			"clean": o.Clean, "adv": o.Adv, "fool": o.Fool,
		}
		if len(args) > 1 && args[1].Type() == app.TypeString && slices.Contains(attackNames, args[1].String()) {
			a := s
			a.setAttack(core.Attack(args[1].String()))
			runs := 20
			if slow(a.Attack) {
				runs = 2
			}
			out["attack"] = a.Attack
			out["attack_ms"], out["attack_p90_ms"] = median(runs, func() { attack(m, x, a) })
			ao := attack(m, x, a)
			out["attack_success"], out["attack_l2"], out["attack_linf"] = ao.Success, ao.L2, ao.LInf
		}
		b, _ := json.Marshal(out)
		return string(b)
	})
	app.Window().Set("fgsmlabBench", f)
	mem := app.FuncOf(func(this app.Value, args []app.Value) any {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.Sys)
	})
	app.Window().Set("fgsmlabMemory", mem)
	l.release = append(l.release, f.Release, mem.Release)
}
