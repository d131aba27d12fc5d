package main

import (
	"fmt"
	"sort"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"gonum.org/v1/gonum/mat"
)

// openState is what the model panel shows of the visitor's own model: its
// source and name, a download in progress, the measurement of its errors,
// and the last failure to open one. Everything here that came from a file
// or a link is shown as text, never as an attribute.
type openState struct {
	src  modelSource
	name string // the file's metadata name

	downloading bool
	got, total  int // bytes received and the file's size (0 until known)

	measuring bool
	progress  float64 // of the measurement, in [0, 1]

	err string // why the last model could not be opened
}

// label is the chooser's name for the opened model.
func (o openState) label() string {
	file := or(o.src.File, "model")
	if o.name != "" && o.name != file && o.name+".safetensors" != file {
		return clipText(o.name, 40) + " (" + file + ")"
	}
	return file
}

// blurb says where the opened model came from.
func (o openState) blurb() string {
	if o.src.URL != "" {
		return "Your model, fetched from " + clipText(o.src.URL, 120) + "."
	}
	return "Your model, opened from the file " + or(o.src.File, "you chose") + ". It stays in this tab only: a link cannot carry it."
}

// renderOpener is the "Open your model…" button, its hidden file input, a
// download's progress and the last error.
func (p *modelPanel) renderOpener() app.UI {
	o := p.open
	return app.Div().Class("opener").Body(
		app.Div().Class("opener-row").Body(
			app.Button().ID("open-model").Class("btn").Text("Open your model…").OnClick(func(ctx app.Context, e app.Event) {
				app.Window().GetElementByID("open-file").Call("click")
			}),
			app.Input().ID("open-file").Type("file").Accept(".safetensors").Hidden(true).OnChange(p.onFile),
			app.Span().Class("small muted").Text("a .safetensors file, or drop one anywhere on the page"),
		),
		app.If(o.downloading,
			app.Div().Class("open-progress").Body(
				app.Progress().ID("open-progress").Max(max(o.total, 1)).Value(min(o.got, max(o.total, 1))),
				app.Span().Class("small muted").Text(downloadText(o.got, o.total)),
			),
		),
		app.If(o.err != "",
			app.P().ID("open-error").Class("error").Role("alert").Text(o.err),
		),
	)
}

// downloadText says how much of a download has arrived.
func downloadText(got, total int) string {
	mb := func(n int) string {
		if total < 1e6 {
			return fmt.Sprintf("%.0f kB", float64(n)/1e3)
		}
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	if total <= 0 {
		return "Downloading your model: " + mb(got)
	}
	return "Downloading your model: " + mb(got) + " of " + mb(total)
}

func (p *modelPanel) onFile(ctx app.Context, e app.Event) {
	in := ctx.JSSrc()
	files := in.Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return
	}
	file := files.Index(0)
	in.Set("value", "") // choosing the same file again opens it again
	p.onOpen(ctx, file)
}

// renderOpenedCard is the card of the visitor's own model: its input,
// size, errors, one line per layer and the file's own metadata.
func (p *modelPanel) renderOpenedCard() app.UI {
	c := p.card
	clean, fgsm := or(c.Clean, "–"), or(c.Attack, "–")
	eps, note := "0.25", "Errors as the file states them."
	switch {
	case p.open.measuring:
		clean = fmt.Sprintf("measuring… %.0f%%", 100*p.open.progress)
		fgsm = "measuring…"
	case c.Measured && c.Clean == "":
		clean, fgsm = "not measured yet", "not measured yet"
	}
	if c.Measured || p.open.measuring {
		eps = c.AttackEps
		note = fmt.Sprintf("The file states no errors: the lab measures them here, on the first %s MNIST test digits, at the slider's ε.", groupThousands(measureDigits))
	}
	return app.Div().Class("opened-card").Body(
		app.Dl().Class("facts").Body(
			fact("Input", c.Input),
			fact("Parameters", groupThousands(c.Params)),
			fact("Test error", clean).ID("open-clean"),
			fact("FGSM error, ε = "+eps, fgsm).ID("open-fgsm"),
		),
		app.P().Class("small muted measure-note").Text(note),
		app.Details().Class("opened-details").Open(true).Body(
			app.Summary().Text(fmt.Sprintf("Layers (%d) and the file's notes", len(c.Layers))),
			app.Ol().Class("layers").Body(
				app.Range(c.Layers).Slice(func(i int) app.UI { return app.Li().Text(c.Layers[i]) }),
			),
			app.If(len(c.Meta) > 0,
				app.Dl().Class("facts meta").Body(
					app.Range(c.Meta).Slice(func(i int) app.UI { return fact(c.Meta[i][0], c.Meta[i][1]) }),
				),
			),
		),
	)
}

// newOpenedCard is the card of a model the visitor opened (it passed
// checkLabModel, so it takes a 28×28 input).
func newOpenedCard(m *core.Model) modelCard {
	c := newModelCard(m)
	c.Layers = layerLines(m)
	c.Input = "784 values: a 28×28 digit, row by row"
	if len(m.Input) == 3 {
		c.Input = m.Input.String() + ": one grey 28×28 digit"
	}
	c.Meta = metaEntries(m.Meta)
	return c
}

// layerLines describes each layer on one line, with the size of what it
// passes on, found by running one blank digit through the model.
func layerLines(m *core.Model) (lines []string) {
	defer func() {
		if recover() != nil {
			lines = append(lines, "(the remaining layers could not be described)")
		}
	}()
	h := mat.NewDense(1, m.InputSize(), nil)
	for _, l := range m.Layers {
		_, in := h.Dims()
		h = l.Forward(h, false)
		_, out := h.Dims()
		lines = append(lines, layerLine(l, in, out))
	}
	return append(lines, fmt.Sprintf("%s → %d classes", m.Out.Kind(), len(m.Classes)))
}

// layerLine describes one layer that takes in values and gives out.
func layerLine(l core.Layer, in, out int) string {
	switch l := l.(type) {
	case *core.Dense:
		return fmt.Sprintf("dense %d→%d", l.In(), l.Out())
	case *core.RBF:
		return fmt.Sprintf("rbf %d→%d (one unit per class)", in, out)
	case *core.Maxout:
		return fmt.Sprintf("maxout, %d pieces: %d→%d", l.Pieces, in, out)
	case *core.Dropout:
		return "dropout (off when testing)"
	case fmt.Stringer: // the convolutional layers say their shapes
		return clipText(l.String(), 100)
	}
	return describeLayer(l, in, out)
}

// describeLayer describes a layer the lab has no words of its own for.
func describeLayer(l core.Layer, in, out int) string {
	if in == out {
		return l.Kind()
	}
	return fmt.Sprintf("%s %d→%d", l.Kind(), in, out)
}

// maxMetaEntries bounds the metadata shown on the card.
const maxMetaEntries = 8

// metaEntries lists a model file's own metadata for its card, sorted by
// name, each value shortened; the metrics and the input shape are shown
// elsewhere on the card.
func metaEntries(meta map[string]string) [][2]string {
	var keys []string
	for k := range meta {
		if k != "metrics" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out [][2]string
	for _, k := range keys {
		if len(out) == maxMetaEntries {
			out = append(out, [2]string{"…", fmt.Sprintf("%d more entries", len(keys)-maxMetaEntries)})
			break
		}
		out = append(out, [2]string{clipText(k, 40), clipText(meta[k], 300)})
	}
	return out
}
