package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"

	"fgsmlab/core"
)

// Pixels is the size of a model input: a 28×28 image, row-major.
const Pixels = 28 * 28

// maxEps255 is the largest ε in grey levels: 127/255 ≈ 0.498, the last
// 1/255 step below the slider's end at 0.5.
const maxEps255 = 127

// modelNames lists the shipped models the lab offers, default first.
var modelNames = []string{"mlp", "softmax", "maxout", "maxout-adv", "rbf"}

// attackNames lists the attacks the lab offers, in menu order.
var attackNames = []string{core.AttackFGSM, core.AttackTargeted, core.AttackIterative, core.AttackRandomSign}

// settings is the state a link can carry: everything needed to reproduce
// one example exactly.
type settings struct {
	Model  string
	Attack string
	Eps255 int // ε in grey levels: ε = Eps255/255
	Target int // target class of the targeted attack
	Steps  int // steps of the iterative attack
	Clip   bool
	Round  bool
	Sample int       // index into the gallery, or -1
	Input  []float64 // the 28×28 input when it is not a gallery sample
	Embed  bool
}

func defaultSettings() settings {
	return settings{
		Model:  "mlp",
		Attack: core.AttackFGSM,
		Eps255: 64, // ε ≈ 0.25, the paper's MNIST setting
		Target: 0,
		Steps:  10,
		Clip:   true,
		Sample: 0,
	}
}

// Eps is ε on the [0, 1] pixel scale.
func (s settings) Eps() float64 { return float64(s.Eps255) / 255 }

// parseSettings reads the query of a lab URL. A parameter that is missing
// keeps its default; one that is invalid keeps its default and its name is
// returned in bad, in a fixed order. Values are never echoed back, so a
// hostile link cannot put its text on the page.
func parseSettings(q url.Values, samples int) (s settings, bad []string) {
	s = defaultSettings()
	fail := func(name string) { bad = append(bad, name) }
	if v, ok := one(q, "model"); ok {
		if slices.Contains(labModels(), v) { // a model trained in this visit counts
			s.Model = v
		} else {
			fail("model")
		}
	}
	if v, ok := one(q, "attack"); ok {
		if slices.Contains(attackNames, v) {
			s.Attack = v
		} else {
			fail("attack")
		}
	}
	if v, ok := one(q, "eps"); ok {
		if e, err := parseEps(v); err == nil {
			s.Eps255 = e
		} else {
			fail("eps")
		}
	}
	if v, ok := one(q, "target"); ok {
		if t, err := strconv.Atoi(v); err == nil && t >= 0 && t <= 9 {
			s.Target = t
		} else {
			fail("target")
		}
	}
	if v, ok := one(q, "steps"); ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 100 {
			s.Steps = n
		} else {
			fail("steps")
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"clip", &s.Clip}, {"round", &s.Round}, {"embed", &s.Embed}} {
		if v, ok := one(q, b.name); ok {
			switch v {
			case "1", "true":
				*b.dst = true
			case "0", "false":
				*b.dst = false
			default:
				fail(b.name)
			}
		}
	}
	if v, ok := one(q, "sample"); ok {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 && (samples < 0 || i < samples) {
			s.Sample = i
		} else {
			fail("sample")
		}
	}
	if v, ok := one(q, "x"); ok {
		if x, err := decodeInput(v); err == nil {
			s.Input, s.Sample = x, -1
		} else {
			fail("x")
		}
	}
	for k := range q {
		if len(q[k]) > 1 && !slices.Contains(bad, k) && isParam(k) {
			fail(k)
		}
	}
	return s, bad
}

func isParam(k string) bool {
	return slices.Contains([]string{"model", "attack", "eps", "target", "steps", "clip", "round", "embed", "sample", "x"}, k)
}

// one returns the parameter's value when it appears exactly once.
func one(q url.Values, k string) (string, bool) {
	v, ok := q[k]
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// parseEps reads ε as a fraction in [0, 0.5] and rounds it to grey levels.
func parseEps(v string) (int, error) {
	if len(v) > 16 {
		return 0, fmt.Errorf("eps %q is too long", v)
	}
	e, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(e) || e < 0 || e > 0.5 {
		return 0, fmt.Errorf("eps must be a number from 0 to 0.5")
	}
	return epsToGrey(e), nil
}

// epsToGrey rounds ε in [0, 0.5] to the nearest 1/255 step the slider has.
func epsToGrey(e float64) int {
	return min(int(math.Round(e*255)), maxEps255)
}

// query encodes s as URL parameters. The input goes in "sample" when it is
// a gallery digit and in "x" otherwise.
func (s settings) query() url.Values {
	q := url.Values{}
	q.Set("model", s.Model)
	q.Set("attack", s.Attack)
	q.Set("eps", strconv.FormatFloat(s.Eps(), 'f', 4, 64))
	if s.Attack == core.AttackTargeted {
		q.Set("target", strconv.Itoa(s.Target))
	}
	if s.Attack == core.AttackIterative {
		q.Set("steps", strconv.Itoa(s.Steps))
	}
	q.Set("clip", boolParam(s.Clip))
	q.Set("round", boolParam(s.Round))
	if s.Embed {
		q.Set("embed", "1")
	}
	if s.Sample >= 0 {
		q.Set("sample", strconv.Itoa(s.Sample))
	} else if s.Input != nil {
		q.Set("x", encodeInput(s.Input))
	}
	return q
}

func boolParam(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// encodeInput packs a 28×28 input as 784 grey bytes, deflated, in
// unpadded base64url: a drawn digit takes about 300 characters.
func encodeInput(x []float64) string {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(toBytes(x))
	w.Close()
	return base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// decodeInput reverses encodeInput. It accepts nothing but exactly 784
// deflated bytes.
func decodeInput(v string) ([]float64, error) {
	if len(v) > 4*Pixels {
		return nil, fmt.Errorf("x is %d characters, too long for a 28×28 image", len(v))
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("x is not base64url: %v", err)
	}
	b, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), Pixels+1))
	if err != nil {
		return nil, fmt.Errorf("x is not deflated data: %v", err)
	}
	if len(b) != Pixels {
		return nil, fmt.Errorf("x holds %d pixels, want %d", len(b), Pixels)
	}
	x := make([]float64, Pixels)
	for i, p := range b {
		x[i] = float64(p) / 255
	}
	return x, nil
}

// toBytes rounds pixels in [0, 1] to 8-bit grey levels.
func toBytes(x []float64) []byte {
	b := make([]byte, len(x))
	for i, v := range x {
		b[i] = byte(math.Round(min(max(v, 0), 1) * 255))
	}
	return b
}
