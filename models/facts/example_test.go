package facts_test

import (
	"fmt"

	"fgsmlab/models/facts"
)

func ExampleTransfer() {
	for _, craft := range []string{"maxout", "maxout-adv"} {
		for _, target := range []string{"maxout", "maxout-adv"} {
			fmt.Printf("%s → %s: %.1f%%\n", craft, target, 100*facts.Transfer(craft, target).Error)
		}
	}
	// Output:
	// maxout → maxout: 89.4%
	// maxout → maxout-adv: 19.6%
	// maxout-adv → maxout: 40.9%
	// maxout-adv → maxout-adv: 17.9%
}

// §6's noise-trained controls have their FGSM figures under the rows the
// paper gives them.
func ExampleFGSM() {
	for _, m := range []string{"maxout", "maxout-adv", "maxout-noise-sign", "maxout-noise-uniform"} {
		f, _ := facts.FGSM(m)
		fmt.Printf("%s: error %.1f%%, confidence %.1f%% (%s)\n", m, 100*f.Error, 100*f.Confidence, f.ID)
	}
	// Output:
	// maxout: error 89.4%, confidence 97.6% (maxout_fgsm_0.25)
	// maxout-adv: error 17.9%, confidence 81.4% (maxout_adv_fgsm_0.25)
	// maxout-noise-sign: error 86.2%, confidence 97.3% (control_random_sign)
	// maxout-noise-uniform: error 90.4%, confidence 97.8% (control_uniform)
}
