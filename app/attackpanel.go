package main

import (
	"strconv"

	"fgsmlab/core"
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// attackPanel holds the attack's controls: the method, a line on what it
// does, its own settings (attacks.go), the target of the targeted attacks,
// and the clip and round toggles. Each change goes to onChange at once. ε
// has its own slider (epsSlider), next to the result it moves.
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
	info := attackInfo(s.Attack)
	return app.Div().Class("attack").DataSet("attack", string(s.Attack)).Body(
		app.Div().Class("field").Body(
			app.Label().For("attack").Text("Attack"),
			app.Select().ID("attack").OnChange(p.onAttack).Aria("describedby", "attack-about").Body(
				app.OptGroup().Label("The paper's").Body(
					app.Range(labAttacks[:4]).Slice(func(i int) app.UI { return attackOption(labAttacks[i], s.Attack) }),
				),
				app.OptGroup().Label("Those that came after").Body(
					app.Range(labAttacks[4:]).Slice(func(i int) app.UI { return attackOption(labAttacks[4+i], s.Attack) }),
				),
			),
			app.P().ID("attack-about").Class("help").Text(info.About),
		),
		app.If(s.Attack.Targeted(),
			app.Div().Class("field").Body(
				app.Label().For("target").Text("Target class"),
				app.Select().ID("target").OnChange(p.onTarget).Body(
					app.Range(make([]struct{}, 10)).Slice(func(i int) app.UI {
						return app.Option().Value(i).Text(i).Selected(i == s.Target)
					}),
				),
			),
		),
		app.Range(info.Params).Slice(func(i int) app.UI { return p.control(info.Params[i]) }),
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

func attackOption(a labAttack, current core.Attack) app.UI {
	return app.Option().Value(string(a.Attack)).Text(a.Label).Selected(a.Attack == current)
}

// control is the input of one setting, with its line of help. Its id is
// "p-" and the setting's key. The handler finds the setting from the
// element's data-param: go-app keeps an element's first handler when the
// new one is the same function, so a closure over u would outlive a change
// of attack that reuses the element for another setting.
func (p *attackPanel) control(u use) app.UI {
	par, v := params[u.ID], p.s.Params[u.ID]
	id, helpID := "p-"+par.Key, "p-"+par.Key+"-help"
	if par.Check {
		return app.Div().Class("field").Body(
			app.Label().Class("check").Body(
				app.Input().ID(id).Type("checkbox").Checked(v == 1).Aria("describedby", helpID).
					DataSet("param", int(u.ID)).OnChange(p.onParam),
				app.Text(" "+par.Label),
			),
			app.P().ID(helpID).Class("help").Text(u.help()),
		)
	}
	in := app.Input().ID(id).Type("number").Attr("inputmode", "decimal").
		Min(par.Min).Max(par.Max).Step(par.Step).Aria("describedby", helpID).
		DataSet("param", int(u.ID)).OnChange(p.onParam)
	if v == 0 && par.Auto != "" {
		in = in.Value("").Placeholder(par.Auto)
	} else {
		in = in.Value(strconv.FormatFloat(v, 'g', 6, 64))
	}
	return app.Div().Class("field").Body(
		app.Label().For(id).Text(par.Label),
		in,
		app.P().ID(helpID).Class("help").Text(u.help()),
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
			p.change(ctx, func(s *settings) { s.setAttack(core.Attack(n)) })
		}
	}
}

func (p *attackPanel) onTarget(ctx app.Context, e app.Event) {
	if t := ctx.JSSrc().Get("selectedIndex").Int(); t >= 0 && t <= 9 {
		p.change(ctx, func(s *settings) { s.Target = t })
	}
}

// onParam takes a setting's new value. An empty box is auto where the
// setting has one; a value out of range puts the last valid one back.
func (p *attackPanel) onParam(ctx app.Context, e app.Event) {
	src := ctx.JSSrc()
	id, err := strconv.Atoi(src.Get("dataset").Get("param").String())
	if err != nil || id < 0 || id >= int(nParams) || !takes(p.s.Attack, paramID(id)) {
		return
	}
	u, par := paramID(id), params[id]
	var v float64
	switch {
	case par.Check:
		if src.Get("checked").Bool() {
			v = 1
		}
	case src.Get("value").String() == "" && par.Auto != "":
		v = 0
	default:
		v = src.Get("valueAsNumber").Float()
	}
	if !par.check(v) {
		// Put the last valid value back: the page's virtual DOM still
		// holds it, so a re-render would not touch the box.
		if old := p.s.Params[u]; old == 0 && par.Auto != "" {
			src.Set("value", "")
		} else {
			src.Set("value", strconv.FormatFloat(old, 'g', 6, 64))
		}
		return
	}
	p.change(ctx, func(s *settings) { s.Params[u] = v })
}

func (p *attackPanel) onClip(ctx app.Context, e app.Event) {
	on := ctx.JSSrc().Get("checked").Bool()
	p.change(ctx, func(s *settings) { s.Clip = on })
}

func (p *attackPanel) onRound(ctx app.Context, e app.Event) {
	on := ctx.JSSrc().Get("checked").Bool()
	p.change(ctx, func(s *settings) { s.Round = on })
}
