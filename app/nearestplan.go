package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"fgsmlab/core"
)

// The nearest-adversarial panel (nearest.go) asks every attack how far the
// nearest adversarial example of the current digit is. This file is its
// logic, with no browser in it: which attacks run with which settings, the
// search loop, and the ranking and wording of the results.

// nearestAttack is one attack as the panel runs it.
type nearestAttack struct {
	Attack core.Attack
	Name   string // as the panel's rows name it
	// Opts are the attack's settings; the search varies Epsilon.
	Opts core.Options
	// Tolerance is where the bisection on ε stops, Start the first ε
	// tried, and RelativeStep the step as a fraction of ε (see
	// core.NearestSearch); the budgeted attacks only.
	Tolerance, Start, RelativeStep float64
}

// The panel's settings, tuned so that all thirteen searches on one digit
// take at most 2 s in the browser on each of the first six models the lab
// offers (TestNearestBench): bisection to 1/255 in the max norm and to
// 0.05 in L2, from 32 times that; 5 steps for iterative FGSM and the least
// likely class, PGD-10; C&W with 3 values of c and 30 Adam steps each,
// L-BFGS with 2 values of c.
const (
	nearestTolInf  = 1.0 / 255
	nearestTolL2   = 0.05
	nearestSteps   = 5
	nearestPGD     = 10
	nearestDFSteps = 50
	nearestCWSteps = 30
	nearestCWC     = 4
	nearestCWCs    = 3
	nearestLBFGSCs = 2
	nearestLBFGSC  = 4
	nearestLBFGSIt = 30
	// JSMA may change 14.5% of the pixels, as Papernot et al. (§IV).
	nearestJSMAGamma = 0.145
)

// nearestPlan lists the attacks the panel runs, in the order it runs them:
// the one-step attacks first, so that the fast ones answer at once.
func nearestPlan() []nearestAttack {
	inf := func(a core.Attack, name string, o core.Options) nearestAttack {
		return nearestAttack{Attack: a, Name: name, Opts: o, Tolerance: nearestTolInf, Start: 32 * nearestTolInf}
	}
	l2 := func(a core.Attack, name string, o core.Options) nearestAttack {
		return nearestAttack{Attack: a, Name: name, Opts: o, Tolerance: nearestTolL2, Start: 32 * nearestTolL2}
	}
	clip := core.Options{} // clip to [0, 1], no rounding: the lab's defaults
	with := func(f func(*core.Options)) core.Options { o := clip; f(&o); return o }
	ll := inf(core.AttackLL, "Least likely", with(func(o *core.Options) { o.Steps = nearestSteps }))
	ll.RelativeStep = 2.5 / nearestSteps // as Iterative's default step
	return []nearestAttack{
		inf(core.AttackFGSM, "FGSM", clip),
		inf(core.AttackTargeted, "Targeted FGSM", clip),
		inf(core.AttackRandomSign, "Random ±ε noise", clip),
		inf(core.AttackUniform, "Uniform noise", clip),
		l2(core.AttackFGM, "FGM", clip),
		{Attack: core.AttackDeepFool, Name: "DeepFool", Opts: with(func(o *core.Options) { o.Steps = nearestDFSteps })},
		inf(core.AttackIterative, "Iterative FGSM", with(func(o *core.Options) { o.Steps = nearestSteps })),
		ll,
		inf(core.AttackPGD, "PGD", with(func(o *core.Options) { o.Steps = nearestPGD })),
		l2(core.AttackPGDL2, "PGD-L2", with(func(o *core.Options) { o.Steps = nearestPGD })),
		{Attack: core.AttackJSMA, Name: "JSMA", Opts: with(func(o *core.Options) { o.Gamma = nearestJSMAGamma })},
		{Attack: core.AttackCW, Name: "C&W", Opts: with(func(o *core.Options) { o.Steps, o.C, o.SearchSteps = nearestCWSteps, nearestCWC, nearestCWCs })},
		{Attack: core.AttackLBFGS, Name: "L-BFGS", Opts: with(func(o *core.Options) { o.C, o.SearchSteps, o.Steps = nearestLBFGSC, nearestLBFGSCs, nearestLBFGSIt })},
	}
}

// nearestRow is what one attack's search found.
type nearestRow struct {
	nearestAttack
	Res core.Nearest
	// Compute is the time spent computing, without the time the search
	// handed to the browser.
	Compute time.Duration
	// Iterations counts the attack's iterations over all its runs (its
	// calls to Options.Yield): PGD's steps, C&W's Adam steps, L-BFGS's
	// evaluations, JSMA's pixel pairs, DeepFool's linearisations.
	Iterations int
}

// runNearest runs attack a's search on the input x to the end. It calls
// yield between the attack's iterations and between its runs, and gives
// up, returning false, once yield does.
func runNearest(m *core.Model, x []float64, a nearestAttack, yield func() bool) (nearestRow, bool) {
	r := nearestRow{nearestAttack: a}
	var yielded time.Duration
	stopped := false
	o := a.Opts
	o.Yield = func() bool {
		r.Iterations++
		t := time.Now()
		ok := yield()
		yielded += time.Since(t)
		stopped = stopped || !ok
		return ok
	}
	t0 := time.Now()
	s := core.NewNearestSearch(m, x, a.Attack, -1, o)
	s.Tolerance, s.Start, s.RelativeStep = a.Tolerance, a.Start, a.RelativeStep
	for !s.Step() {
		if stopped {
			return r, false
		}
		t := time.Now()
		ok := yield()
		yielded += time.Since(t)
		if !ok {
			return r, false
		}
	}
	if stopped {
		return r, false
	}
	r.Res = s.Result()
	r.Compute = time.Since(t0) - yielded
	return r, true
}

// nearestGroup is the rows of one norm, closest first. Distances in
// different norms are not comparable, so the panel ranks each norm apart.
type nearestGroup struct {
	Norm  string // "L∞", "L2" or "L0", as core.Nearest names them
	Title string
	Rows  []nearestRow
}

// nearestNorms are the norms in the order the panel shows them, with their
// titles.
var nearestNorms = []struct{ norm, title string }{
	{"L∞", "Max norm L∞: ε, the most that any one pixel changes"},
	{"L2", "L2 norm: ‖η‖₂, the length of the whole change"},
	{"L0", "L0: how many pixels change"},
}

// rankNearest groups rows by norm, in nearestNorms' order, and sorts each
// group by distance, the ones not found last; ties keep the rows' order.
func rankNearest(rows []nearestRow) []nearestGroup {
	var groups []nearestGroup
	for _, n := range nearestNorms {
		g := nearestGroup{Norm: n.norm, Title: n.title}
		for _, r := range rows {
			if r.norm() == n.norm {
				g.Rows = append(g.Rows, r)
			}
		}
		slices.SortStableFunc(g.Rows, func(a, b nearestRow) int {
			return cmp.Compare(a.distance(), b.distance())
		})
		if len(g.Rows) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// distance is the row's distance, +Inf when the attack found nothing.
func (r nearestRow) distance() float64 {
	if !r.Res.Found {
		return math.Inf(1)
	}
	return r.Res.Distance
}

// norm is the norm the attack measures with.
func (a nearestAttack) norm() string {
	switch {
	case a.Attack == core.AttackJSMA:
		return "L0"
	case a.Attack.L2():
		return "L2"
	}
	return "L∞"
}

// formatDistance writes a distance in its norm's units: ε in grey levels
// out of 255 and as a fraction of the pixel range, ‖η‖₂, or a count of
// pixels out of n.
func formatDistance(norm string, d float64, n int) string {
	switch norm {
	case "L2":
		return fmt.Sprintf("‖η‖₂ = %.2f", d)
	case "L0":
		return fmt.Sprintf("%.0f pixels (%.1f%%)", d, 100*d/float64(n))
	}
	return fmt.Sprintf("ε = %s/255 = %.3f", trimZero(d*255), d)
}

// trimZero writes v to one decimal, without a trailing ".0".
func trimZero(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

// notFound says how far an attack looked without success.
func (a nearestAttack) notFound(n int) string {
	switch a.Attack {
	case core.AttackJSMA:
		return fmt.Sprintf("not found within %.1f%% of the pixels", 100*a.Opts.Gamma)
	case core.AttackDeepFool:
		return fmt.Sprintf("not found within %d steps", a.Opts.Steps)
	case core.AttackCW, core.AttackLBFGS:
		return fmt.Sprintf("not found with %d values of c", a.Opts.SearchSteps)
	}
	if a.norm() == "L2" {
		return fmt.Sprintf("not found within ‖η‖₂ ≤ %.1f", math.Sqrt(float64(n)))
	}
	return "not found within ε ≤ 1 (every pixel may change fully)"
}

// settingsLine says in a line how the panel runs the attack.
func (a nearestAttack) settingsLine() string {
	bisect := ""
	if a.Attack.Budgeted() {
		if a.norm() == "L2" {
			bisect = fmt.Sprintf("bisection on ‖η‖₂ to %s", trimZero2(a.Tolerance))
		} else {
			bisect = fmt.Sprintf("bisection on ε to %s/255", trimZero(a.Tolerance*255))
		}
	}
	switch a.Attack {
	case core.AttackFGSM, core.AttackFGM:
		return "one gradient step a run, " + bisect
	case core.AttackTargeted:
		return "one step towards the runner-up class, " + bisect
	case core.AttackRandomSign, core.AttackUniform:
		return "no gradient, a fixed noise pattern scaled, " + bisect
	case core.AttackIterative:
		return fmt.Sprintf("%d steps of %s a run, %s", a.Opts.Steps, stepOf(a.Opts.Steps), bisect)
	case core.AttackLL:
		return fmt.Sprintf("%d steps of %s towards the least likely class, %s", a.Opts.Steps, stepOf(a.Opts.Steps), bisect)
	case core.AttackPGD, core.AttackPGDL2:
		return fmt.Sprintf("PGD-%d with a random start, %s", a.Opts.Steps, bisect)
	case core.AttackDeepFool:
		return fmt.Sprintf("one run, at most %d linearisation steps", a.Opts.Steps)
	case core.AttackJSMA:
		return "one run towards the runner-up class, two pixels a step"
	case core.AttackCW:
		return fmt.Sprintf("one run: %d values of c from %g, %d Adam steps each", a.Opts.SearchSteps, a.Opts.C, a.Opts.Steps)
	case core.AttackLBFGS:
		return fmt.Sprintf("one run towards the runner-up class: %d values of c from %g, at most %d iterations each", a.Opts.SearchSteps, a.Opts.C, a.Opts.Steps)
	}
	return bisect
}

// stepOf writes the step, 2.5ε/steps, that the iterative attacks take.
func stepOf(steps int) string {
	if n := float64(steps) / 2.5; n == math.Trunc(n) {
		return fmt.Sprintf("ε/%.0f", n)
	}
	return fmt.Sprintf("%.2gε", 2.5/float64(steps))
}

// trimZero2 writes v to two decimals, without trailing zeros.
func trimZero2(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// work says what the search spent: attack runs and the gradient
// evaluations (or iterations) within them.
func (r nearestRow) work() string {
	runs := count(r.Res.Runs, "run", "runs")
	switch r.Attack {
	case core.AttackRandomSign, core.AttackUniform:
		return runs + ", no gradient"
	case core.AttackFGSM, core.AttackTargeted, core.AttackFGM:
		return runs + ", 1 gradient each"
	case core.AttackDeepFool:
		return count(r.Iterations, "step", "steps") + " (10 gradients each)"
	case core.AttackJSMA:
		return count(r.Iterations, "pixel pair", "pixel pairs")
	case core.AttackCW:
		return count(r.Iterations, "Adam step", "Adam steps")
	case core.AttackLBFGS:
		return count(r.Iterations, "gradient", "gradients")
	}
	return fmt.Sprintf("%s, %s", runs, count(r.Iterations, "gradient", "gradients"))
}

// count writes n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// formatMs writes a duration in milliseconds, with a decimal below 10.
func formatMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}
