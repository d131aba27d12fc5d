package export_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
)

// float32Reference is testdata/maxout-float32.json as float32_fgsm.py
// writes it: PyTorch's float32 FGSM on the shipped maxout.
type float32Reference struct {
	Model, SHA256, Torch string
	Digits               int
	Epsilon              float64
	ZeroGradient         []int   `json:"zero_gradient"`
	FGSMError            float64 `json:"fgsm_error"`
	StillRight           []int   `json:"still_right"`
}

// core.Options.Float32Softmax makes FGSM on the shipped maxout fool the
// same digits as PyTorch in float32: the digits it leaves classified right
// (about 5% of the test set, where float64 leaves 0.05%) are nearly the same
// set, and neither finds a gradient of exactly 0. They differ in a few
// digits only, since PyTorch also computes the logits and the backward pass
// in float32, where core rounds the softmax alone.
func TestFloat32SoftmaxAgreesWithPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/maxout-float32.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref float32Reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../" + ref.Model)
	if err != nil {
		t.Skipf("%s: %v", ref.Model, err)
	}
	if sum := sha256.Sum256(file); hex.EncodeToString(sum[:]) != ref.SHA256 {
		t.Fatalf("%s changed since testdata/maxout-float32.json was made: remake it (make export-reference)", ref.Model)
	}
	m, err := core.ReadModel(file)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := mnistdir.Dir()
	if err != nil {
		t.Skip(err)
	}
	_, test, err := core.LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The first 2,000 digits keep the test to seconds; the fixture has more.
	n := min(ref.Digits, 2000)
	test = test.Slice(0, n)
	var torchRight []int
	for _, i := range ref.StillRight {
		if i < n {
			torchRight = append(torchRight, i)
		}
	}
	right := func(o core.Options) map[int]bool {
		o.Epsilon = ref.Epsilon
		p := m.Predict(core.FGSM(m, test.Images, test.Labels, o))
		out := map[int]bool{}
		for i, y := range test.Labels {
			if core.Argmax(p.RawRowView(i)) == y {
				out[i] = true
			}
		}
		return out
	}
	ours := right(core.Options{Float32Softmax: true})
	var both int
	for _, i := range torchRight {
		if ours[i] {
			both++
		}
	}
	union := len(ours) + len(torchRight) - both
	f64 := len(right(core.Options{}))
	t.Logf("of the first %d digits, still right after FGSM at ε = %g: PyTorch float32 %d, core Float32Softmax %d, both %d; core float64 %d",
		n, ref.Epsilon, len(torchRight), len(ours), both, f64)
	if len(ref.ZeroGradient) != 0 {
		t.Errorf("PyTorch found %d zero gradients; this test expects none", len(ref.ZeroGradient))
	}
	if union == 0 || float64(both) < 0.95*float64(union) {
		t.Errorf("the digits FGSM leaves right: %d in common of %d, want at least 95%%", both, union)
	}
	if 10*f64 > len(ours) {
		t.Errorf("float64 leaves %d digits right, float32 %d: the float32 softmax should matter", f64, len(ours))
	}
}
