package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"fgsmlab/core"
)

func TestCheckModelURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want string // "" if accepted, else a part of the error
	}{
		{"https://example.org/models/cnn.safetensors", ""},
		{"https://example.org:8443/a?b=c", ""},
		{"/web/models/mlp.safetensors", ""},
		{"models/mine.safetensors", ""},
		{"http://localhost:8000/m.safetensors", ""},
		{"http://127.0.0.1:9/m.safetensors", ""},
		{"http://[::1]:9/m.safetensors", ""},
		{"http://example.org/m.safetensors", "https://"},
		{"javascript:alert(1)", "a javascript: address"},
		{"JavaScript:alert(1)", "a javascript: address"},
		{"data:application/octet-stream;base64,AAAA", "a data: address"},
		{"file:///etc/passwd", "a file: address"},
		{"//example.org/m.safetensors", "https://"},
		{"/\\example.org/m", "backslashes"},
		{"/\t/example.org/m", "spaces"},
		{"https://user:pw@example.org/m", "password"},
		{"", "empty"},
		{"https://example.org/" + strings.Repeat("a", maxModelURL), "longer"},
		{"https://exämple.org/m", "percent-encode"},
	} {
		err := checkModelURL(c.url)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("checkModelURL(%.40q) = %v; want it accepted", c.url, err)
		case c.want != "" && err == nil:
			t.Errorf("checkModelURL(%.40q) accepted it; want an error about %q", c.url, c.want)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("checkModelURL(%.40q) = %v; want it to say %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "alert") {
			t.Errorf("the error repeats the address: %v", err)
		}
	}
}

func TestModelURLLink(t *testing.T) {
	const u = "https://example.org/cnn.safetensors"
	q := parseLink("model=softmax&model_url=" + u + "&eps=0.1&sample=3")
	s := parseSettings(q)
	if s.Model != openedModel || s.ModelURL != u || s.Sample != 3 || s.Eps255 != epsToGrey(0.1) {
		t.Fatalf("parseSettings = %+v; want the opened model from %s, sample 3, ε 0.1", s, u)
	}
	if n := q.notices(); len(n) != 0 {
		t.Errorf("notices %q; want none", n)
	}
	back := parseSettings(parseLink(s.query().Encode()))
	if back.ModelURL != u || back.Model != openedModel {
		t.Errorf("the share link %q lost model_url", s.query().Encode())
	}

	q = parseLink("model=softmax&model_url=javascript:alert(1)")
	s = parseSettings(q)
	if s.Model != "softmax" || s.ModelURL != "" {
		t.Errorf("a javascript: model_url gave %+v; want softmax kept", s)
	}
	n := strings.Join(q.notices(), " ")
	if !strings.Contains(n, "javascript:") || strings.Contains(n, "alert") {
		t.Errorf("notice %q; want it to name the scheme and not repeat the address", n)
	}

	q = parseLink("model=" + openedModel)
	if s = parseSettings(q); s.Model != modelNames[0] || !strings.Contains(strings.Join(q.notices(), " "), "model_url") {
		t.Errorf("model=opened without an opened model gave %q, notices %q", s.Model, q.notices())
	}
}

// denseModel is an in → classes softmax model file with weights from w,
// written without core's checks.
func denseModel(t *testing.T, in, classes int, w float64) []byte {
	t.Helper()
	tensors := map[string]core.Tensor{
		"l0.weight": {Shape: []int{classes, in}, Data: filled(classes*in, w)},
		"l0.bias":   {Shape: []int{classes}, Data: make([]float64, classes)},
	}
	input := core.InputConvention
	if in != core.ImageSize {
		input = fmt.Sprintf("%d features", in)
	}
	classJSON, _ := json.Marshal(labelsUpTo(classes))
	meta := map[string]string{
		"format": core.FormatVersion, "name": "tiny", "input": input, "classes": string(classJSON),
		"arch": `[{"kind":"dense","weight":"l0.weight","bias":"l0.bias"},{"kind":"softmax"}]`,
	}
	return core.EncodeSafetensors(tensors, meta, "F32")
}

func labelsUpTo(n int) []string {
	var l []string
	for i := range n {
		l = append(l, string(rune('0'+i%10)))
	}
	return l
}

func filled(n int, v float64) []float64 {
	d := make([]float64, n)
	for i := range d {
		d[i] = v * float64(i%7-3)
	}
	return d
}

func TestReadOpened(t *testing.T) {
	if _, err := readOpened(denseModel(t, 784, 10, 0.01)); err != nil {
		t.Errorf("a 784 → 10 model: %v", err)
	}
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"100 inputs", denseModel(t, 100, 10, 0.01), "100 inputs"},
		{"3 classes", denseModel(t, 784, 3, 0.01), "3 classes"},
		{"NaN weights", denseModel(t, 784, 10, math.NaN()), "non-finite"},
		{"not safetensors", []byte("PK\x03\x04 a zip file, not a model"), ""},
		{"empty", nil, ""},
	} {
		_, err := readOpened(c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v; want one that says %q", c.name, err, c.want)
		}
	}
}

func TestParseSetModelURL(t *testing.T) {
	cmd, err := parseMessage(goValue{map[string]any{"type": msgSet, "model_url": "https://example.org/m.safetensors", "eps": 0.1}}, 10)
	if err != nil || cmd.modelURL != "https://example.org/m.safetensors" {
		t.Fatalf("parseMessage = %+v, %v", cmd, err)
	}
	for _, bad := range []any{"javascript:alert(1)", "data:,x", 3.0, nil} {
		if _, err := parseMessage(goValue{map[string]any{"type": msgSet, "model_url": bad}}, 10); err == nil {
			t.Errorf("model_url %v accepted", bad)
		}
	}
}
