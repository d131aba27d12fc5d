package core

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// MaxModelFile bounds a model file. The largest shipped model (maxout) is
// 1.5 MB of F16 weights; a page holds every weight as a float64, four times
// an F16 file's bytes, in WebAssembly memory that is never given back, so a
// 16 MiB file may cost 64 MiB. Ten times the largest model leaves room for
// bigger experiments without letting one file exhaust a phone's tab.
const MaxModelFile = 16 << 20

// WriteModel writes m as an fgsmlab safetensors file with float32 weights
// (dtype "F32") or half-precision ones ("F16": round the model first with
// RoundToHalf so that what was measured is what is stored). The metadata
// holds the format, the arch, the input (InputConvention for a 28×28 digit,
// else "n features"), for a model that takes maps their input_shape
// ("[1,28,28]"), the classes and every Meta entry. An ensemble (NewEnsemble)
// is not a model file: WriteModel refuses it.
func WriteModel(w io.Writer, m *Model, dtype string) error {
	if _, ok := ensembleOf(m); ok {
		return fmt.Errorf("core: model %q is an ensemble; write its members instead", m.Name)
	}
	meta := map[string]string{}
	for k, v := range m.Meta {
		meta[k] = v
	}
	arch, _ := json.Marshal(m.Arch())
	classes, _ := json.Marshal(m.Classes)
	meta["format"] = FormatVersion
	meta["name"] = m.Name
	meta["arch"] = string(arch)
	meta["input"] = InputConvention
	if n := m.InputSize(); n != ImageSize {
		meta["input"] = fmt.Sprintf("%d features", n)
	}
	if len(m.Input) == 3 {
		shape, _ := json.Marshal(m.Input)
		meta["input_shape"] = string(shape)
	}
	meta["classes"] = string(classes)
	_, err := w.Write(EncodeSafetensors(m.Tensors(), meta, dtype))
	return err
}

// ReadModel decodes an fgsmlab safetensors file of at most MaxModelFile
// bytes. Anything wrong with it (a bad header, an unknown format or layer, a
// first layer whose width is not the declared input's, a missing tensor, a
// wrong shape, a non-finite value) gives an error that says what.
func ReadModel(b []byte) (*Model, error) {
	if len(b) > MaxModelFile {
		return nil, FormatError(fmt.Sprintf("the file is %d bytes; a model file may have at most %d", len(b), MaxModelFile))
	}
	tensors, meta, err := decodeSafetensors(b)
	if err != nil {
		return nil, err
	}
	arch, classes, input, err := modelMeta(meta, func(name string) []int { return tensors[name].Shape })
	if err != nil {
		return nil, err
	}
	m, err := buildInput(meta["name"], input, arch, classes, tensors, true)
	if err != nil {
		return nil, FormatError(err.Error())
	}
	for k, v := range meta {
		switch k {
		case "format", "name", "arch", "input", "input_shape", "classes":
		default:
			m.Meta[k] = v
		}
	}
	return m, nil
}

// ModelFileSize reads the start of a model file, as it downloads, and
// returns the file's whole size once the header is in. It returns 0 while
// head is too short to say, and an error as soon as the header shows the
// file is bad (see ReadModel) or longer than MaxModelFile, so that a
// download can stop before the weights arrive.
func ModelFileSize(head []byte) (int, error) {
	if len(head) < 8 {
		return 0, nil
	}
	n, err := headerLength(head, MaxModelFile-8)
	if err != nil {
		return 0, err
	}
	if uint64(len(head)) < 8+n {
		return 0, nil
	}
	h, err := parseHeader(head[8 : 8+n])
	if err != nil {
		return 0, err
	}
	size := 8 + int64(n) + h.data
	if size > MaxModelFile {
		return 0, FormatError(fmt.Sprintf("the header describes a %d-byte file; a model file may have at most %d", size, MaxModelFile))
	}
	if _, _, _, err := modelMeta(h.meta, func(name string) []int { return h.tensors[name].Shape }); err != nil {
		return 0, err
	}
	return int(size), nil
}

// modelMeta checks the fgsmlab metadata of a file whose tensors have the
// given shapes, and returns its arch, class labels and input shape (nil
// when the file gives none: BuildInput infers it).
func modelMeta(meta map[string]string, shape func(name string) []int) ([]LayerSpec, []string, Shape, error) {
	if meta["format"] != FormatVersion {
		return nil, nil, nil, FormatError(fmt.Sprintf("metadata format is %q, want %q", meta["format"], FormatVersion))
	}
	var arch []LayerSpec
	if err := json.Unmarshal([]byte(meta["arch"]), &arch); err != nil {
		return nil, nil, nil, FormatError("metadata arch is not a list of layers: " + err.Error())
	}
	var classes []string
	if err := json.Unmarshal([]byte(meta["classes"]), &classes); err != nil {
		return nil, nil, nil, FormatError("metadata classes is not a list of strings: " + err.Error())
	}
	input, err := inputShape(meta)
	if err != nil {
		return nil, nil, nil, err
	}
	if input == nil {
		if err := checkInput(arch, meta["input"], shape); err != nil {
			return nil, nil, nil, err
		}
	}
	return arch, classes, input, nil
}

// inputShape reads the metadata's optional "input_shape", [C, H, W] or
// [n], and checks it against its "input": a 28×28 digit is [1, 28, 28].
func inputShape(meta map[string]string) (Shape, error) {
	js, ok := meta["input_shape"]
	if !ok {
		return nil, nil
	}
	var s Shape
	if err := json.Unmarshal([]byte(js), &s); err != nil || (len(s) != 1 && len(s) != 3) {
		return nil, FormatError(fmt.Sprintf("metadata input_shape is %.40q; want [C, H, W] such as [1,28,28], or [n]", js))
	}
	for _, d := range s {
		if d < 1 || d > 1<<24 {
			return nil, FormatError(fmt.Sprintf("metadata input_shape %v has a size that is not in [1, 2²⁴]", []int(s)))
		}
	}
	want, err := inputWidth(meta["input"])
	if err != nil {
		return nil, err
	}
	if meta["input"] == InputConvention && len(s) == 3 && !slices.Equal(s, DigitShape) {
		return nil, FormatError(fmt.Sprintf("the model takes %d channel(s) of %d×%d (input_shape %v), but its inputs are 28×28 grey digits, 1×28×28",
			s[0], s[1], s[2], []int(s)))
	}
	if s.Size() != want {
		return nil, FormatError(fmt.Sprintf("metadata input_shape %v has %d values, but the input is %q: %d values", []int(s), s.Size(), meta["input"], want))
	}
	return s, nil
}

// checkInput checks that the first layer with weights takes as many
// inputs as the metadata's "input" declares. Build checks every later
// layer against the one before it, but only the file says what comes in.
func checkInput(arch []LayerSpec, input string, shape func(name string) []int) error {
	want, err := inputWidth(input)
	if err != nil {
		return err
	}
	for i, s := range arch {
		name := s.Weight
		switch s.Kind {
		case "dense":
		case "rbf":
			name = s.Centres
		case "conv2d", "maxpool2d", "avgpool2d", "flatten":
			return nil // maps: a 28×28 digit, as BuildInput infers
		default:
			continue
		}
		if sh := shape(name); len(sh) == 2 && sh[1] != want {
			return FormatError(fmt.Sprintf("layer %d (%s): tensor %q takes %d inputs, but the input is %q: %d values",
				i, s.Kind, name, sh[1], input, want))
		}
		return nil // Build reports a missing tensor or a bad shape
	}
	return nil
}

// inputWidth is the number of values the metadata's "input" declares:
// ImageSize for InputConvention, n for "n features".
func inputWidth(input string) (int, error) {
	if input == InputConvention {
		return ImageSize, nil
	}
	if s, ok := strings.CutSuffix(input, " features"); ok {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n, nil
		}
	}
	return 0, FormatError(fmt.Sprintf("metadata input is %q; want %q or \"n features\"", input, InputConvention))
}
