package main

import (
	"encoding/json"
	"fgsmlab/core"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// goValue is a JavaScript value as structured cloning delivers it, built
// from Go: nil is null, undefined is undefined, float64 a number, []any an
// array and map[string]any an object.
type goValue struct{ v any }

type undefinedValue struct{}

var undefined = undefinedValue{}

func (g goValue) Kind() jsKind {
	switch g.v.(type) {
	case undefinedValue:
		return jsUndefined
	case nil:
		return jsNull
	case bool:
		return jsBoolean
	case float64:
		return jsNumber
	case string:
		return jsString
	case []any:
		return jsArray
	case map[string]any:
		return jsObject
	}
	return jsOther
}

func (g goValue) Keys() []string {
	m, _ := g.v.(map[string]any)
	keys := slices.Sorted(maps.Keys(m))
	return keys[:min(len(keys), maxKeys+1)]
}

func (g goValue) Get(key string) jsValue {
	m, _ := g.v.(map[string]any)
	if v, ok := m[key]; ok {
		return goValue{v}
	}
	return goValue{undefined}
}

func (g goValue) Len() int {
	if s, ok := g.v.(string); ok {
		return len(utf16.Encode([]rune(s)))
	}
	a, _ := g.v.([]any)
	return len(a)
}

func (g goValue) Index(i int) jsValue {
	a, _ := g.v.([]any)
	if i < len(a) {
		return goValue{a[i]}
	}
	return goValue{undefined}
}

func (g goValue) Float() float64 { f, _ := g.v.(float64); return f }
func (g goValue) Str() string    { s, _ := g.v.(string); return s }

// fromJSON is the value a page posting this JSON's object would deliver.
func fromJSON(t *testing.T, s string) goValue {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %.40s: %v", s, err)
	}
	return goValue{v}
}

func TestParseMessage(t *testing.T) {
	pixels := func(v string, n int) string {
		return `[` + strings.TrimSuffix(strings.Repeat(v+",", n), ",") + `]`
	}
	cases := []struct {
		data string
		ok   bool
	}{
		{`{"type":"fgsmlab:set","model":"softmax","attack":"targeted","eps":0.1,"target":3,"sample":5}`, true},
		{`{"type":"fgsmlab:set"}`, true},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("0.5", 784) + `}`, true},
		{`{"type":"fgsmlab:set","model":"resnet"}`, false},
		{`{"type":"fgsmlab:set","eps":10.01}`, false},
		{`{"type":"fgsmlab:set","eps":-0.01}`, false},
		{`{"type":"fgsmlab:set","attack":"pgd","steps":20,"step":0.01,"random_start":0}`, true},
		{`{"type":"fgsmlab:set","attack":"cw","c":0.5,"search":3,"steps":50,"kappa":1}`, true},
		{`{"type":"fgsmlab:set","attack":"deepfool","overshoot":0.1}`, true},
		{`{"type":"fgsmlab:set","attack":"jsma","gamma":0.2,"target":4}`, true},
		{`{"type":"fgsmlab:set","steps":0.5}`, false},
		{`{"type":"fgsmlab:set","steps":"20"}`, false},
		{`{"type":"fgsmlab:set","steps":201}`, false},
		{`{"type":"fgsmlab:set","random_start":0.5}`, false},
		{`{"type":"fgsmlab:set","overshoot":0}`, false},
		{`{"type":"fgsmlab:set","kappa":null}`, false},
		{`{"type":"fgsmlab:set","attack":"uniform"}`, false},
		{`{"type":"fgsmlab:set","eps":"0.1"}`, false},
		{`{"type":"fgsmlab:set","target":10}`, false},
		{`{"type":"fgsmlab:set","target":2.5}`, false},
		{`{"type":"fgsmlab:set","sample":100}`, false},
		{`{"type":"fgsmlab:set","sample":-1}`, false},
		{`{"type":"fgsmlab:set","colour":"red"}`, false},
		{`{"type":"fgsmlab:set","model":"` + strings.Repeat("m", 1000) + `"}`, false},
		{`{"type":"fgsmlab:set","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8}`, false},
		{`{"type":"fgsmlab:set","a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("0.5", 783) + `}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("1.5", 784) + `}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("null", 784) + `}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("0", 784) + `,"eps":0.1}`, false},
		{`{"type":"fgsmlab:draw","pixels":{"length":784}}`, false},
		{`{"type":"fgsmlab:draw","pixels":"` + strings.Repeat("0", 784) + `"}`, false},
		{`{"type":"fgsmlab:draw"}`, false},
		{`{"type":"fgsmlab:state"}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("0.123456789012345678", 4000) + `}`, false},
		{`[1,2,3]`, false},
		{`"fgsmlab:set"`, false},
		{`null`, false},
	}
	for _, c := range cases {
		_, err := parseMessage(fromJSON(t, c.data), 100)
		if (err == nil) != c.ok {
			t.Errorf("parseMessage(%.80s): err = %v, want ok = %v", c.data, err, c.ok)
		}
	}
}

// TestNullIsNotAbsent: JSON has no NaN or Infinity and drops undefined, so
// these reach the lab only as JavaScript values; each is an error, never
// "the field is absent".
func TestNullIsNotAbsent(t *testing.T) {
	for _, c := range []struct {
		key  string
		v    any
		want string
	}{
		{"eps", math.NaN(), "eps must be a number from 0 to 0.5 (the max-norm attacks) or to 10 (the L2 attacks fgm and pgd-l2), not NaN"},
		{"eps", math.Inf(1), "not +Inf"},
		{"eps", math.Inf(-1), "not -Inf"},
		{"eps", nil, "not null"},
		{"eps", undefined, "not undefined"},
		{"model", nil, "model must be one of"},
		{"attack", undefined, "not undefined"},
		{"target", nil, "not null"},
		{"sample", math.NaN(), "not NaN"},
		{"pixels", nil, "takes no pixels"},
	} {
		msg := goValue{map[string]any{"type": msgSet, c.key: c.v}}
		_, err := parseMessage(msg, 100)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v: error %v, want one with %q", c.key, c.v, err, c.want)
		}
	}
	draw := goValue{map[string]any{"type": msgDraw, "pixels": nil}}
	if _, err := parseMessage(draw, 100); err == nil || !strings.Contains(err.Error(), "not null") {
		t.Errorf("pixels: null: error %v", err)
	}
	nan := make([]any, Pixels)
	for i := range nan {
		nan[i] = 0.5
	}
	nan[783] = math.NaN()
	if _, err := parseMessage(goValue{map[string]any{"type": msgDraw, "pixels": nan}}, 100); err == nil || !strings.Contains(err.Error(), "pixel 783") {
		t.Errorf("a NaN pixel: error %v", err)
	}
}

// countingValue counts the elements read from an array, to show that a
// wrong-length pixels array is refused before any element is read.
type countingValue struct {
	goValue
	reads *int
}

func (c countingValue) Get(key string) jsValue {
	v := c.goValue.Get(key)
	if key == "pixels" {
		return countingValue{v.(goValue), c.reads}
	}
	return v
}

func (c countingValue) Index(i int) jsValue { *c.reads++; return c.goValue.Index(i) }

func TestDrawRefusesBeforeReadingPixels(t *testing.T) {
	big := make([]any, 10_000_000)
	for i := range big {
		big[i] = 0.0
	}
	reads := 0
	msg := countingValue{goValue{map[string]any{"type": msgDraw, "pixels": big}}, &reads}
	_, err := parseMessage(msg, 100)
	if err == nil || !strings.Contains(err.Error(), "10000000 values") || reads != 0 {
		t.Errorf("10⁷ pixels: error %v after reading %d of them; want a refusal naming the length, reading none", err, reads)
	}
}

func TestSetMessageChangesOnlyWhatItNames(t *testing.T) {
	cmd, err := parseMessage(fromJSON(t, `{"type":"fgsmlab:set","eps":0.2,"sample":7}`), 100)
	if err != nil {
		t.Fatal(err)
	}
	s := defaultSettings()
	s.Model, s.Input = "rbf", make([]float64, Pixels)
	cmd.set(&s)
	if s.Eps255 != 51 || s.Sample != 7 || s.Input != nil || s.Model != "rbf" {
		t.Errorf("after set: %+v", s)
	}
}

// A set whose change does not fit the attack it meets is refused with a
// reason, and the rest of the message still applies; the attack is set
// first, whatever the order of the fields.
func TestSetMessageFitsTheAttack(t *testing.T) {
	cases := []struct {
		attack core.Attack
		msg    string
		err    string // a part of the error, "" for none
		check  func(settings) bool
	}{
		{core.AttackFGSM, `{"type":"fgsmlab:set","eps":3,"attack":"fgm"}`, "",
			func(s settings) bool { return s.Attack == core.AttackFGM && s.EpsL2 == 3 && s.Eps255 == 64 }},
		{core.AttackFGSM, `{"type":"fgsmlab:set","eps":3,"target":2}`, "0 to 0.5",
			func(s settings) bool { return s.Eps255 == 64 && s.Target == 2 }},
		{core.AttackFGSM, `{"type":"fgsmlab:set","steps":20,"attack":"pgd"}`, "",
			func(s settings) bool {
				return s.Attack == core.AttackPGD && s.Params[pSteps] == 20 && s.Params[pRandomStart] == 1
			}},
		{core.AttackFGSM, `{"type":"fgsmlab:set","steps":20}`, "no such setting",
			func(s settings) bool { return s.Params == defaultParams(core.AttackFGSM) }},
		{core.AttackFGSM, `{"type":"fgsmlab:set","attack":"deepfool","eps":0.1}`, "no budget",
			func(s settings) bool { return s.Attack == core.AttackDeepFool && s.Eps255 == 64 }},
		{core.AttackPGD, `{"type":"fgsmlab:set","attack":"pgd","eps":0.1}`, "",
			func(s settings) bool { return s.Params[pSteps] == 40 && s.Eps255 == 26 }},
	}
	for _, c := range cases {
		cmd, err := parseMessage(fromJSON(t, c.msg), 100)
		if err != nil {
			t.Fatalf("%s: %v", c.msg, err)
		}
		s := defaultSettings()
		s.setAttack(c.attack)
		err = cmd.set(&s)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s on %s: error %v, want one saying %q", c.msg, c.attack, err, c.err)
		}
		if !c.check(s) {
			t.Errorf("%s on %s: settings became %+v", c.msg, c.attack, s)
		}
	}
}

// TestCoalesceKeepsOrder: a burst applied once a frame ends where applying
// each message in turn would.
func TestCoalesceKeepsOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	models, attacks := labModels(), attackNames
	var burst []command
	var msgs []string
	for i := range 50 {
		m := fmt.Sprintf(`{"type":"fgsmlab:set","eps":%g`, float64(rng.IntN(128))/255)
		if i%3 == 0 {
			m += fmt.Sprintf(`,"model":%q`, models[rng.IntN(len(models))])
		}
		if i%4 == 0 {
			m += fmt.Sprintf(`,"attack":%q,"target":%d`, attacks[rng.IntN(len(attacks))], rng.IntN(10))
		}
		if i%7 == 0 {
			m += fmt.Sprintf(`,"sample":%d`, rng.IntN(100))
		}
		msgs = append(msgs, m+`}`)
	}
	for _, m := range msgs {
		cmd, err := parseMessage(fromJSON(t, m), 100)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		burst = append(burst, cmd)
	}
	one, each := defaultSettings(), defaultSettings()
	for _, c := range burst {
		c.set(&each)
	}
	merged := coalesce(burst)
	if len(merged) != 1 {
		t.Fatalf("50 sets coalesce into %d commands, want 1", len(merged))
	}
	merged[0].set(&one)
	if !reflect.DeepEqual(one, each) {
		t.Errorf("coalesced: %+v\nin turn:   %+v", one, each)
	}
	draw := func(v float64) command { return command{input: slices.Repeat([]float64{v}, Pixels)} }
	mixed := coalesce([]command{burst[0], burst[1], draw(0.1), draw(0.2), burst[2], draw(0.3)})
	if len(mixed) != 4 || mixed[1].input[0] != 0.2 || mixed[3].input[0] != 0.3 || mixed[2].set == nil {
		t.Errorf("set, set, draw, draw, set, draw coalesce into %d commands: %+v", len(mixed), mixed)
	}
}

func TestStateMessageShape(t *testing.T) {
	b, _ := json.Marshal(stateMessage{Type: msgState, Clean: predMessage{Probs: make([]float64, 10)}})
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"type", "model", "attack", "eps", "norm", "settings", "target", "clean", "adversarial", "eta"} {
		if _, ok := m[k]; !ok {
			t.Errorf("state message has no %q: %s", k, b)
		}
	}
	clean := m["clean"].(map[string]any)
	for _, k := range []string{"label", "confidence", "probs"} {
		if _, ok := clean[k]; !ok {
			t.Errorf("state message's clean has no %q", k)
		}
	}
}
