package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// modelCard is what the lab tells about a model.
type modelCard struct {
	Arch    string
	Params  int
	Clean   string // clean test error, such as "1.8%"
	Attack  string // error under FGSM at ε = 0.25
	Classes int

	// For a model the visitor opened: one line per layer, the input's
	// shape, the file's own metadata (name and value), and whether the
	// errors were measured here (AttackEps is then the ε they were
	// measured at, such as "0.251").
	Layers    []string    `json:",omitempty"`
	Input     string      `json:",omitempty"`
	Meta      [][2]string `json:",omitempty"`
	Measured  bool        `json:",omitempty"`
	AttackEps string      `json:",omitempty"`
}

func newModelCard(m *core.Model) modelCard {
	c := modelCard{Arch: archSummary(m), Params: m.ParamCount(), Classes: len(m.Classes)}
	var metrics map[string]float64
	if json.Unmarshal([]byte(m.Meta["metrics"]), &metrics) == nil {
		if v, ok := metrics["clean_error"]; ok {
			c.Clean = percent(v)
		}
		if v, ok := metrics["fgsm_error_0.25"]; ok {
			c.Attack = percent(v)
			if conf, ok := metrics["fgsm_confidence_0.25"]; ok {
				c.Attack += fmt.Sprintf(" (%s sure)", percent(conf))
			}
		}
	}
	return c
}

// archSummary writes the layers as "784 → dense 256 → relu → … → softmax",
// or "1×28×28 → conv 16@5×5 → relu → maxpool 2×2 → …".
func archSummary(m *core.Model) string {
	parts := []string{m.Input.String()}
	for _, l := range m.Layers {
		switch l := l.(type) {
		case *core.Conv2D:
			s := fmt.Sprintf("conv %d@%d×%d", l.W.Shape[0], l.W.Shape[2], l.W.Shape[3])
			if l.Stride != 1 {
				s += fmt.Sprintf(" /%d", l.Stride)
			}
			parts = append(parts, s)
		case *core.Pool2D:
			parts = append(parts, fmt.Sprintf("%s %d×%d", strings.TrimSuffix(l.Kind(), "2d"), l.Size, l.Size))
		case *core.Dense:
			parts = append(parts, fmt.Sprintf("dense %d", l.Out()))
		case *core.RBF:
			parts = append(parts, fmt.Sprintf("rbf %d", l.Centres.Shape[0]))
		case *core.Maxout:
			parts = append(parts, fmt.Sprintf("maxout ×%d", l.Pieces))
		case *core.Dropout:
			// identity at test time; not worth a reader's attention here
		default:
			parts = append(parts, l.Kind())
		}
	}
	return strings.Join(append(parts, m.Out.Kind()), " → ")
}

func percent(v float64) string {
	if v < 0.1 {
		return fmt.Sprintf("%.1f%%", 100*v)
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// modelPanel is the model selector, the opener of the visitor's own
// model (opener.go) and the card of the chosen model.
type modelPanel struct {
	app.Compo

	onChoose func(ctx app.Context, name string)
	onOpen   func(ctx app.Context, file app.Value)

	current string
	card    *modelCard // nil until the model is loaded
	status  string     // "loading" or an error while card is nil

	open openState // the visitor's own model: its name, a download, an error
}

func newModelPanel(onChoose func(app.Context, string), onOpen func(app.Context, app.Value)) *modelPanel {
	return &modelPanel{onChoose: onChoose, onOpen: onOpen, current: modelNames[0], status: "loading"}
}

// show tells the panel which model is chosen and what is known of it.
func (p *modelPanel) show(name string, card *modelCard, status string) {
	p.set(name, card, status)
	p.Update()
}

// set is show before the panel is mounted.
func (p *modelPanel) set(name string, card *modelCard, status string) {
	p.current, p.card, p.status = name, card, status
}

func (p *modelPanel) Render() app.UI {
	var about app.UI
	switch {
	case p.card != nil:
		about = p.renderCard()
	case p.status == "loading" && p.current == openedModel:
		about = app.P().Class("muted").Text("Fetching your model…")
	case p.status == "loading":
		about = app.P().Class("muted").Text("Fetching the weights…")
	default:
		about = app.P().Class("error").Role("alert").Text(p.status)
	}
	names := labModels()
	if p.current == openedModel && !slices.Contains(names, openedModel) {
		names = append(names, openedModel) // still downloading
	}
	blurb := trainedBlurb(p.current)
	if m, ok := facts.Lookup(p.current); ok {
		blurb = m.Blurb
	} else if p.current == openedModel {
		blurb = p.open.blurb()
	}
	return app.Div().Class("model").Body(
		app.Div().Class("field").Body(
			app.Label().For("model").Text("Model"),
			app.Select().ID("model").OnChange(p.onChange).Body(
				app.Range(names).Slice(func(i int) app.UI {
					n := names[i]
					return app.Option().Value(n).Text(p.optionText(n)).Selected(n == p.current)
				}),
			),
		),
		p.renderOpener(),
		app.Div().Class("card-text").Body(
			app.P().Class("blurb").Text(blurb),
			about,
		),
	)
}

// optionText is the chooser's text for a model name.
func (p *modelPanel) optionText(name string) string {
	if name == openedModel {
		return "your model: " + p.open.label()
	}
	return name
}

func (p *modelPanel) renderCard() app.UI {
	c := p.card
	if c.Layers != nil {
		return p.renderOpenedCard()
	}
	return app.Dl().Class("facts").Body(
		fact("Layers", c.Arch).Class("arch"),
		fact("Parameters", groupThousands(c.Params)),
		fact("Test error", or(c.Clean, "–")),
		fact("FGSM error, ε = 0.25", or(c.Attack, "–")),
	)
}

func fact(name, value string) app.HTMLDiv {
	return app.Div().Class("fact").Body(app.Dt().Text(name), app.Dd().Text(value))
}

func (p *modelPanel) onChange(ctx app.Context, e app.Event) {
	name := ctx.JSSrc().Get("value").String()
	for _, n := range labModels() {
		if n == name {
			p.onChoose(ctx, n)
		}
	}
}

// groupThousands writes 335114 as "335,114".
func groupThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
