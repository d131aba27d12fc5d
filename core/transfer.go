package core

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// TransferRun crafts FGSM examples on each craft model and scores them on
// each target model (§8), a few digits of one craft model at a time, so
// that a page can yield to the browser between steps and cancel by no
// longer calling Step.
// Cell (i, j) counts craft[i]'s examples on target[j] as
// EvaluateAttack(craft[i], target[j], …, FGSMAttack(o)) does.
type TransferRun struct {
	craft, target []*Model
	x             *mat.Dense
	labels        []int
	o             Options
	done          []int // done[i]: the digits crafted on craft[i] and scored
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
	r := &TransferRun{craft: craft, target: target, x: x, labels: labels, o: o, done: make([]int, len(craft)),
		tallies: make([][]Tally, len(craft)), mistakes: make([]int, len(craft)), same: make([][]int, len(craft))}
	for i := range craft {
		r.tallies[i], r.same[i] = make([]Tally, len(target)), make([]int, len(target))
		for j := range target {
			r.tallies[i][j].KeepMistakes = craft[i] == target[j]
		}
	}
	return r
}

// Step crafts and scores up to n more digits on the first craft model
// not done, and reports whether the run is done. A step stays within one
// craft model, since their costs differ widely (a convolutional network
// against logistic regression).
func (r *TransferRun) Step(n int) (done bool) {
	notDone := func(d int) bool { return d < len(r.labels) }
	if i := slices.IndexFunc(r.done, notDone); i >= 0 {
		r.StepCraft(i, n)
	}
	return !slices.ContainsFunc(r.done, notDone)
}

// StepCraft crafts up to n more digits on craft[i] and scores them on
// every target, and reports whether craft[i] is done. A page runs each
// craft model as a stage of its own, so that the digits per slice adapt
// to its cost.
func (r *TransferRun) StepCraft(i, n int) (done bool) {
	end := min(r.done[i]+n, len(r.labels))
	if end > r.done[i] {
		_, dim := r.x.Dims()
		x, y := r.x.Slice(r.done[i], end, 0, dim).(*mat.Dense), r.labels[r.done[i]:end]
		r.score(i, FGSM(r.craft[i], x, y, r.o), y)
		r.done[i] = end
	}
	return r.done[i] == len(r.labels)
}

// Crafts is the number of craft models.
func (r *TransferRun) Crafts() int { return len(r.craft) }

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

// Progress is the fraction of the work done (every digit on every craft
// model), in [0, 1].
func (r *TransferRun) Progress() float64 {
	if len(r.labels) == 0 || len(r.craft) == 0 {
		return 1
	}
	sum := 0
	for _, d := range r.done {
		sum += d
	}
	return float64(sum) / float64(len(r.labels)*len(r.craft))
}

// CraftProgress is the fraction of the digits crafted on craft[i] and
// scored, in [0, 1].
func (r *TransferRun) CraftProgress(i int) float64 {
	if len(r.labels) == 0 {
		return 1
	}
	return float64(r.done[i]) / float64(len(r.labels))
}

// Results returns r[i][j], craft[i]'s examples on target[j], over the
// digits crafted on craft[i] so far.
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
