package core

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fgsmlab/internal/mnistdir"
)

// idxBytes builds an IDX file: magic, dimensions, data.
func idxBytes(magic uint32, dims []uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	z.Write(b)
	z.Close()
	return buf.Bytes()
}

// twoImages is a valid images file: a black image and one with pixel
// (row 1, column 2) set to 255.
func twoImages() []byte {
	pix := make([]byte, 2*ImageSize)
	pix[ImageSize+1*ImageSide+2] = 255
	return idxBytes(idxImagesMagic, []uint32{2, ImageSide, ImageSide}, pix)
}

func TestReadIDXImages(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"raw", twoImages()},
		{"gzip", gzipBytes(twoImages())},
	} {
		m, err := readIDXImages(bytes.NewReader(tc.b), tc.name)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r, c := m.Dims(); r != 2 || c != ImageSize {
			t.Fatalf("%s: dims %d×%d; want 2×%d", tc.name, r, c, ImageSize)
		}
		if got := m.At(1, 1*ImageSide+2); got != 1 {
			t.Errorf("%s: lit pixel = %v; want 1", tc.name, got)
		}
		if got := m.At(0, 0); got != 0 {
			t.Errorf("%s: dark pixel = %v; want 0", tc.name, got)
		}
	}
}

func TestReadIDXBadInput(t *testing.T) {
	valid := twoImages()
	gz := gzipBytes(valid)
	corrupt := bytes.Clone(gz)
	corrupt[len(corrupt)-6] ^= 0xff // the CRC-32 in the gzip trailer
	huge := idxBytes(idxImagesMagic, []uint32{1 << 30, ImageSide, ImageSide}, nil)
	for _, tc := range []struct {
		name string
		b    []byte
		want string // a fragment of the error
	}{
		{"empty", nil, "too short"},
		{"one byte", []byte{0}, "too short"},
		{"truncated header", valid[:10], "truncated header"},
		{"labels magic", idxBytes(idxLabelsMagic, []uint32{2, 28, 28}, nil), "magic number 0x00000801"},
		{"float magic", idxBytes(0x00000d03, []uint32{2, 28, 28}, nil), "magic number"},
		{"wrong size", idxBytes(idxImagesMagic, []uint32{1, 32, 32}, make([]byte, 32*32)), "32×32"},
		{"huge count", huge, "at most"},
		{"huge rows", idxBytes(idxImagesMagic, []uint32{1, 1 << 31, 1 << 31}, nil), "want 28×28"},
		{"truncated data", valid[:len(valid)-1], "truncated"},
		{"trailing data", append(bytes.Clone(valid), 0), "continues"},
		{"truncated gzip", gz[:len(gz)/2], "truncated"},
		{"gzip checksum", corrupt, "checksum"},
		{"bad gzip header", []byte{0x1f, 0x8b, 0}, "gzip"},
	} {
		_, err := readIDXImages(bytes.NewReader(tc.b), "f-"+tc.name)
		checkIDXError(t, tc.name, err, "f-"+tc.name, tc.want)
	}
}

func TestReadIDXLabels(t *testing.T) {
	valid := idxBytes(idxLabelsMagic, []uint32{3}, []byte{7, 2, 200})
	got, err := readIDXLabels(bytes.NewReader(gzipBytes(valid)), "labels")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{7, 2, 200}; !slices.Equal(got, want) {
		t.Errorf("labels %v; want %v", got, want)
	}
	for _, tc := range []struct {
		name, want string
		b          []byte
	}{
		{"images magic", "magic number", idxBytes(idxImagesMagic, []uint32{3}, []byte{1, 2, 3})},
		{"truncated", "truncated", valid[:len(valid)-1]},
		{"huge count", "at most", idxBytes(idxLabelsMagic, []uint32{1<<32 - 1}, nil)},
		{"header only", "truncated header", valid[:6]},
	} {
		_, err := readIDXLabels(bytes.NewReader(tc.b), "l-"+tc.name)
		checkIDXError(t, tc.name, err, "l-"+tc.name, tc.want)
	}
}

func TestReadDataset(t *testing.T) {
	labels := func(l ...byte) []byte { return idxBytes(idxLabelsMagic, []uint32{uint32(len(l))}, l) }
	d, err := readDataset(bytes.NewReader(twoImages()), bytes.NewReader(labels(3, 9)), "toy")
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || d.Labels[1] != 9 || d.Image(1)[ImageSide+2] != 1 {
		t.Errorf("dataset %d digits, labels %v", d.Len(), d.Labels)
	}
	for _, tc := range []struct {
		name, file, want string
		labels           []byte
	}{
		{"count mismatch", "toy labels", "holds 3 labels but toy images holds 2 images", labels(1, 2, 3)},
		{"not a digit", "toy labels", "label 10 at index 1", labels(1, 10)},
	} {
		_, err := readDataset(bytes.NewReader(twoImages()), bytes.NewReader(tc.labels), "toy")
		checkIDXError(t, tc.name, err, tc.file, tc.want)
	}
	_, err = readDataset(bytes.NewReader(nil), bytes.NewReader(labels(1)), "toy")
	checkIDXError(t, "no images", err, "toy images", "too short")
}

func checkIDXError(t *testing.T, name string, err error, file, want string) {
	t.Helper()
	var e *IDXError
	switch {
	case err == nil:
		t.Errorf("%s: no error; want one containing %q", name, want)
	case !errors.As(err, &e):
		t.Errorf("%s: error %T %q is not an *IDXError", name, err, err)
	case !strings.HasPrefix(err.Error(), "mnist: "+file+": "):
		t.Errorf("%s: error %q does not start with mnist: and name the file %q", name, err, file)
	case !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q; want it to contain %q", name, err, want)
	}
}

func TestDatasetSliceSubset(t *testing.T) {
	d := toyDataset(5)
	s := d.Slice(1, 4)
	if s.Len() != 3 || s.Labels[0] != 1 || s.Image(0)[0] != d.Image(1)[0] {
		t.Errorf("Slice(1, 4): labels %v", s.Labels)
	}
	if e := d.Slice(2, 2); e.Len() != 0 {
		t.Errorf("Slice(2, 2) has %d digits", e.Len())
	}
	odd := d.Subset(func(l int) bool { return l%2 == 1 })
	if !slices.Equal(odd.Labels, []int{1, 3}) || odd.Image(1)[0] != d.Image(3)[0] {
		t.Errorf("odd subset: labels %v", odd.Labels)
	}
	odd.Image(0)[0] = -1
	if d.Image(1)[0] == -1 {
		t.Error("Subset shares memory with its dataset")
	}
	if none := d.Subset(func(int) bool { return false }); none.Len() != 0 {
		t.Errorf("empty subset has %d digits", none.Len())
	}
}

// toyDataset has n digits labelled i%10 whose first pixel is i/n.
func toyDataset(n int) *Dataset {
	var b bytes.Buffer
	pix := make([]byte, n*ImageSize)
	labels := make([]byte, n)
	for i := range n {
		pix[i*ImageSize] = byte(255 * i / n)
		labels[i] = byte(i % 10)
	}
	b.Write(idxBytes(idxImagesMagic, []uint32{uint32(n), ImageSide, ImageSide}, pix))
	d, err := readDataset(&b, bytes.NewReader(idxBytes(idxLabelsMagic, []uint32{uint32(n)}, labels)), "toy")
	if err != nil {
		panic(err)
	}
	return d
}

func TestLoadMNISTMissing(t *testing.T) {
	dir := t.TempDir()
	_, _, err := LoadMNIST(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "train-images-idx3-ubyte")) {
		t.Errorf("LoadMNIST of an empty directory: %v", err)
	}
	// A raw file is read when present; a broken one is reported by path.
	os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), twoImages()[:20], 0o644)
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), gzipBytes(idxBytes(idxLabelsMagic, []uint32{2}, []byte{1, 2})), 0o644)
	_, _, err = LoadMNIST(dir)
	checkIDXError(t, "truncated file", err, filepath.Join(dir, "train-images-idx3-ubyte"), "truncated")
}

func TestLoadMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: reading 60,000 training images")
	}
	dir, err := mnistdir.Dir()
	if err != nil {
		t.Skip(err)
	}
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("MNIST has %d training and %d test digits; want 60000 and 10000", train.Len(), test.Len())
	}
	if test.Labels[0] != 7 || train.Labels[0] != 5 {
		t.Errorf("first labels: train %d, test %d; want 5 and 7", train.Labels[0], test.Labels[0])
	}
	if r, c := train.Images.Dims(); r != 60000 || c != ImageSize {
		t.Errorf("training images are %d×%d", r, c)
	}
}

// mnistTest is the MNIST test set, read once for the tests that need real
// digits; they skip when mnistdir.Dir fails.
var mnistTest = sync.OnceValues(func() (*Dataset, error) {
	dir, err := mnistdir.Dir()
	if err != nil {
		return nil, err
	}
	return loadMNISTSet(dir, "t10k")
})

func testDigits(t testing.TB) *Dataset {
	t.Helper()
	d, err := mnistTest()
	if err != nil {
		if _, derr := mnistdir.Dir(); derr != nil {
			t.Skip(derr)
		}
		t.Fatal(err)
	}
	return d
}

func FuzzReadIDXImages(f *testing.F) {
	f.Add(twoImages())
	f.Add(gzipBytes(twoImages()))
	f.Add(idxBytes(idxImagesMagic, []uint32{0, ImageSide, ImageSide}, nil))
	f.Add(idxBytes(idxImagesMagic, []uint32{1 << 30, ImageSide, ImageSide}, []byte{1, 2, 3}))
	f.Add(idxBytes(idxImagesMagic, []uint32{1, 2, 2}, []byte{1, 2, 3, 4}))
	f.Add(twoImages()[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := readIDXImages(bytes.NewReader(b), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "mnist: fuzz: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		r, c := m.Dims()
		if r > 0 && c != ImageSize {
			t.Fatalf("dims %d×%d", r, c)
		}
		for _, v := range m.RawMatrix().Data {
			if v < 0 || v > 1 {
				t.Fatalf("pixel %v outside [0, 1]", v)
			}
		}
	})
}

func FuzzReadIDXLabels(f *testing.F) {
	f.Add(idxBytes(idxLabelsMagic, []uint32{3}, []byte{7, 2, 1}))
	f.Add(gzipBytes(idxBytes(idxLabelsMagic, []uint32{3}, []byte{7, 2, 1})))
	f.Add(idxBytes(idxLabelsMagic, []uint32{1<<32 - 1}, []byte{1}))
	f.Add(idxBytes(idxLabelsMagic, []uint32{0}, nil))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, err := readIDXLabels(bytes.NewReader(b), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "mnist: fuzz: ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, l := range labels {
			if l < 0 || l > 255 {
				t.Fatalf("label %d is not a byte", l)
			}
		}
	})
}
