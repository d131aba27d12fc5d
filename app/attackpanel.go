package main

import (
	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// attackLabels name the attacks in the menu.
var attackLabels = map[core.Attack]string{
	core.AttackFGSM:       "FGSM: x + ε·sign(∇ₓJ)",
	core.AttackTargeted:   "Targeted FGSM: towards a class",
	core.AttackIterative:  "Iterative FGSM (several small steps)",
	core.AttackRandomSign: "Random ±ε noise (baseline)",
}

// attackPanel holds the attack's controls: method, target, steps and the
// clip and round toggles. Each change goes to onChange at once. ε has its
// own slider (epsSlider), next to the result it moves.
type attackPanel struct {
	app.Compo

	onChange func(ctx app.Context, s settings)
	s        settings
}

func newAttackPanel(onChange func(app.Context, settings)) *attackPanel {
	return &attackPanel{onChange: onChange, s: defaultSettings()}
}

// show sets the controls to s.
func (p *attackPanel) show(s settings) {
	p.s = s
	p.Update()
}

func (p *attackPanel) Render() app.UI {
	s := p.s
	return app.Div().Class("attack").Body(
		app.Div().Class("field").Body(
			app.Label().For("attack").Text("Attack"),
			app.Select().ID("attack").OnChange(p.onAttack).Body(
				app.Range(attackNames).Slice(func(i int) app.UI {
					n := attackNames[i]
					return app.Option().Value(n).Text(attackLabels[core.Attack(n)]).Selected(n == string(s.Attack))
				}),
			),
		),
		app.If(s.Attack == core.AttackTargeted,
			app.Div().Class("field").Body(
				app.Label().For("target").Text("Target class"),
				app.Select().ID("target").OnChange(p.onTarget).Body(
					app.Range(make([]struct{}, 10)).Slice(func(i int) app.UI {
						return app.Option().Value(i).Text(i).Selected(i == s.Target)
					}),
				),
			),
		),
		app.If(s.Attack == core.AttackIterative,
			app.Div().Class("field").Body(
				app.Label().For("steps").Text("Steps"),
				app.Input().ID("steps").Type("number").Min(1).Max(100).Step(1).
					Value(s.Steps).OnChange(p.onSteps),
			),
		),
		app.Div().Class("toggles").Body(
			app.Label().Class("check").Body(
				app.Input().ID("clip").Type("checkbox").Checked(s.Clip).OnChange(p.onClip),
				app.Text(" Clip x̃ to [0, 1]"),
			),
			app.Label().Class("check").Body(
				app.Input().ID("round").Type("checkbox").Checked(s.Round).OnChange(p.onRound),
				app.Text(" Round x̃ to 8-bit grey"),
			),
		),
	)
}

func (p *attackPanel) change(ctx app.Context, f func(*settings)) {
	f(&p.s)
	p.onChange(ctx, p.s)
}

func (p *attackPanel) onAttack(ctx app.Context, e app.Event) {
	v := ctx.JSSrc().Get("value").String()
	for _, n := range attackNames {
		if n == v {
			p.change(ctx, func(s *settings) { s.Attack = core.Attack(n) })
		}
	}
}

func (p *attackPanel) onTarget(ctx app.Context, e app.Event) {
	if t := ctx.JSSrc().Get("selectedIndex").Int(); t >= 0 && t <= 9 {
		p.change(ctx, func(s *settings) { s.Target = t })
	}
}

func (p *attackPanel) onSteps(ctx app.Context, e app.Event) {
	if n := ctx.JSSrc().Get("valueAsNumber").Float(); n >= 1 && n <= 100 {
		p.change(ctx, func(s *settings) { s.Steps = int(n) })
	} else {
		p.Update() // put the last valid value back
	}
}

func (p *attackPanel) onClip(ctx app.Context, e app.Event) {
	on := ctx.JSSrc().Get("checked").Bool()
	p.change(ctx, func(s *settings) { s.Clip = on })
}

func (p *attackPanel) onRound(ctx app.Context, e app.Event) {
	on := ctx.JSSrc().Get("checked").Bool()
	p.change(ctx, func(s *settings) { s.Round = on })
}
