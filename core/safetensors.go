package core

import (
	"bytes"
	"encoding/binary"
	"encoding/json"

	"fmt"
	"io"
	"math"
	"slices"
	"sort"
)

// FormatError reports a model file that is not a valid fgsmlab safetensors
// file.
type FormatError string

func (e FormatError) Error() string { return "safetensors: invalid format: " + string(e) }

// FormatVersion is the "format" value of the files this package writes.
const FormatVersion = "fgsmlab/1"

// InputConvention is the "input" value of the files this package writes.
const InputConvention = "28x28 row-major, white digit on black, values in [0, 1]"

// maxHeader bounds the JSON header, as the reference implementation does.
const maxHeader = 100 << 20

type tensorInfo struct {
	Dtype       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// EncodeSafetensors writes tensors in the safetensors layout
// (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length, a JSON header, then the data, little-endian, in name order.
// dtype is "F32" or "F16" (IEEE half precision); it panics on any other.
func EncodeSafetensors(tensors map[string]Tensor, meta map[string]string, dtype string) []byte {
	if dtype != "F32" && dtype != "F16" {
		panic("core: cannot encode dtype " + dtype)
	}
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	var data bytes.Buffer
	for _, n := range names {
		t := tensors[n]
		begin := int64(data.Len())
		for _, v := range t.Data {
			if dtype == "F16" {
				binary.Write(&data, binary.LittleEndian, toHalf(v))
			} else {
				binary.Write(&data, binary.LittleEndian, float32(v))
			}
		}
		header[n] = tensorInfo{Dtype: dtype, Shape: t.Shape, DataOffsets: [2]int64{begin, int64(data.Len())}}
	}
	h, err := json.Marshal(header)
	if err != nil {
		panic("core: " + err.Error())
	}
	for len(h)%8 != 0 { // the format pads the header with spaces to 8 bytes
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, data.Bytes()...)
}

// DecodeSafetensors parses a safetensors file with F16, F32 or F64 tensors. It
// checks the header, that the data offsets cover the data exactly without
// overlap, and that each tensor's size matches its shape and dtype.
func DecodeSafetensors(b []byte) (map[string]Tensor, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, FormatError(fmt.Sprintf("%d bytes is too short for the header length", len(b)))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeader || n > uint64(len(b)-8) {
		return nil, nil, FormatError(fmt.Sprintf("header length %d does not fit in a %d-byte file", n, len(b)))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		return nil, nil, FormatError("header is not a JSON object: " + err.Error())
	}
	data := b[8+n:]
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, FormatError("__metadata__ is not an object of strings")
		}
		delete(raw, "__metadata__")
	}
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	tensors := make(map[string]Tensor, len(raw))
	for name, r := range raw {
		var info tensorInfo
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&info); err != nil {
			return nil, nil, FormatError(fmt.Sprintf("tensor %q: %v", name, err))
		}
		size := int64(0)
		switch info.Dtype {
		case "F16":
			size = 2
		case "F32":
			size = 4
		case "F64":
			size = 8
		default:
			return nil, nil, FormatError(fmt.Sprintf("tensor %q has dtype %q; want F16, F32 or F64", name, info.Dtype))
		}
		count := int64(1)
		for _, d := range info.Shape {
			if d < 0 || (d > 0 && count > math.MaxInt32/int64(d)) {
				return nil, nil, FormatError(fmt.Sprintf("tensor %q has shape %v", name, info.Shape))
			}
			count *= int64(d)
		}
		begin, end := info.DataOffsets[0], info.DataOffsets[1]
		if begin < 0 || end < begin || end > int64(len(data)) || end-begin != count*size {
			return nil, nil, FormatError(fmt.Sprintf("tensor %q: offsets [%d, %d] do not hold %d %s values in %d data bytes",
				name, begin, end, count, info.Dtype, len(data)))
		}
		t := Tensor{Shape: slices.Clone(info.Shape), Data: make([]float64, count)}
		for i := range t.Data {
			p := data[begin+int64(i)*size:]
			switch size {
			case 2:
				t.Data[i] = fromHalf(binary.LittleEndian.Uint16(p))
			case 4:
				t.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(p)))
			default:
				t.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(p))
			}
		}
		tensors[name] = t
		spans = append(spans, span{name, begin, end})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].begin < spans[j].begin })
	var at int64
	for _, s := range spans {
		if s.begin != at {
			return nil, nil, FormatError(fmt.Sprintf("tensor %q starts at %d; the data must be packed without gaps or overlaps (expected %d)", s.name, s.begin, at))
		}
		at = s.end
	}
	if at != int64(len(data)) {
		return nil, nil, FormatError(fmt.Sprintf("%d trailing data bytes belong to no tensor", int64(len(data))-at))
	}
	return tensors, meta, nil
}

// WriteModel writes m as an fgsmlab safetensors file with float32 weights
// (dtype "F32") or half-precision ones ("F16": round the model first with
// RoundToHalf so that what was measured is what is stored). The metadata
// holds the format, the arch, the input convention, the classes and every
// Meta entry.
func WriteModel(w io.Writer, m *Model, dtype string) error {
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
	meta["classes"] = string(classes)
	_, err := w.Write(EncodeSafetensors(m.Tensors(), meta, dtype))
	return err
}

// ReadModel decodes an fgsmlab safetensors file. Anything wrong with it (a
// bad header, an unknown format or layer, a missing tensor, a wrong shape, a
// non-finite value) gives an error that says what.
func ReadModel(b []byte) (*Model, error) {
	tensors, meta, err := DecodeSafetensors(b)
	if err != nil {
		return nil, err
	}
	if meta["format"] != FormatVersion {
		return nil, FormatError(fmt.Sprintf("metadata format is %q, want %q", meta["format"], FormatVersion))
	}
	var arch []LayerSpec
	if err := json.Unmarshal([]byte(meta["arch"]), &arch); err != nil {
		return nil, FormatError("metadata arch is not a list of layers: " + err.Error())
	}
	var classes []string
	if err := json.Unmarshal([]byte(meta["classes"]), &classes); err != nil {
		return nil, FormatError("metadata classes is not a list of strings: " + err.Error())
	}
	m, err := Build(meta["name"], arch, classes, tensors)
	if err != nil {
		return nil, FormatError(err.Error())
	}
	for k, v := range meta {
		switch k {
		case "format", "name", "arch", "input", "classes":
		default:
			m.Meta[k] = v
		}
	}
	return m, nil
}
