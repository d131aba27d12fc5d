// Command samples writes the first n MNIST test digits as a samples file
// (see core.EncodeSamples): the gallery and sweep digits of the web page.
//
//	go run ./models/cmd/samples -n 2000 -o web/digits.bin
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"fgsmlab/core"
)

func main() {
	n := flag.Int("n", 2000, "number of test digits, from the first")
	out := flag.String("o", "web/digits.bin", "output path")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("samples: ")

	dir, err := core.MNISTDir()
	if err != nil {
		log.Fatal(err)
	}
	_, test, err := core.LoadMNIST(dir)
	if err != nil {
		log.Fatal(err)
	}
	if *n < 1 || *n > test.Len() {
		log.Fatalf("-n %d: want 1 to %d", *n, test.Len())
	}
	b := core.EncodeSamples(test.Slice(0, *n))
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: the first %d MNIST test digits, %d bytes\n", *out, *n, len(b))
}
