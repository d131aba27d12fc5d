package main

import (
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// lab is the page. It owns the state (settings, input, models, outcome) and
// the child views, which it keeps for its whole life: Render returns the
// same children every time, so re-rendering the lab never re-renders them;
// the lab tells each one what to show when that changes. Data flows one way:
// input → model → attack → views.
type lab struct {
	app.Compo

	ctx          app.Context
	s            settings
	notices      []string
	x            []float64 // the model input, nil when there is none
	samples      *core.Dataset
	models       map[string]*core.Model
	loading      map[string]bool
	out          *outcome
	first        bool // the first outcome has been shown
	galleryShown bool
	samplesAsked bool
	seen         string // the input as a PNG data: URL, "" with none

	// example is the result the page's HTML was rendered with: the server
	// renders it, and the runtime starts from it when the link matches
	// (firstexample.go). classes are its model's until the model loads.
	example *firstExample
	classes []string
	// prefetch is, in the server's HTML, the address of the model the first
	// prediction needs: the loader fetches it once app.wasm has arrived,
	// while Go starts, rather than after.
	prefetch string

	pad      *pad
	gallery  *gallery
	picker   *modelPanel
	controls *attackPanel
	eps      *epsSlider
	figure   *figure
	bars     *bars
	share    *shareBar
	nearest  *nearestPanel
	// nearestHeld is the server's HTML of the nearest panel, shown until
	// the first outcome: mounting the panel (13 rows of controls) was
	// about a quarter of go-app's mount of the lab, in the start's longest
	// task, for a panel below the result that needs a result to act.
	nearestHeld string

	// The visitor's own model (lab_open.go): openGen numbers the attempts
	// to open one, so that only the last one counts; measure computes its
	// errors when its file does not say them.
	openGen     int
	measure     chunkRunner
	measureWait int // numbers the requests to measure, for the debounce
	measured    measurement
	grads       gradientCache // what FGSM keeps while ε moves
	slowModel   *core.Model   // a model whose outcome took over slowCompute
	frameAsked  bool          // recomputeOnFrame is pending
	// runs numbers the requests for an outcome: a sliced attack (runSliced)
	// still running when a newer request comes stops at its next slice.
	runs atomic.Int64

	release []func()
}

func newLab() *lab {
	l := &lab{
		s:       defaultSettings(),
		models:  map[string]*core.Model{},
		loading: map[string]bool{},
		figure:  newFigure(),
		bars:    newBars(),
	}
	l.pad = newPad(l.onDraw)
	l.gallery = newGallery(l.onSample)
	l.picker = newModelPanel(l.onModel, l.openFile)
	l.controls = newAttackPanel(l.onSettings)
	l.eps = newEpsSlider(l.onEps)
	l.share = newShareBar(l.link)
	l.nearest = newNearestPanel()
	return l
}

// OnInit reads the link before the first render, so that embed mode and
// the notice are there from the start (see linkParams).
func (l *lab) OnInit() {
	l.readLink(pageLink())
	if e := readFirstExample(); e != nil {
		l.adopt(e)
	}
	if el := app.Window().GetElementByID("nearest"); app.IsClient && el.Truthy() {
		l.nearestHeld = el.Get("outerHTML").String()
	}
}

// nearestView is the nearest panel, or its server HTML until the first
// outcome (see nearestHeld).
func (l *lab) nearestView() app.UI {
	if !l.first && l.nearestHeld != "" {
		return app.Raw(l.nearestHeld)
	}
	return l.nearest
}

func (l *lab) readLink(q *linkParams) {
	l.s = parseSettings(q)
	l.notices = q.notices()
	l.x = l.s.Input
	l.setSeen()
}

// OnPreRender, on the server only, computes the example the requested link
// names, so that the page's HTML shows it (firstexample.go).
func (l *lab) OnPreRender(ctx app.Context) {
	e, err := exampleFor(l.s, ctx.Page().URL().RawQuery)
	if err != nil {
		return // the page renders as the runtime starts: without a result
	}
	l.adopt(e)
	l.prefetch = ctx.ResolveStaticResource("/web/models/" + l.s.Model + ".safetensors")
	l.figure.Update()
	l.bars.Update()
	l.share.Update()
	l.picker.Update()
	l.Update()
}

// adopt shows the pre-rendered example e until the model arrives and the
// runtime computes the same result itself.
func (l *lab) adopt(e *firstExample) {
	l.example, l.classes = e, e.Classes
	o := e.Out
	l.out, l.x = &o, o.X
	l.setSeen()
	l.figure.set(&o, l.s, e.Classes)
	l.bars.set(&o, e.Classes)
	l.share.set(&o)
	l.picker.set(l.s.Model, &e.Card, "")
}

func (l *lab) OnMount(ctx app.Context) {
	l.ctx = ctx
	s := l.s
	l.controls.show(s)
	l.eps.show(s)
	if l.example == nil {
		l.picker.show(s.Model, nil, "loading")
	}
	l.listen()
	l.listenDrops()
	l.exposeHooks()
	if l.x == nil {
		l.loadSamples(ctx) // the link names a test digit: the first prediction needs them
	}
	l.loadModel(ctx, s.Model)
	app.Window().Get("document").Get("documentElement").Get("dataset").Set("fgsmlab", "mounted")
	mark("fgsmlab:mounted")
}

func (l *lab) OnDismount() {
	for _, f := range l.release {
		f()
	}
}

func (l *lab) Render() app.UI {
	class := "lab"
	if l.s.Embed {
		class += " embed"
	}
	if l.first {
		class += " page-live" // the runtime has computed a result: hides "starting…"
	}
	return app.Div().ID("lab").Class(class).DataSet("model", l.loadedModel()).
		DataSet("example", l.example.kind()).DataSet("prefetch", l.prefetch).Body(
		pageHeader("fgsmlab", "Draw a digit. Nudge every pixel by at most ε, in the direction that hurts the model most. Watch it change its mind."),
		pageNav("/", l.s.Embed),
		noticeList(l.notices),
		app.Main().Class("grid").Body(
			app.Section().Class("card c-input").Aria("labelledby", "h-input").Body(
				heading("h-input", "1", "Your digit"),
				app.Div().Class("input-row").Body(
					l.pad,
					l.renderSeen(),
				),
				l.gallery,
			),
			app.Section().Class("card c-attack").Aria("labelledby", "h-attack").Body(
				heading("h-attack", "2", "Model and attack"),
				l.picker,
				l.controls,
			),
			app.Section().Class("card c-result").Aria("labelledby", "h-result").Body(
				heading("h-result", "3", "Result: x + η = x̃"),
				l.eps,
				l.figure,
				l.bars,
				l.share,
			),
			app.If(!l.s.Embed, l.nearestView()),
		),
		app.Footer().Class("foot").Body(
			app.P().Text("Everything runs in your browser: the models are Go compiled to WebAssembly, and the lab works offline after your first visit."),
		),
		app.If(!app.IsClient, exampleData(l.example)),
		dropTarget(),
	)
}

// heading is a card's title. Until the runtime has computed its first
// result, it says "starting…": the controls below look alive but do not
// answer yet (lab.css hides the marker once the lab is live, without
// moving anything).
func heading(id, step, text string) app.UI {
	return app.H2().ID(id).Body(
		app.Span().Class("step").Aria("hidden", true).Text(step),
		app.Text(text),
		app.Span().Class("starting").Aria("hidden", true).Text("starting…"),
	)
}

// renderSeen shows the 28×28 input the model sees and its live prediction.
func (l *lab) renderSeen() app.UI {
	say := app.P().Class("live muted").Text("Draw in the black square.")
	if o := l.out; o != nil {
		say = app.P().Class("live").Body(
			app.Span().Class("muted").Text("The model says"),
			app.Strong().ID("live-label").Text(l.className(o.CleanLabel)),
			app.Span().Class("muted").Text(fmt.Sprintf("%.0f%% sure", 100*o.Clean[o.CleanLabel])),
		)
	} else if l.x != nil {
		say = app.P().Class("live muted").Text("Loading the model…")
	}
	return app.Div().Class("seen").Body(
		resultImg("seen", l.seen, "The 28 by 28 input the model sees"),
		app.P().Class("small muted").Text("What the model sees: 28×28, centred as in MNIST"),
		say,
	)
}

func (l *lab) className(c int) string {
	if c < len(l.classes) {
		return l.classes[c]
	}
	return fmt.Sprint(c)
}

// setSeen draws the input the model sees.
func (l *lab) setSeen() {
	l.seen = ""
	if l.x != nil {
		l.seen = pixURL(grayRGBA(l.x))
	}
}

func (l *lab) loadedModel() string {
	if l.models[l.s.Model] != nil {
		return l.s.Model
	}
	return ""
}

func (l *lab) loadSamples(ctx app.Context) {
	if l.samplesAsked {
		return
	}
	l.samplesAsked = true
	ctx.Async(func() {
		// sharedDigits decodes in slices and yields after, so the first
		// prediction starts a browser task of its own.
		d, err := sharedDigits(testDigits, nil)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				l.gallery.fail("The test digits did not load: " + err.Error())
				return
			}
			l.samples = d
			mark("fgsmlab:samples-decoded")
			l.measureOpened(ctx)
			// The thumbnails wait for the first result, or a while.
			ctx.After(1500*time.Millisecond, l.showGallery)
			if l.s.Sample >= d.Len() {
				l.notices = append(l.notices, "The link names a test digit this site does not have; showing the first one.")
				l.s.Sample = 0
			}
			if l.x == nil && l.s.Sample >= 0 {
				l.useSample(ctx, l.s.Sample)
			}
		})
	})
}

func (l *lab) loadModel(ctx app.Context, name string) {
	if l.models[name] != nil || l.loading[name] {
		return
	}
	if name == openedModel {
		l.loadOpened(ctx)
		return
	}
	l.loading[name] = true
	ctx.Async(func() {
		m, err := sharedModel(name) // the store also holds the models trained in the page
		ctx.Dispatch(func(ctx app.Context) {
			l.loading[name] = false
			if err != nil {
				if name == l.s.Model {
					l.picker.show(name, nil, fmt.Sprintf("The %s model did not load. %v", name, err))
				}
				l.showGallery(ctx)
				return
			}
			l.models[name] = m
			mark("fgsmlab:model-decoded")
			if name == l.s.Model {
				card := l.cardOf(name, m)
				l.picker.show(name, &card, "")
				l.recompute(ctx)
			}
		})
	})
}

// showGallery fills the gallery once the samples are there.
func (l *lab) showGallery(ctx app.Context) {
	if l.galleryShown || l.samples == nil {
		return
	}
	l.galleryShown = true
	l.gallery.show(l.samples)
	mark("fgsmlab:gallery-shown")
}

// onDraw takes a new input from the pad (nil when it is empty).
func (l *lab) onDraw(ctx app.Context, x []float64) {
	l.x = x
	l.s.Sample, l.s.Input = -1, x
	l.gallery.choose(-1)
	l.recompute(ctx)
}

func (l *lab) onSample(ctx app.Context, i int) {
	l.useSample(ctx, i)
}

func (l *lab) useSample(ctx app.Context, i int) {
	if l.samples == nil || i < 0 || i >= l.samples.Len() {
		return
	}
	l.x = slices.Clone(l.samples.Image(i))
	l.s.Sample, l.s.Input = i, nil
	l.pad.clear()
	l.gallery.choose(i)
	l.recompute(ctx)
}

func (l *lab) onModel(ctx app.Context, name string) {
	l.s.Model = name
	if name != openedModel {
		l.s.ModelURL = ""
		l.measure.cancel() // the opened model's errors are measured when it is shown
		l.picker.open.measuring = false
	}
	if m := l.models[name]; m != nil {
		card := l.cardOf(name, m)
		l.picker.show(name, &card, "")
	} else {
		l.picker.show(name, nil, "loading")
		l.loadModel(ctx, name)
	}
	l.recompute(ctx)
	l.measureOpened(ctx) // when it is the opened model, and not measured yet
}

// onSettings takes the attack controls' settings.
func (l *lab) onSettings(ctx app.Context, s settings) {
	l.s.Attack, l.s.Target, l.s.Params = s.Attack, s.Target, s.Params
	l.s.Clip, l.s.Round = s.Clip, s.Round
	l.eps.show(l.s) // an L2 attack has a slider of its own, and some none
	l.recompute(ctx)
}

func (l *lab) onEps(ctx app.Context, s settings) {
	l.s.Eps255, l.s.EpsL2 = s.Eps255, s.EpsL2
	if m := l.models[l.s.Model]; m != nil && m == l.slowModel {
		l.recomputeOnFrame(ctx)
	} else {
		l.recompute(ctx)
	}
	if l.s.Model == openedModel {
		l.measureSoon(ctx) // its FGSM error is measured at the slider's ε
	}
}

// recompute runs the attack on the current input and shows the outcome.
// The one-step attacks run at once; the others run in slices (runSliced).
func (l *lab) recompute(ctx app.Context) {
	m := l.models[l.s.Model]
	run := l.runs.Add(1) // a sliced run still going is now stale
	l.nearest.follow(m, l.x)
	switch {
	case m == nil || l.x == nil:
		l.figure.pending("")
		l.show(nil)
	case slow(l.s.Attack):
		l.runSliced(ctx, m, run)
	default:
		t0 := time.Now()
		o := l.grads.attack(m, l.x, l.s)
		o.Took = time.Since(t0)
		if o.Took > slowCompute {
			l.slowModel = m
		}
		l.shown(ctx, &o)
	}
	l.Update()
	l.rewriteURL(ctx)
}

// shown shows a new outcome and tells the framing page.
func (l *lab) shown(ctx app.Context, o *outcome) {
	l.figure.pending("")
	l.show(o)
	l.postState()
	if !l.galleryShown {
		afterPaint(ctx, l.showGallery) // the first result comes first
	}
}

// runSliced runs an iterative attack in the background, handing the
// thread back to the browser every slice (a slicer), so that the page
// answers while PGD takes its forty steps or C&W its hundreds. The last
// outcome stays on screen, marked as being replaced, until the new one is
// ready; a run that a newer request overtook stops at its next slice and
// is never shown.
func (l *lab) runSliced(ctx app.Context, m *core.Model, run int64) {
	s, x := l.s, slices.Clone(l.x)
	l.figure.pending(fmt.Sprintf("Running %s…", attackInfo(s.Attack).Short))
	alive := func() bool { return l.runs.Load() == run }
	ctx.Async(func() {
		t0, sl := time.Now(), newSlicer(alive)
		o := attackWith(m, x, s, sl.Yield)
		o.Took = time.Since(t0) - sl.Away
		ctx.Dispatch(func(ctx app.Context) {
			if alive() {
				l.shown(ctx, &o)
				l.Update()
			}
		})
	})
}

func (l *lab) show(o *outcome) {
	l.out = o
	if m := l.models[l.s.Model]; m != nil {
		l.classes = m.Classes
	}
	l.setSeen()
	l.figure.show(o, l.s, l.classes)
	l.bars.show(o, l.classes)
	l.share.show(o)
	if o != nil && !l.first {
		l.first = true
		w := app.Window()
		w.Set("fgsmlabFirstPrediction", w.Get("performance").Call("now"))
		mark("fgsmlab:first-prediction")
		if l.samples == nil {
			// The digits were not needed for the first result (the page
			// carried it, or the link drew one): they come after it.
			afterPaint(l.ctx, l.loadSamples)
		}
	}
}

// slowCompute is the computing time of an outcome above which the lab
// follows the ε slider once a frame rather than once an input event, for
// that model from then on: a big model's events would otherwise queue up
// behind each other.
const slowCompute = 4 * time.Millisecond

// recomputeOnFrame recomputes once, at the next animation frame, however
// many times it is asked before then. A frame out of view gets no
// animation frames, so a timeout stands in for one.
func (l *lab) recomputeOnFrame(ctx app.Context) {
	if l.frameAsked {
		return
	}
	l.frameAsked = true
	var f app.Func
	f = app.FuncOf(func(this app.Value, args []app.Value) any {
		ctx.Dispatch(func(ctx app.Context) {
			if l.frameAsked {
				l.frameAsked = false
				l.recompute(ctx)
			}
		})
		return nil
	})
	w := app.Window()
	w.Call("requestAnimationFrame", f)
	w.Call("setTimeout", f, 100)
	ctx.After(time.Second, func(app.Context) { f.Release() }) // both calls are done by then
}

// link returns the URL that reproduces the current example.
func (l *lab) link() string {
	u := *app.Window().URL()
	u.RawQuery = l.s.query().Encode()
	u.Fragment = ""
	return u.String()
}

// rewriteURL keeps the address bar in step with the state.
func (l *lab) rewriteURL(ctx app.Context) { setURL(l.link()) }

// mark records a moment in the browser's performance timeline, where the
// benchmark and the developer tools can see it.
func mark(name string) {
	app.Window().Get("performance").Call("mark", name)
}
