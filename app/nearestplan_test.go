package main

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"fgsmlab/core"
)

// The plan runs every attack core knows, once, each with a settings line
// and, for the ε-bounded ones, a bisection tolerance.
func TestNearestPlanCoversEveryAttack(t *testing.T) {
	plan := nearestPlan()
	var got []core.Attack
	for _, a := range plan {
		got = append(got, a.Attack)
		line := a.settingsLine()
		if line == "" || strings.HasSuffix(line, ", ") {
			t.Errorf("%s: settings line %q", a.Name, line)
		}
		if a.Attack.Budgeted() != (a.Tolerance > 0 && a.Start > a.Tolerance) {
			t.Errorf("%s: tolerance %g, start %g", a.Name, a.Tolerance, a.Start)
		}
	}
	want := slices.Clone(core.Attacks)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the plan runs %v, want each of %v once", got, want)
	}
}

// Each norm is ranked apart, in the order L∞, L2, L0, closest first, the
// attacks that found nothing last, ties in the plan's order.
func TestRankNearest(t *testing.T) {
	row := func(a core.Attack, found bool, d float64) nearestRow {
		return nearestRow{nearestAttack: nearestAttack{Attack: a}, Res: core.Nearest{Found: found, Distance: d}}
	}
	rows := []nearestRow{
		row(core.AttackCW, true, 1.3),
		row(core.AttackFGSM, true, 8.0/255),
		row(core.AttackJSMA, true, 4),
		row(core.AttackUniform, false, math.Inf(1)),
		row(core.AttackPGD, true, 7.0/255),
		row(core.AttackDeepFool, true, 0.45),
		row(core.AttackTargeted, true, 8.0/255),
		row(core.AttackFGM, false, math.Inf(1)),
	}
	var got [][]core.Attack
	var norms []string
	for _, g := range rankNearest(rows) {
		norms = append(norms, g.Norm)
		var as []core.Attack
		for _, r := range g.Rows {
			as = append(as, r.Attack)
		}
		got = append(got, as)
	}
	want := [][]core.Attack{
		{core.AttackPGD, core.AttackFGSM, core.AttackTargeted, core.AttackUniform},
		{core.AttackDeepFool, core.AttackCW, core.AttackFGM},
		{core.AttackJSMA},
	}
	if !slices.Equal(norms, []string{"L∞", "L2", "L0"}) || !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("ranked %v %v, want %v", norms, got, want)
	}
	if g := rankNearest(rows[:1]); len(g) != 1 || g[0].Norm != "L2" {
		t.Errorf("one C&W row gives groups %v, want only L2", g)
	}
}

func TestFormatDistance(t *testing.T) {
	cases := []struct {
		norm string
		d    float64
		want string
	}{
		{"L∞", 8.0 / 255, "ε = 8/255 = 0.031"},
		{"L∞", 7.5 / 255, "ε = 7.5/255 = 0.029"},
		{"L∞", 1, "ε = 255/255 = 1.000"},
		{"L2", 0.4531, "‖η‖₂ = 0.45"},
		{"L0", 4, "4 pixels (0.5%)"},
	}
	for _, c := range cases {
		if got := formatDistance(c.norm, c.d, 784); got != c.want {
			t.Errorf("formatDistance(%s, %g) = %q, want %q", c.norm, c.d, got, c.want)
		}
	}
	for steps, want := range map[int]string{5: "ε/2", 10: "ε/4", 20: "ε/8", 4: "0.62ε"} {
		if got := stepOf(steps); got != want {
			t.Errorf("stepOf(%d) = %q, want %q", steps, got, want)
		}
	}
}

// The searches on the shipped softmax model and a few test digits: each
// attack answers; FGSM's ε is no smaller than PGD's, within the
// bisection's tolerance, since PGD takes 10 steps in the same ε-ball;
// what is found is adversarial at the distance reported; the iterative
// attacks count their iterations; the time handed to yield is not counted
// as computing.
func TestRunNearestOnSoftmax(t *testing.T) {
	m, d := shippedModel(t, "softmax"), bundledDigits(t)
	for i := range 3 {
		x := d.Image(i)
		class := core.Argmax(m.PredictOne(x))
		rows := map[core.Attack]nearestRow{}
		for _, a := range nearestPlan() {
			r, ok := runNearest(m, x, a, func() bool { return true })
			if !ok {
				t.Fatalf("digit %d, %s: stopped though yield never said so", i, a.Name)
			}
			rows[a.Attack] = r
			if r.Res.Found {
				got := core.Argmax(m.PredictOne(r.Res.Adv))
				if got != r.Res.Class || (!a.Attack.Targeted() && got == class) {
					t.Errorf("digit %d, %s: x̃ is class %d (reported %d, x is %d)", i, a.Name, got, r.Res.Class, class)
				}
			}
			if a.Opts.Steps > 0 && r.Iterations == 0 {
				t.Errorf("digit %d, %s: no iterations counted", i, a.Name)
			}
		}
		fgsm, pgd := rows[core.AttackFGSM].distance(), rows[core.AttackPGD].distance()
		if math.IsInf(pgd, 1) || fgsm < pgd-nearestTolInf {
			t.Errorf("digit %d: FGSM's ε %g, PGD's %g", i, fgsm, pgd)
		}
	}
}

// A search stops as soon as yield says so, whether the attack is between
// its iterations (PGD) or between its runs (FGSM): halfway through, and at
// the first call.
func TestRunNearestStops(t *testing.T) {
	m, d := shippedModel(t, "softmax"), bundledDigits(t)
	x := d.Image(0)
	for _, a := range nearestPlan() {
		all := 0
		runNearest(m, x, a, func() bool { all++; return true })
		for _, k := range []int{max(all/2, 1), 1} {
			calls := 0
			r, ok := runNearest(m, x, a, func() bool { calls++; return calls < k })
			if ok || calls != k || r.Res.Found {
				t.Errorf("%s, told to stop at call %d of %d: finished %v after %d calls, found %v",
					a.Name, k, all, ok, calls, r.Res.Found)
			}
		}
	}
}

func shippedModel(t *testing.T, name string) *core.Model {
	t.Helper()
	b, err := os.ReadFile("../models/" + name + ".safetensors")
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func bundledDigits(t *testing.T) *core.Dataset {
	t.Helper()
	b, err := os.ReadFile("../web/" + testDigits)
	if err != nil {
		t.Skip("web/" + testDigits + " is missing: `make web` builds it")
	}
	d, err := core.DecodeSamples(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
