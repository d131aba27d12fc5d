package main

import (
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// nearestPanel is the lab's fourth card: for the current digit and model,
// how far the nearest adversarial example is, attack by attack, ranked
// within each norm, with each attack's x̃ and the time it took. The search
// runs on a button press, in a goroutine whose attacks yield to the browser
// every slice (a slicer); a new digit or model, or Cancel, stops it.
type nearestPanel struct {
	app.Compo

	ctx     app.Context // the panel's own: an event's context dies with its element
	m       *core.Model // the lab's model and input; nil when there is none
	x       []float64
	classes []string

	// gen numbers the searches: a search goes on while it is the last one
	// started and not cancelled.
	gen    atomic.Int64
	state  nearestState
	note   string // why the results went, if they did
	plan   []nearestAttack
	rows   []nearestRow      // the attacks done, in plan order
	thumbs map[string]string // x̃ of each attack done, as a data: URL
	began  time.Time
	wall   time.Duration // from the button press to the last result
	// longest is the longest the search kept the browser's thread between
	// two yields, as the slicer measures it.
	longest time.Duration
}

// nearestState is where the panel's search stands.
type nearestState int

const (
	nearestIdle nearestState = iota
	nearestRunning
	nearestDone
	nearestCancelled
)

// String names the state in the panel's data-state, which the tests read.
func (s nearestState) String() string {
	return [...]string{"idle", "running", "done", "cancelled"}[s]
}

func newNearestPanel() *nearestPanel {
	return &nearestPanel{plan: nearestPlan(), thumbs: map[string]string{}}
}

// follow takes the lab's current model and input (either may be nil). When
// they change, a running search stops and the results go, since they were
// for the previous digit or model.
func (p *nearestPanel) follow(m *core.Model, x []float64) {
	if m == p.m && slices.Equal(x, p.x) {
		return
	}
	if p.state == nearestRunning || len(p.rows) > 0 {
		what := "digit"
		if m != p.m {
			what = "model"
		}
		p.note = "The " + what + " changed: the results for the previous one were cleared."
	}
	p.gen.Add(1)
	p.m, p.x, p.rows, p.state = m, slices.Clone(x), nil, nearestIdle
	clear(p.thumbs)
	if m != nil {
		p.classes = m.Classes
	}
	if p.Mounted() { // not in embed mode, which leaves the panel out
		p.Update()
	}
}

func (p *nearestPanel) OnMount(ctx app.Context) { p.ctx = ctx }

func (p *nearestPanel) onFind(ctx app.Context, e app.Event) { p.start() }

func (p *nearestPanel) onCancel(ctx app.Context, e app.Event) {
	if p.state != nearestRunning {
		return
	}
	p.gen.Add(1)
	p.state = nearestCancelled
	p.wall = time.Since(p.began)
	p.Update()
}

// start runs every attack's search on the current input, one after
// another, showing each result as it comes. It runs in the panel's context:
// the button that started it is gone by the first result.
func (p *nearestPanel) start() {
	if p.m == nil || p.x == nil {
		return
	}
	gen := p.gen.Add(1)
	alive := func() bool { return p.gen.Load() == gen }
	m, x, plan := p.m, p.x, p.plan
	p.state, p.rows, p.note, p.began, p.longest = nearestRunning, nil, "", time.Now(), 0
	clear(p.thumbs)
	p.Update()
	mark("fgsmlab:nearest-start")
	ctx := p.ctx
	ctx.Async(func() {
		sl := newSlicer(alive)
		yield, longest := sl.Yield, &sl.Longest
		for _, a := range plan {
			r, ok := runNearest(m, x, a, yield)
			if !ok {
				return
			}
			thumb := ""
			if r.Res.Found && len(r.Res.Adv) == 28*28 {
				thumb = pixURL(grayRGBA(r.Res.Adv))
			}
			ctx.Dispatch(func(ctx app.Context) {
				if !alive() {
					return
				}
				p.rows = append(p.rows, r)
				p.thumbs[string(a.Attack)] = thumb
				p.longest = *longest
				if len(p.rows) == len(plan) {
					p.state, p.wall = nearestDone, time.Since(p.began)
					mark("fgsmlab:nearest-done")
				}
				p.Update()
			})
			if !yield() {
				return
			}
		}
	})
}

func (p *nearestPanel) Render() app.UI {
	groups := rankNearest(p.withPending())
	return app.Section().ID("nearest").Class("card c-nearest").Aria("labelledby", "h-nearest").
		DataSet("state", p.state.String()).DataSet("wall-ms", msString(p.wall)).DataSet("longest-slice-ms", msString(p.longest)).Body(
		heading("h-nearest", "4", "How far is the nearest adversarial example?"),
		app.P().Class("nn-intro muted").Text("Each attack looks for the smallest change η to this digit that changes the model's answer. "+
			"Each row shows the x̃ it found and, after the arrow, the model's new answer; closest first. "+
			"The three norms measure size differently, so each is ranked on its own."),
		p.controls(),
		app.If(p.note != "", app.P().Class("nn-note").Text(p.note)),
		app.Range(groups).Slice(func(i int) app.UI { return p.group(groups[i]) }),
		app.If(p.state == nearestDone, p.summary()),
	)
}

// withPending is the rows done and, after them, a placeholder for each
// attack still to run, so that the chart keeps its shape as it fills.
func (p *nearestPanel) withPending() []nearestRow {
	rows := slices.Clone(p.rows)
	for _, a := range p.plan[len(p.rows):] {
		rows = append(rows, nearestRow{nearestAttack: a, Res: core.Nearest{Runs: -1}})
	}
	return rows
}

// controls are the button, or the progress of a search and its cancel
// button.
func (p *nearestPanel) controls() app.UI {
	if p.state == nearestRunning {
		k, n := len(p.rows), len(p.plan)
		what := fmt.Sprintf("Running %s (%d of %d)…", p.plan[k].Name, k+1, n)
		return app.Div().Class("run-progress nn-progress").Body(
			app.Progress().ID("nn-progress").Max(n).Value(k).Aria("label", what),
			app.Span().ID("nn-status").Class("small").Text(what),
			app.Button().Class("btn").ID("nn-cancel").Text("Cancel").OnClick(p.onCancel),
		)
	}
	label, status := "Find the nearest adversarial examples", ""
	switch p.state {
	case nearestDone:
		label, status = "Search again", fmt.Sprintf("Done in %.1f s.", p.wall.Seconds())
	case nearestCancelled:
		status = fmt.Sprintf("Cancelled after %d of %d attacks.", len(p.rows), len(p.plan))
	}
	if p.m == nil || p.x == nil {
		status = "Draw a digit or pick one, and wait for the model, first."
	}
	return app.Div().Class("run-progress nn-progress").Body(
		app.Button().Class("btn primary").ID("nn-find").Text(label).Disabled(p.m == nil || p.x == nil).OnClick(p.onFind),
		app.If(status != "", app.Span().ID("nn-status").Class("small muted").Text(status)),
	)
}

// group is one norm's ranked chart.
func (p *nearestPanel) group(g nearestGroup) app.UI {
	scale := 0.0
	for _, r := range g.Rows {
		if r.Res.Runs >= 0 && r.Res.Found {
			scale = max(scale, r.Res.Distance)
		}
	}
	rank := 0
	return app.Div().Class("nn-group").DataSet("norm", g.Norm).Body(
		app.H3().Class("nn-title").Text(g.Title),
		app.Ol().Class("nn-list").Body(
			app.Range(g.Rows).Slice(func(i int) app.UI {
				r := g.Rows[i]
				if r.Res.Runs >= 0 && r.Res.Found {
					rank++
				}
				return p.row(r, rank, scale)
			}),
		),
	)
}

// row is one attack: its x̃, name and settings, a bar as long as its
// distance, and what the search cost.
func (p *nearestPanel) row(r nearestRow, rank int, scale float64) app.UI {
	n := len(p.x)
	pending := r.Res.Runs < 0
	li := app.Li().Class("nn-row").DataSet("attack", string(r.Attack)).DataSet("norm", r.norm())
	name := app.Div().Class("nn-name").Body(
		app.Strong().Text(r.Name),
		app.Span().Class("nn-settings").Text(r.settingsLine()),
	)
	if pending {
		status := "waiting"
		if p.state == nearestRunning && r.Attack == p.plan[len(p.rows)].Attack {
			status = "running…"
		} else if p.state != nearestRunning {
			status = ""
		}
		return li.Class("pending").DataSet("distance", "").Body(
			app.Span().Class("nn-rank"),
			app.Span().Class("nn-thumb"),
			name,
			app.Div().Class("nn-bar-cell").Body(app.Span().Class("nn-value muted").Text(status)),
			app.Div().Class("nn-cost"),
		)
	}
	cost := app.Div().Class("nn-cost").Body(
		app.Span().Class("nn-ms").Text(formatMs(r.Compute)),
		app.Span().Class("nn-work").Text(r.work()),
	)
	if !r.Res.Found {
		return li.Class("missed").DataSet("distance", "none").Body(
			app.Span().Class("nn-rank").Text("–"),
			app.Span().Class("nn-thumb"),
			name,
			app.Div().Class("nn-bar-cell").Body(app.Span().Class("nn-value nn-missed").Text(r.notFound(n))),
			cost,
		)
	}
	value := formatDistance(r.norm(), r.Res.Distance, n)
	w := 100.0
	if scale > 0 {
		w = 100 * r.Res.Distance / scale
	}
	thumb := app.UI(app.Span().Class("nn-thumb"))
	if u := p.thumbs[string(r.Attack)]; u != "" {
		thumb = app.Img().Class("pix nn-thumb").Src(u).Alt(fmt.Sprintf("x̃ of %s, read as %s", r.Name, p.className(r.Res.Class))).Width(28).Height(28)
	}
	return li.DataSet("distance", strconv.FormatFloat(r.Res.Distance, 'g', -1, 64)).DataSet("rank", rank).Body(
		app.Span().Class("nn-rank").Text(rank),
		thumb,
		name,
		app.Div().Class("nn-bar-cell").Body(
			app.Div().Class("nn-bar").Style("width", fmt.Sprintf("%.1f%%", max(w, 1))).Role("img").Aria("label", value),
			app.Span().Class("nn-value").Body(
				app.Text(value),
				app.Span().Class("nn-class").Text(" → "+p.className(r.Res.Class)),
			),
		),
		cost,
	)
}

// summary puts the fastest and the slowest attack side by side: the
// paper's "fast" made visible.
func (p *nearestPanel) summary() app.UI {
	if len(p.rows) == 0 {
		return nil
	}
	fast, slow := p.rows[0], p.rows[0]
	for _, r := range p.rows {
		if r.Compute > slow.Compute {
			slow = r
		}
		if r.Attack == core.AttackFGSM {
			fast = r
		}
	}
	var total time.Duration
	for _, r := range p.rows {
		total += r.Compute
	}
	ratio := ""
	if fast.Compute > 0 && slow.Attack != fast.Attack {
		ratio = fmt.Sprintf(", %.0f× as long", float64(slow.Compute)/float64(fast.Compute))
	}
	return app.P().Class("nn-summary small").Text(fmt.Sprintf(
		"The fast gradient sign method took %s (%s); %s took %s (%s%s). All %d searches: %.1f s of computing, %.1f s in all.",
		formatMs(fast.Compute), fast.work(), slow.Name, formatMs(slow.Compute), slow.work(), ratio,
		len(p.rows), total.Seconds(), p.wall.Seconds()))
}

func (p *nearestPanel) className(c int) string {
	if c >= 0 && c < len(p.classes) {
		return p.classes[c]
	}
	return fmt.Sprint(c)
}

func msString(d time.Duration) string { return strconv.FormatFloat(d.Seconds()*1000, 'f', 1, 64) }
