package main

import (
	"fmt"
	"io"
	"strings"

	"fgsmlab/core"
	"fgsmlab/models"
)

func writeMarkdown(w io.Writer, r *models.Report, ms map[string]*core.Model, figs []figure, o options) {
	source := "the shipped model files (`models/*.safetensors`)"
	if o.fresh {
		source = "models retrained from their recipes by this run (`-fresh`), not the shipped files"
	}
	fmt.Fprintf(w, "# Reproducing Goodfellow et al. (2015) on MNIST\n\n")
	fmt.Fprintf(w, "Made by `make reproduce` (`go run ./models/cmd/reproduce`) from %s, on %d MNIST test digits. "+
		"[`report.json`](report.json) holds the same figures as fractions; `make reproduce` checks the "+
		"reproduction targets and prints this table.\n\n", source, r.TestExamples)
	writeChoices(w)
	writeTable(w, r)
	writeDifferences(w, r)
	writeTargets(w, r)
	fmt.Fprintf(w, "## Every model at ε = %g\n\n", models.PaperEpsilon)
	fmt.Fprintln(w, "| model | test digits | clean error | FGSM error | FGSM error, float32 softmax | confidence (all) | confidence (mistakes) | rubbish rate |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|")
	for _, m := range r.Models {
		p := m.At(models.PaperEpsilon)
		rb := "—"
		if m.Rubbish != nil {
			rb = pct(m.Rubbish.Rate)
		}
		f32 := "—"
		if m.Float32 != nil {
			f32 = pct(m.Float32.Error)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", m.Name, m.Examples, pct(m.At(0).Error), pct(p.Error),
			f32, pct(p.Confidence), pct(p.MistakeConfidence), rb)
	}
	for _, name := range r.Missing {
		fmt.Fprintf(w, "| %s | missing | | | | | | |\n", name)
	}
	fmt.Fprintln(w)
	writeAttacks(w, r)
	writeTraining(w, ms)
	fmt.Fprintf(w, "## Figures\n\n")
	for _, f := range figs {
		fmt.Fprintf(w, "### %s\n\n![%s](%s)\n\n%s\n\n", f.title, f.title, f.file, f.caption)
	}
}

func writeChoices(w io.Writer) {
	fmt.Fprint(w, `## Choices where the paper is open

- **Clipping.** Every adversarial image is clipped to the pixel range [0, 1]; the paper did not clip.
  On MNIST most pixels are 0 or 1, so clipping removes about half of η there and makes the attack
  somewhat weaker than the paper's. ε is on the [0, 1] pixel scale; no rounding to 8 bits.
- **FGSM** is x̃ = x + ε·sign(∇ₓJ(θ, x, y)) with the true label y, crafted on the model it is scored on
  unless the row says "transfer". ∇ₓJ is computed in float64; the rows of FGSM examples also give, as
  "float32 softmax", the figures with the gradient of a softmax computed in float32 as the paper's
  networks were (core.Options.Float32Softmax): there a confident digit's p_y rounds to exactly 1 and
  the true class's term of ∇ₓJ vanishes.
- **Mean confidence** is the mean probability of the predicted class. Each row says which set it is
  averaged over ("conf over"): for the FGSM rows it is over the **mistakes**, which is how we read
  "misclassifies 89.4% … with an average confidence of 97.6%", and the mean over all examples is in
  the note; for clean rows it is over all examples; for the rubbish rows it is over the noise images
  that get a class above 0.5. The RBF network's class probabilities are independent
  (p_c = exp(−Σ_j β_cj·(x_j − w_cj)²), one unit per class with per-pixel precisions β_cj), so its confidence is its largest p_c.
- **Rubbish class**: images of N(0, 1) noise per pixel (10,000 per model, as in the paper), unclipped.
- **Agreement** (§8): FGSM examples crafted on maxout (ε = 0.25) that maxout gets wrong; the
  fraction on which the other model's top class is maxout's wrong class.
- **Stronger attacks** (the rows after the paper's, not in the paper; models.AttackSettings): each
  runs on every model at the fixed settings its row states, clipped to [0, 1], against the true labels,
  on the first 1,000 test digits of each model (500 for PGD-L2 and least-likely, 100 for C&W, JSMA and
  L-BFGS, which are slow); "error" is against the true labels and the confidence is over the mistakes.
  DeepFool, C&W, JSMA and L-BFGS take no budget: their notes give the success rate and the median size
  of η over the successes (‖η‖₂, or the pixels changed for JSMA). JSMA and L-BFGS are targeted, at each
  digit's runner-up class (the most probable class other than the true one); their success is reaching it.
- **Optimiser settings**, which the paper does not give, are in "How the models were trained" below.

## What to read with care

- **maxout-adv's FGSM error is not monotonic in ε** (see the sweep figure): it is lowest near the
  ε = 0.25 it was trained on and higher at small ε. Training on one-step FGSM examples at one ε teaches
  the network that particular perturbation (Kurakin et al. 2016 call the related effect "label
  leaking"); it is not robustness to every perturbation of that size. Iterative attacks break it:
  compare its FGSM row with maxout_adv_pgd40_0.25, and the PGD curves on the lab's /sweeps page.
- **Our maxout networks are smaller** than the paper's (3 pieces instead of 5, half-precision weights,
  so that a page can download them) and trained for a fixed number of epochs without early stopping.

`)
}

func writeTable(w io.Writer, r *models.Report) {
	fmt.Fprintf(w, "## The paper's table\n\n")
	fmt.Fprintln(w, "| experiment | paper | ours | conf over | note |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "| %s <br>`%s` | %s | %s | %s | %s |\n", row.What, row.ID, figures(&row.Paper), ours(row),
			row.ConfidenceOver, row.Note)
	}
	fmt.Fprintln(w)
}

// ours prints our side of a row: the float64 figures and, for the rows of
// FGSM examples, those with the float32 softmax's gradient.
func ours(row models.Row) string {
	s := figures(row.Ours)
	if row.OursFloat32 != nil {
		s += "<br>float32 softmax: " + figures(row.OursFloat32)
	}
	return s
}

// writeDifferences gives the reason for each row whose figures differ from
// the paper's by more than models.DifferenceLimit.
func writeDifferences(w io.Writer, r *models.Report) {
	fmt.Fprintf(w, "## Why the figures differ\n\n")
	fmt.Fprintf(w, "Every row above whose figure differs from the paper's by more than %.0f points, with the measured "+
		"reason or the most likely one (said so), and the experiments that test it. `make reproduce` runs them on "+
		"the same test digits (report.json: \"experiments\" and \"differences\").\n\n", 100*models.DifferenceLimit)
	for _, d := range r.Differences {
		fmt.Fprintf(w, "- **`%s`** (%s): %s\n", d.Row, strings.Join(d.Figures, ", "), d.Why)
	}
	fmt.Fprintln(w)
}

func writeTargets(w io.Writer, r *models.Report) {
	fmt.Fprintf(w, "## Reproduction targets\n\n| target | ours | status |\n|---|--:|---|\n")
	for _, t := range r.Targets {
		got := "—"
		if t.Status != "MISSING" {
			got = pct(t.Got)
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.What, got, t.Status)
	}
	fmt.Fprintln(w)
}

func writeTraining(w io.Writer, ms map[string]*core.Model) {
	fmt.Fprintf(w, "## How the models were trained\n\n")
	fmt.Fprintln(w, "Settings from each recipe (`models/recipes.go`); the command is the one recorded in the model file.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| model | architecture | optimiser (recipe) | command |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, rc := range models.Recipes {
		cmd := "missing"
		if m := ms[rc.Name]; m != nil {
			cmd = "`" + m.Meta["command"] + "`"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", rc.Name, rc.What(), training(rc.Config()), cmd)
	}
	fmt.Fprintln(w)
}

// training describes a recipe's optimiser settings in a line.
func training(c core.TrainConfig) string {
	opt := fmt.Sprintf("%T", c.Optimizer)
	switch o := c.Optimizer.(type) {
	case *core.Adam:
		opt = fmt.Sprintf("Adam, lr %g", o.LR)
	case *core.SGD:
		opt = fmt.Sprintf("SGD, lr %g, momentum %g", o.LR, o.Momentum)
	}
	s := fmt.Sprintf("%s, batch %d, %d epochs", opt, c.BatchSize, c.Epochs)
	if c.Decay > 0 && c.Decay != 1 {
		s += fmt.Sprintf(", lr ×%.3f after each epoch", c.Decay)
	}
	if a := c.Adversarial; a != nil {
		s += fmt.Sprintf(", adversarial objective α = %g, ε = %g", a.Alpha, a.Epsilon)
	}
	return s
}

// writeAttacks lays out the stronger attacks' rows as one table: a model a
// line, an attack a column, its error against the true labels and, for the
// attacks with no budget, the median size of η over the successes.
func writeAttacks(w io.Writer, r *models.Report) {
	fmt.Fprintf(w, "## The stronger attacks at a glance\n\n")
	fmt.Fprintln(w, "Error against the true labels; for the attacks with no budget, the median size of η over the successes "+
		"in brackets (‖η‖₂, pixels changed for JSMA). The settings are in the rows above.")
	fmt.Fprintln(w)
	fmt.Fprint(w, "| model |")
	for _, s := range models.AttackSettings {
		fmt.Fprintf(w, " `%s` |", s.ID)
	}
	fmt.Fprint(w, "\n|---|")
	for range models.AttackSettings {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w)
	for _, m := range r.Models {
		fmt.Fprintf(w, "| %s |", m.Name)
		for _, s := range models.AttackSettings {
			p := m.Attack(s.ID)
			switch {
			case p == nil:
				fmt.Fprint(w, " — |")
			case p.MedianSize == nil:
				fmt.Fprintf(w, " %s |", pct(p.Error))
			case p.SizeUnit == models.SizePixels:
				fmt.Fprintf(w, " %s (%.0f px) |", pct(p.Error), *p.MedianSize)
			default:
				fmt.Fprintf(w, " %s (%.2f) |", pct(p.Error), *p.MedianSize)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}
