package core

import (
	"fmt"
	"math"
	"sort"
)

// The paper's Figure 4 (§8) follows one digit x along the FGSM direction
// s = sign(∇ₓJ) and plots the maxout network's logits of x + ε·s, without
// clipping, for ε far beyond the pixel range: they are piecewise linear in
// ε, with few pieces, and the digit is classified correctly only in a thin
// band around ε = 0. Far out, the network is confidently wrong.
//
// A network of dense layers, maxout and ReLU units (a ReLU is the max of its
// input and 0) and dropouts (the identity at test time) is exactly
// piecewise affine along a line, so the curves need not be sampled: the
// walk below finds every ε where an activation pattern changes, and the
// affine form of the logits between consecutive ones.
//
// Each layer's pre-activation z is an affine form c + ε·d per unit. The
// first dense layer's is fixed (c = Wx + b, d = Ws). Each maxout or ReLU
// unit outputs its winning piece. Walking ε upwards, a unit's winner w is
// overtaken by a piece k with a larger slope at ε = (c_w − c_k)/(d_k − d_w);
// the nearest such event over all units is the next breakpoint. There the
// unit's new output changes the next dense layer's forms by a rank-1 update
// (one column of its W times the change), and the layers above follow.
// A unit only ever switches to a piece with a larger slope, so a walk never
// loops, even when rounding puts an event slightly behind the current ε: it
// then happens at the current ε.

// LogitPath is the class scores (Model.Scores: the logits of a softmax
// model) of x + ε·s for ε in [Lo, Hi], unclipped, as exact affine pieces.
// Piece i spans [Breaks[i−1], Breaks[i]], with Lo and Hi at the ends.
type LogitPath struct {
	Lo, Hi  float64
	Classes int
	// Breaks are the ε in (Lo, Hi), increasing, where an activation
	// pattern changes and with it, in general, the slope of the scores.
	Breaks []float64

	c, d []float64 // piece i's scores: c[i·Classes+k] + ε·d[i·Classes+k]
}

// Pieces is the number of linear pieces, len(Breaks) + 1.
func (p *LogitPath) Pieces() int { return len(p.Breaks) + 1 }

// piece returns the index of the piece that holds ε.
func (p *LogitPath) piece(eps float64) int {
	return sort.SearchFloat64s(p.Breaks, eps)
}

// At writes the scores at ε into dst (allocated when nil) and returns it.
// It panics if ε is outside [Lo, Hi] or dst has the wrong length.
func (p *LogitPath) At(eps float64, dst []float64) []float64 {
	if !(eps >= p.Lo && eps <= p.Hi) {
		panic(fmt.Sprintf("core: ε = %g is outside the path's [%g, %g]", eps, p.Lo, p.Hi))
	}
	if dst == nil {
		dst = make([]float64, p.Classes)
	}
	if len(dst) != p.Classes {
		panic(fmt.Sprintf("core: %d scores into a slice of %d", p.Classes, len(dst)))
	}
	i := p.piece(eps) * p.Classes
	c, d := p.c[i:i+p.Classes], p.d[i:i+p.Classes]
	for k := range dst {
		dst[k] = c[k] + eps*d[k]
	}
	return dst
}

// Slopes returns dscores/dε on piece i (shared with the path; do not modify).
func (p *LogitPath) Slopes(i int) []float64 { return p.d[i*p.Classes : (i+1)*p.Classes] }

// Interval is the closed interval [Lo, Hi].
type Interval struct{ Lo, Hi float64 }

// Wins returns the intervals of ε in [Lo, Hi], increasing and disjoint,
// where class has the largest score, so that the model predicts it. It is
// exact: on each piece the set is an interval cut out by the other
// classes' lines.
func (p *LogitPath) Wins(class int) []Interval {
	if class < 0 || class >= p.Classes {
		panic(fmt.Sprintf("core: class %d of %d", class, p.Classes))
	}
	var out []Interval
	for i := range p.Pieces() {
		lo, hi := p.Lo, p.Hi
		if i > 0 {
			lo = p.Breaks[i-1]
		}
		if i < len(p.Breaks) {
			hi = p.Breaks[i]
		}
		c, d := p.c[i*p.Classes:(i+1)*p.Classes], p.d[i*p.Classes:(i+1)*p.Classes]
		for k := range c {
			// class beats k where (c_y − c_k) + ε·(d_y − d_k) ≥ 0.
			dc, dd := c[class]-c[k], d[class]-d[k]
			switch {
			case k == class:
			case dd > 0:
				lo = max(lo, -dc/dd)
			case dd < 0:
				hi = min(hi, -dc/dd)
			case dc < 0:
				hi = math.Inf(-1)
			}
		}
		if lo > hi {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Hi >= lo {
			out[n-1].Hi = max(out[n-1].Hi, hi)
		} else {
			out = append(out, Interval{lo, hi})
		}
	}
	return out
}

// FGSMDirection returns s = sign(∇ₓJ(θ, x, label)), the direction of FGSM
// (paper eq. 3), with sign(0) = 0.
func FGSMDirection(m *Model, x []float64, label int) []float64 {
	g := m.InputGradientOne(x, label)
	s := make([]float64, len(g))
	for i, v := range g {
		s[i] = Sign(v)
	}
	return s
}

// NewLogitPath computes the class scores of x + ε·s for ε in [lo, hi]
// exactly (see LogitPath). It returns an error when the model has a layer
// along which the scores are not piecewise linear, or that the walk does
// not follow (anything but dense, maxout, ReLU and dropout layers, ending
// in a softmax or sigmoid output). It panics if x or s is not one input or
// lo > hi.
func NewLogitPath(m *Model, x, s []float64, lo, hi float64) (*LogitPath, error) {
	w, err := NewPathWalker(m)
	if err != nil {
		return nil, err
	}
	return w.Path(x, s, lo, hi), nil
}

// A PathWalker computes LogitPaths of one model, keeping what they share
// (the transposed weights) from path to path. It reads the model's
// parameters, which must not change while it is used, and does not use the
// model's buffers. It is not safe for concurrent use.
type PathWalker struct {
	w *pathWalk
	n int
}

// NewPathWalker prepares the paths of m, or says why it cannot follow m
// (see NewLogitPath).
func NewPathWalker(m *Model) (*PathWalker, error) {
	w, err := newPathWalk(m)
	if err != nil {
		return nil, err
	}
	return &PathWalker{w: w, n: m.InputSize()}, nil
}

// Path is NewLogitPath with the walker's model.
func (pw *PathWalker) Path(x, s []float64, lo, hi float64) *LogitPath {
	if len(x) != pw.n || len(s) != pw.n {
		panic(fmt.Sprintf("core: a path needs x and s of %d values, got %d and %d", pw.n, len(x), len(s)))
	}
	if !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		panic(fmt.Sprintf("core: path over [%g, %g]", lo, hi))
	}
	return pw.w.run(x, s, lo, hi)
}

// pathStage is one dense layer and the activation after it.
type pathStage struct {
	dense  *Dense
	act    int // actIdentity, actReLU or actMaxout
	pieces int // per unit: 1, 2 (z or 0) or Maxout.Pieces
	units  int

	wt     []float64 // the dense layer's Wᵀ (in × out) beyond the first stage, for rank-1 updates
	zc, zd []float64 // the dense layer's output, c + ε·d per row
	hc, hd []float64 // the activation's output, per unit
	win    []int     // the winning piece of each unit
	next   []float64 // the ε at which each unit's winner is next overtaken, or +Inf
	by     []int     // and by which piece
	tree   []int32   // a tournament over next: tree[1] is the unit whose event is nearest (see soonest)
	gbuf   []float64 // per unit, scratch of gatherInto
	abuf   []float64 // per dense output, scratch of mulGathered
}

const (
	actIdentity = iota
	actReLU
	actMaxout
)

// pathWalk walks a model's stages along one line.
type pathWalk struct {
	stages []*pathStage
	out    Output
	scores []float64 // c then d of the scores, 2·classes
	cur    float64
	hint   int // breakpoints to make room for
}

func newPathWalk(m *Model) (*pathWalk, error) {
	w := &pathWalk{out: m.Out}
	switch m.Out.(type) {
	case *Softmax, *Sigmoid:
	default:
		return nil, fmt.Errorf("core: model %q ends in a %s output, whose scores a path does not follow", m.Name, m.Out.Kind())
	}
	for i, l := range m.Layers {
		var last *pathStage
		if n := len(w.stages); n > 0 {
			last = w.stages[n-1]
		}
		switch l := l.(type) {
		case *Dropout: // the identity at test time
		case *Dense:
			st := &pathStage{dense: l, act: actIdentity, pieces: 1, units: l.Out()}
			w.stages = append(w.stages, st)
		case *ReLU, *Maxout:
			if last == nil || last.act != actIdentity {
				return nil, fmt.Errorf("core: layer %d of model %q (%s) does not follow a dense layer; a path follows dense layers each with at most one maxout or ReLU after it", i, m.Name, l.Kind())
			}
			if mo, ok := l.(*Maxout); ok {
				if mo.Pieces < 1 || last.units%mo.Pieces != 0 {
					return nil, fmt.Errorf("core: layer %d of model %q: maxout of %d pieces after %d units", i, m.Name, mo.Pieces, last.units)
				}
				last.act, last.pieces, last.units = actMaxout, mo.Pieces, last.units/mo.Pieces
			} else {
				last.act, last.pieces = actReLU, 2
			}
		default:
			return nil, fmt.Errorf("core: model %q has a %s layer (%d); the logits along a line are followed exactly only through dense, maxout, relu and dropout layers", m.Name, l.Kind(), i)
		}
	}
	if len(w.stages) == 0 {
		return nil, fmt.Errorf("core: model %q has no dense layer to follow", m.Name)
	}
	for i, st := range w.stages {
		n := st.dense.Out()
		if i > 0 {
			st.wt = transposeTo(nil, st.dense.W.Data, n, st.dense.In(), st.dense.In())
		}
		st.zc, st.zd = make([]float64, n), make([]float64, n)
		st.hc, st.hd = make([]float64, st.units), make([]float64, st.units)
		st.gbuf, st.abuf = make([]float64, st.units), make([]float64, n)
		st.win, st.next, st.by = make([]int, st.units), make([]float64, st.units), make([]int, st.units)
		leaves := 1
		for leaves < st.units {
			leaves *= 2
		}
		st.tree = make([]int32, 2*leaves)
		for i := range leaves {
			st.tree[leaves+i] = -1
			if i < st.units {
				st.tree[leaves+i] = int32(i)
			}
		}
	}
	return w, nil
}

// piece returns piece k of unit u as c, d.
func (st *pathStage) piece(u, k int) (c, d float64) {
	switch st.act {
	case actMaxout:
		j := u*st.pieces + k
		return st.zc[j], st.zd[j]
	case actReLU:
		if k == 1 {
			return 0, 0
		}
	}
	return st.zc[u], st.zd[u]
}

// pick sets each unit's winner by its value at ε, ties going to the larger
// slope (the piece that wins just after ε), and its output.
func (st *pathStage) pick(eps float64) {
	for u := range st.units {
		best := 0
		bc, bd := st.piece(u, 0)
		for k := 1; k < st.pieces; k++ {
			c, d := st.piece(u, k)
			if v, bv := c+eps*d, bc+eps*bd; v > bv || (v == bv && d > bd) {
				best, bc, bd = k, c, d
			}
		}
		st.win[u], st.hc[u], st.hd[u] = best, bc, bd
	}
}

// gather sets every unit's output from its current winner.
func (st *pathStage) gather() {
	for u := range st.units {
		st.hc[u], st.hd[u] = st.piece(u, st.win[u])
	}
}

// schedule finds when unit u's winner is next overtaken, after cur: by the
// piece with a larger slope that crosses it first (ties: the larger slope).
// A crossing behind cur, which only rounding makes, happens at cur.
func (st *pathStage) schedule(u int, cur float64) {
	st.next[u], st.by[u] = math.Inf(1), -1
	switch st.act {
	case actIdentity:
		return
	case actMaxout:
		st.scheduleMaxout(u, cur)
		return
	}
	wc, wd := st.piece(u, st.win[u])
	byD := 0.0
	for k := range st.pieces {
		c, d := st.piece(u, k)
		if k == st.win[u] || !(d > wd) {
			continue
		}
		t := max(cur, (wc-c)/(d-wd))
		if t < st.next[u] || (t == st.next[u] && d > byD) {
			st.next[u], st.by[u], byD = t, k, d
		}
	}
}

// scheduleMaxout is schedule for a maxout unit, written out: it is most
// of the walk's time.
func (st *pathStage) scheduleMaxout(u int, cur float64) {
	k := st.pieces
	zc, zd := st.zc[u*k:(u+1)*k], st.zd[u*k:(u+1)*k]
	w := st.win[u]
	wc, wd := zc[w], zd[w]
	next, by, byD := math.Inf(1), -1, 0.0
	for p, d := range zd {
		if !(d > wd) {
			continue // the winner itself too
		}
		t := (wc - zc[p]) / (d - wd)
		if !(t > cur) { // a branch, not max: under WebAssembly max of floats is a runtime call
			t = cur
		}
		if t < next || (t == next && d > byD) {
			next, by, byD = t, p, d
		}
	}
	st.next[u], st.by[u] = next, by
}

func (st *pathStage) scheduleAll(cur float64) {
	for u := range st.units {
		st.schedule(u, cur)
	}
	st.rebuild()
}

// The walk's next event is the nearest of all units' next events. Each
// stage keeps a tournament over its units' next: leaf i (tree[leaves+i])
// is unit i or −1 (padding), each inner node the nearer of its children,
// the left one on a tie. So tree[1] is the stage's first unit with the
// nearest event, as a scan would find it, and one unit's change costs a
// walk up the tree instead of a scan of every unit at every event.

// nearer returns whichever of units a and b has the nearer event, a on a
// tie; −1 is none.
func (st *pathStage) nearer(a, b int32) int32 {
	if a < 0 || (b >= 0 && st.next[b] < st.next[a]) {
		return b
	}
	return a
}

// rebuild sets every inner node of the tournament.
func (st *pathStage) rebuild() {
	t := st.tree
	for i := len(t)/2 - 1; i >= 1; i-- {
		t[i] = st.nearer(t[2*i], t[2*i+1])
	}
}

// fix updates the tournament after unit u's next changed.
func (st *pathStage) fix(u int) {
	t := st.tree
	for i := (len(t)/2 + u) / 2; i >= 1; i /= 2 {
		t[i] = st.nearer(t[2*i], t[2*i+1])
	}
}

// soonest returns the unit with the nearest event and its ε, or −1 and +Inf.
func (st *pathStage) soonest() (int, float64) {
	u := st.tree[1]
	if u < 0 {
		return -1, math.Inf(1)
	}
	return int(u), st.next[u]
}

// affine sets zc = W·hc + b and zd = W·hd for the stage's dense layer,
// four rows by both vectors at a time: under WebAssembly that was faster
// than a dot product over only the nonzero pixels of a digit for hc and a
// separate one for hd.
func (st *pathStage) affine(hc, hd []float64) {
	in, w := st.dense.In(), st.dense.W.Data
	zc, zd, n := st.zc, st.zd, len(st.zc)
	j := 0
	for ; j+4 <= n; j += 4 {
		zc[j], zc[j+1], zc[j+2], zc[j+3], zd[j], zd[j+1], zd[j+2], zd[j+3] = dot2x4(hc, hd, w[j*in:(j+4)*in], in)
	}
	for ; j < n; j++ {
		row := w[j*in : (j+1)*in]
		zc[j], zd[j] = dot(row, hc), dot(row, hd)
	}
	for j, b := range st.dense.B.Data[:n] {
		zc[j] += b
	}
}

// run walks from lo to hi.
func (w *pathWalk) run(x, s []float64, lo, hi float64) *LogitPath {
	w.stages[0].affine(x, s) // x + ε·s enters the first layer linearly
	w.cur = lo
	w.forward(0, true)
	classes := len(w.scores) / 2
	p := &LogitPath{Lo: lo, Hi: hi, Classes: classes}
	// Room for the last path's pieces, so that appending rarely copies.
	p.Breaks = make([]float64, 0, w.hint)
	p.c, p.d = make([]float64, 0, (w.hint+1)*classes), make([]float64, 0, (w.hint+1)*classes)
	p.c, p.d = append(p.c, w.scores[:classes]...), append(p.d, w.scores[classes:]...)
	// Events within tol of the last breakpoint belong to it: two real
	// breakpoints that close give the same curves to rounding.
	tol := func(e float64) float64 { return 1e-12 * max(1, math.Abs(e)) }
	last := lo
	for {
		si, u := w.nextEvent()
		if si < 0 {
			break
		}
		st := w.stages[si]
		t := st.next[u]
		if t >= hi {
			break
		}
		w.cur = max(w.cur, t)
		w.switchUnit(si, u)
		n := len(p.c) - classes
		if w.cur > last+tol(last) {
			p.Breaks = append(p.Breaks, w.cur)
			last = w.cur
			p.c, p.d = append(p.c, w.scores[:classes]...), append(p.d, w.scores[classes:]...)
		} else {
			copy(p.c[n:], w.scores[:classes])
			copy(p.d[n:], w.scores[classes:])
		}
	}
	w.hint = max(w.hint, len(p.Breaks)+len(p.Breaks)/4)
	return p
}

// nextEvent returns the stage and unit of the nearest event, or −1.
func (w *pathWalk) nextEvent() (stage, unit int) {
	stage, unit = -1, -1
	best := math.Inf(1)
	for si, st := range w.stages {
		if u, t := st.soonest(); t < best {
			best, stage, unit = t, si, u
		}
	}
	return stage, unit
}

// switchUnit gives unit u of stage si its next winner at w.cur and updates
// the stages above and the scores.
func (w *pathWalk) switchUnit(si, u int) {
	st := w.stages[si]
	oc, od := st.hc[u], st.hd[u]
	st.win[u] = st.by[u]
	st.hc[u], st.hd[u] = st.piece(u, st.win[u])
	st.schedule(u, w.cur)
	st.fix(u)
	if si+1 == len(w.stages) {
		w.setScores()
		return
	}
	// Rank-1 all the way up: the next dense layer's forms move by its
	// column u times the change (dc, dd) of the unit's output; each layer
	// above keeps its winners, so its change is W times the gathered
	// change below, the same vector a times (dc, dd).
	dc, dd := st.hc[u]-oc, st.hd[u]-od
	nx := w.stages[si+1]
	out := len(nx.zc)
	a := nx.wt[u*out : (u+1)*out]
	for i := si + 1; ; i++ {
		nx = w.stages[i]
		last := i+1 == len(w.stages)
		if nx.act == actMaxout {
			a = nx.shiftMaxout(a, dc, dd, w.cur)
		} else {
			axpy(dc, a, nx.zc)
			axpy(dd, a, nx.zd)
			nx.gather()
			nx.scheduleAll(w.cur)
			if !last {
				a = nx.gatherInto(a)
			}
		}
		if last {
			break
		}
		a = w.stages[i+1].mulGathered(a)
	}
	w.setScores()
}

// shiftMaxout adds a·dc and a·dd to a maxout stage's forms, then sets each
// unit's output, schedules it and returns gatherInto(a): the same as those
// steps one after the other, in one pass over the units, which is most of
// the walk's time.
func (st *pathStage) shiftMaxout(a []float64, dc, dd, cur float64) []float64 {
	k := st.pieces
	g := st.gbuf[:st.units]
	if k == 3 {
		st.shiftMaxout3(a, dc, dd, cur)
		return g
	}
	for u := range g {
		zc, zd, au := st.zc[u*k:(u+1)*k], st.zd[u*k:(u+1)*k], a[u*k:(u+1)*k]
		for p, v := range au {
			zc[p] += v * dc
			zd[p] += v * dd
		}
		w := st.win[u]
		st.hc[u], st.hd[u], g[u] = zc[w], zd[w], au[w]
		st.scheduleMaxout(u, cur)
	}
	st.rebuild()
	return g
}

// shiftMaxout3 is shiftMaxout for units of three pieces (the shipped
// maxout networks), written out: under WebAssembly the general loops'
// slicing and bounds checks were most of the walk's time.
func (st *pathStage) shiftMaxout3(a []float64, dc, dd, cur float64) {
	g := st.gbuf[:st.units]
	hc, hd, win, next, by := st.hc[:len(g)], st.hd[:len(g)], st.win[:len(g)], st.next[:len(g)], st.by[:len(g)]
	for u := range g {
		j := 3 * u
		zc, zd, au := (*[3]float64)(st.zc[j:j+3]), (*[3]float64)(st.zd[j:j+3]), (*[3]float64)(a[j:j+3])
		zc[0] += au[0] * dc
		zc[1] += au[1] * dc
		zc[2] += au[2] * dc
		zd[0] += au[0] * dd
		zd[1] += au[1] * dd
		zd[2] += au[2] * dd
		w := win[u]
		wc, wd := zc[w], zd[w]
		hc[u], hd[u], g[u] = wc, wd, au[w]
		// As scheduleMaxout.
		nx, b, bd := math.Inf(1), -1, 0.0
		for p := range 3 {
			d := zd[p]
			if !(d > wd) {
				continue
			}
			t := (wc - zc[p]) / (d - wd)
			if !(t > cur) {
				t = cur
			}
			if t < nx || (t == nx && d > bd) {
				nx, b, bd = t, p, d
			}
		}
		next[u], by[u] = nx, b
	}
	st.rebuild()
}

// gatherInto returns, per unit, the entry of v (one per dense output) that
// the unit's winning piece passes on: what a change v of the dense output
// does to the units' outputs.
func (st *pathStage) gatherInto(v []float64) []float64 {
	g := st.gbuf[:st.units]
	switch st.act {
	case actIdentity:
		copy(g, v)
	case actReLU:
		for u := range g {
			g[u] = 0
			if st.win[u] == 0 {
				g[u] = v[u]
			}
		}
	case actMaxout:
		for u := range g {
			g[u] = v[u*st.pieces+st.win[u]]
		}
	}
	return g
}

// mulGathered returns W·g for the stage's dense layer, in a buffer of its own.
func (st *pathStage) mulGathered(g []float64) []float64 {
	in, w, a := st.dense.In(), st.dense.W.Data, st.abuf
	j := 0
	for ; j+4 <= len(a); j += 4 {
		a[j], a[j+1], a[j+2], a[j+3] = dot4(w[j*in:(j+4)*in], g)
	}
	for ; j < len(a); j++ {
		a[j] = dot(w[j*in:(j+1)*in], g)
	}
	return a
}

// forward brings stages from, from+1, … and the scores up to date from
// stage from's dense output; with pick, winners are chosen afresh at w.cur,
// otherwise kept (the walk's events change them).
func (w *pathWalk) forward(from int, pick bool) {
	for i := from; i < len(w.stages); i++ {
		st := w.stages[i]
		if i > from {
			prev := w.stages[i-1]
			st.affine(prev.hc, prev.hd)
		}
		if pick {
			st.pick(w.cur)
		} else {
			st.gather()
		}
		st.scheduleAll(w.cur)
	}
	w.setScores()
}

// setScores writes the scores' forms from the last stage's output (see
// scorer in scores.go).
func (w *pathWalk) setScores() {
	last := w.stages[len(w.stages)-1]
	switch w.out.(type) {
	case *Sigmoid:
		w.scores = append(w.scores[:0], -last.hc[0]/2, last.hc[0]/2, -last.hd[0]/2, last.hd[0]/2)
	default:
		w.scores = append(append(w.scores[:0], last.hc...), last.hd...)
	}
}
