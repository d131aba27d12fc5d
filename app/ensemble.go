package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"fgsmlab/core"
	"fgsmlab/models/facts"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// ensemblePanel is §9 live on /defence: the page's digits through an
// ensemble of five small maxout networks (facts.PageEnsemble), attacked
// with FGSM at ε = 0.25 crafted on the whole ensemble and on one member,
// beside the paper's figures for twelve maxout networks. It starts when the
// page has computed (the page posts ensembleAction with its number of
// digits), so its downloads and its work come after the page's own.
type ensemblePanel struct {
	app.Compo

	job     pageJob
	started bool
	n       int             // the digits it computed over
	results [][]core.Result // [ensemble, member][ensemble], ε = 0.25
	members []*core.Model
}

// ensembleAction is what /defence posts when it has computed, with its
// number of digits as the value.
const ensembleAction = "defence:ensemble"

func newEnsemblePanel() *ensemblePanel { return &ensemblePanel{} }

func (e *ensemblePanel) OnMount(ctx app.Context) {
	ctx.Handle(ensembleAction, func(ctx app.Context, a app.Action) {
		if n, ok := a.Value.(int); ok && (!e.started || n != e.n) {
			e.load(ctx, n)
		}
	})
}

func (e *ensemblePanel) OnDismount() { e.job.run.cancel() }

// load fetches the members (the digits are the page's, already fetched),
// then crafts and scores over the first n digits.
func (e *ensemblePanel) load(ctx app.Context, n int) {
	e.job.run.cancel()
	e.started, e.n, e.results = true, n, nil
	var d *core.Dataset
	var ms []*core.Model
	e.job.load(ctx, func() (err error) {
		if d, err = sharedDigits(testDigits, nil); err == nil {
			ms, err = sharedModels(facts.PageEnsemble)
		}
		return err
	}, func(ctx app.Context) {
		if n != e.n {
			return // the page asked for other digits meanwhile
		}
		ens, err := core.NewEnsemble("ensemble", ms...)
		if err != nil {
			e.job.failed, e.job.status = err.Error(), loadingErr
			e.Update()
			return
		}
		e.members = ms
		x, labels := firstDigits(d, n)
		tr := core.NewTransferRun([]*core.Model{ens, ms[0]}, []*core.Model{ens}, x, labels, core.Options{Epsilon: facts.PaperEpsilon})
		e.job.start(ctx, transferStages(tr, func() { e.results = tr.Results() }), e.Update, nil)
		e.Update()
	})
	e.Update()
}

func (e *ensemblePanel) Render() app.UI {
	state := "waiting"
	if e.started {
		state = e.job.status.String()
	}
	return app.Section().ID("ensemble").Class("card wide").DataSet("state", state).Aria("labelledby", "h-def-ensemble").Body(
		heading("h-def-ensemble", "4", "An ensemble does not stop FGSM"),
		app.P().Class("small muted card-text").Text(
			"An ensemble predicts the mean of its members' probabilities (§9). Its cost's gradient is the members' own gradients, each weighted by the "+
				"probability that member gives the true label, so one FGSM step through the whole ensemble fools it nearly as surely as it fools one network; "+
				"and examples crafted on one member fool the others too (transfer, §8)."),
		app.If(!e.started, app.P().Class("small muted").Text("Waits for the sweeps above.")),
		app.If(e.started, e.job.progress("ens-progress", e.onCancel)),
		e.job.failure(),
		app.Div().Class("table-scroll").Body(app.Table().Class("num-table").Body(
			app.THead().Body(app.Tr().Body(
				app.Th().Text(fmt.Sprintf("FGSM ε = %.2f, crafted on", facts.PaperEpsilon)),
				app.Th().Text("the ensemble's error"),
				app.Th().Text("its mean confidence on its mistakes"),
				app.Th().Text("paper's error (12 maxout networks)"),
			)),
			app.TBody().Body(
				e.row(0, "the whole ensemble", "ensemble_fgsm_on_ensemble"),
				e.row(1, "one member ("+e.memberName()+")", "ensemble_fgsm_on_member"),
			),
		)),
		app.P().Class("small muted card-text").Text(e.note()),
	)
}

// row is one attack: the ensemble's error over the page's digits, and the
// paper's.
func (e *ensemblePanel) row(i int, what, figure string) app.UI {
	ours, conf, exact := "…", "…", ""
	if e.results != nil {
		r := e.results[i][0]
		ours, conf, exact = fmtPct(r.Error), fmtPct(r.MistakeConfidence), fmt.Sprintf("%.6f", r.MistakeConfidence)
	}
	return app.Tr().Body(
		app.Th().Scope("row").Text(what),
		app.Td().ID(fmt.Sprintf("ensemble-%d", i)).DataSet("error", ours).DataSet("confidence", exact).Body(app.B().Text(ours)),
		app.Td().Text(conf),
		app.Td().Text(fmtPct(facts.PaperFigure(figure).Error)),
	)
}

func (e *ensemblePanel) memberName() string {
	if len(e.members) > 0 {
		return e.members[0].Name
	}
	return facts.PageEnsemble[0]
}

// note says which ensemble the page loads, and why not the report's.
func (e *ensemblePanel) note() string {
	var errs []string
	for _, m := range e.members {
		var mt struct {
			Clean float64 `json:"clean_error"`
		}
		if json.Unmarshal([]byte(m.Meta["metrics"]), &mt) == nil {
			errs = append(errs, fmtPct(mt.Clean))
		}
	}
	s := fmt.Sprintf("To stay light this page loads %d small maxout networks (2 layers of 32 units × 3 pieces, seeds 1–%[1]d, "+
		"about 160 KB each), not the five full maxout networks (7.4 MB) that the reproduction report measures; the paper's ensemble had 12.",
		len(facts.PageEnsemble))
	if e.started {
		s = fmt.Sprintf("Over the first %d test digits, as the sweeps above. ", e.n) + s
	}
	if len(errs) == len(e.members) && len(errs) > 0 {
		s += " The members' clean test errors: " + strings.Join(errs, ", ") + "."
	}
	return s
}

func (e *ensemblePanel) onCancel(ctx app.Context, _ app.Event) {
	if e.job.cancel() {
		e.Update()
	}
}
