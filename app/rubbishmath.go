package main

import (
	"math/rand/v2"

	"fgsmlab/core"
	"gonum.org/v1/gonum/mat"
)

// The rubbish class (paper appendix): images of N(0, 1) noise per pixel,
// unclipped. The noise stream is core.Rubbish's: rand.NewPCG(seed, 2),
// 784 normal draws per image, so the first n images here are the n images
// core.Rubbish(m, n, seed) feeds to each model.

// noiseStream returns the rubbish noise generator for a seed.
func noiseStream(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }

// noiseImages returns images first … first+count−1 of the stream.
func noiseImages(seed uint64, first, count int) [][]float64 {
	rng := noiseStream(seed)
	for range first * core.ImageSize {
		rng.NormFloat64()
	}
	out := make([][]float64, count)
	for i := range out {
		out[i] = make([]float64, core.ImageSize)
		for j := range out[i] {
			out[i][j] = rng.NormFloat64()
		}
	}
	return out
}

// rubbishMaxRows bounds the images of one step.
const rubbishMaxRows = 200

// rubbishRun measures, for several models at once, the fraction of n noise
// images that get some class with probability above 0.5, a few images at a
// time (a stage of a chunkRunner).
type rubbishRun struct {
	N, Done int
	Hits    []int     // per model: images with a class above 0.5
	ConfSum []float64 // per model: the sum of those images' top probability

	models []*core.Model
	rng    *rand.Rand
	buf    []float64 // the noise of one step
}

func newRubbishRun(n int, seed uint64, models []*core.Model) *rubbishRun {
	return &rubbishRun{N: n, Hits: make([]int, len(models)), ConfSum: make([]float64, len(models)),
		models: models, rng: noiseStream(seed)}
}

// Step feeds the next n images (at most rubbishMaxRows) to every model and
// reports whether the run is done.
func (r *rubbishRun) Step(n int) bool {
	rows := min(n, rubbishMaxRows, r.N-r.Done)
	if rows <= 0 {
		return true
	}
	// One buffer for every step: less garbage, fewer collector pauses.
	if cap(r.buf) < rows*core.ImageSize {
		r.buf = make([]float64, rubbishMaxRows*core.ImageSize)
	}
	x := mat.NewDense(rows, core.ImageSize, r.buf[:rows*core.ImageSize])
	xs := x.RawMatrix().Data
	for i := range xs {
		xs[i] = r.rng.NormFloat64()
	}
	for k, m := range r.models {
		p := m.Predict(x)
		for i := range rows {
			if top := p.At(i, core.Argmax(p.RawRowView(i))); top > 0.5 {
				r.Hits[k]++
				r.ConfSum[k] += top
			}
		}
	}
	r.Done += rows
	return r.Done >= r.N
}

// Progress is the fraction of the images done.
func (r *rubbishRun) Progress() float64 { return float64(r.Done) / float64(max(r.N, 1)) }

// Result returns model k's figures so far, as core.Rubbish reports them.
func (r *rubbishRun) Result(k int) core.Result {
	res := core.Result{N: r.Done}
	if r.Done > 0 {
		res.Error = float64(r.Hits[k]) / float64(r.Done)
	}
	if r.Hits[k] > 0 {
		res.Confidence = r.ConfSum[k] / float64(r.Hits[k])
	}
	return res
}

// targetSteps is the number of steps of "make noise look like a k".
const targetSteps = 10

// targetFrame returns step t of the iterative targeted attack from the
// noise x0 towards class k: t steps of −(2.5ε/targetSteps)·sign(∇ₓJ(x, k)),
// each projected onto the ε-ball around x0, unclipped as the noise is.
// Each t repeats the first t steps of the full attack.
func targetFrame(m *core.Model, x0 []float64, k int, eps float64, t int) []float64 {
	x := mat.NewDense(1, len(x0), append([]float64(nil), x0...))
	if t == 0 {
		return x.RawRowView(0)
	}
	it := core.Iterative{Steps: t, StepSize: 2.5 * eps / targetSteps, Targeted: true}
	return it.Attack(m, x, []int{k}, core.Options{Epsilon: eps, NoClip: true}).RawRowView(0)
}
