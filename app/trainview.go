package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// The training page's view: the controls, the progress, the chart and the
// table of results (the state and the work are in trainpage.go).

func (p *trainPage) Render() app.UI {
	times, _ := json.Marshal(p.epochTimes())
	return app.Div().Class("train-page").DataSet("epoch-ms", string(times)).DataSet("longest-ms", fmt.Sprintf("%.1f", p.job.run.Longest)).DataSet("p50-ms", fmt.Sprintf("%.1f", quantileMs(p.job.run.Slices, 0.5))).DataSet("p90-ms", fmt.Sprintf("%.1f", quantileMs(p.job.run.Slices, 0.9))).Body(
		explainFrame(pageFrame{ID: "train", Path: "/train", Title: "Train it yourself",
			Tagline: "Train a small model here, in your browser, on the paper's adversarial objective α·J(x) + (1 − α)·J(x + ε·sign(∇ₓJ)), and watch its error on FGSM examples fall beside a model trained plainly (paper §6).",
			Embed:   p.s.Embed, State: p.job.status.String(), Notices: p.notices},
			app.Div().Class("explain-grid").Body(
				app.Section().Class("card controls").Aria("labelledby", "h-train-controls").Body(
					heading("h-train-controls", "1", "Model and objective"),
					p.renderControls(),
				),
				app.Section().Class("card charts").Aria("labelledby", "h-train-chart").Body(
					heading("h-train-chart", "2", "Error per epoch"),
					p.renderProgress(),
					p.chart,
					p.renderResults(),
				),
			),
		),
	)
}

func (p *trainPage) renderControls() app.UI {
	busy := p.job.status == running
	return app.Div().Class("train-controls").Body(
		app.Div().Class("field").Body(
			app.Label().For("tr-kind").Text("Model"),
			app.Select().ID("tr-kind").Disabled(busy).OnChange(p.onKind).Body(
				app.Range(trainKinds).Slice(func(i int) app.UI {
					k := trainKinds[i]
					return app.Option().Value(k.Name).Text(k.Short).Selected(k.Name == p.s.Kind)
				}),
			),
			app.Span().ID("tr-kind-what").Class("small muted").Text(trainKindWhat(p.s.Kind)),
		),
		p.slider("tr-alpha", fmt.Sprintf("α = %.2f", p.s.Alpha()), "the weight of the clean cost; α = 1 is plain training",
			1, 20, p.s.Alpha20, busy, func(v int) { p.s.Alpha20 = v }),
		p.slider("tr-eps", fmt.Sprintf("ε = %d/255 ≈ %.3f", p.s.Eps255, p.s.Eps()), "of the adversarial examples in training and in the FGSM test",
			0, maxEps255, p.s.Eps255, busy, func(v int) { p.s.Eps255 = v }),
		p.slider("tr-epochs", fmt.Sprintf("%d epoch%s", p.s.Epochs, plural(p.s.Epochs)), "passes over the 10,000 training digits",
			1, 10, p.s.Epochs, busy, func(v int) { p.s.Epochs = v; p.setAxes(); p.chart.Update() }),
		app.Div().Class("field-row").Body(
			app.Div().Class("field").Body(
				app.Label().For("tr-lr").Text("Learning rate (Adam)"),
				app.Select().ID("tr-lr").Disabled(busy).OnChange(p.onRate).Body(
					app.Range(trainRates).Slice(func(i int) app.UI {
						r := strconv.FormatFloat(trainRates[i], 'f', -1, 64)
						return app.Option().Value(r).Text(r).Selected(trainRates[i] == p.s.LR)
					}),
				),
			),
			app.Div().Class("field").Body(
				app.Label().For("tr-seed").Text("Seed"),
				app.Input().Type("number").ID("tr-seed").Min(0).Max(999999).Step(1).Disabled(busy).
					Value(p.s.Seed).OnChange(p.onSeed),
			),
		),
		app.Label().Class("check").Body(
			app.Input().Type("checkbox").ID("tr-plain").Checked(p.s.Plain).Disabled(busy).
				OnChange(func(ctx app.Context, e app.Event) {
					p.s.Plain = ctx.JSSrc().Get("checked").Bool()
					p.rewriteURL()
				}),
			app.Span().Text("Also train a plain model (α = 1) with the same seed, to compare"),
		),
		app.Div().Class("train-buttons").Body(
			app.Button().ID("tr-start").Class("btn primary").Disabled(busy || p.train == nil).OnClick(p.start).Text(p.startLabel()),
			app.Button().ID("tr-stop").Class("btn").Disabled(!busy).OnClick(p.stop).Text("Stop"),
		),
		app.P().Class("small muted").Text("Mini-batches of 128 on the first 10,000 MNIST training digits; the test error is measured on the first 1,000 test digits after every epoch."),
	)
}

func (p *trainPage) startLabel() string {
	if p.s.Plain && p.s.Alpha20 < 20 {
		return "Train both"
	}
	return "Train"
}

// slider is a labelled range input whose value is shown in the label.
func (p *trainPage) slider(id, value, hint string, lo, hi, v int, disabled bool, set func(int)) app.UI {
	return app.Div().Class("field").Body(
		app.Label().For(id).Body(app.B().ID(id+"-value").Text(value), app.Span().Class("muted").Text(" — "+hint)),
		app.Input().Type("range").ID(id).Min(lo).Max(hi).Step(1).Value(v).Disabled(disabled).
			OnInput(func(ctx app.Context, e app.Event) {
				n, err := strconv.Atoi(ctx.JSSrc().Get("value").String())
				if err != nil || n < lo || n > hi {
					return
				}
				set(n)
				p.rewriteURL()
			}),
	)
}

func (p *trainPage) onKind(ctx app.Context, e app.Event) {
	if v := ctx.JSSrc().Get("value").String(); v == "softmax" || v == "mlp" {
		p.s.Kind = v
		p.rewriteURL()
	}
}

func (p *trainPage) onRate(ctx app.Context, e app.Event) {
	r, err := strconv.ParseFloat(ctx.JSSrc().Get("value").String(), 64)
	for _, v := range trainRates {
		if err == nil && v == r {
			p.s.LR = v
			p.rewriteURL()
		}
	}
}

func (p *trainPage) onSeed(ctx app.Context, e app.Event) {
	n, err := strconv.Atoi(ctx.JSSrc().Get("value").String())
	if err == nil && n >= 0 && n <= 999999 {
		p.s.Seed = uint64(n)
		p.rewriteURL()
	}
}

// renderProgress shows the digits arriving, why they did not, the
// training's progress, or that the visitor stopped it.
func (p *trainPage) renderProgress() app.UI {
	switch p.job.status {
	case loading:
		return app.Div().Class("run-progress").Body(p.downloadBar(), p.statusLine("muted", p.downloadText()))
	case loadingErr:
		return p.job.failure()
	case running:
		return app.Div().Class("run-progress").Body(
			p.job.bar("tr-progress", "Training progress"),
			app.Span().ID("tr-status").Class("small").Role("status").Text(p.runningText()),
		)
	case ready:
		if p.runs != nil { // a run was stopped
			return app.Div().Class("run-progress").Body(p.statusLine("muted",
				"Stopped. The partly trained models are not offered to the lab; press Train to start again."))
		}
	}
	return app.Div()
}

func (p *trainPage) statusLine(class, text string) app.UI {
	return app.P().ID("tr-status").Class(class).Role("status").Text(text)
}

// downloadBar fills as the training digits arrive; it is indeterminate
// until their size is known.
func (p *trainPage) downloadBar() app.UI {
	bar := app.Progress().ID("tr-download").Aria("label", "Loading the digits")
	if p.total > 0 && p.testX != nil {
		bar = bar.Max(p.total).Value(p.got)
	}
	return bar
}

// downloadText says which digits the page is fetching.
func (p *trainPage) downloadText() string {
	switch {
	case p.testX == nil:
		return "Fetching the 1,000 test digits…"
	case p.total > 0:
		return fmt.Sprintf("Fetching the training digits: %.1f of %.1f MB (kept for later visits)…", float64(p.got)/1e6, float64(p.total)/1e6)
	}
	return "Fetching the 10,000 training digits (7.9 MB, kept for later visits)…"
}

// runningText says what is being computed.
func (p *trainPage) runningText() string {
	if p.job.run.at >= len(p.tasks) {
		return ""
	}
	t := p.tasks[p.job.run.at]
	r := p.runs[t.run]
	if t.train {
		return fmt.Sprintf("Training the %s model: epoch %d of %d", r.label, r.st.Epoch()+1, p.s.Epochs)
	}
	return fmt.Sprintf("Testing the %s model after epoch %d on 1,000 test digits", r.label, len(r.points))
}

func (p *trainPage) renderResults() app.UI {
	if len(p.runs) == 0 {
		return app.P().Class("small muted").Text(paperTrainNote)
	}
	eps := fmt.Sprintf("%.3f", p.s.Eps())
	return app.Div().Class("train-results").Body(
		app.P().Class("small muted table-note").Text(p.tableNote()),
		app.Div().Class("table-scroll").Body(
			app.Table().Class("num-table").ID("tr-results").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Text("model"), app.Th().Text("epoch"), app.Th().Text("clean"),
					app.Th().Text("FGSM ε = "+eps), app.Th().Text("FGSM ε = 0.25"), app.Th().Text("s / epoch"),
				)),
				app.TBody().Body(app.Range(p.runs).Slice(func(i int) app.UI { return p.resultRow(i) })),
			),
		),
		app.If(p.job.status == done, app.Ul().Class("use-links").Body(
			app.Range(p.runs).Slice(func(i int) app.UI {
				r := p.runs[i]
				return app.Li().Body(
					app.A().ID(fmt.Sprintf("tr-use-%d", i)).Class("btn").Href(labHref(r.name)).Text("Use " + r.name + " in the lab →"),
				)
			}),
		)),
		app.If(p.job.status == done, app.P().ID("tr-speed").Class("small muted").Text(p.speedText())),
		app.P().Class("small muted").Text(paperTrainNote),
	)
}

// paperTrainNote sets the page's numbers beside the paper's (§6, §4).
var paperTrainNote = fmt.Sprintf("The paper (§6): adversarial training with α = 0.5, ε = 0.25 took a maxout network's error on FGSM examples from %s to %s, and its clean error from %.2f%% to %.2f%%; a shallow softmax model trained plainly is wrong on %s of FGSM examples at ε = 0.25. ",
	fmtPct(facts.PaperFigure("maxout_fgsm_0.25").Error), fmtPct(facts.PaperFigure("maxout_adv_fgsm_0.25").Error),
	100*facts.PaperFigure("maxout_clean").Error, 100*facts.PaperFigure("maxout_adv_clean").Error,
	fmtPct(facts.PaperFigure("softmax_fgsm_0.25").Error)) + "These models are far smaller and see a sixth of the data for a few epochs, so expect the same direction, not the same numbers."

func (p *trainPage) resultRow(i int) app.UI {
	r := p.runs[i]
	cells := []string{"–", "–", "–"}
	exact := []string{"", "", ""} // full precision, for the tests
	epoch := "–"
	if n := len(r.points); n > 0 {
		last := r.points[n-1]
		epoch = fmt.Sprint(last.Epoch)
		cells = []string{trainPct(last.Clean.Error), trainPct(last.FGSM.Error), trainPct(last.At25.Error)}
		exact = []string{fmt.Sprint(last.Clean.Error), fmt.Sprint(last.FGSM.Error), fmt.Sprint(last.At25.Error)}
	}
	per := "–"
	if len(r.epochMs) > 0 {
		per = fmt.Sprintf("%.2f", medianMs(r.epochMs)/1000)
	}
	return app.Tr().DataSet("run", i).Body(
		app.Th().Body(app.Span().Class("dot").Style("background", r.color), app.Text(r.label)),
		app.Td().Text(epoch),
		app.Td().ID(fmt.Sprintf("tr-clean-%d", i)).DataSet("value", exact[0]).Text(cells[0]),
		app.Td().ID(fmt.Sprintf("tr-fgsm-%d", i)).DataSet("value", exact[1]).Text(cells[1]),
		app.Td().ID(fmt.Sprintf("tr-fgsm25-%d", i)).DataSet("value", exact[2]).Text(cells[2]),
		app.Td().Text(per),
	)
}

// tableNote says when the table's errors were measured.
func (p *trainPage) tableNote() string {
	return fmt.Sprintf("Test error on the first 1,000 MNIST test digits after the last epoch each model finished (of %d; epoch 0 is the untrained model).", p.s.Epochs)
}

func (p *trainPage) speedText() string {
	target := ""
	if p.s.Kind == "softmax" {
		target = "; the project aims at 2 s for softmax at α = 0.5"
	}
	return fmt.Sprintf("One training epoch over 10,000 digits took %.2f s in your browser (median over the epochs%s). The whole run took %.1f s in %d slices of work between paints: 90%% took under %.0f ms, the longest %.0f ms.",
		medianMs(p.epochTimes())/1000, target, p.job.run.Wall/1000, len(p.job.run.Slices), quantileMs(p.job.run.Slices, 0.9), p.job.run.Longest)
}

// trainPct writes an error rate as a percentage with one decimal.
func trainPct(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }
