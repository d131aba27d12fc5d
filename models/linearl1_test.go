package models

import (
	"testing"

	"fgsmlab/core"
)

// §5 on the shipped twins and a retrained sweep: an L1 penalty as large as
// ε zeroes every weight and leaves the training error at chance, while
// the shipped adversarially trained twin trains (below 5%) and resists
// FGSM far better than logreg37; the rows carry the figures.
func TestLinearStudy(t *testing.T) {
	train, test := loadMNIST(t)
	ms := map[string]*core.Model{}
	for _, name := range []string{"logreg37", "logreg37-l1", "logreg37-adv"} {
		m, err := Load(Dir(), name)
		if err != nil {
			t.Skipf("%s: %v (make train)", name, err)
		}
		ms[name] = m
	}
	s := studyLinear(ms, train, test)
	if s.L1 == nil || s.Adv == nil || len(s.Sweep) != len(L1Lambdas) {
		t.Fatalf("study: %+v", s)
	}
	last := s.Sweep[len(s.Sweep)-1]
	if last.Lambda != 0.25 || last.TrainError < 0.4 || last.Zeros < 700 {
		t.Errorf("λ = 0.25: training error %.3f with %d zero weights; want about chance, most weights 0", last.TrainError, last.Zeros)
	}
	for i := 1; i < len(s.Sweep); i++ {
		if s.Sweep[i].L1Norm >= s.Sweep[i-1].L1Norm {
			t.Errorf("‖w‖₁ did not shrink from λ = %g to %g: %.2f → %.2f", s.Sweep[i-1].Lambda, s.Sweep[i].Lambda, s.Sweep[i-1].L1Norm, s.Sweep[i].L1Norm)
		}
	}
	plain := measureLinear(ms["logreg37"], ThreesAndSevens(train), ThreesAndSevens(test))
	if s.Adv.TrainError > 0.05 || s.Adv.FGSMError > plain.FGSMError/2 {
		t.Errorf("logreg37-adv: training error %.3f, FGSM error %.3f (logreg37's %.3f)", s.Adv.TrainError, s.Adv.FGSMError, plain.FGSMError)
	}
	r := &Report{Linear: s}
	b := rowMaker{r: r}
	for _, row := range []Row{b.l1Row(), b.advRow()} {
		if row.Ours == nil || row.Ours.Error == nil {
			t.Errorf("%s has no figure: %+v", row.ID, row)
		}
	}
	if got := *b.l1Row().Ours.Error; got != s.L1.TrainError {
		t.Errorf("the L1 row says %v, the study %v", got, s.L1.TrainError)
	}
}
