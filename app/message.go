package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
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

// maxMessage bounds an incoming message's JSON form: 784 pixels written
// with full float64 precision fit in about 20 kB.
const maxMessage = 64 << 10

type stateMessage struct {
	Type        string      `json:"type"`
	Model       string      `json:"model"`
	Attack      string      `json:"attack"`
	Eps         float64     `json:"eps"`
	Target      int         `json:"target"`
	Clean       predMessage `json:"clean"`
	Adversarial predMessage `json:"adversarial"`
}

type predMessage struct {
	Label      int       `json:"label"`
	Confidence float64   `json:"confidence"`
	Probs      []float64 `json:"probs"`
}

// inMessage is an incoming fgsmlab:set or fgsmlab:draw message. Optional
// fields are pointers so that "absent" differs from zero.
type inMessage struct {
	Type   string     `json:"type"`
	Model  *string    `json:"model"`
	Attack *string    `json:"attack"`
	Eps    *float64   `json:"eps"`
	Target *int       `json:"target"`
	Sample *int       `json:"sample"`
	Pixels []*float64 `json:"pixels"`
}

// command is a checked incoming message: the settings to change and, for
// fgsmlab:draw, the input.
type command struct {
	set   func(*settings)
	input []float64
}

// parseMessage checks an incoming message's JSON form: its type, that it
// has no unknown fields, and the range of every value. samples is the
// number of gallery digits.
func parseMessage(data string, samples int) (command, error) {
	if len(data) > maxMessage {
		return command{}, fmt.Errorf("message is %d bytes; the limit is %d", len(data), maxMessage)
	}
	var m inMessage
	dec := json.NewDecoder(bytes.NewReader([]byte(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return command{}, fmt.Errorf("message is not an object of the documented shape: %v", err)
	}
	switch m.Type {
	case msgSet:
		return parseSet(m, samples)
	case msgDraw:
		return parseDraw(m)
	}
	return command{}, fmt.Errorf("unknown message type %q; want %q or %q", m.Type, msgSet, msgDraw)
}

func parseSet(m inMessage, samples int) (command, error) {
	if m.Pixels != nil {
		return command{}, fmt.Errorf("%s takes no pixels; send %s", msgSet, msgDraw)
	}
	var fs []func(*settings)
	if m.Model != nil {
		v := *m.Model
		if !slices.Contains(labModels(), v) {
			return command{}, fmt.Errorf("model must be one of %v", modelNames)
		}
		fs = append(fs, func(s *settings) { s.Model = v })
	}
	if m.Attack != nil {
		v := *m.Attack
		if !slices.Contains(attackNames, v) {
			return command{}, fmt.Errorf("attack must be one of %v", attackNames)
		}
		fs = append(fs, func(s *settings) { s.Attack = v })
	}
	if m.Eps != nil {
		e := *m.Eps
		if !(e >= 0 && e <= 0.5) {
			return command{}, fmt.Errorf("eps must be a number from 0 to 0.5")
		}
		fs = append(fs, func(s *settings) { s.Eps255 = epsToGrey(e) })
	}
	if m.Target != nil {
		t := *m.Target
		if t < 0 || t > 9 {
			return command{}, fmt.Errorf("target must be a class from 0 to 9")
		}
		fs = append(fs, func(s *settings) { s.Target = t })
	}
	if m.Sample != nil {
		i := *m.Sample
		if i < 0 || i >= samples {
			return command{}, fmt.Errorf("sample must be from 0 to %d", samples-1)
		}
		fs = append(fs, func(s *settings) { s.Sample, s.Input = i, nil })
	}
	return command{set: func(s *settings) {
		for _, f := range fs {
			f(s)
		}
	}}, nil
}

func parseDraw(m inMessage) (command, error) {
	if m.Model != nil || m.Attack != nil || m.Eps != nil || m.Target != nil || m.Sample != nil {
		return command{}, fmt.Errorf("%s takes only pixels; send settings with %s", msgDraw, msgSet)
	}
	if len(m.Pixels) != Pixels {
		return command{}, fmt.Errorf("pixels has %d values, want %d (28×28, row-major)", len(m.Pixels), Pixels)
	}
	x := make([]float64, Pixels)
	for i, p := range m.Pixels {
		if p == nil || math.IsNaN(*p) || *p < 0 || *p > 1 {
			return command{}, fmt.Errorf("pixel %d is not a number in [0, 1]", i)
		}
		x[i] = *p
	}
	return command{input: x}, nil
}
