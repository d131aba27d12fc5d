package export_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExporterRefuses checks that the exporter refuses what the lab would
// compute differently from PyTorch, with an error that names the module and
// its index, and accepts the settings it translates.
func TestExporterRefuses(t *testing.T) {
	requireTorch(t)
	cases := []struct {
		name   string
		model  string   // a Python expression, with torch's nn in scope
		kwargs string   // more keyword arguments of export, as Python source
		want   []string // in the error; none if the export must succeed
	}{
		{"batch norm", "nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(1352, 10))", "",
			[]string{"module 1", "BatchNorm2d", "not supported"}},
		{"LSTM", "nn.Sequential(nn.Flatten(), nn.LSTM(784, 10))", "",
			[]string{"module 1", "LSTM", "not supported"}},
		{"nested batch norm", "nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(784, 10), nn.BatchNorm1d(10)))", "",
			[]string{"module 2 (model[1][1] = BatchNorm1d", "BatchNorm1d"}},
		{"dilation", "nn.Sequential(nn.Conv2d(1, 2, 3, dilation=2), nn.Flatten(), nn.Linear(1152, 10))", "",
			[]string{"module 0", "Conv2d", "dilation"}},
		{"groups", "nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3, groups=2), nn.Flatten(), nn.Linear(1152, 10))", "",
			[]string{"module 1", "groups"}},
		{"reflect padding", "nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode='reflect'), nn.Flatten(), nn.Linear(1568, 10))", "",
			[]string{"module 0", "padding_mode"}},
		{"uneven padding", "nn.Sequential(nn.Conv2d(1, 2, 3, padding=(1, 0)), nn.Flatten(), nn.Linear(1456, 10))", "",
			[]string{"module 0", "padding (1, 0) is not square"}},
		{"same padding, even kernel", "nn.Sequential(nn.Conv2d(1, 2, 4, padding='same'), nn.Flatten(), nn.Linear(1568, 10))", "",
			[]string{"module 0", "padding='same'", "uneven"}},
		{"ceil mode", "nn.Sequential(nn.MaxPool2d(3, ceil_mode=True), nn.Flatten(), nn.Linear(100, 10))", "",
			[]string{"module 0", "MaxPool2d", "ceil_mode"}},
		{"non-square pool", "nn.Sequential(nn.AvgPool2d((2, 4)), nn.Flatten(), nn.Linear(98, 10))", "",
			[]string{"module 0", "AvgPool2d", "kernel_size (2, 4) is not square"}},
		{"pool padding", "nn.Sequential(nn.MaxPool2d(2, padding=1), nn.Flatten(), nn.Linear(225, 10))", "",
			[]string{"module 0", "padding"}},
		{"softmax inside", "nn.Sequential(nn.Flatten(), nn.Softmax(dim=1), nn.Linear(784, 10))", "",
			[]string{"module 1", "Softmax", "last module"}},
		{"not a Sequential", "nn.Linear(784, 10)", "",
			[]string{"Linear", "nn.Sequential"}},
		{"wrong class count", "nn.Sequential(nn.Flatten(), nn.Linear(784, 5))", "",
			[]string{"(1, 5)", "want (1, 10)"}},
		{"wrong input shape", "nn.Sequential(nn.Linear(784, 10))", "",
			[]string{"does not run on an input of shape (1, 1, 28, 28)"}},
		{"three channels", "nn.Sequential(nn.Flatten(), nn.Linear(2352, 10))", "input_shape=(3, 28, 28)",
			[]string{"input_shape (3, 28, 28)", "(1, 28, 28) or (784,)"}},
		{"mean without std", "nn.Sequential(nn.Flatten(), nn.Linear(784, 10))", "mean=[0.5]",
			[]string{"both mean and std"}},
		{"same padding, odd kernel", "nn.Sequential(nn.Conv2d(1, 2, 5, padding='same'), nn.Flatten(), nn.Linear(1568, 10))", "", nil},
		{"trailing softmax", "nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Softmax(dim=1))", "", nil},
		{"flat input", "nn.Sequential(nn.Linear(784, 10))", "input_shape=(784,), dtype='F16'", nil},
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	fmt.Fprintf(&src, "import json, sys\nsys.path.insert(0, %q)\nfrom torch import nn\n"+
		"from torch_to_fgsmlab import export, ExportError\nout = []\n", here)
	dir := t.TempDir()
	for i, c := range cases {
		fmt.Fprintf(&src, "try:\n    export(%s, %q, name='m', %s)\n    out.append(None)\n"+
			"except ExportError as e:\n    out.append(str(e))\n", c.model, filepath.Join(dir, fmt.Sprint(i)), c.kwargs)
	}
	fmt.Fprintf(&src, "print(json.dumps(out))\n")
	script := filepath.Join(dir, "cases.py")
	if err := os.WriteFile(script, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var errs []*string
	if err := json.Unmarshal(runPython(t, script), &errs); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		switch e := errs[i]; {
		case c.want == nil && e != nil:
			t.Errorf("%s: refused: %s", c.name, *e)
		case c.want == nil:
			readModel(t, filepath.Join(dir, fmt.Sprint(i)), "m")
		case c.want != nil && e == nil:
			t.Errorf("%s: exported, want an error with %q", c.name, c.want)
		case c.want != nil:
			t.Logf("%s: %s", c.name, *e)
			for _, w := range c.want {
				if !strings.Contains(*e, w) {
					t.Errorf("%s: error %q does not say %q", c.name, *e, w)
				}
			}
		}
	}
}
