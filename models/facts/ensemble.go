package facts

// The §9 ensembles. The paper: an ensemble of 12 maxout networks is fooled
// 91.1% of the time by FGSM examples crafted on the whole ensemble, and
// 87.9% by those crafted on one member (facts.Paper, ensemble_fgsm_on_*).

// ReportEnsemble lists the members of the report's ensemble, as model files
// under models/ without their extension: the shipped maxout (seed 1) and
// four more networks of the maxout recipe, seeds 2–5, each trained for the
// recipe's 40 epochs (the command is in each file; the report's note gives
// each member's epochs and clean error). The report attacks the first
// member alone for ensemble_fgsm_on_member.
var ReportEnsemble = []string{"maxout", "ensemble/maxout-s2", "ensemble/maxout-s3", "ensemble/maxout-s4", "ensemble/maxout-s5"}

// PageEnsemble lists the members of the smaller ensemble that /defence
// loads: five small maxout networks (models.SmallMaxout), seeds 1–5,
// stored in models/ensemble/ and copied into the site's web/models/ by the
// Makefile's ENSEMBLE (a test checks the two lists agree). The report's
// five full maxouts would be 7.4 MB of weights for one panel.
var PageEnsemble = []string{"maxout-small-s1", "maxout-small-s2", "maxout-small-s3", "maxout-small-s4", "maxout-small-s5"}
