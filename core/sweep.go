package core

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// SweepRun is a sweep over ε (§4) that can be computed a few digits at a
// time, so that a page can yield to the browser between steps and cancel by
// no longer calling Step. It gives the results of Sweep with the same
// arguments, and it is much cheaper:
//
//   - The direction d of each digit (sign(∇ₓJ) for FGSM, the noise for the
//     baselines) is computed once for all ε: one forward and one backward
//     pass per digit instead of one per digit and ε.
//   - When the first layer after any leading dropouts (the identity at test
//     time) is Dense, its output is linear in ε before clipping:
//     W(x + ε·d) + b = (Wx + b) + ε·Wd. Clipping to [0, 1] makes each pixel
//     piecewise linear: a pixel that moves towards the bound it already
//     sits on never moves, and any other stops at ε = tⱼ, its distance to
//     that bound divided by |dⱼ|. Past tⱼ its column stops adding ε·dⱼ·W[:,j]
//     and adds tⱼ·dⱼ·W[:,j] instead. Taking ε in increasing order and the
//     breakpoints tⱼ in increasing order, each breakpoint costs two column
//     updates per digit, and each ε costs only the layers above the first.
//     For FGSM, ε = 0 reuses the clean pass that gave the gradient.
//
// Otherwise (an RBF first layer, Options.Round8, a negative or infinite ε
// or, when clipping, a pixel outside [0, 1]) each ε costs one plain forward
// pass of x̃ = x + ε·d, clipped and rounded as Options say.
//
// Dense and ReLU layers run on code written for WebAssembly (kernels.go);
// the other layers run their own test-mode code.
//
// The run uses m's buffers during Step only, so m may serve other calls
// between steps, but its parameters must not change during the run.
type SweepRun struct {
	m      *Model
	x      *mat.Dense
	labels []int
	kind   Attack
	eps    []float64
	o      Options
	rng    *rand.Rand // the noise baselines' stream, as in noiseAttack

	head *sweepHead // nil when the first layer is not used linearly
	// slots lists the indices into eps that need a forward pass per digit;
	// an FGSM run with a linear head takes each ε = 0 (listed in clean)
	// from the pass that gave the gradient.
	slots, clean []int
	ascending    []int // the slots in increasing order of ε
	maxEps       float64
	chunk        int // digits per batch

	done    int
	tallies []Tally

	wts          [][]float64  // per layer index: Wᵀ of each Dense layer, made by the first Step
	outs, grads  []*mat.Dense // per layer index, for Dense and ReLU layers
	reluIn       []*mat.Dense // per layer index: the input of each ReLU
	dirs, u, z   *mat.Dense
	w, acc, coef []float64
	idx          []int
	bps          []breakpoint
}

// sweepRows bounds the rows of one batch (digits × ε), so that its buffers
// stay in cache: 256 ran faster than 1,024, natively and in node.
const sweepRows = 256

// sweepHead is the first dense layer.
type sweepHead struct {
	at  int       // index in Model.Layers
	out int       // number of outputs
	wt  []float64 // Wᵀ, in × out: the column of W for pixel j is row j
}

// breakpoint is the ε at which pixel j reaches the bound it moves towards.
type breakpoint struct {
	t float64
	j int
}

// NewSweepRun prepares a sweep of the attack kind (AttackFGSM,
// AttackRandomSign or AttackUniform) over eps, with the other settings from
// base. Seed fixes the noise as in Sweep: the same noise for every ε. It
// panics if kind is unknown or labels do not match the rows of x.
func NewSweepRun(m *Model, x *mat.Dense, labels []int, kind Attack, eps []float64, base Options, seed uint64) *SweepRun {
	n, _ := x.Dims()
	if len(labels) != n {
		panic(fmt.Sprintf("core: %d labels for %d examples", len(labels), n))
	}
	r := &SweepRun{m: m, x: x, labels: labels, kind: kind, eps: slices.Clone(eps), o: base,
		tallies: make([]Tally, len(eps)),
		outs:    make([]*mat.Dense, len(m.Layers)), grads: make([]*mat.Dense, len(m.Layers)),
		reluIn: make([]*mat.Dense, len(m.Layers))}
	switch kind {
	case AttackFGSM:
	case AttackRandomSign, AttackUniform:
		r.rng = rand.New(rand.NewPCG(seed, 1))
	default:
		panic("core: a sweep run does not know attack " + string(kind))
	}
	r.head = newSweepHead(m, x, eps, base)
	if r.head != nil {
		r.w, r.acc = make([]float64, r.head.out), make([]float64, r.head.out)
	}
	for i, e := range eps {
		if r.head != nil && kind == AttackFGSM && e == 0 {
			r.clean = append(r.clean, i)
		} else {
			r.slots = append(r.slots, i)
		}
	}
	r.ascending = make([]int, len(r.slots))
	for k := range r.ascending {
		r.ascending[k] = k
		r.maxEps = max(r.maxEps, r.eps[r.slots[k]])
	}
	slices.SortStableFunc(r.ascending, func(a, b int) int { return cmp.Compare(r.eps[r.slots[a]], r.eps[r.slots[b]]) })
	r.chunk = max(1, sweepRows/max(1, len(r.slots)))
	return r
}

// newSweepHead returns the model's first dense layer when the sweep can use
// it linearly, or nil.
func newSweepHead(m *Model, x *mat.Dense, eps []float64, o Options) *sweepHead {
	if o.Round8 {
		return nil // rounding is not piecewise linear in ε
	}
	at := 0
	for at < len(m.Layers) {
		if _, ok := m.Layers[at].(*Dropout); !ok {
			break
		}
		at++
	}
	if at == len(m.Layers) {
		return nil
	}
	d, ok := m.Layers[at].(*Dense)
	if !ok {
		return nil
	}
	for _, e := range eps {
		if math.IsInf(e, 0) || math.IsNaN(e) || (!o.NoClip && e < 0) {
			return nil
		}
	}
	if !o.NoClip {
		n, _ := x.Dims()
		for i := range n {
			for _, v := range x.RawRowView(i) {
				if !(v >= 0 && v <= 1) {
					return nil
				}
			}
		}
	}
	return &sweepHead{at: at, out: d.Out()}
}

// Step processes up to maxDigits more digits and reports whether the run is
// done. It panics if maxDigits < 1.
func (r *SweepRun) Step(maxDigits int) (done bool) {
	if maxDigits < 1 {
		panic(fmt.Sprintf("core: sweep step of %d digits", maxDigits))
	}
	if r.wts == nil {
		// Transposed here, not in NewSweepRun, so that a page making several
		// runs does this work in its slices too.
		r.wts = make([][]float64, len(r.m.Layers))
		for i, l := range r.m.Layers {
			if d, ok := l.(*Dense); ok {
				r.wts[i] = transposeTo(nil, d.W.Data, d.Out(), d.In(), d.In())
			}
		}
		if r.head != nil {
			r.head.wt = r.wts[r.head.at]
		}
	}
	end := min(r.done+maxDigits, len(r.labels))
	for r.done < end {
		next := min(end, r.done+r.chunk)
		r.batch(r.done, next)
		r.done = next
	}
	return r.Done()
}

// Done reports whether every digit has been processed.
func (r *SweepRun) Done() bool { return r.done == len(r.labels) }

// Progress is the fraction of digits processed, in [0, 1].
func (r *SweepRun) Progress() float64 {
	if len(r.labels) == 0 {
		return 1
	}
	return float64(r.done) / float64(len(r.labels))
}

// Results returns one Result per ε over the digits processed so far.
func (r *SweepRun) Results() []Result {
	out := make([]Result, len(r.tallies))
	for i := range r.tallies {
		out[i] = r.tallies[i].Result()
	}
	return out
}

// batch processes digits [i, j).
func (r *SweepRun) batch(i, j int) {
	_, dim := r.x.Dims()
	x := r.x.Slice(i, j, 0, dim).(*mat.Dense)
	labels := r.labels[i:j]
	if r.head != nil {
		r.dense(r.head.at, x, &r.u, false)
	}
	dirs := r.directions(x, labels)
	if len(r.slots) == 0 {
		return
	}
	var p *mat.Dense
	if r.head != nil {
		p = r.forward(r.linearRows(x, dirs), r.head.at+1)
	} else {
		p = r.forward(r.plainRows(x, dirs), 0)
	}
	rows, c := j-i, p.RawMatrix().Cols
	for k, e := range r.slots {
		r.tallies[e].Add(p.Slice(k*rows, (k+1)*rows, 0, c).(*mat.Dense), labels)
	}
}

// directions returns d for each row of x: sign(∇ₓJ) for FGSM, drawn noise
// otherwise.
func (r *SweepRun) directions(x *mat.Dense, labels []int) *mat.Dense {
	rows, dim := x.Dims()
	var g *mat.Dense
	if r.kind == AttackFGSM {
		g = r.gradient(x, labels)
	}
	d := reuse(&r.dirs, rows, dim)
	for i := range rows {
		ds := d.RawRowView(i)
		switch r.kind {
		case AttackFGSM:
			for j, v := range g.RawRowView(i) {
				ds[j] = Sign(v)
			}
		case AttackRandomSign:
			for j := range ds {
				ds[j] = 1
				if r.rng.IntN(2) == 0 {
					ds[j] = -1
				}
			}
		case AttackUniform:
			for j := range ds {
				ds[j] = 2*r.rng.Float64() - 1
			}
		}
	}
	return d
}

// gradient returns ∇ₓJ for the rows of x in test mode, as
// Model.InputGradient does up to rounding. With a linear head it starts
// from the head's output r.u and tallies the clean pass for each ε = 0.
func (r *SweepRun) gradient(x *mat.Dense, labels []int) *mat.Dense {
	if r.head == nil {
		r.forward(x, 0)
		return r.backward(r.m.delta(labels, gradientOf(r.o)), 0)
	}
	p := r.forward(r.u, r.head.at+1)
	for _, e := range r.clean {
		r.tallies[e].Add(p, labels)
	}
	return r.backward(r.m.delta(labels, gradientOf(r.o)), r.head.at)
}

// forward runs layers from, from+1, … and the output on h in test mode.
// A ReLU followed by a Dense layer is not written out: the Dense layer
// gathers the positive entries of the ReLU's input, and the backward pass
// reads the signs there (r.reluIn).
func (r *SweepRun) forward(h *mat.Dense, from int) *mat.Dense {
	positive := false // h is the input of a ReLU not yet applied
	for i := from; i < len(r.m.Layers); i++ {
		switch l := r.m.Layers[i].(type) {
		case *Dropout: // the identity at test time
		case *Dense:
			h = r.dense(i, h, &r.outs[i], positive)
			positive = false
		case *ReLU:
			r.reluIn[i] = h
			if _, ok := r.next(i).(*Dense); ok {
				positive = true
				continue
			}
			rows, c := h.Dims()
			y := reuse(&r.outs[i], rows, c)
			for k := range rows {
				relu(y.RawRowView(k), h.RawRowView(k))
			}
			h = y
		default:
			h = l.Forward(h, false)
		}
	}
	return r.m.Out.Forward(h)
}

// next returns the layer after layer i, skipping dropouts, or nil.
func (r *SweepRun) next(i int) Layer {
	for _, l := range r.m.Layers[i+1:] {
		if _, ok := l.(*Dropout); !ok {
			return l
		}
	}
	return nil
}

// dense returns x·Wᵀ + b for the Dense layer i in *buf, adding for each
// row only the columns of W of its nonzero entries. With positive, it takes
// max(x, 0) for x, as ReLU does.
func (r *SweepRun) dense(i int, x *mat.Dense, buf **mat.Dense, positive bool) *mat.Dense {
	d := r.m.Layers[i].(*Dense)
	rows, _ := x.Dims()
	y := reuse(buf, rows, d.Out())
	for k := range rows {
		ys := y.RawRowView(k)
		copy(ys, d.B.Data)
		if positive {
			r.gatherPositive(x.RawRowView(k))
		} else {
			r.idx, r.coef = gather(r.idx, r.coef, x.RawRowView(k))
		}
		addRows(ys, r.coef, r.idx, r.wts[i], len(ys))
	}
	return y
}

// backward takes dJ/dy of the last layer back to the input of layer stop.
// It must follow a forward through the same layers.
func (r *SweepRun) backward(dy *mat.Dense, stop int) *mat.Dense {
	for i := len(r.m.Layers) - 1; i >= stop; i-- {
		switch l := r.m.Layers[i].(type) {
		case *Dropout:
		case *Dense:
			rows, _ := dy.Dims()
			dx := reuse(&r.grads[i], rows, l.In())
			for k := range rows {
				dxs := dx.RawRowView(k)
				clear(dxs)
				r.idx, r.coef = gather(r.idx, r.coef, dy.RawRowView(k))
				addRows(dxs, r.coef, r.idx, l.W.Data, len(dxs))
			}
			dy = dx
		case *ReLU:
			rows, c := dy.Dims()
			dx := reuse(&r.grads[i], rows, c)
			for k := range rows {
				reluGrad(dx.RawRowView(k), dy.RawRowView(k), r.reluIn[i].RawRowView(k))
			}
			dy = dx
		default:
			dy = l.Backward(dy, InputGrad)
		}
	}
	return dy
}

// relu sets dst = max(x, 0) as ReLU.Forward does, NaN included, without
// the max builtin, which is a runtime call per element under WebAssembly.
func relu(dst, x []float64) {
	dst = dst[:len(x)]
	for j, v := range x {
		dst[j] = 0
		if !(v <= 0) {
			dst[j] = v
		}
	}
}

// reluGrad sets dx = dy where the ReLU's input x > 0 (exactly where its
// output is) and 0 elsewhere, as ReLU.Backward does.
func reluGrad(dx, dy, x []float64) {
	dx, x = dx[:len(dy)], x[:len(dy)]
	for j, g := range dy {
		dx[j] = 0
		if x[j] > 0 {
			dx[j] = g
		}
	}
}

// gatherPositive lists the entries of max(v, 0) that are not zero, as
// gather(r.idx, r.coef, relu(v)) would: NaN included.
func (r *SweepRun) gatherPositive(v []float64) {
	r.idx, r.coef = r.idx[:0], r.coef[:0]
	for j, a := range v {
		if !(a <= 0) {
			r.idx = append(r.idx, j)
			r.coef = append(r.coef, a)
		}
	}
}

// plainRows returns x̃ = x + ε·d, clipped and rounded as the options say,
// for each slot and row: row k·rows + i is digit i at the k-th slot's ε.
// It is the arithmetic of signStep and noise.
func (r *SweepRun) plainRows(x, dirs *mat.Dense) *mat.Dense {
	rows, dim := x.Dims()
	z := reuse(&r.z, len(r.slots)*rows, dim)
	for k, e := range r.slots {
		eps := r.eps[e]
		for i := range rows {
			zs, xs, ds := z.RawRowView(k*rows+i), x.RawRowView(i), dirs.RawRowView(i)
			for j, v := range xs {
				zs[j] = v + eps*ds[j]
			}
			finish(zs, r.o)
		}
	}
	return z
}

// linearRows returns the head's output W·x̃ + b for each slot and row,
// laid out as in plainRows, from the head's output u = Wx + b and the
// direction d.
func (r *SweepRun) linearRows(x, dirs *mat.Dense) *mat.Dense {
	rows, _ := x.Dims()
	z := reuse(&r.z, len(r.slots)*rows, r.head.out)
	for i := range rows {
		xs, ds, u := x.RawRowView(i), dirs.RawRowView(i), r.u.RawRowView(i)
		// w is the slope of the output in ε; acc is the share of the
		// pixels that have stopped at a bound.
		r.slope(xs, ds)
		clear(r.acc)
		next := 0
		for _, k := range r.ascending {
			eps := r.eps[r.slots[k]]
			stop := next
			for stop < len(r.bps) && r.bps[stop].t < eps {
				stop++
			}
			r.clip(ds, r.bps[next:stop])
			next = stop
			affineStep(z.RawRowView(k*rows+i), u, r.w, r.acc, eps)
		}
	}
	return z
}

// slope sets r.w = W·d over the pixels that move, and lists in r.bps,
// sorted, the breakpoints below the largest ε.
func (r *SweepRun) slope(xs, ds []float64) {
	r.idx, r.coef, r.bps = r.idx[:0], r.coef[:0], r.bps[:0]
	for j, dj := range ds {
		if dj == 0 {
			continue
		}
		if !r.o.NoClip {
			t := xs[j] / -dj
			if dj > 0 {
				t = (1 - xs[j]) / dj
			}
			if t <= 0 {
				continue // already at the bound it moves towards
			}
			if t < r.maxEps {
				r.bps = append(r.bps, breakpoint{t, j})
			}
		}
		r.idx = append(r.idx, j)
		r.coef = append(r.coef, dj)
	}
	clear(r.w)
	addRows(r.w, r.coef, r.idx, r.head.wt, len(r.w))
	slices.SortFunc(r.bps, func(a, b breakpoint) int { return cmp.Compare(a.t, b.t) })
}

// clip moves the pixels of bps, which have reached their bound, from the
// slope r.w to the fixed share r.acc.
func (r *SweepRun) clip(ds []float64, bps []breakpoint) {
	if len(bps) == 0 {
		return
	}
	r.idx, r.coef = r.idx[:0], r.coef[:0]
	for _, b := range bps {
		r.idx = append(r.idx, b.j)
		r.coef = append(r.coef, -ds[b.j])
	}
	addRows(r.w, r.coef, r.idx, r.head.wt, len(r.w))
	for n, b := range bps {
		r.coef[n] = ds[b.j] * b.t
	}
	addRows(r.acc, r.coef, r.idx, r.head.wt, len(r.acc))
}

// affineStep sets dst = u + ε·w + acc.
func affineStep(dst, u, w, acc []float64, eps float64) {
	u, w, acc = u[:len(dst)], w[:len(dst)], acc[:len(dst)]
	for k := range dst {
		dst[k] = u[k] + eps*w[k] + acc[k]
	}
}
