package main

import (
	"encoding/json"
	"strings"
	"testing"
)

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
		{`{"type":"fgsmlab:set","eps":0.51}`, false},
		{`{"type":"fgsmlab:set","eps":"0.1"}`, false},
		{`{"type":"fgsmlab:set","target":10}`, false},
		{`{"type":"fgsmlab:set","sample":100}`, false},
		{`{"type":"fgsmlab:set","sample":-1}`, false},
		{`{"type":"fgsmlab:set","colour":"red"}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("0.5", 783) + `}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("1.5", 784) + `}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("null", 784) + `}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("0", 784) + `,"eps":0.1}`, false},
		{`{"type":"fgsmlab:state"}`, false},
		{`{"type":"fgsmlab:draw","pixels":` + pixels("0.123456789012345678", 4000) + `}`, false},
		{`[1,2,3]`, false},
		{`"fgsmlab:set"`, false},
	}
	for _, c := range cases {
		_, err := parseMessage(c.data, 100)
		if (err == nil) != c.ok {
			short := c.data
			if len(short) > 80 {
				short = short[:80] + "…"
			}
			t.Errorf("parseMessage(%s): err = %v, want ok = %v", short, err, c.ok)
		}
	}
}

func TestSetMessageChangesOnlyWhatItNames(t *testing.T) {
	cmd, err := parseMessage(`{"type":"fgsmlab:set","eps":0.2,"sample":7}`, 100)
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

func TestStateMessageShape(t *testing.T) {
	b, _ := json.Marshal(stateMessage{Type: msgState, Clean: predMessage{Probs: make([]float64, 10)}})
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"type", "model", "attack", "eps", "target", "clean", "adversarial"} {
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
