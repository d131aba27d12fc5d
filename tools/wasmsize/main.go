// Command wasmsize prints how many bytes of a Go WebAssembly binary's code
// each package takes, from the binary's name section (so build it without
// -ldflags=-s; `go tool nm` does not read WebAssembly). With -base, it
// prints the difference from another binary, package by package.
//
//	go run ./tools/wasmsize [-top 30] [-base hello.wasm] app.wasm
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
)

func main() {
	top := flag.Int("top", 30, "how many packages to list")
	base := flag.String("base", "", "a binary to compare with")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: wasmsize [-top n] [-base other.wasm] file.wasm")
	}
	sizes := func(path string) (map[string]int, int) {
		b, err := os.ReadFile(path)
		if err != nil {
			log.Fatal(err)
		}
		funcs, err := codeSizes(b)
		if err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		pkgs, total := map[string]int{}, 0
		for name, n := range funcs {
			pkgs[pkgOf(name)] += n
			total += n
		}
		return pkgs, total
	}
	pkgs, total := sizes(flag.Arg(0))
	var old map[string]int
	oldTotal := 0
	if *base != "" {
		old, oldTotal = sizes(*base)
		for p := range old {
			if _, ok := pkgs[p]; !ok {
				pkgs[p] = 0
			}
		}
	}
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	diff := func(p string) int { return pkgs[p] - old[p] }
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(abs(diff(b)), abs(diff(a))), strings.Compare(a, b)) })
	if old == nil {
		fmt.Printf("code: %d B (the data section is not counted); by package:\n", total)
	} else {
		fmt.Printf("code: %d B, %+d B from %s (the data section is not counted); by package, the change:\n", total, total-oldTotal, *base)
	}
	for _, p := range names[:min(*top, len(names))] {
		if old == nil {
			fmt.Printf("%10d  %s\n", pkgs[p], p)
		} else {
			fmt.Printf("%+10d  %-50s %9d → %d\n", diff(p), p, old[p], pkgs[p])
		}
	}
}

func abs(n int) int { return max(n, -n) }

// pkgOf returns the package of a function's name as the Go linker writes
// it in a WebAssembly name section, with "/" and "-" in the path and the
// punctuation of receivers replaced by "_": "fmt.__pp_.doPrintf",
// "github.com_maxence_charriere_go_app_v9_pkg_app.Div".
func pkgOf(name string) string {
	i := strings.IndexByte(name, '.')
	if i < 0 {
		return name
	}
	// A path that starts with a domain has one dot more.
	for _, tld := range []string{"com_", "org_", "net_", "io_", "in_", "dev_", "ht_"} {
		if !strings.Contains(name[:i], "_") && strings.HasPrefix(name[i+1:], tld) {
			if j := strings.IndexByte(name[i+1:], '.'); j >= 0 {
				return name[:i+1+j]
			}
		}
	}
	return name[:i]
}

// codeSizes returns the size of each function's body in a WebAssembly
// binary, by the name its name section gives it.
func codeSizes(b []byte) (map[string]int, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary")
	}
	r := &reader{b: b, i: 8}
	var imports int
	var bodies []int
	names := map[int]string{}
	for r.i < len(b) && r.err == nil {
		id := r.byte()
		size := r.uint()
		end := r.i + size
		if end > len(b) {
			return nil, errors.New("a section runs past the end")
		}
		switch id {
		case 2: // imports: count the imported functions, which come first
			for range r.uint() {
				r.i += r.uint() // module
				r.i += r.uint() // field
				switch r.byte() {
				case 0: // function
					r.uint()
					imports++
				case 1: // table
					r.byte()
					if r.byte()&1 != 0 {
						r.uint()
					}
					r.uint()
				case 2: // memory
					if r.byte()&1 != 0 {
						r.uint()
					}
					r.uint()
				case 3: // global
					r.i += 2
				}
			}
		case 10: // code
			for range r.uint() {
				n := r.uint()
				bodies = append(bodies, n)
				r.i += n
			}
		case 0: // custom: the name section's function names
			if n := r.uint(); string(b[r.i:r.i+n]) == "name" {
				r.i += n
				for r.i < end && r.err == nil {
					sub, subSize := r.byte(), r.uint()
					next := r.i + subSize
					if sub == 1 {
						for range r.uint() {
							idx := r.uint()
							l := r.uint()
							names[idx] = string(b[r.i : r.i+l])
							r.i += l
						}
					}
					r.i = next
				}
			}
		}
		r.i = end
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(names) == 0 {
		return nil, errors.New("no name section: build without -ldflags=-s")
	}
	sizes := map[string]int{}
	for k, n := range bodies {
		name, ok := names[imports+k]
		if !ok {
			name = fmt.Sprintf("func%d", imports+k)
		}
		sizes[name] += n
	}
	return sizes, nil
}

type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

// uint reads an unsigned LEB128 number.
func (r *reader) uint() int {
	n, shift := 0, 0
	for {
		c := r.byte()
		n |= int(c&0x7f) << shift
		if c < 0x80 || r.err != nil {
			return n
		}
		shift += 7
	}
}
