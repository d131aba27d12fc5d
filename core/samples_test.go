package core

import (
	"bytes"
	"gonum.org/v1/gonum/mat"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSamplesRoundTrip(t *testing.T) {
	d := toyDataset(12)
	d.Image(3)[5] = 0.5001 // rounds to 128/255
	d.Image(4)[6] = math.NaN()
	d.Image(4)[7] = 2
	d.Image(4)[8] = -1
	b := EncodeSamples(d)
	if want := 9 + 12*785; len(b) != want {
		t.Fatalf("%d bytes; want %d", len(b), want)
	}
	if !bytes.HasPrefix(b, []byte("FGSD\x01\x0c\x00\x00\x00\x00\x01\x02")) {
		t.Errorf("header % x", b[:12])
	}
	for n := range 12 {
		if size, ok := SamplesFileSize(b[:n]); ok != (n >= 9) || ok && size != len(b) {
			t.Errorf("SamplesFileSize of the first %d bytes: %d, %v; want %d once the header is in", n, size, ok, len(b))
		}
	}
	if _, ok := SamplesFileSize([]byte("GIF89a\x01\x00\x00")); ok {
		t.Errorf("SamplesFileSize read a size from a GIF")
	}
	got, err := DecodeSamples(b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Labels, d.Labels) {
		t.Errorf("labels %v; want %v", got.Labels, d.Labels)
	}
	for i := range d.Len() {
		for j, v := range d.Image(i) {
			want := math.Round(math.Max(0, math.Min(1, v))*255) / 255
			if math.IsNaN(v) {
				want = 0
			}
			if g := got.Image(i)[j]; g != want {
				t.Fatalf("digit %d pixel %d: %v; want %v", i, j, g, want)
			}
		}
	}
	// Decoding with pauses gives the same digits, pausing between blocks.
	big := toyDataset(2*samplesBlock + 1)
	pauses := 0
	paced, err := DecodeSamplesPausing(EncodeSamples(big), func() { pauses++ })
	plain, _ := DecodeSamples(EncodeSamples(big))
	if err != nil || pauses != 2 || !mat.Equal(paced.Images, plain.Images) || !slices.Equal(paced.Labels, plain.Labels) {
		t.Errorf("DecodeSamplesPausing: %v, %d pauses (want 2), same digits %t", err, pauses, mat.Equal(paced.Images, plain.Images))
	}
	empty, err := DecodeSamples(EncodeSamples(d.Slice(0, 0)))
	if err != nil || empty.Len() != 0 {
		t.Errorf("empty file: %d digits, %v", empty.Len(), err)
	}
}

func TestDecodeSamplesBadInput(t *testing.T) {
	valid := EncodeSamples(toyDataset(2))
	badLabel := bytes.Clone(valid)
	badLabel[10] = 10
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"magic", append([]byte("FGSX"), valid[4:]...), `magic "FGSX"`},
		{"version", append([]byte("FGSD\x02"), valid[5:]...), "version 2"},
		{"truncated", valid[:len(valid)-1], "2 digits need 1579 bytes; the file has 1578"},
		{"trailing", append(bytes.Clone(valid), 0), "the file has 1580"},
		{"huge count", []byte("FGSD\x01\xff\xff\xff\xff"), "4294967295 digits need"},
		{"label", badLabel, "label 10 of digit 1"},
	} {
		_, err := DecodeSamples(tc.b)
		if err == nil || !strings.HasPrefix(err.Error(), "samples: invalid file: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestSamplesOfMNIST(t *testing.T) {
	test := testDigits(t).Slice(0, 100)
	got, err := DecodeSamples(EncodeSamples(test))
	if err != nil {
		t.Fatal(err)
	}
	// MNIST pixels are bytes already, so the round trip is exact.
	for i := range test.Len() {
		if !slices.Equal(got.Image(i), test.Image(i)) || got.Labels[i] != test.Labels[i] {
			t.Fatalf("digit %d differs after the round trip", i)
		}
	}
}

func FuzzDecodeSamples(f *testing.F) {
	f.Add(EncodeSamples(toyDataset(3)))
	f.Add(EncodeSamples(toyDataset(0)))
	f.Add([]byte("FGSD\x01\xff\xff\xff\xff"))
	f.Add([]byte("FGSD\x01\x01\x00\x00\x00\x0a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		size, sized := SamplesFileSize(b)
		d, err := DecodeSamples(b)
		if err != nil {
			return
		}
		if !sized || size != len(b) {
			t.Fatalf("a valid %d-byte file: SamplesFileSize says %d, %t", len(b), size, sized)
		}
		if again := EncodeSamples(d); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding gives %d different bytes", len(again))
		}
	})
}
