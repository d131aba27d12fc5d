package main

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"

	"fgsmlab/core"
)

// A visitor can attack a model of their own: opened from a file (the
// picker or a drop on the page) or from a link's model_url. The lab keeps
// the last one for the visit, in the shared store, under the name
// openedModel, and its chooser offers it as "your model".

// openedModel is the name the lab's settings, links and messages use for
// the model the visitor opened.
const openedModel = "opened"

// maxModelURL bounds model_url: a link of several kilobytes is not one a
// person shares.
const maxModelURL = 2048

// modelSource says where an opened model came from: a file's name, or the
// address it was fetched from (which a link can carry).
type modelSource struct {
	File string // the file name, or the URL's last path segment
	URL  string // the model_url, "" for a file opened from the disk
}

// openedSource returns the opened model's source, and whether there is one.
func openedSource() (modelSource, bool) {
	store.Lock()
	defer store.Unlock()
	return store.openedFrom, store.models[openedModel] != nil
}

// putOpened keeps m as the opened model, replacing the one before.
func putOpened(m *core.Model, src modelSource) {
	store.Lock()
	store.models[openedModel] = m
	store.openedFrom = src
	store.Unlock()
}

// openedFor returns the opened model when it came from the address u.
func openedFor(u string) *core.Model {
	store.Lock()
	defer store.Unlock()
	if store.openedFrom.URL != u {
		return nil
	}
	return store.models[openedModel]
}

// errNotOpened is sharedModel's error for openedModel before one is open.
var errNotOpened = errors.New("no model of yours is open in this visit")

// checkModelURL checks a model_url from a link or a message. It accepts
// an https address, an http address on this machine (localhost or a
// loopback IP, as one serves a model under development), and an address
// on the lab's own site written without a scheme ("models/x.safetensors",
// "/x.safetensors"). It refuses every other scheme (javascript:, data:,
// file:, http to another host), addresses with credentials, and anything
// a browser would read differently from Go: backslashes, spaces and
// control characters. The error does not repeat the address.
func checkModelURL(raw string) error {
	if raw == "" {
		return errors.New("model_url is empty")
	}
	if len(raw) > maxModelURL {
		return fmt.Errorf("model_url is longer than %d characters", maxModelURL)
	}
	if scheme := urlScheme(raw); scheme != "" && scheme != "http" && scheme != "https" {
		name := "another"
		if len(scheme) <= 12 {
			name = "a " + scheme + ":"
		}
		return fmt.Errorf("model_url is %s address; the lab opens only https:// addresses and files on this site", name)
	}
	for _, c := range raw {
		if c <= ' ' || c == '\\' || c == 0x7f || c > 0x7e {
			return errors.New("model_url must be a plain address, without spaces, backslashes or other characters a browser would rewrite (percent-encode them)")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("model_url is not a valid address")
	}
	switch {
	case u.User != nil:
		return errors.New("model_url must not carry a user name or password")
	case u.Scheme == "" && u.Host == "" && !strings.HasPrefix(raw, "//"):
		return nil // a path on the lab's own site
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return errors.New("model_url must use https:// (plain http:// is allowed only for localhost, a model served from your own machine)")
	}
	return errors.New("model_url must start with https:// (or be a path on this site)")
}

// urlScheme is the scheme an address starts with, in lower case, as a
// browser reads it (RFC 3986 §3.1: a letter, then letters, digits, "+",
// "-" or "."), or "" for a relative address.
func urlScheme(raw string) string {
	for i, c := range raw {
		switch {
		case c == ':' && i > 0:
			return strings.ToLower(raw[:i])
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return ""
		}
	}
	return ""
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1"
}

// urlFileName is the last path segment of an address, for the chooser.
func urlFileName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "model"
	}
	name := u.Path[strings.LastIndex(u.Path, "/")+1:]
	if name == "" {
		name = u.Host
	}
	return or(clipText(name, 60), "model")
}

// clipText shortens s to at most n runes, with an ellipsis.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// checkLabModel checks what the lab needs of a model beyond a valid file
// (core.ReadModel): a 28×28 grey input, ten digit classes with short
// labels, and a forward and backward pass that give finite numbers. The
// trial pass recovers from a panic: a model from outside must never make
// Go exit.
func checkLabModel(m *core.Model) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the model failed on a test input: %v", r)
		}
	}()
	switch in := m.Input; {
	case len(in) == 3 && !slices.Equal(in, core.DigitShape):
		return fmt.Errorf("the model takes input of shape %v; the lab gives it one grey 28×28 digit, 1×28×28", in)
	case in.Size() != core.ImageSize:
		return fmt.Errorf("the model takes %d inputs; the lab gives it a 28×28 digit, %d values", in.Size(), core.ImageSize)
	}
	if n := len(m.Classes); n != 10 {
		return fmt.Errorf("the model has %d classes; the lab needs the ten digits 0–9", n)
	}
	for i, c := range m.Classes {
		if len([]rune(c)) > 16 {
			return fmt.Errorf("class %d's label is longer than 16 characters", i)
		}
	}
	x := make([]float64, core.ImageSize)
	for i := range x {
		x[i] = 0.5
	}
	for _, v := range m.PredictOne(x) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("the model's output is not a number (NaN or infinite) on a test input")
		}
	}
	for _, v := range m.InputGradientOne(x, 0) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("the model's input gradient is not a number (NaN or infinite) on a test input")
		}
	}
	return nil
}

// readOpened decodes and checks a model file the visitor opened. A panic
// in the decoder would be a bug in core; it becomes an error here too.
func readOpened(b []byte) (m *core.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("the file could not be read: %v", r)
		}
	}()
	m, err = core.ReadModel(b)
	if err != nil {
		return nil, err
	}
	if err := checkLabModel(m); err != nil {
		return nil, err
	}
	return m, nil
}
