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
