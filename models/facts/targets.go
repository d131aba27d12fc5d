package facts

// Measure names what a target is checked against, on the 10,000 MNIST test
// digits (the 3s and 7s for logreg37), with FGSM at PaperEpsilon clipped to
// [0, 1].
type Measure int

const (
	CleanError Measure = iota
	FGSMError
	// FGSMMistakeConfidence is the mean top probability over the FGSM
	// examples the model gets wrong.
	FGSMMistakeConfidence
)

// A Target is a threshold a shipped model must meet: the reproduction
// targets, chosen against the paper's figures.
type Target struct {
	Model   string
	Measure Measure
	Limit   float64
	AtLeast bool // the figure must be ≥ Limit; else ≤ Limit
	// Row names the target in the report: the row of the paper's table
	// it is checked beside, or the model when the paper has no such row
	// (mlp). It is "" when the report does not list the target (a sanity
	// bound checked only by the golden test).
	Row  string
	What string
}

// Met reports whether got meets the target.
func (t Target) Met(got float64) bool {
	if t.AtLeast {
		return got >= t.Limit
	}
	return got <= t.Limit
}

// Targets lists the reproduction targets in the order of the report.
var Targets = []Target{
	{"softmax", FGSMError, 0.99, true, "softmax_fgsm_0.25", "softmax error at ε = 0.25 ≥ 99%"},
	{"maxout", FGSMError, 0.85, true, "maxout_fgsm_0.25", "maxout error at ε = 0.25 ≥ 85%"},
	{"maxout-adv", FGSMError, 0.30, false, "maxout_adv_fgsm_0.25", "maxout-adv error at ε = 0.25 ≤ 30%"},
	{"logreg37", CleanError, 0.025, false, "logreg37_clean", "logreg37 clean error ≤ 2.5%"},
	{"logreg37", FGSMError, 0.95, true, "logreg37_fgsm_0.25", "logreg37 error at ε = 0.25 ≥ 95%"},
	{"rbf", FGSMMistakeConfidence, 0.10, false, "rbf_fgsm_0.25", "rbf mean confidence on its mistakes at ε = 0.25 ≤ 10%"},
	{"mlp", CleanError, 0.02, false, "mlp", "mlp clean error ≤ 2.0%"},
	{"maxout", CleanError, 0.016, false, "maxout_clean", "maxout clean error ≤ 1.6%"},
	{"maxout-adv", CleanError, 0.016, false, "maxout_adv_clean", "maxout-adv clean error ≤ 1.6%"},
	{"softmax", CleanError, 0.10, false, "", "softmax clean error ≤ 10%"},
	{"cnn", CleanError, 0.008, false, "cnn_clean", "cnn clean error ≤ 0.8%"},
	{"cnn-adv", CleanError, 0.010, false, "cnn_adv_clean", "cnn-adv clean error ≤ 1.0%"},
	{"cnn-adv", FGSMError, 0.10, false, "cnn_adv_fgsm_0.25", "cnn-adv error at ε = 0.25 ≤ 10%"},
}
