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
	"fgsmlab/models/facts"
)

// Pixels is the size of a model input: a 28×28 image, row-major.
const Pixels = 28 * 28

// maxEps255 is the largest ε in grey levels: 127/255 ≈ 0.498, the last
// 1/255 step below the slider's end at 0.5.
const maxEps255 = 127

// modelNames lists the shipped models the lab offers, default first.
var modelNames = facts.LabModels()

// settings is the state a link can carry: everything needed to reproduce
// one example exactly.
type settings struct {
	Model string
	// ModelURL is the address the opened model was fetched from (a link's
	// model_url), when Model is openedModel; "" otherwise.
	ModelURL string
	Attack   core.Attack
	Eps255   int         // the max-norm budget ε in grey levels: ε = Eps255/255
	EpsL2    float64     // the L2 budget of the L2 attacks (Attack.L2), in epsL2Step steps
	Target   int         // target class of the targeted attacks
	Params   paramValues // the attack's other settings (attacks.go)
	Clip     bool
	Round    bool
	Sample   int       // index into the gallery, or -1
	Input    []float64 // the 28×28 input when it is not a gallery sample
	Embed    bool
}

func defaultSettings() settings {
	return settings{
		Model:  modelNames[0], // the default, first in the registry
		Attack: core.AttackFGSM,
		Eps255: 64, // ε ≈ 0.25, the paper's MNIST setting
		EpsL2:  2,  // about what FGM needs to fool the mlp on a typical digit
		Target: 0,
		Params: defaultParams(core.AttackFGSM),
		Clip:   true,
		Sample: 0,
	}
}

// Eps is ε on the [0, 1] pixel scale.
func (s settings) Eps() float64 { return float64(s.Eps255) / 255 }

// setEps sets the budget of the current attack to e: ‖η‖∞ ≤ e (at most
// 0.5, in grey levels) or, for the L2 attacks, ‖η‖₂ ≤ e (at most 10).
func (s *settings) setEps(e float64) error {
	switch {
	case s.sized():
		return fmt.Errorf("eps: the attack %s takes no budget; it finds its own size", s.Attack)
	case s.Attack.L2():
		s.EpsL2 = roundL2(e)
	case e > 0.5:
		return fmt.Errorf("eps must be from 0 to 0.5 for %s, a max-norm attack (only the L2 attacks fgm and pgd-l2 go up to 10), not %g", s.Attack, e)
	default:
		s.Eps255 = epsToGrey(e)
	}
	return nil
}

// setAttack changes the attack; a different one starts from its own
// default settings.
func (s *settings) setAttack(a core.Attack) {
	if a != s.Attack {
		s.Attack, s.Params = a, defaultParams(a)
	}
}

// parseSettings reads a lab link (see linkParams for the rules).
func parseSettings(q *linkParams) settings {
	s := defaultSettings()
	if v, ok := q.value("model"); ok && v == openedModel && !slices.Contains(labModels(), v) {
		q.note(fmt.Sprintf("This link was made with a model opened from a file, which a link cannot carry, so the lab shows %s. To share your model, put the file online and link it with model_url=.", s.Model))
	} else {
		s.Model = q.choice("model", labModels(), s.Model) // a model trained or opened in this visit counts
	}
	if v, ok := q.valueUpTo("model_url", maxModelURL); ok {
		if err := checkModelURL(v); err != nil {
			q.note("The link's model was not opened: " + err.Error() + ".")
		} else {
			s.Model, s.ModelURL = openedModel, v
		}
	}
	s.setAttack(core.Attack(q.choice("attack", attackNames, string(s.Attack))))
	if s.Attack.L2() {
		s.EpsL2 = roundL2(q.fraction("eps", 0, maxEpsL2, s.EpsL2))
	} else {
		s.Eps255 = q.eps255("eps", s.Eps255)
	}
	s.Target = q.intIn("target", 0, 9, s.Target)
	for _, u := range attackInfo(s.Attack).Params {
		p := params[u.ID]
		s.Params[u.ID] = q.fraction(p.Key, math.Inf(-1), math.Inf(1), s.Params[u.ID])
		if !p.check(s.Params[u.ID]) {
			q.fail(p.Key)
			s.Params[u.ID] = u.Def
		}
	}
	s.Clip = q.flag("clip", s.Clip)
	s.Round = q.flag("round", s.Round)
	s.Embed = q.flag("embed", s.Embed)
	s.Sample = q.intIn("sample", 0, math.MaxInt32, s.Sample)
	if v, ok := q.valueUpTo("x", 4*Pixels); ok {
		if x, err := decodeInput(v); err == nil {
			s.Input, s.Sample = x, -1
		} else {
			q.fail("x")
		}
	}
	return s
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
	if s.Model == openedModel && s.ModelURL != "" {
		q.Set("model_url", s.ModelURL)
	} else {
		q.Set("model", s.Model)
	}
	q.Set("attack", string(s.Attack))
	switch {
	case s.sized(): // it takes no budget
	case s.Attack.L2():
		q.Set("eps", strconv.FormatFloat(s.EpsL2, 'f', 2, 64))
	default:
		q.Set("eps", strconv.FormatFloat(s.Eps(), 'f', 4, 64))
	}
	if s.Attack.Targeted() {
		q.Set("target", strconv.Itoa(s.Target))
	}
	for _, u := range attackInfo(s.Attack).Params {
		q.Set(params[u.ID].Key, params[u.ID].format(s.Params[u.ID]))
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
