package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"fgsmlab/core"
)

// LinearStudy is §5's comparison, on logreg37's 3s and 7s, of L1 weight
// decay with adversarial training. Adversarial training of logistic
// regression minimises ζ(−y(wᵀx + b) + ε‖w‖₁): L1 weight decay moved inside
// the softplus, where it fades once the model is confidently right, while
// λ‖w‖₁ added to the cost never does. The paper found λ = 0.0025 too strong
// (training stuck above 5% error); adversarial training at ε = 0.25 trains.
type LinearStudy struct {
	// L1 and Adv are the shipped logreg37-l1 (λ = 0.0025) and logreg37-adv
	// (α = 0.5, ε = 0.25).
	L1, Adv *LinearPoint `json:",omitempty"`
	// Sweep retrains logreg37-l1's recipe at each of L1Lambdas.
	Sweep []LinearPoint `json:"sweep,omitempty"`
}

// LinearPoint is one logistic regression of the study.
type LinearPoint struct {
	Model      string  `json:"model"`
	Lambda     float64 `json:"lambda"`      // its L1 penalty, 0 for none
	TrainError float64 `json:"train_error"` // on the training set's 3s and 7s
	TestError  float64 `json:"test_error"`
	FGSMError  float64 `json:"fgsm_error"` // at ε = 0.25, clipped
	L1Norm     float64 `json:"l1_norm"`    // ‖w‖₁
	// Zeros counts the weights below 10⁻⁴ in size.
	Zeros int `json:"zeros"`
}

// L1Lambdas are the penalties of LinearStudy.Sweep: the paper's, and
// stronger ones up to ε itself.
var L1Lambdas = []float64{0.0025, 0.01, 0.05, 0.1, 0.25}

// studyLinear measures the shipped twins in ms and retrains the L1 recipe
// at each of L1Lambdas (seconds each). train and test are the full sets.
func studyLinear(ms map[string]*core.Model, train, test *core.Dataset) *LinearStudy {
	tr, te := ThreesAndSevens(train), ThreesAndSevens(test)
	s := &LinearStudy{}
	if m := ms["logreg37-l1"]; m != nil {
		p := measureLinear(m.Clone(), tr, te)
		p.Lambda = 0.0025
		s.L1 = &p
	}
	if m := ms["logreg37-adv"]; m != nil {
		p := measureLinear(m.Clone(), tr, te)
		s.Adv = &p
	}
	rc, err := Find("logreg37-l1")
	if err != nil {
		panic(err)
	}
	for _, l := range L1Lambdas {
		m := rc.New(rand.New(rand.NewPCG(1, 7)), tr)
		cfg := rc.Config()
		cfg.Seed, cfg.L1 = 1, l
		core.Train(m, tr, cfg)
		p := measureLinear(m, tr, te)
		p.Lambda = l
		s.Sweep = append(s.Sweep, p)
	}
	return s
}

func measureLinear(m *core.Model, train, test *core.Dataset) LinearPoint {
	p := LinearPoint{Model: m.Name,
		TrainError: core.Evaluate(m, train.Images, train.Labels).Error,
		TestError:  core.Evaluate(m, test.Images, test.Labels).Error,
		FGSMError:  core.EvaluateAttack(m, m, test.Images, test.Labels, core.FGSMAttack(core.Options{Epsilon: PaperEpsilon})).Error,
	}
	for _, w := range m.Layers[0].Params()[0].Data {
		p.L1Norm += math.Abs(w)
		if math.Abs(w) < 1e-4 {
			p.Zeros++
		}
	}
	return p
}

// l1Row is the paper's L1 row: logreg37-l1's training error.
func (b rowMaker) l1Row() Row {
	id := "logreg37_l1_0.0025"
	row := Row{ID: id, What: "logistic regression with L1 penalty 0.0025 (logreg37-l1): training error; the paper's stayed above 5%", Paper: paper(id)}
	s := b.r.Linear
	if s == nil || s.L1 == nil {
		row.Note = "needs logreg37-l1 and the training set (make reproduce)"
		return row
	}
	row.Ours = &Figures{Error: frac(s.L1.TrainError)}
	var sweep []string
	for _, p := range s.Sweep {
		sweep = append(sweep, fmt.Sprintf("λ = %g: %.1f%% (%d of 784 weights 0)", p.Lambda, 100*p.TrainError, p.Zeros))
	}
	row.Note = fmt.Sprintf("the 3s and 7s of the training set; test error %.2f%%, FGSM error at ε = 0.25 %.1f%%. "+
		"Not stuck here: with Adam and λ‖w‖₁ added to the batch's mean cost, the training error by λ is %s",
		100*s.L1.TestError, 100*s.L1.FGSMError, strings.Join(sweep, ", "))
	return row
}

// advRow is logreg37-adv's: adversarial training at the same ε trains.
func (b rowMaker) advRow() Row {
	id := "logreg37_adv_0.25"
	row := Row{ID: id, What: "logistic regression trained on the adversarial objective, ε = 0.25 (logreg37-adv): training error", Paper: paper(id)}
	s := b.r.Linear
	if s == nil || s.Adv == nil {
		row.Note = "needs logreg37-adv and the training set (make reproduce)"
		return row
	}
	row.Ours = &Figures{Error: frac(s.Adv.TrainError)}
	row.Note = fmt.Sprintf("the 3s and 7s of the training set, α = 0.5; test error %.2f%%, FGSM error at ε = 0.25 %.1f%% "+
		"(logreg37's: see logreg37_fgsm_0.25); ‖w‖₁ = %.1f. The penalty ε‖w‖₁ sits inside the softplus, so it trains "+
		"where λ = ε added to the cost leaves every weight 0", 100*s.Adv.TestError, 100*s.Adv.FGSMError, s.Adv.L1Norm)
	return row
}
