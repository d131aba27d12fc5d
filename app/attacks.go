package main

import (
	"fmt"
	"math"
	"strconv"

	"fgsmlab/core"
)

// This file is the lab's catalogue of attacks: which it offers, what each
// is called, and the settings each takes beside ε and the target. The
// attack panel, the link parameters, the message API and the computation
// all read it, so that a setting is named, bounded and explained once.

// labAttack is one attack of the lab's menu.
type labAttack struct {
	Attack core.Attack
	Label  string // in the menu
	Short  string // in sentences and charts
	// About says in one line what the attack does and who proposed it.
	About  string
	Params []use // its settings, in the panel's order
}

// use is one setting of an attack: which, its default, and a line of help
// of its own when the setting's general one does not fit.
type use struct {
	ID   paramID
	Def  float64
	Help string
}

// labAttacks lists the attacks the lab offers, in menu order: the paper's
// first, then those that came after (issue 11).
var labAttacks = []labAttack{
	{Attack: core.AttackFGSM, Short: "FGSM", Label: "FGSM: x + ε·sign(∇ₓJ)",
		About: "The paper's fast gradient sign method: one step of size ε along the sign of the gradient."},
	{Attack: core.AttackTargeted, Short: "targeted FGSM", Label: "Targeted FGSM: towards a class",
		About: "One step of size ε that lowers the cost of a chosen class instead of raising the cost of the right one."},
	{Attack: core.AttackIterative, Short: "iterative FGSM", Label: "Iterative FGSM (several small steps)",
		About:  "Small FGSM steps, each kept within ε of x (Kurakin et al. 2016).",
		Params: []use{{ID: pSteps, Def: 10}, {ID: pStepSize}}},
	{Attack: core.AttackRandomSign, Short: "random noise", Label: "Random ±ε noise (baseline)",
		About: "Every pixel moved by ε up or down at random: the same size as FGSM, in no particular direction."},
	{Attack: core.AttackPGD, Short: "PGD", Label: "PGD (L∞), projected gradient descent",
		About:  "Iterative FGSM from a random point of the ε-box, the standard strong attack (Madry et al. 2018).",
		Params: []use{{ID: pSteps, Def: 40}, {ID: pStepSize}, {ID: pRandomStart, Def: 1}}},
	{Attack: core.AttackPGDL2, Short: "PGD-L2", Label: "PGD (L2)",
		About:  "PGD whose steps follow the gradient itself and stay within an L2 distance ε of x (Madry et al. 2018).",
		Params: []use{{ID: pSteps, Def: 40}, {ID: pStepSize}, {ID: pRandomStart, Def: 1}}},
	{Attack: core.AttackFGM, Short: "FGM", Label: "FGM (L2): x + ε·∇ₓJ/‖∇ₓJ‖₂",
		About: "The fast gradient method: one step of L2 length ε along the gradient, not its sign."},
	{Attack: core.AttackLL, Short: "least likely", Label: "Iterative least-likely class",
		About: "Iterative steps towards the class the model finds least likely (Kurakin et al. 2016).",
		Params: []use{{ID: pSteps, Help: "Steps of size α; auto is min(255ε + 4, 1.25·255ε), as Kurakin et al. ran it."},
			{ID: pStepSize, Help: "The size α of one step; auto is 1/255, one grey level."}}},
	{Attack: core.AttackDeepFool, Short: "DeepFool", Label: "DeepFool: the nearest boundary (L2)",
		About:  "Walks to the nearest decision boundary of the model's linearisation, step by step (Moosavi-Dezfooli et al. 2016). No budget: it reports the size it needed.",
		Params: []use{{ID: pSteps, Def: 50, Help: "The most linearisation steps it may take before it gives up."}, {ID: pOvershoot, Def: 0.02}}},
	{Attack: core.AttackCW, Short: "C&W", Label: "Carlini–Wagner (L2)",
		About:  "Optimises the smallest change that flips the class, with Adam and a search over c (Carlini and Wagner 2017). No budget.",
		Params: []use{{ID: pC, Def: 1}, {ID: pSearchSteps, Def: 6}, {ID: pSteps, Def: 100, Help: "Adam steps for each value of c (it stops early when the objective stalls)."}, {ID: pKappa}}},
	{Attack: core.AttackJSMA, Short: "JSMA", Label: "JSMA: change the fewest pixels",
		About:  "Sets pairs of pixels to white where the Jacobian says they push most towards the target (Papernot et al. 2016). No budget: it counts the pixels it changed.",
		Params: []use{{ID: pGamma, Def: 0.145}}},
	{Attack: core.AttackLBFGS, Short: "L-BFGS", Label: "L-BFGS: the slow original (targeted)",
		About:  "Minimises c·‖η‖₂² + J(x + η, target) with L-BFGS, the attack of Szegedy et al. (2014) that the paper's “fast” is measured against. No budget.",
		Params: []use{{ID: pC, Def: 1}, {ID: pSearchSteps, Def: 6}, {ID: pSteps, Def: 60, Help: "The most L-BFGS iterations for each value of c."}}},
}

// attackNames are the names of labAttacks, which links and messages use.
var attackNames = func() []string {
	n := make([]string, len(labAttacks))
	for i, a := range labAttacks {
		n[i] = string(a.Attack)
	}
	return n
}()

// attackInfo returns a's entry in labAttacks; a must be one of them.
func attackInfo(a core.Attack) labAttack {
	for _, e := range labAttacks {
		if e.Attack == a {
			return e
		}
	}
	panic("app: the lab does not offer attack " + string(a))
}

// paramID names one of params.
type paramID int

const (
	pSteps paramID = iota
	pStepSize
	pRandomStart
	pOvershoot
	pC
	pSearchSteps
	pKappa
	pGamma
	nParams
)

// param is a setting some attacks take. A value of 0 is "auto" when Auto
// is set: the attack then derives it (from ε, say).
type param struct {
	Key   string // in links and messages
	Label string
	Help  string // one line under the control
	Min   float64
	Max   float64
	Step  float64
	Int   bool // a whole number
	Check bool // a checkbox: 1 on, 0 off
	Auto  string
}

var params = [nParams]param{
	pSteps: {Key: "steps", Label: "Steps", Min: 1, Max: 200, Step: 1, Int: true, Auto: "auto",
		Help: "How many small steps to take; more steps find more, and take longer."},
	pStepSize: {Key: "step", Label: "Step size", Min: 0, Max: 10, Step: 0.001, Auto: "auto: 2.5ε/steps",
		Help: "The length of one step, in the attack's norm; auto lets the steps cross the ε-ball 2.5 times."},
	pRandomStart: {Key: "random_start", Label: "Random start", Check: true,
		Help: "Start from a random point within ε of x, as Madry et al. do, rather than from x."},
	pOvershoot: {Key: "overshoot", Label: "Overshoot", Min: 0.001, Max: 1, Step: 0.001,
		Help: "How far past the linearised boundary to step, as a fraction (the paper's 0.02), to land on the other side."},
	pC: {Key: "c", Label: "c (first)", Min: 1e-4, Max: 1e4, Step: 0.01,
		Help: "The weight of the class term against ‖η‖₂² that the search over c starts from."},
	pSearchSteps: {Key: "search", Label: "Values of c", Min: 1, Max: 10, Step: 1, Int: true,
		Help: "How many values of c the search tries; each is a whole optimisation."},
	pKappa: {Key: "kappa", Label: "Confidence κ", Min: 0, Max: 50, Step: 0.5,
		Help: "The margin by which the wrong class's score must win; 0 is just across the boundary."},
	pGamma: {Key: "gamma", Label: "Most pixels changed", Min: 0.01, Max: 1, Step: 0.01,
		Help: "The largest fraction of the pixels JSMA may change before it gives up (the paper's 14.5%)."},
}

// help returns the line that explains u.
func (u use) help() string {
	if u.Help != "" {
		return u.Help
	}
	return params[u.ID].Help
}

// paramValues holds the settings of params, by paramID. It is an array so
// that settings stay comparable.
type paramValues [nParams]float64

// defaultParams returns a's settings at their defaults.
func defaultParams(a core.Attack) paramValues {
	var p paramValues
	for _, u := range attackInfo(a).Params {
		p[u.ID] = u.Def
	}
	return p
}

// check reports whether v is a valid value of p: in its range (0 is too,
// where it means auto), and whole where it must be.
func (p param) check(v float64) bool {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return false
	case p.Check:
		return v == 0 || v == 1
	case v == 0 && p.Auto != "":
		return true
	case p.Int && v != math.Trunc(v):
		return false
	}
	return v >= p.Min && v <= p.Max
}

// format writes v as a link writes it.
func (p param) format(v float64) string {
	if p.Int || p.Check {
		return strconv.Itoa(int(v))
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// rangeText says p's valid values, for an error message.
func (p param) rangeText() string {
	switch {
	case p.Check:
		return "0 or 1"
	case p.Int && p.Auto != "":
		return fmt.Sprintf("a whole number from %v to %v, or 0 for auto", p.Min, p.Max)
	case p.Int:
		return fmt.Sprintf("a whole number from %v to %v", p.Min, p.Max)
	case p.Auto != "":
		return fmt.Sprintf("a number from %v to %v, or 0 for auto", p.Min, p.Max)
	}
	return fmt.Sprintf("a number from %v to %v", p.Min, p.Max)
}

// paramByKey returns the paramID whose key is k.
func paramByKey(k string) (paramID, bool) {
	for id, p := range params {
		if p.Key == k {
			return paramID(id), true
		}
	}
	return 0, false
}

// takes reports whether attack a has setting id.
func takes(a core.Attack, id paramID) bool {
	for _, u := range attackInfo(a).Params {
		if u.ID == id {
			return true
		}
	}
	return false
}

// maxEpsL2 is the end of the L2 budget's slider, and epsL2Steps its steps
// per unit: ‖η‖₂ = 10 is what moving 100 pixels from black to white costs.
const (
	maxEpsL2   = 10.0
	epsL2Steps = 20
)

// roundL2 puts an L2 budget on the slider's steps of 1/epsL2Steps.
func roundL2(e float64) float64 {
	return math.Round(min(max(e, 0), maxEpsL2)*epsL2Steps) / epsL2Steps
}

// options turns the lab's settings into core's.
func (s settings) options() core.Options {
	p := s.Params
	o := core.Options{
		Epsilon:       s.Eps(),
		NoClip:        !s.Clip,
		Round8:        s.Round,
		Steps:         int(p[pSteps]),
		StepSize:      p[pStepSize],
		NoRandomStart: takes(s.Attack, pRandomStart) && p[pRandomStart] == 0,
		Overshoot:     p[pOvershoot],
		C:             p[pC],
		SearchSteps:   int(p[pSearchSteps]),
		Kappa:         p[pKappa],
		Gamma:         p[pGamma],
	}
	if s.Attack.L2() {
		o.Epsilon = s.EpsL2
	}
	return o
}

// sized reports whether the attack finds its own size (no budget): the
// lab then reports the size it found instead of showing an ε slider.
func (s settings) sized() bool { return !s.Attack.Budgeted() }

// slow reports whether an attack may take long enough on a big model that
// the lab runs it in slices (compute.go): all but the one-step ones.
func slow(a core.Attack) bool {
	switch a {
	case core.AttackFGSM, core.AttackTargeted, core.AttackRandomSign, core.AttackFGM:
		return false
	}
	return true
}
