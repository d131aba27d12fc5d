package core

import (
	"bytes"
	"encoding/binary"
	"encoding/json"

	"fmt"
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

// decodeSafetensors parses a safetensors file with F16, F32 or F64 tensors. It
// checks the header, that the data offsets cover the data exactly without
// overlap, and that each tensor's size matches its shape and dtype.
func decodeSafetensors(b []byte) (map[string]Tensor, map[string]string, error) {
	n, err := headerLength(b, maxHeader)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(b)-8) {
		return nil, nil, FormatError(fmt.Sprintf("header length %d does not fit in a %d-byte file", n, len(b)))
	}
	h, err := parseHeader(b[8 : 8+n])
	if err != nil {
		return nil, nil, err
	}
	data := b[8+n:]
	if h.data > int64(len(data)) {
		return nil, nil, FormatError(fmt.Sprintf("tensor offsets reach byte %d of %d data bytes", h.data, len(data)))
	}
	if h.data < int64(len(data)) {
		return nil, nil, FormatError(fmt.Sprintf("%d trailing data bytes belong to no tensor", int64(len(data))-h.data))
	}
	tensors := make(map[string]Tensor, len(h.tensors))
	for name, info := range h.tensors {
		tensors[name] = decodeTensor(info, data)
	}
	return tensors, h.meta, nil
}

// headerLength reads the 8-byte header length and checks it against limit.
func headerLength(b []byte, limit uint64) (uint64, error) {
	if len(b) < 8 {
		return 0, FormatError(fmt.Sprintf("%d bytes is too short for the header length", len(b)))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > limit {
		return 0, FormatError(fmt.Sprintf("header length %d does not fit in the %d bytes allowed", n, limit))
	}
	return n, nil
}

// fileHeader is a checked safetensors JSON header: every tensor's dtype, shape
// and offsets, the metadata, and the number of data bytes the tensors fill.
type fileHeader struct {
	tensors map[string]tensorInfo
	meta    map[string]string
	data    int64
}

// parseHeader checks a JSON header on its own, before any data is read:
// known dtypes, sizes that match shapes, and data packed without gaps or
// overlaps from byte 0.
func parseHeader(js []byte) (fileHeader, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(js, &raw); err != nil {
		return fileHeader{}, FormatError("header is not a JSON object: " + err.Error())
	}
	h := fileHeader{tensors: make(map[string]tensorInfo, len(raw))}
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &h.meta); err != nil {
			return fileHeader{}, FormatError("__metadata__ is not an object of strings")
		}
		delete(raw, "__metadata__")
	}
	for name, r := range raw {
		info, err := parseTensorInfo(name, r)
		if err != nil {
			return fileHeader{}, err
		}
		h.tensors[name] = info
	}
	names := make([]string, 0, len(h.tensors))
	for name := range h.tensors {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return h.tensors[names[i]].DataOffsets[0] < h.tensors[names[j]].DataOffsets[0] })
	for _, name := range names {
		o := h.tensors[name].DataOffsets
		if o[0] != h.data {
			return fileHeader{}, FormatError(fmt.Sprintf("tensor %q starts at %d; the data must be packed without gaps or overlaps (expected %d)", name, o[0], h.data))
		}
		h.data = o[1]
	}
	return h, nil
}

// parseTensorInfo checks one tensor's entry: its dtype, a shape of at most
// 2³¹−1 values, and offsets that span exactly that many values.
func parseTensorInfo(name string, r json.RawMessage) (tensorInfo, error) {
	var info tensorInfo
	dec := json.NewDecoder(bytes.NewReader(r))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&info); err != nil {
		return info, FormatError(fmt.Sprintf("tensor %q: %v", name, err))
	}
	size := dtypeSize(info.Dtype)
	if size == 0 {
		return info, FormatError(fmt.Sprintf("tensor %q has dtype %q; want F16, F32 or F64", name, info.Dtype))
	}
	count := int64(1)
	for _, d := range info.Shape {
		if d < 0 || (d > 0 && count > math.MaxInt32/int64(d)) {
			return info, FormatError(fmt.Sprintf("tensor %q has shape %v", name, info.Shape))
		}
		count *= int64(d)
	}
	begin, end := info.DataOffsets[0], info.DataOffsets[1]
	if begin < 0 || end < begin || end-begin != count*size {
		return info, FormatError(fmt.Sprintf("tensor %q: offsets [%d, %d] do not hold %d %s values", name, begin, end, count, info.Dtype))
	}
	return info, nil
}

func dtypeSize(dtype string) int64 {
	switch dtype {
	case "F16":
		return 2
	case "F32":
		return 4
	case "F64":
		return 8
	}
	return 0
}

// decodeTensor converts a checked tensor's little-endian values.
func decodeTensor(info tensorInfo, data []byte) Tensor {
	size := dtypeSize(info.Dtype)
	count := (info.DataOffsets[1] - info.DataOffsets[0]) / size
	t := Tensor{Shape: slices.Clone(info.Shape), Data: make([]float64, count)}
	src := data[info.DataOffsets[0] : info.DataOffsets[0]+count*size]
	// One loop per type rather than a switch per value: the page decodes
	// a model while the visitor waits for the first prediction.
	switch size {
	case 2:
		for i := range t.Data {
			t.Data[i] = fromHalf(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case 4:
		for i := range t.Data {
			t.Data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:])))
		}
	default:
		for i := range t.Data {
			t.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
		}
	}
	return t
}
