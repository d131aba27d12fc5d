package main

import (
	"time"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"gonum.org/v1/gonum/mat"
)

// WebAssembly in the page runs on the browser's one main thread, so a long
// computation (a sweep over 1,000 digits, a transfer matrix) runs a slice at
// a time: each slice is one browser task kept well under 50 ms, and the page
// yields between slices so that it repaints and answers clicks, shows
// progress, and can be cancelled.

// stage is one part of a chunked job.
type stage struct {
	// step does about n units of work (digits, mini-batches) and reports
	// whether the stage is done.
	step     func(n int) bool
	progress func() float64 // in [0, 1]
	// finish, if set, runs once the stage is done.
	finish func()
	// weight is the stage's share of the job's progress bar, relative to
	// the other stages; 0 counts as 1.
	weight float64
}

// sweepStage wraps a core.SweepRun; done receives its results.
func sweepStage(r *core.SweepRun, done func([]core.Result)) stage {
	return stage{step: r.Step, progress: r.Progress, finish: func() { done(r.Results()) }}
}

// transferStages wraps a core.TransferRun as a stage per craft model: the
// runner restarts its digits per slice at each stage, and a digit on a
// convolutional network costs many on logistic regression. finish runs
// after the last.
func transferStages(r *core.TransferRun, finish func()) []stage {
	stages := make([]stage, r.Crafts())
	for i := range stages {
		stages[i] = stage{
			step:     func(n int) bool { return r.StepCraft(i, n) },
			progress: func() float64 { return r.CraftProgress(i) },
		}
	}
	if len(stages) > 0 {
		stages[len(stages)-1].finish = finish
	}
	return stages
}

// chunkRunner runs a job's stages one after another, a slice per browser
// task. The zero value is ready to use.
type chunkRunner struct {
	gen     int // bumped by start and cancel; a stale loop stops
	busy    bool
	stages  []stage
	at      int
	n       int       // units per slice of the current stage, adapted to the budget
	Compute float64   // milliseconds spent computing, summed over slices
	Wall    float64   // milliseconds from start to the end
	Longest float64   // the longest slice, in milliseconds
	Slices  []float64 // every slice, in milliseconds
	began   time.Time
}

// sliceBudget is the computing time aimed at per task: well below the 50 ms
// of a "long task", leaving room for the re-render that follows.
const sliceBudget = 20 * time.Millisecond

// tickEvery spaces the progress re-renders: the page yields after every
// slice, but re-rendering it each time cost about a fifth of a sweep's wall
// time, and ten updates a second are as smooth to the eye.
const tickEvery = 100 * time.Millisecond

// start runs the stages. tick runs after a slice when tickEvery has passed
// since the last (to show progress), and done after the last slice. A
// running job is cancelled first.
func (r *chunkRunner) start(ctx app.Context, stages []stage, tick, done func(app.Context)) {
	r.gen++
	gen := r.gen
	r.busy, r.stages, r.at, r.n = true, stages, 0, 1
	r.Compute, r.Wall, r.Longest, r.Slices = 0, 0, 0, nil
	r.began = time.Now()
	ticked := r.began
	var loop func(app.Context)
	loop = func(ctx app.Context) {
		if gen != r.gen {
			return
		}
		ms := float64(r.slice()) / float64(time.Millisecond)
		r.Compute += ms
		r.Longest = max(r.Longest, ms)
		r.Slices = append(r.Slices, ms)
		if r.at == len(r.stages) {
			r.busy = false
			r.Wall = float64(time.Since(r.began)) / float64(time.Millisecond)
			done(ctx)
			return
		}
		if time.Since(ticked) >= tickEvery {
			// The re-render gets a task of its own: go-app renders at its
			// next frame, which has come by the end of a slice, so it would
			// otherwise lengthen the slice's task.
			ticked = time.Now()
			afterYield(ctx, func(ctx app.Context) {
				if gen != r.gen {
					return
				}
				tick(ctx)
				afterYield(ctx, loop)
			})
			return
		}
		afterYield(ctx, loop)
	}
	afterYield(ctx, loop)
}

// slice does one slice of the current stage and returns how long it took.
func (r *chunkRunner) slice() time.Duration {
	if r.at == len(r.stages) {
		return 0
	}
	t0 := time.Now()
	s := r.stages[r.at]
	if !s.step(r.n) {
		dt := time.Since(t0)
		r.adapt(dt)
		return dt
	}
	if s.finish != nil {
		s.finish()
	}
	r.at++
	// The next stage's units may cost far more (another model, training
	// rather than testing), and this slice may have done only the last few
	// units: start again from one.
	r.n = 1
	return time.Since(t0)
}

// adapt sets the units of the next slice so that it takes about the
// budget, from a slice that did r.n units in dt. It grows at most fourfold
// a slice, since a few units time poorly.
func (r *chunkRunner) adapt(dt time.Duration) {
	n := 4 * r.n
	if dt > 0 {
		n = min(n, int(float64(r.n)*float64(sliceBudget)/float64(dt)))
	}
	r.n = min(max(1, n), 1000)
}

// cancel stops the job after the slice in progress.
func (r *chunkRunner) cancel() {
	r.gen++
	r.busy = false
}

// Progress is the fraction of the job done, weighing each stage by its
// weight.
func (r *chunkRunner) Progress() float64 {
	var done, total float64
	for i, s := range r.stages {
		w := s.weight
		if w == 0 {
			w = 1
		}
		total += w
		switch {
		case i < r.at:
			done += w
		case i == r.at:
			done += w * s.progress()
		}
	}
	if total == 0 {
		return 0
	}
	return done / total
}

// firstDigits returns the first n digits of d as a batch and its labels.
func firstDigits(d *core.Dataset, n int) (*mat.Dense, []int) {
	n = min(n, d.Len())
	s := d.Slice(0, n)
	return s.Images, s.Labels
}

// slicer is a core.Options.Yield for an attack run in ctx.Async: it hands
// the thread back to the browser whenever sliceBudget has passed since it
// last did, so that no browser task runs much longer, and tells the attack
// to stop once alive reports false (the visitor moved on). Away sums the
// time the browser had, which is not the attack's; Longest is the longest
// stretch between two of the browser's turns, what the attack added to one
// browser task.
type slicer struct {
	alive   func() bool
	last    time.Time
	Away    time.Duration
	Longest time.Duration
}

func newSlicer(alive func() bool) *slicer { return &slicer{alive: alive, last: time.Now()} }

// Yield is the core.Options.Yield.
func (s *slicer) Yield() bool {
	if now := time.Now(); now.Sub(s.last) >= sliceBudget {
		s.Longest = max(s.Longest, now.Sub(s.last))
		yieldQuickly()
		s.last = time.Now()
		s.Away += s.last.Sub(now)
	}
	return s.alive()
}
