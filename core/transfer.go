package core

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// TransferRun crafts FGSM examples on each craft model and scores them on
// each target model (§8), a few digits at a time, so that a page can yield
// to the browser between steps and cancel by no longer calling Step.
// Cell (i, j) counts craft[i]'s examples on target[j] as
// EvaluateAttack(craft[i], target[j], …, FGSMAttack(o)) does.
type TransferRun struct {
	craft, target []*Model
	x             *mat.Dense
	labels        []int
	o             Options
	done          int
	tallies       [][]Tally
	// mistakes[i] counts craft[i]'s mistakes on its own examples, and
	// same[i][j] those on which target[j] picks the same wrong class.
	mistakes []int
	same     [][]int
}

// NewTransferRun prepares the run. A cell whose craft model is also its
// target keeps the confidence of each mistake (Tally.KeepMistakes). It
// panics if labels do not match the rows of x.
func NewTransferRun(craft, target []*Model, x *mat.Dense, labels []int, o Options) *TransferRun {
	if n, _ := x.Dims(); len(labels) != n {
		panic(fmt.Sprintf("core: %d labels for %d examples", len(labels), n))
	}
	r := &TransferRun{craft: craft, target: target, x: x, labels: labels, o: o,
		tallies: make([][]Tally, len(craft)), mistakes: make([]int, len(craft)), same: make([][]int, len(craft))}
	for i := range craft {
		r.tallies[i], r.same[i] = make([]Tally, len(target)), make([]int, len(target))
		for j := range target {
			r.tallies[i][j].KeepMistakes = craft[i] == target[j]
		}
	}
	return r
}

// Step crafts and scores up to n more digits and reports whether the run
// is done.
func (r *TransferRun) Step(n int) (done bool) {
	end := min(r.done+n, len(r.labels))
	if end > r.done {
		_, dim := r.x.Dims()
		x, y := r.x.Slice(r.done, end, 0, dim).(*mat.Dense), r.labels[r.done:end]
		for i, c := range r.craft {
			r.score(i, FGSM(c, x, y, r.o), y)
		}
		r.done = end
	}
	return r.done == len(r.labels)
}

// score tallies craft model i's examples adv on every target. The craft
// model's own predictions, needed for the agreement, come from its cell
// when it is also a target.
func (r *TransferRun) score(i int, adv *mat.Dense, y []int) {
	preds := make([][]int, len(r.target))
	var own []int
	for j, t := range r.target {
		p := t.Predict(adv)
		r.tallies[i][j].Add(p, y)
		preds[j] = predictions(p)
		if t == r.craft[i] {
			own = preds[j]
		}
	}
	if own == nil {
		own = predictions(r.craft[i].Predict(adv))
	}
	for k, c := range own {
		if c == y[k] {
			continue
		}
		r.mistakes[i]++
		for j := range r.target {
			if preds[j][k] == c {
				r.same[i][j]++
			}
		}
	}
}

// Progress is the fraction of digits processed, in [0, 1].
func (r *TransferRun) Progress() float64 {
	if len(r.labels) == 0 {
		return 1
	}
	return float64(r.done) / float64(len(r.labels))
}

// Results returns r[i][j], craft[i]'s examples on target[j], over the
// digits processed so far.
func (r *TransferRun) Results() [][]Result {
	out := make([][]Result, len(r.craft))
	for i := range r.craft {
		out[i] = make([]Result, len(r.target))
		for j := range r.target {
			out[i][j] = r.tallies[i][j].Result()
			if r.mistakes[i] > 0 {
				out[i][j].Agreement = float64(r.same[i][j]) / float64(r.mistakes[i])
			}
		}
	}
	return out
}

// Mistakes returns the confidence of each mistake of craft[i]'s examples
// on target[j], kept when the two are the same model.
func (r *TransferRun) Mistakes(i, j int) []float64 { return r.tallies[i][j].Mistakes }

// predictions returns the most probable class of each row of p.
func predictions(p *mat.Dense) []int {
	n, _ := p.Dims()
	k := make([]int, n)
	for i := range k {
		k[i] = Argmax(p.RawRowView(i))
	}
	return k
}
