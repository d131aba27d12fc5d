package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fgsmlab/core"
)

// This file holds what the training page (trainpage.go) computes without a
// browser, so that the browser tests can train the same model natively and
// compare.

// trainKinds are the models the page can train, with what they are.
var trainKinds = []struct{ Name, Short, What string }{
	{"softmax", "softmax regression, 784 → 10", "softmax regression, 784 → 10 (7,850 parameters)"},
	{"mlp", "small MLP, 784 → 64 → 10", "a small ReLU network, 784 → 64 → 10 (50,890 parameters)"},
}

// trainSpec is one training run's settings, all of which a link can carry.
type trainSpec struct {
	Kind    string
	Alpha20 int // α = Alpha20/20: the weight of the clean cost (§6, eq. 6)
	Eps255  int // ε = Eps255/255 of the adversarial objective and of the FGSM test
	// Noise is what the second term adds to x: "" for FGSM's ε·sign(∇ₓJ),
	// core.AttackRandomSign or core.AttackUniform for §6's noise controls.
	// Plain training (α = 1) has none.
	Noise  core.Attack
	Epochs int
	LR     float64
	Seed   uint64
	Plain  bool // also train the α = 1 model to compare
	Embed  bool
}

// trainObjectives are the page's choices of objective, by their value in
// the link's objective parameter: plain is α = 1.
var trainObjectives = []struct {
	Value, Label string
	Noise        core.Attack
}{
	{"fgsm", "FGSM examples (the paper's eq. 6)", ""},
	{"random", "±ε random-sign noise (§6's control)", core.AttackRandomSign},
	{"uniform", "U(−ε, ε) noise (§6's control)", core.AttackUniform},
	{"plain", "plain: clean examples only (α = 1)", ""},
}

func objectiveValues() []string {
	var vs []string
	for _, o := range trainObjectives {
		vs = append(vs, o.Value)
	}
	return vs
}

// objective is s's value of the link's objective parameter.
func (s trainSpec) objective() string {
	switch {
	case s.Alpha20 == 20:
		return "plain"
	case s.Noise != "":
		return string(s.Noise)
	}
	return "fgsm"
}

// withObjective returns s set to train on the objective of the given link
// value: plain sets α = 1, the others leave α below 1 (the default 0.5
// after plain).
func (s trainSpec) withObjective(v string) trainSpec {
	for _, o := range trainObjectives {
		if o.Value != v {
			continue
		}
		s.Noise = o.Noise
		if v == "plain" {
			s.Alpha20 = 20
		} else if s.Alpha20 == 20 {
			s.Alpha20 = defaultTrainSpec().Alpha20
		}
	}
	return s
}

var trainRates = []float64{0.0005, 0.001, 0.002, 0.005}

func defaultTrainSpec() trainSpec {
	return trainSpec{Kind: "softmax", Alpha20: 10, Eps255: 64, Epochs: 5, LR: 0.002, Seed: 1, Plain: true}
}

func (s trainSpec) Alpha() float64 { return float64(s.Alpha20) / 20 }
func (s trainSpec) Eps() float64   { return float64(s.Eps255) / 255 }

// config is the core training configuration: Adam with a constant rate, in
// mini-batches of 128. α = 1 is plain training.
func (s trainSpec) config() core.TrainConfig {
	c := core.TrainConfig{Epochs: s.Epochs, BatchSize: 128, Optimizer: &core.Adam{LR: s.LR}, Seed: s.Seed}
	if s.Alpha20 < 20 {
		c.Adversarial = &core.Adversarial{Alpha: s.Alpha(), Epsilon: s.Eps(), Attack: s.Noise}
	}
	return c
}

// plain is the comparison run: the same settings with α = 1.
func (s trainSpec) plain() trainSpec {
	s.Alpha20, s.Noise = 20, ""
	return s
}

// modelName is the name the lab offers the trained model under.
func (s trainSpec) modelName() string {
	noise := ""
	if s.Alpha20 < 20 && s.Noise != "" {
		noise = string(s.Noise) + "-"
	}
	return fmt.Sprintf("yours-%s-%sa%s", s.Kind, noise, strconv.FormatFloat(s.Alpha(), 'f', -1, 64))
}

// noiseWhat names the noise of s's objective.
func (s trainSpec) noiseWhat() string {
	if s.Noise == core.AttackUniform {
		return "U(−ε, ε) noise"
	}
	return "±ε random-sign noise"
}

// describe says how the model was trained, for the lab's model card.
func (s trainSpec) describe() string {
	obj := "plain training (α = 1)"
	switch {
	case s.Alpha20 == 20:
	case s.Noise != "":
		obj = fmt.Sprintf("the noise objective α·J(x) + (1 − α)·J(x + η), η %s, with α = %.2f, ε = %d/255 ≈ %.3f (§6's control)",
			s.noiseWhat(), s.Alpha(), s.Eps255, s.Eps())
	default:
		obj = fmt.Sprintf("the adversarial objective with α = %.2f, ε = %d/255 ≈ %.3f", s.Alpha(), s.Eps255, s.Eps())
	}
	return fmt.Sprintf("Trained in this page: %s, %s, %d epoch%s of the first 10,000 MNIST training digits, Adam at %g, seed %d.",
		trainKindWhat(s.Kind), obj, s.Epochs, plural(s.Epochs), s.LR, s.Seed)
}

func trainKindWhat(kind string) string {
	for _, k := range trainKinds {
		if k.Name == kind {
			return k.What
		}
	}
	return kind
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// newTrainee returns the untrained model: He-initialised weights drawn from
// the seed, zero biases.
func newTrainee(kind string, seed uint64) *core.Model {
	widths := []int{784, 10}
	if kind == "mlp" {
		widths = []int{784, 64, 10}
	}
	rng := rand.New(rand.NewPCG(seed, 0x7e57ab1e))
	var arch []core.LayerSpec
	ts := map[string]core.Tensor{}
	for i := 1; i < len(widths); i++ {
		p := fmt.Sprintf("l%d", i-1)
		if i > 1 {
			arch = append(arch, core.LayerSpec{Kind: "relu"})
		}
		arch = append(arch, core.LayerSpec{Kind: "dense", Weight: p + ".weight", Bias: p + ".bias"})
		w := core.Tensor{Shape: []int{widths[i], widths[i-1]}, Data: make([]float64, widths[i]*widths[i-1])}
		std := math.Sqrt(2 / float64(widths[i-1]))
		for j := range w.Data {
			w.Data[j] = std * rng.NormFloat64()
		}
		ts[p+".weight"] = w
		ts[p+".bias"] = core.Tensor{Shape: []int{widths[i]}, Data: make([]float64, widths[i])}
	}
	arch = append(arch, core.LayerSpec{Kind: "softmax"})
	m, err := core.Build("yours-"+kind, arch, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, ts)
	if err != nil {
		panic("app: trainee " + kind + ": " + err.Error())
	}
	return m
}

// trainEvalEps are the ε of each evaluation after an epoch, given the
// chosen one: 0 (the clean error), the chosen ε, and the lab card's 0.25.
func trainEvalEps(eps float64) []float64 { return []float64{0, eps, 0.25} }

// parseTrainSpec reads the training page's link (see linkParams).
func parseTrainSpec(q *linkParams) trainSpec {
	s := defaultTrainSpec()
	s.Kind = q.choice("kind", []string{"softmax", "mlp"}, s.Kind)
	if v, ok := q.value("alpha"); ok {
		a, err := strconv.ParseFloat(v, 64)
		if k := math.Round(a * 20); err == nil && len(v) <= 8 && k >= 1 && k <= 20 {
			s.Alpha20 = int(k)
		} else {
			q.fail("alpha")
		}
	}
	s = s.withObjective(q.choice("objective", objectiveValues(), s.objective()))
	s.Eps255 = q.eps255("eps", s.Eps255)
	s.Epochs = q.intIn("epochs", 1, 10, s.Epochs)
	if v, ok := q.value("lr"); ok {
		r, err := strconv.ParseFloat(v, 64)
		if i := slices.Index(trainRates, r); err == nil && i >= 0 {
			s.LR = trainRates[i]
		} else {
			q.fail("lr")
		}
	}
	s.Seed = uint64(q.intIn("seed", 0, 999999, int(s.Seed)))
	s.Plain = q.flag("plain", s.Plain)
	s.Embed = q.flag("embed", s.Embed)
	return s
}

// query encodes s for the address bar.
func (s trainSpec) query() url.Values {
	q := url.Values{}
	q.Set("kind", s.Kind)
	q.Set("alpha", strconv.FormatFloat(s.Alpha(), 'f', -1, 64))
	q.Set("objective", s.objective())
	q.Set("eps", strconv.FormatFloat(s.Eps(), 'f', 4, 64))
	q.Set("epochs", strconv.Itoa(s.Epochs))
	q.Set("lr", strconv.FormatFloat(s.LR, 'f', -1, 64))
	q.Set("seed", strconv.FormatUint(s.Seed, 10))
	q.Set("plain", boolParam(s.Plain))
	if s.Embed {
		q.Set("embed", "1")
	}
	return q
}

// trainedNames lists the models trained in the page during this visit.
func trainedNames() []string {
	store.Lock()
	defer store.Unlock()
	var names []string
	for n := range store.models {
		if strings.HasPrefix(n, "yours-") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// labModels lists what the lab's model selector offers: the shipped models,
// then the ones trained in the page, then the one the visitor opened.
func labModels() []string {
	names := append(slices.Clone(modelNames), trainedNames()...)
	if _, ok := openedSource(); ok {
		names = append(names, openedModel)
	}
	return names
}

// trainedBlurb is the model card's line for a model trained in the page.
func trainedBlurb(name string) string {
	store.Lock()
	defer store.Unlock()
	if m := store.models[name]; m != nil {
		return m.Meta["trained"]
	}
	return ""
}
