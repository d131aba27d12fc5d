package core

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestModelFileRoundTrip(t *testing.T) {
	for _, dtype := range []string{"F32", "F16"} {
		for _, m := range tinyModels(rand.New(rand.NewPCG(10, 10))) {
			m.Meta["command"] = "make train"
			tol := 1e-6 // float32 storage
			if dtype == "F16" {
				RoundToHalf(m) // then the file holds the model exactly
				tol = 0
			}
			var buf bytes.Buffer
			if err := WriteModel(&buf, m, dtype); err != nil {
				t.Fatal(err)
			}
			got, err := ReadModel(buf.Bytes())
			if err != nil {
				t.Fatalf("%s %s: %v", dtype, m.Name, err)
			}
			if got.Name != m.Name || got.Meta["command"] != "make train" || got.ParamCount() != m.ParamCount() {
				t.Fatalf("%s %s: read back %q with meta %v", dtype, m.Name, got.Name, got.Meta)
			}
			x := make([]float64, m.InputSize())
			for i := range x {
				x[i] = float64(i%7) / 7
			}
			want := append([]float64(nil), m.PredictOne(x)...)
			for i, p := range got.PredictOne(x) {
				if math.Abs(p-want[i]) > tol {
					t.Errorf("%s %s: probability %d = %g after the round trip, %g before", dtype, m.Name, i, p, want[i])
				}
			}
		}
	}
}

// A model read from a file owns its weights and has no parameter
// gradients until something trains it; then it trains as the model it was
// written from does.
func TestReadModelGradientsOnDemand(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, m := range tinyModels(rng) {
		RoundToHalf(m) // then the file holds the model exactly
		var buf bytes.Buffer
		if err := WriteModel(&buf, m, "F16"); err != nil {
			t.Fatal(err)
		}
		got, err := ReadModel(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got.Params() {
			if p.Grad != nil {
				t.Fatalf("%s: %s has gradients before any training", m.Name, p.Name)
			}
		}
		// Attacks need no parameter gradients.
		x := randDense(rng, 3, m.InputSize(), 1)
		labels := []int{0, 1, 0}
		FGSM(got, x, labels, Options{Epsilon: 0.1})
		for _, p := range got.Params() {
			if p.Grad != nil {
				t.Fatalf("%s: an attack allocated %s's gradients", m.Name, p.Name)
			}
		}
		for _, mm := range []*Model{m, got} {
			mm.ZeroGrad()
			mm.Forward(x, false)
			mm.BackwardParams(labels, 1)
		}
		for i, p := range got.Params() {
			want := m.Params()[i].Grad
			for j, g := range p.Grad {
				if math.Abs(g-want[j]) > 1e-12 {
					t.Fatalf("%s: dJ/d%s[%d] = %g, want %g", m.Name, p.Name, j, g, want[j])
				}
			}
		}
		// Its weights are its own: the clone's change nothing in it.
		c := got.Clone()
		c.Params()[0].Data[0] += 1
		if got.Params()[0].Data[0] == c.Params()[0].Data[0] {
			t.Fatalf("%s: a clone shares its weights", m.Name)
		}
	}
}

// header builds a safetensors file from a raw JSON header and data.
func header(h string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(b, h...), data...)
}

const goodMeta = `"__metadata__":{"format":"fgsmlab/1","name":"t","classes":"[\"3\",\"7\"]","input":"2 features",` +
	`"arch":"[{\"kind\":\"dense\",\"weight\":\"w\",\"bias\":\"b\"},{\"kind\":\"sigmoid\"}]"}`

// digitMeta is goodMeta for a model of 28×28 digits.
var digitMeta = strings.Replace(goodMeta, `"input":"2 features"`, `"input":"`+strings.ReplaceAll(InputConvention, `"`, `\"`)+`"`, 1)

func TestReadModelRejects(t *testing.T) {
	f32 := func(vs ...float32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	okData := f32(1, 2, 3)
	cases := []struct {
		name, want string
		file       []byte
	}{
		{"empty", "too short", nil},
		{"header past the end", "does not fit", binary.LittleEndian.AppendUint64(nil, 1<<40)},
		{"not JSON", "not a JSON object", header("{nope", nil)},
		{"bad dtype", "dtype", header(`{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, make([]byte, 8))},
		{"offsets past the data", "offsets", header(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, make([]byte, 8))},
		{"size does not match shape", "offsets", header(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8))},
		{"negative shape", "shape", header(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, nil)},
		{"overlap", "packed", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4))},
		{"trailing bytes", "trailing", header(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 8))},
		{"no format", "format", header(`{"w":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, okData)},
		{"wrong shape", "shape", header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]},`+goodMeta+`}`, okData)},
		{"first layer narrower than the input", `layer 0 (dense): tensor "w" takes 2 inputs`, header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},`+digitMeta+`}`, okData)},
		{"no input", "metadata input", header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},`+strings.Replace(goodMeta, `"input":"2 features",`, "", 1)+`}`, okData)},
		{"too big", "at most", make([]byte, MaxModelFile+1)},
		{"missing tensor", "missing tensor \"b\"", header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},`+goodMeta+`}`, f32(1, 2))},
		{"NaN", "non-finite", header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},`+goodMeta+`}`, f32(1, float32(math.NaN()), 0))},
		{"unknown layer", "unknown kind", header(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"format":"fgsmlab/1","classes":"[]","input":"1 features","arch":"[{\"kind\":\"conv\"},{\"kind\":\"softmax\"}]"}}`, f32(1))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadModel(c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
	good := header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},`+goodMeta+`}`, okData)
	if _, err := ReadModel(good); err != nil {
		t.Fatalf("the well-formed control file is rejected: %v", err)
	}
}

func FuzzReadModel(f *testing.F) {
	for _, m := range tinyModels(rand.New(rand.NewPCG(11, 11))) {
		var buf bytes.Buffer
		WriteModel(&buf, m, "F16")
		f.Add(buf.Bytes())
	}
	f.Add(header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(header(`{"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},`+digitMeta+`}`, make([]byte, 12)))
	f.Fuzz(func(t *testing.T, b []byte) {
		size, sizeErr := ModelFileSize(b)
		m, err := ReadModel(b)
		if err != nil {
			return
		}
		// The header alone says what the download needs.
		if sizeErr != nil || size != len(b) {
			t.Fatalf("ReadModel accepts a %d-byte file; ModelFileSize says %d, %v", len(b), size, sizeErr)
		}
		// Whatever decodes must also run.
		x := make([]float64, m.InputSize())
		p := m.PredictOne(x)
		if len(p) != len(m.Classes) {
			t.Fatalf("%d probabilities for %d classes", len(p), len(m.Classes))
		}
	})
}

// TestModelFileSizeFromHeader: a download can be judged by its header
// alone, before the weights arrive.
func TestModelFileSizeFromHeader(t *testing.T) {
	var buf bytes.Buffer
	m := tinyModels(rand.New(rand.NewPCG(12, 12)))[2]
	if err := WriteModel(&buf, m, "F32"); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	headerEnd := 8 + int(binary.LittleEndian.Uint64(good))
	for _, n := range []int{0, 7, 8, headerEnd - 1} {
		if size, err := ModelFileSize(good[:n]); size != 0 || err != nil {
			t.Errorf("the first %d bytes: size %d, error %v; want 0 and no error (too early to say)", n, size, err)
		}
	}
	for _, n := range []int{headerEnd, len(good)} {
		if size, err := ModelFileSize(good[:n]); size != len(good) || err != nil {
			t.Errorf("the first %d bytes: size %d, error %v; want %d", n, size, err, len(good))
		}
	}
	huge := `{"w":{"dtype":"F32","shape":[1,26214400],"data_offsets":[0,104857600]},` + goodMeta + `}`
	bad := []struct{ name, want, head string }{
		{"100 MB of weights", "at most", huge},
		{"a first layer 100 wide for 28×28 digits", `layer 0 (dense): tensor "w" takes 100 inputs`,
			`{"w":{"dtype":"F32","shape":[10,100],"data_offsets":[0,4000]},"b":{"dtype":"F32","shape":[10],"data_offsets":[4000,4040]},` + digitMeta + `}`},
		{"no format", "format", `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`},
	}
	for _, c := range bad {
		if _, err := ModelFileSize([]byte(header(c.head, nil))); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	if _, err := ModelFileSize(binary.LittleEndian.AppendUint64(nil, MaxModelFile)); err == nil {
		t.Errorf("a header length of %d bytes is not refused from its first 8 bytes", MaxModelFile)
	}
}
