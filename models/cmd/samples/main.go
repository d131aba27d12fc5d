// Command samples writes the first n MNIST test (or training) digits as a
// samples file (see core.EncodeSamples): the gallery and sweep digits of the
// web page, and the training subset of its "train it yourself" page.
//
//	go run ./models/cmd/samples -n 1000 -o web/digits.bin
//	go run ./models/cmd/samples -set train -n 10000 -o web/train-digits.bin
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
)

func main() {
	n := flag.Int("n", 2000, "number of digits, from the first")
	set := flag.String("set", "test", "which MNIST set: test or train")
	out := flag.String("o", "web/digits.bin", "output path")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("samples: ")

	dir, err := mnistdir.Dir()
	if err != nil {
		log.Fatal(err)
	}
	train, test, err := core.LoadMNIST(dir)
	if err != nil {
		log.Fatal(err)
	}
	d := test
	switch *set {
	case "test":
	case "train":
		d = train
	default:
		log.Fatalf("-set %q: want test or train", *set)
	}
	if *n < 1 || *n > d.Len() {
		log.Fatalf("-n %d: want 1 to %d", *n, d.Len())
	}
	b := core.EncodeSamples(d.Slice(0, *n))
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: the first %d MNIST %s digits, %d bytes\n", *out, *n, *set, len(b))
}
