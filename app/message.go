package main

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"fgsmlab/core"
)

// The window.postMessage API, documented in README.md ("Embedding").
//
// The lab posts a stateMessage to its parent (or to itself when not framed)
// each time its result changes, and accepts setMessage and drawMessage.
const (
	msgState = "fgsmlab:state"
	msgSet   = "fgsmlab:set"
	msgDraw  = "fgsmlab:draw"
	msgError = "fgsmlab:error"
)

type stateMessage struct {
	Type   string      `json:"type"`
	Model  string      `json:"model"`
	Attack core.Attack `json:"attack"`
	// Eps is the attack's budget: ‖η‖∞ ≤ eps, or ‖η‖₂ ≤ eps for the L2
	// attacks (Norm "l2"); 0 with Norm "none" for those that find their
	// own size, which Eta gives.
	Eps  float64 `json:"eps"`
	Norm string  `json:"norm"`
	// Settings are the attack's own settings (attacks.go), by their keys.
	Settings    map[string]float64 `json:"settings"`
	Target      int                `json:"target"`
	Clean       predMessage        `json:"clean"`
	Adversarial predMessage        `json:"adversarial"`
	Eta         etaMessage         `json:"eta"`
}

// etaMessage is the size of η = x̃ − x in three norms (outcome).
type etaMessage struct {
	LInf float64 `json:"linf"`
	L2   float64 `json:"l2"`
	L0   int     `json:"l0"`
}

type predMessage struct {
	Label      int       `json:"label"`
	Confidence float64   `json:"confidence"`
	Probs      []float64 `json:"probs"`
}

// jsValue is what the message checks need of a JavaScript value. The page
// reads an event's data through it one field at a time (pageValue, in
// message_lab.go), checking each type before converting anything, so that a huge
// or odd message costs no more than its first wrong field; the tests use Go
// values (message_test.go).
type jsValue interface {
	Kind() jsKind
	Keys() []string // an object's own enumerable keys (Object.keys), at most maxKeys+1 of them
	Get(key string) jsValue
	Len() int // an array's or a string's length
	Index(i int) jsValue
	Float() float64
	Str() string
}

// jsKind is a JavaScript value's type as typeof and Array.isArray tell it.
type jsKind int

const (
	jsUndefined jsKind = iota
	jsNull
	jsBoolean
	jsNumber
	jsString
	jsArray
	jsObject // any other object
	jsOther  // a function, symbol or bigint
)

func (k jsKind) String() string {
	return [...]string{"undefined", "null", "a boolean", "a number", "a string", "an array", "an object", "a function, symbol or bigint"}[k]
}

// maxKeys bounds a message's fields (fgsmlab:set has fifteen, with every
// attack setting of attacks.go), and maxString
// its strings, so that no field is converted before it is known to be
// small.
const (
	maxKeys   = 16
	maxString = 64
)

// command is a checked incoming message: the settings to change or, for
// fgsmlab:draw, the input.
type command struct {
	// set makes the changes. A change that does not fit the settings it
	// meets (steps for an attack that takes none, an ε above 0.5 for a
	// max-norm attack) is not made, and set says why; the others are.
	set   func(*settings) error
	input []float64
	// modelURL, from an fgsmlab:set, is a model to fetch and then show;
	// the lab keeps its model until the new one has arrived.
	modelURL string
}

// forLab says whether a message is one the lab takes: an object whose type
// starts with "fgsmlab:", other than the lab's own posts (seen when it is
// not framed). Anything else is some other script's business.
func forLab(v jsValue) bool {
	if v.Kind() != jsObject {
		return false
	}
	t := v.Get("type")
	if t.Kind() != jsString || t.Len() > maxString {
		return false
	}
	s := t.Str()
	return strings.HasPrefix(s, "fgsmlab:") && s != msgState && s != msgError
}

// parseMessage checks an incoming message: its type, that it has no
// unknown fields, and the type and range of every value. A field given as
// null or undefined is an error, not "absent". samples is the number of
// gallery digits.
func parseMessage(v jsValue, samples int) (command, error) {
	if k := v.Kind(); k != jsObject {
		return command{}, fmt.Errorf("message must be an object, not %v", k)
	}
	if len(v.Keys()) > maxKeys {
		return command{}, fmt.Errorf("message has more than %d fields", maxKeys)
	}
	t := v.Get("type")
	if t.Kind() != jsString || t.Len() > maxString {
		return command{}, fmt.Errorf("type must be %q or %q, not %s", msgSet, msgDraw, describe(t))
	}
	switch t.Str() {
	case msgSet:
		return parseSet(v, samples)
	case msgDraw:
		return parseDraw(v)
	}
	return command{}, fmt.Errorf("unknown message type %q; want %q or %q", t.Str(), msgSet, msgDraw)
}

func parseSet(v jsValue, samples int) (command, error) {
	var fs []func(*settings) error
	var modelURL string
	keys := v.Keys()
	// The attack first: a new one starts from its own default settings,
	// which the message's settings then change.
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(b2i(b == "attack"), b2i(a == "attack")) })
	for _, k := range keys {
		if k == "model_url" {
			u, err := modelURLField(v.Get(k))
			if err != nil {
				return command{}, err
			}
			modelURL = u
			continue
		}
		f, err := setField(k, v.Get(k), samples)
		if err != nil {
			return command{}, err
		}
		if f != nil {
			fs = append(fs, f)
		}
	}
	return command{modelURL: modelURL, set: func(s *settings) error {
		var errs []error
		for _, f := range fs {
			errs = append(errs, f(s))
		}
		return errors.Join(errs...)
	}}, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// modelURLField reads fgsmlab:set's model_url, as a link's (checkModelURL).
func modelURLField(v jsValue) (string, error) {
	if v.Kind() != jsString || v.Len() > maxModelURL {
		return "", fmt.Errorf("model_url must be a string of at most %d characters, not %s", maxModelURL, describe(v))
	}
	u := v.Str()
	return u, checkModelURL(u)
}

// setField checks one field of an fgsmlab:set message and returns the
// change it makes (nil for the type).
func setField(key string, v jsValue, samples int) (func(*settings) error, error) {
	switch key {
	case "type":
		return nil, nil
	case "model":
		m, err := oneOf(v, key, labModels())
		return always(func(s *settings) { s.Model = m }), err
	case "attack":
		a, err := oneOf(v, key, attackNames)
		return always(func(s *settings) { s.setAttack(core.Attack(a)) }), err
	case "eps":
		if v.Kind() != jsNumber || !(v.Float() >= 0 && v.Float() <= maxEpsL2) {
			return nil, fmt.Errorf("eps must be a number from 0 to 0.5 (the max-norm attacks) or to %v (the L2 attacks fgm and pgd-l2), not %s", maxEpsL2, describe(v))
		}
		e := v.Float()
		return func(s *settings) error { return s.setEps(e) }, nil
	case "target":
		t, err := integer(v, key, 0, 9)
		return always(func(s *settings) { s.Target = t }), err
	case "sample":
		if samples == 0 {
			return nil, fmt.Errorf("sample: the digits have not loaded yet")
		}
		i, err := integer(v, key, 0, samples-1)
		return always(func(s *settings) { s.Sample, s.Input = i, nil }), err
	case "pixels":
		return nil, fmt.Errorf("%s takes no pixels; send %s", msgSet, msgDraw)
	}
	if id, ok := paramByKey(key); ok {
		p := params[id]
		if v.Kind() != jsNumber || !p.check(v.Float()) {
			return nil, fmt.Errorf("%s must be %s, not %s", key, p.rangeText(), describe(v))
		}
		f := v.Float()
		return func(s *settings) error {
			if !takes(s.Attack, id) {
				return fmt.Errorf("%s: the attack %s has no such setting", key, s.Attack)
			}
			s.Params[id] = f
			return nil
		}, nil
	}
	return nil, fmt.Errorf("%s has no field %q", msgSet, key)
}

// always is a change that fits any settings.
func always(f func(*settings)) func(*settings) error {
	return func(s *settings) error { f(s); return nil }
}

func parseDraw(v jsValue) (command, error) {
	for _, k := range v.Keys() {
		if k != "type" && k != "pixels" {
			return command{}, fmt.Errorf("%s takes only pixels, not %q; send settings with %s", msgDraw, k, msgSet)
		}
	}
	p := v.Get("pixels")
	if k := p.Kind(); k != jsArray {
		return command{}, fmt.Errorf("pixels must be an array of %d numbers, not %v", Pixels, k)
	}
	if n := p.Len(); n != Pixels {
		return command{}, fmt.Errorf("pixels has %d values, want %d (28×28, row-major)", n, Pixels)
	}
	x := make([]float64, Pixels)
	for i := range x {
		e := p.Index(i)
		if e.Kind() != jsNumber || !(e.Float() >= 0 && e.Float() <= 1) {
			return command{}, fmt.Errorf("pixel %d is not a number in [0, 1]", i)
		}
		x[i] = e.Float()
	}
	return command{input: x}, nil
}

// oneOf reads a string that must be one of names.
func oneOf(v jsValue, key string, names []string) (string, error) {
	if v.Kind() != jsString || v.Len() > maxString || !slices.Contains(names, v.Str()) {
		return "", fmt.Errorf("%s must be one of %v, not %s", key, names, describe(v))
	}
	return v.Str(), nil
}

// number reads a finite number in [lo, hi].
func number(v jsValue, key string, lo, hi float64) (float64, error) {
	if v.Kind() != jsNumber || !(v.Float() >= lo && v.Float() <= hi) {
		return 0, fmt.Errorf("%s must be a number from %v to %v, not %s", key, lo, hi, describe(v))
	}
	return v.Float(), nil
}

// integer reads a whole number in [lo, hi].
func integer(v jsValue, key string, lo, hi int) (int, error) {
	f, err := number(v, key, float64(lo), float64(hi))
	if err != nil || f != math.Trunc(f) {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d, not %s", key, lo, hi, describe(v))
	}
	return int(f), nil
}

// describe names a wrong value for an error message without repeating
// much of it: the message goes back to the page that sent it.
func describe(v jsValue) string {
	switch v.Kind() {
	case jsNumber:
		return strconv.FormatFloat(v.Float(), 'g', 6, 64)
	case jsString:
		if v.Len() > maxString {
			return "a long string"
		}
		return strconv.Quote(v.Str())
	}
	return v.Kind().String()
}

// coalesce merges a burst of checked messages, in arrival order, into as
// few as do the same: consecutive sets become one set, and of consecutive
// draws only the last counts, since a draw replaces the whole input. The
// lab applies the result once a frame (message_lab.go).
func coalesce(cmds []command) []command {
	var out []command
	for _, c := range cmds {
		n := len(out)
		switch {
		case n > 0 && c.input != nil && out[n-1].input != nil:
			out[n-1] = c
		case n > 0 && c.set != nil && out[n-1].set != nil:
			first, then := out[n-1].set, c.set
			out[n-1].set = func(s *settings) error { return errors.Join(first(s), then(s)) }
			out[n-1].modelURL = cmp.Or(c.modelURL, out[n-1].modelURL)
		default:
			out = append(out, c)
		}
	}
	return out
}
