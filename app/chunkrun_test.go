package main

import (
	"testing"
	"time"
)

// counter is a stage of total units that records the slice sizes it is
// asked for.
type counter struct {
	done, total int
	asked       []int
	finished    int
}

func (c *counter) stage(weight float64) stage {
	return stage{
		step: func(n int) bool {
			c.asked = append(c.asked, n)
			c.done = min(c.done+n, c.total)
			return c.done == c.total
		},
		progress: func() float64 { return float64(c.done) / float64(c.total) },
		finish:   func() { c.finished++ },
		weight:   weight,
	}
}

// adapt aims the next slice at sliceBudget (20 ms) from the last one's
// time, grows it at most fourfold, and keeps it in [1, 1000].
func TestChunkRunnerAdapt(t *testing.T) {
	for _, c := range []struct {
		n    int
		dt   time.Duration
		want int
	}{
		{1, 0, 4},                          // untimed: grow fourfold
		{1, time.Millisecond, 4},           // 20 would fit; fourfold is the cap
		{10, 40 * time.Millisecond, 5},     // twice the budget: halve
		{10, 20 * time.Millisecond, 10},    // on budget: keep
		{1, 100 * time.Millisecond, 1},     // one unit over budget: never below one
		{500, time.Millisecond, 1000},      // never above 1000
		{300, 5 * time.Millisecond, 1000},  // 1200 fits, capped at 1000
		{100, 8 * time.Millisecond, 250},   // 2.5 × 100
		{7, 20*time.Millisecond + 1, 6},    // just over budget: one fewer
		{1000, 40 * time.Millisecond, 500}, // from the top
	} {
		r := chunkRunner{n: c.n}
		r.adapt(c.dt)
		if r.n != c.want {
			t.Errorf("adapt(%v) after %d units: next slice %d units; want %d", c.dt, c.n, r.n, c.want)
		}
	}
}

// slice runs the stages in order, finishes each once, and starts every
// stage from one unit, however large the previous stage's slices grew.
func TestChunkRunnerSlice(t *testing.T) {
	a, b := &counter{total: 50}, &counter{total: 3}
	r := chunkRunner{stages: []stage{a.stage(0), b.stage(0)}, n: 1}
	for i := 0; r.at < len(r.stages); i++ {
		if i > 100 {
			t.Fatal("the job does not end")
		}
		r.slice()
	}
	if a.done != 50 || b.done != 3 || a.finished != 1 || b.finished != 1 {
		t.Errorf("done %d/50 and %d/3, finished %d and %d times; want all done, each finished once", a.done, b.done, a.finished, b.finished)
	}
	if a.asked[0] != 1 || b.asked[0] != 1 {
		t.Errorf("first slices of %d and %d units; want 1 each", a.asked[0], b.asked[0])
	}
	for i := 1; i < len(a.asked); i++ {
		if a.asked[i] > 4*a.asked[i-1] {
			t.Errorf("slice %d grew from %d to %d units, more than fourfold", i, a.asked[i-1], a.asked[i])
		}
	}
	if dt := r.slice(); dt != 0 || a.finished != 1 || b.finished != 1 {
		t.Errorf("a slice after the end took %v and finished a stage again", dt)
	}
}

// Progress weighs each stage by its weight, 0 counting as 1.
func TestChunkRunnerProgress(t *testing.T) {
	if p := (&chunkRunner{}).Progress(); p != 0 {
		t.Errorf("no stages: progress %v; want 0", p)
	}
	a, b := &counter{total: 10}, &counter{total: 4}
	r := chunkRunner{stages: []stage{a.stage(0), b.stage(3)}, n: 1}
	for _, c := range []struct {
		aDone, bDone, at int
		want             float64
	}{
		{0, 0, 0, 0},
		{5, 0, 0, 0.5 / 4},
		{10, 0, 1, 1.0 / 4},
		{10, 2, 1, (1 + 3*0.5) / 4},
		{10, 4, 2, 1},
	} {
		a.done, b.done, r.at = c.aDone, c.bDone, c.at
		if p := r.Progress(); p != c.want {
			t.Errorf("%d/10 and %d/4 done, at stage %d: progress %v; want %v", c.aDone, c.bDone, c.at, p, c.want)
		}
	}
}
