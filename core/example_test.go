package core_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"fgsmlab/core"
)

// linearModel is softmax regression on four pixels: class "dark-light"
// scores w·x and class "light-dark" scores −w·x, with w = (1, −1, 1, −1).
// The paper's argument (§3) in miniature: a step of ε along sign(w) moves
// each score by ε‖w‖₁.
func linearModel() *core.Model {
	w := []float64{1, -1, 1, -1}
	weights := core.Tensor{Shape: []int{2, 4}, Data: make([]float64, 8)}
	for j, wj := range w {
		weights.Data[j], weights.Data[4+j] = wj, -wj
	}
	m, err := core.Build("linear",
		[]core.LayerSpec{{Kind: "dense", Weight: "w", Bias: "b"}, {Kind: "softmax"}},
		[]string{"dark-light", "light-dark"},
		map[string]core.Tensor{"w": weights, "b": {Shape: []int{2}, Data: make([]float64, 2)}})
	if err != nil {
		panic(err)
	}
	return m
}

// FGSM moves every pixel by ε in the direction that raises the cost
// (paper eq. 3): enough, here, to flip a confident answer.
func ExampleFGSM() {
	m := linearModel()
	x := mat.NewDense(1, 4, []float64{0.6, 0.4, 0.6, 0.4})
	labels := []int{0}

	adv := core.FGSM(m, x, labels, core.Options{Epsilon: 0.25})

	fmt.Printf("x: p(%s) = %.2f\n", m.Classes[0], m.PredictOne(x.RawRowView(0))[0])
	fmt.Printf("η = x̃ − x: %.2f\n", core.Perturbation(x, adv).RawRowView(0))
	fmt.Printf("x̃: p(%s) = %.2f\n", m.Classes[1], m.PredictOne(adv.RawRowView(0))[1])
	// Output:
	// x: p(dark-light) = 0.69
	// η = x̃ − x: [-0.25 0.25 -0.25 0.25]
	// x̃: p(light-dark) = 0.77
}

// stripes is a dataset of n four-pixel images, alternately "dark-light"
// (0.8, 0.2, 0.8, 0.2) and "light-dark" (0.2, 0.8, 0.2, 0.8).
func stripes(n int) *core.Dataset {
	d := &core.Dataset{Images: mat.NewDense(n, 4, nil), Labels: make([]int, n)}
	for i := range n {
		d.Labels[i] = i % 2
		for j := range 4 {
			v := 0.8
			if j%2 != d.Labels[i] {
				v = 0.2
			}
			d.Images.Set(i, j, v)
		}
	}
	return d
}

// A Stepper trains a mini-batch at a time, so that a page can yield to the
// browser between steps; here on the adversarial objective (paper eq. 6,
// α = 0.5), from zero weights.
func ExampleStepper() {
	m := linearModel()
	for _, p := range m.Params() {
		clear(p.Data)
	}
	d := stripes(64)
	s := core.NewStepper(m, d, core.TrainConfig{
		Epochs: 3, BatchSize: 16, Optimizer: &core.Adam{LR: 0.1}, Seed: 1,
		Adversarial: &core.Adversarial{Alpha: 0.5, Epsilon: 0.1},
	})
	fmt.Println("mini-batches per epoch:", s.Batches())
	for !s.Done() {
		if s.Step(1) {
			e := s.Stats()[s.Epoch()-1]
			fmt.Printf("epoch %d: training error %.0f%%\n", e.Epoch, 100*e.Error)
		}
	}
	fmt.Printf("training error under FGSM, ε = 0.1: %.0f%%\n",
		100*core.EvaluateAttack(m, m, d.Images, d.Labels, core.FGSMAttack(core.Options{Epsilon: 0.1})).Error)
	// Output:
	// mini-batches per epoch: 4
	// epoch 1: training error 14%
	// epoch 2: training error 0%
	// epoch 3: training error 0%
	// training error under FGSM, ε = 0.1: 0%
}

// A SweepRun measures the error under FGSM for several ε a few digits at a
// time (§4's sweeps), computing each digit's sign(∇ₓJ) once for all ε.
// On the stripes, w·x = ±1.2, and FGSM takes ε‖w‖₁ = 4ε off it: the
// answers turn wrong past ε = 0.3.
func ExampleSweepRun() {
	m := linearModel()
	d := stripes(4)
	eps := []float64{0, 0.1, 0.2, 0.4}
	r := core.NewSweepRun(m, d.Images, d.Labels, core.AttackFGSM, eps, core.Options{}, 1)
	for !r.Done() {
		r.Step(2) // digits; a page yields to the browser between steps
		fmt.Printf("%.0f%% done\n", 100*r.Progress())
	}
	for i, res := range r.Results() {
		fmt.Printf("ε = %.1f: error %.0f%%, confidence %.2f\n", eps[i], 100*res.Error, res.Confidence)
	}
	// Output:
	// 50% done
	// 100% done
	// ε = 0.0: error 0%, confidence 0.92
	// ε = 0.1: error 0%, confidence 0.83
	// ε = 0.2: error 0%, confidence 0.69
	// ε = 0.4: error 100%, confidence 0.69
}
