package facts

import (
	"fmt"
	"strings"
)

// NotStated marks a figure the paper does not give.
const NotStated = -1.0

// A Figure is what the paper reports for one experiment.
type Figure struct {
	// ID names the experiment; it is also the row of the reproduction report.
	ID string
	// Section is where the paper states it.
	Section string
	// Error, Confidence and Agreement are fractions, or NotStated.
	// Agreement is the fraction of a source model's mistakes on which
	// another model picks the same wrong class (§8).
	Error, Confidence, Agreement float64
}

// PaperEpsilon is the ε of the paper's MNIST figures (§4, §6, §7).
const PaperEpsilon = 0.25

// Paper lists the paper's figures in the order of the reproduction report.
// FGSM rows give the mean confidence over the mistakes; rubbish rows give the
// fraction of noise images with a class above ½ and its mean probability.
var Paper = []Figure{
	{"softmax_fgsm_0.25", "§4", 0.999, 0.793, NotStated},
	{"maxout_fgsm_0.25", "§4", 0.894, 0.976, NotStated},
	{"cifar10_conv_maxout_fgsm_0.1", "§4", 0.8715, 0.966, NotStated},
	{"logreg37_clean", "§5, Fig. 2", 0.016, NotStated, NotStated},
	{"logreg37_fgsm_0.25", "§5, Fig. 2", 0.99, NotStated, NotStated},
	{"logreg37_l1_0.0025", "§5", 0.05, NotStated, NotStated},
	{"logreg37_adv_0.25", "§5", NotStated, NotStated, NotStated},
	{"maxout_clean", "§6", 0.0094, NotStated, NotStated},
	{"maxout_adv_clean", "§6", 0.0084, NotStated, NotStated},
	{"maxout1600_clean", "§6", 0.0114, NotStated, NotStated},
	{"maxout1600_adv_clean", "§6", 0.00782, NotStated, NotStated},
	{"maxout_adv_fgsm_0.25", "§6", 0.179, 0.814, NotStated},
	{"transfer_maxout_to_maxout_adv", "§6", 0.196, NotStated, NotStated},
	{"transfer_maxout_adv_to_maxout", "§6", 0.409, NotStated, NotStated},
	{"control_random_sign", "§6", 0.862, 0.973, NotStated},
	{"control_uniform", "§6", 0.904, 0.978, NotStated},
	{"rbf_clean", "§7", NotStated, 0.606, NotStated},
	{"rbf_fgsm_0.25", "§7", 0.554, 0.012, NotStated},
	{"agreement_rbf_maxout", "§8", NotStated, NotStated, 0.160},
	{"agreement_softmax_maxout", "§8", NotStated, NotStated, 0.546},
	{"ensemble_fgsm_on_ensemble", "§9", 0.911, NotStated, NotStated},
	{"ensemble_fgsm_on_member", "§9", 0.879, NotStated, NotStated},
	{"rubbish_maxout", "appendix", 0.9835, 0.928, NotStated},
	{"rubbish_softmax", "appendix", 0.598, 0.708, NotStated},
	{"rubbish_rbf", "appendix", 0, NotStated, NotStated},
	{"googlenet_panda", "§4, Fig. 1", NotStated, 0.993, NotStated},
}

// PaperFigure returns the figure with the given ID.
// It panics if there is none.
func PaperFigure(id string) Figure {
	if f, ok := lookup(id); ok {
		return f
	}
	panic(fmt.Sprintf("facts: no paper figure %q", id))
}

// FindFigure returns the figure with the given ID, and whether the paper
// has one: rows of our own experiments (the conv nets) have none.
func FindFigure(id string) (Figure, bool) { return lookup(id) }

// FGSM returns the paper's figure for the model attacked on itself with
// FGSM at PaperEpsilon, and whether the paper gives one.
func FGSM(model string) (Figure, bool) {
	if id, ok := controls[model]; ok {
		return lookup(id)
	}
	return lookup(rowName(model) + "_fgsm_0.25")
}

// controls are the rows of §6's noise-trained controls, by model: the
// paper reports them as controls, not by a model's name.
var controls = map[string]string{"maxout-noise-sign": "control_random_sign", "maxout-noise-uniform": "control_uniform"}

// Transfer returns the paper's error of the FGSM examples crafted on one
// model and shown to another at PaperEpsilon (§6); on the diagonal it is
// the model's own FGSM error. It panics if the paper gives none.
func Transfer(craft, target string) Figure {
	if craft == target {
		if f, ok := FGSM(craft); ok {
			return f
		}
	}
	return PaperFigure("transfer_" + rowName(craft) + "_to_" + rowName(target))
}

// Rubbish returns the paper's rubbish-class figure for a model (appendix),
// and whether the paper gives one.
func Rubbish(model string) (Figure, bool) { return lookup("rubbish_" + rowName(model)) }

// rowName is a model's name as the figure IDs spell it.
func rowName(model string) string { return strings.ReplaceAll(model, "-", "_") }

func lookup(id string) (Figure, bool) {
	for _, f := range Paper {
		if f.ID == id {
			return f, true
		}
	}
	return Figure{}, false
}
