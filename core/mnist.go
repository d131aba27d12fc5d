package core

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
)

// ImageSide is the width and height of an MNIST image.
const ImageSide = 28

// ImageSize is the length of an input row: a 28×28 image.
const ImageSize = ImageSide * ImageSide

// maxIDXCount bounds the number of images or labels in an IDX file: MNIST's
// largest file holds 60,000. With it, even a complete file (a gzip bomb, say)
// decodes to at most 131,072×784 float64s, 822 MB. Besides, the readers
// allocate as the data arrives, not as the header claims.
const maxIDXCount = 1 << 17

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned byte)
// and the number of dimensions (http://yann.lecun.com/exdb/mnist/).
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// IDXError reports an IDX file that cannot be read: a wrong magic number,
// wrong dimensions, truncated data or a broken gzip stream.
type IDXError struct {
	File string // the name the file was read under
	Msg  string
	Err  error // the underlying I/O error, if any
}

func (e *IDXError) Error() string {
	s := "mnist: " + e.File + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *IDXError) Unwrap() error { return e.Err }

// Dataset is a set of labelled MNIST digits.
type Dataset struct {
	// Images holds one example per row: for MNIST, ImageSize values
	// byte/255 in [0, 1]. An empty dataset has an empty Images (gonum has
	// no zero-row matrix).
	Images *mat.Dense
	Labels []int // digits 0–9, one per row of Images
}

// Len is the number of digits.
func (d *Dataset) Len() int { return len(d.Labels) }

// Image returns row i of Images. The slice shares memory with Images.
func (d *Dataset) Image(i int) []float64 { return d.Images.RawRowView(i) }

// Slice returns the digits [i, j). It shares memory with d.
func (d *Dataset) Slice(i, j int) *Dataset {
	if i < 0 || j < i || j > d.Len() {
		panic(fmt.Sprintf("core: slice [%d:%d] of a dataset of %d", i, j, d.Len()))
	}
	if i == j {
		return emptyDataset()
	}
	_, cols := d.Images.Dims()
	return &Dataset{
		Images: d.Images.Slice(i, j, 0, cols).(*mat.Dense),
		Labels: d.Labels[i:j:j],
	}
}

// Subset returns a copy of the digits whose label satisfies keep, in order.
func (d *Dataset) Subset(keep func(label int) bool) *Dataset {
	var rows []int
	for i, l := range d.Labels {
		if keep(l) {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return emptyDataset()
	}
	_, cols := d.Images.Dims()
	s := &Dataset{Images: mat.NewDense(len(rows), cols, nil), Labels: make([]int, len(rows))}
	for k, i := range rows {
		copy(s.Images.RawRowView(k), d.Image(i))
		s.Labels[k] = d.Labels[i]
	}
	return s
}

func emptyDataset() *Dataset { return &Dataset{Images: &mat.Dense{}, Labels: []int{}} }

// readIDXImages reads an IDX file of 28×28 unsigned-byte images, raw or
// gzipped (detected by the gzip magic bytes), into one row per image with
// values byte/255. The name is used in errors.
func readIDXImages(r io.Reader, name string) (*mat.Dense, error) {
	f, err := openIDX(r, name)
	if err != nil {
		return nil, err
	}
	dims, err := f.header(idxImagesMagic, 3)
	if err != nil {
		return nil, err
	}
	n, rows, cols := dims[0], dims[1], dims[2]
	if rows != ImageSide || cols != ImageSide {
		return nil, f.errorf("images are %d×%d; want %d×%d", rows, cols, ImageSide, ImageSide)
	}
	pix, err := f.body(n, ImageSize, "images")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return &mat.Dense{}, nil
	}
	m := mat.NewDense(n, ImageSize, nil)
	bytesToUnit(m.RawMatrix().Data, pix)
	return m, nil
}

// readIDXLabels reads an IDX file of unsigned-byte labels, raw or gzipped.
// The name is used in errors. It does not check that labels are digits; see
// readDataset.
func readIDXLabels(r io.Reader, name string) ([]int, error) {
	f, err := openIDX(r, name)
	if err != nil {
		return nil, err
	}
	dims, err := f.header(idxLabelsMagic, 1)
	if err != nil {
		return nil, err
	}
	b, err := f.body(dims[0], 1, "labels")
	if err != nil {
		return nil, err
	}
	labels := make([]int, len(b))
	for i, v := range b {
		labels[i] = int(v)
	}
	return labels, nil
}

// readDataset reads an images file and its labels file, checks that they
// hold as many entries and that every label is a digit. Errors name the
// files "<name> images" and "<name> labels".
func readDataset(images, labels io.Reader, name string) (*Dataset, error) {
	return readPair(images, name+" images", labels, name+" labels")
}

func readPair(images io.Reader, imagesName string, labels io.Reader, labelsName string) (*Dataset, error) {
	x, err := readIDXImages(images, imagesName)
	if err != nil {
		return nil, err
	}
	y, err := readIDXLabels(labels, labelsName)
	if err != nil {
		return nil, err
	}
	if n, _ := x.Dims(); n != len(y) {
		return nil, &IDXError{File: labelsName, Msg: fmt.Sprintf("holds %d labels but %s holds %d images", len(y), imagesName, n)}
	}
	for i, l := range y {
		if l > 9 {
			return nil, &IDXError{File: labelsName, Msg: fmt.Sprintf("label %d at index %d is not a digit", l, i)}
		}
	}
	return &Dataset{Images: x, Labels: y}, nil
}

// LoadMNIST reads the MNIST training and test sets from dir, which holds
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte, each raw or with a .gz suffix.
func LoadMNIST(dir string) (train, test *Dataset, err error) {
	if train, err = loadMNISTSet(dir, "train"); err != nil {
		return nil, nil, err
	}
	if test, err = loadMNISTSet(dir, "t10k"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadMNISTSet reads one set, "train" or "t10k", from dir.
func loadMNISTSet(dir, set string) (*Dataset, error) {
	images, err := openMNISTFile(dir, set+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	defer images.Close()
	labels, err := openMNISTFile(dir, set+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	defer labels.Close()
	return readPair(images, images.Name(), labels, labels.Name())
}

// openMNISTFile opens dir/base, or dir/base.gz if that is missing.
func openMNISTFile(dir, base string) (*os.File, error) {
	path := filepath.Join(dir, base)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.Open(path + ".gz")
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("mnist: neither %s nor %s.gz exists", path, path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	return f, nil
}

// idxFile reads one IDX stream.
type idxFile struct {
	r    io.Reader
	name string
}

// openIDX wraps r in a gzip reader when it starts with the gzip magic bytes.
func openIDX(r io.Reader, name string) (*idxFile, error) {
	br := bufio.NewReader(r)
	f := &idxFile{r: br, name: name}
	magic, err := br.Peek(2)
	if err != nil && len(magic) < 2 {
		return nil, f.wrap("too short for an IDX header", err)
	}
	if magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, f.wrap("bad gzip header", err)
		}
		f.r = z
	}
	return f, nil
}

// header reads the magic number and the dimensions, and checks that the
// count (the first dimension) is at most maxIDXCount.
func (f *idxFile) header(magic uint32, ndims int) ([]int, error) {
	var raw [4 + 4*3]byte
	b := raw[:4+4*ndims]
	if _, err := io.ReadFull(f.r, b); err != nil {
		return nil, f.wrap("truncated header", err)
	}
	if got := binary.BigEndian.Uint32(b); got != magic {
		return nil, f.errorf("magic number %#08x; want %#08x (%s)", got, magic, idxKind(magic))
	}
	dims := make([]int, ndims)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(b[4+4*i:]))
	}
	if dims[0] > maxIDXCount {
		return nil, f.errorf("header claims %d entries; at most %d are supported", dims[0], maxIDXCount)
	}
	return dims, nil
}

// body reads n items of size bytes each, then checks that the stream ends
// there (which also makes gzip verify its checksum). The buffer grows with
// the data actually read, not with the header's claim.
func (f *idxFile) body(n, size int, what string) ([]byte, error) {
	want := int64(n) * int64(size)
	var buf bytes.Buffer
	got, err := io.CopyN(&buf, f.r, want)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return nil, f.errorf("truncated: header claims %d %s (%d bytes) but only %d bytes follow", n, what, want, got)
	}
	if err != nil {
		return nil, f.wrap("reading "+what, err)
	}
	var one [1]byte
	switch k, err := io.ReadFull(f.r, one[:]); {
	case k > 0:
		return nil, f.errorf("data continues after the %d %s the header claims", n, what)
	case err != io.EOF:
		return nil, f.wrap("after the "+what, err)
	}
	return buf.Bytes(), nil
}

func (f *idxFile) errorf(format string, a ...any) error {
	return &IDXError{File: f.name, Msg: fmt.Sprintf(format, a...)}
}

func (f *idxFile) wrap(msg string, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return &IDXError{File: f.name, Msg: msg, Err: err}
}

func idxKind(magic uint32) string {
	if magic == idxImagesMagic {
		return "unsigned-byte images, 3 dimensions"
	}
	return "unsigned-byte labels, 1 dimension"
}

// unitBytes maps a byte to byte/255.
var unitBytes = func() (t [256]float64) {
	for i := range t {
		t[i] = float64(i) / 255
	}
	return t
}()

func bytesToUnit(dst []float64, src []byte) {
	dst = dst[:len(src)]
	i := 0
	for ; i+4 <= len(src); i += 4 { // four a turn: each loop turn costs a dispatch under WebAssembly
		s := src[i : i+4 : i+4]
		dst[i], dst[i+1], dst[i+2], dst[i+3] = unitBytes[s[0]], unitBytes[s[1]], unitBytes[s[2]], unitBytes[s[3]]
	}
	for ; i < len(src); i++ {
		dst[i] = unitBytes[src[i]]
	}
}
