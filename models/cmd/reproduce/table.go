package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"fgsmlab/models"
)

// pct prints a fraction as a percentage, with the paper's precision for
// small values (1.6%, 0.94%, 0.782%).
func pct(v float64) string {
	if v >= 0.1 {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.3g%%", 100*v)
}

// figures prints one side of a row: "error 99.9%, confidence 79.3%".
func figures(f *models.Figures) string {
	if f == nil {
		return "—"
	}
	var parts []string
	if f.Error != nil {
		parts = append(parts, "error "+pct(*f.Error))
	}
	if f.Confidence != nil {
		parts = append(parts, "conf "+pct(*f.Confidence))
	}
	if f.Agreement != nil {
		parts = append(parts, "agree "+pct(*f.Agreement))
	}
	return strings.Join(parts, ", ")
}

func printReport(w io.Writer, r *models.Report) {
	fmt.Fprintf(w, "The paper's MNIST table (FGSM clipped to [0, 1]; conf = mean top probability over the set named in \"conf over\")\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tpaper\tours\tconf over\tnote")
	for _, row := range r.Rows {
		if row.Ours == nil && strings.HasPrefix(row.Note, "not reproduced") {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.ID, figures(&row.Paper), figures(row.Ours), row.ConfidenceOver, row.Note)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nNot reproduced:")
	for _, row := range r.Rows {
		if row.Ours == nil && strings.HasPrefix(row.Note, "not reproduced") {
			fmt.Fprintf(w, "  %-30s %s (paper: %s): %s\n", row.ID, row.What, figures(&row.Paper),
				strings.TrimPrefix(row.Note, "not reproduced: "))
		}
	}
	fmt.Fprintln(w, "\nEvery model, FGSM ε = 0.25:")
	printModels(w, r)
	fmt.Fprintln(w, "\nWhy the figures differ:")
	for _, d := range r.Differences {
		fmt.Fprintf(w, "  %s (%s): %s\n", d.Row, strings.Join(d.Figures, ", "), d.Why)
	}
	fmt.Fprintln(w, "\nReproduction targets:")
	for _, t := range r.Targets {
		got := "—"
		if t.Status != "MISSING" {
			got = pct(t.Got)
		}
		fmt.Fprintf(w, "  %-7s %-55s got %s\n", t.Status, t.What, got)
	}
}

func printModels(w io.Writer, r *models.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\ttest digits\tclean error\tFGSM error\tfloat32 softmax\tconf (all)\tconf (mistakes)\trubbish rate\t")
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
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", m.Name, m.Examples, pct(m.At(0).Error), pct(p.Error),
			f32, pct(p.Confidence), pct(p.MistakeConfidence), rb)
	}
	tw.Flush()
	for _, name := range r.Missing {
		fmt.Fprintf(w, "  %s: missing\n", name)
	}
}
