package core

import (
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json from this platform's outputs")

// golden is what every tiny model gives for one fixed input: its
// probabilities, its input gradient, its FGSM image and the image each
// attack of goldenAttacks makes (keyed by the attack's name). The file is written
// natively (go test -run Golden -update) and checked both natively and under
// js/wasm, so the browser runs the same maths as the command line.
type golden map[string]struct {
	Probs, Gradient, FGSM []float64
	Attacks               map[Attack][]float64 `json:",omitempty"`
}

// goldenAttacks are the attacks whose images the golden file holds, each
// run through Craft with label 1 and ε = 0.1 (L∞) or 0.5 (L2).
var goldenAttacks = []Attack{AttackPGD, AttackPGDL2, AttackFGM, AttackDeepFool, AttackCW, AttackJSMA, AttackLBFGS, AttackLL}

func computeGolden() golden {
	g := golden{}
	for _, m := range tinyModels(rand.New(rand.NewPCG(20, 20))) {
		x := make([]float64, m.InputSize())
		for i := range x {
			x[i] = float64((i*37)%11) / 10
		}
		e := g[m.Name]
		e.Probs = append([]float64(nil), m.PredictOne(x)...)
		e.Gradient = append([]float64(nil), m.InputGradientOne(x, 1)...)
		e.FGSM = FGSM(m, mat.NewDense(1, len(x), x), []int{1}, Options{Epsilon: 0.1}).RawRowView(0)
		e.Attacks = map[Attack][]float64{}
		for _, a := range goldenAttacks {
			o := Options{Epsilon: 0.1}
			if a.L2() {
				o.Epsilon = 0.5
			}
			_, adv := Craft(m, mat.NewDense(1, len(x), x), []int{1}, a, o)
			e.Attacks[a] = adv.RawRowView(0)
		}
		g[m.Name] = e
	}
	return g
}

func TestGoldenOutputs(t *testing.T) {
	got := computeGolden()
	want := goldenFile(t, "testdata/golden.json", got)
	for name, w := range want {
		g := got[name]
		cases := []struct {
			what      string
			got, want []float64
		}{{"probabilities", g.Probs, w.Probs}, {"input gradient", g.Gradient, w.Gradient}, {"FGSM image", g.FGSM, w.FGSM}}
		for _, a := range goldenAttacks {
			cases = append(cases, struct {
				what      string
				got, want []float64
			}{string(a) + " image", g.Attacks[a], w.Attacks[a]})
		}
		for _, c := range cases {
			if len(c.got) != len(c.want) {
				t.Fatalf("%s %s: %d values, golden has %d", name, c.what, len(c.got), len(c.want))
			}
			for i := range c.got {
				if math.Abs(c.got[i]-c.want[i]) > 1e-12*max(1, math.Abs(c.want[i])) {
					t.Errorf("%s %s[%d] = %.17g, golden %.17g", name, c.what, i, c.got[i], c.want[i])
				}
			}
		}
	}
}

// goldenFile returns the golden values stored at path, after writing got
// there when the test runs with -update (natively: the file is then checked
// natively and under js/wasm).
func goldenFile[T any](t *testing.T, path string, got T) T {
	t.Helper()
	if *update {
		b, _ := json.MarshalIndent(got, "", " ")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want T
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	return want
}
