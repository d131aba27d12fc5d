package main

import (
	"testing"

	"fgsmlab/models/facts"
)

// TestPaperFiguresAsShown: the pages write the paper's figures, read from
// models/facts, as they always have.
func TestPaperFiguresAsShown(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{rubbishPaper("maxout"), "98.35% (conf 92.8%)"},
		{rubbishPaper("softmax"), "59.8% (conf 70.8%)"},
		{rubbishPaper("rbf"), "0%"},
		{rubbishPaper("mlp"), "—"},
		{fmtPct(rbfPaper.Error) + " " + fmtPct(rbfPaper.Confidence), "55.4% 1.2%"},
		{paperTrainNote, "The paper (§6): adversarial training with α = 0.5, ε = 0.25 took a maxout network's error on FGSM examples from 89.4% to 17.9%, and its clean error from 0.94% to 0.84%; a shallow softmax model trained plainly is wrong on 99.9% of FGSM examples at ε = 0.25. These models are far smaller and see a sixth of the data for a few epochs, so expect the same direction, not the same numbers."},
		{fmtPct(facts.Transfer("maxout", "maxout-adv").Error) + " " + fmtPct(facts.Transfer("maxout-adv", "maxout").Error), "19.6% 40.9%"},
		{fmtPct(facts.PaperFigure("agreement_rbf_maxout").Agreement), "16.0%"},
	} {
		if c.got != c.want {
			t.Errorf("shown %q, want %q", c.got, c.want)
		}
	}
}
