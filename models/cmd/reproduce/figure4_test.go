package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
	"fgsmlab/models"
)

// Figure 4's caption states the number of linear pieces and the band where
// the digit is classified correctly, as core computes them, and the figure
// draws. FGSMLAB_FIGURE4=path also writes it there as a PNG to look at.
func TestFigure4(t *testing.T) {
	dir, err := mnistdir.Dir()
	if err != nil {
		t.Skip("MNIST not available:", err)
	}
	_, test, err := core.LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(models.Dir(), "maxout.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.ReadModel(b)
	if err != nil {
		t.Fatal(err)
	}
	c, caption, err := figure4(m, test)
	if err != nil {
		t.Fatal(err)
	}
	x, y := test.Image(figure4Digit), test.Labels[figure4Digit]
	p, err := core.NewLogitPath(m, x, core.FGSMDirection(m, x, y), -figure4Half, figure4Half)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("**%d linear pieces**", p.Pieces()); !strings.Contains(caption, want) {
		t.Errorf("caption %q does not say %s", caption, want)
	}
	for _, iv := range p.Wins(y) {
		if want := fmt.Sprintf("[%.3g, %.3g]", iv.Lo, iv.Hi); !strings.Contains(caption, want) {
			t.Errorf("caption %q does not give the band %s", caption, want)
		}
	}
	if out := os.Getenv("FGSMLAB_FIGURE4"); out != "" {
		if err := savePNG(c, out); err != nil {
			t.Fatal(err)
		}
	}
	t.Log(caption)
}
