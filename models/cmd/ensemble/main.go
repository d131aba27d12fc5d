// Command ensemble trains the members of the smaller §9 ensemble that
// /defence loads (facts.PageEnsemble, recipe models.SmallMaxout), one per
// seed:
//
//	go run -tags openblas ./models/cmd/ensemble [-seeds 1,2,3,4,5] [-out models/ensemble]
//
// Seed s is written to <out>/maxout-small-s<s>.safetensors with the command
// that made it and its test metrics. The report's ensemble of full maxout
// networks is made with models/cmd/train (see facts.ReportEnsemble).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
	"fgsmlab/models"
)

func main() {
	seeds := flag.String("seeds", "1,2,3,4,5", "comma-separated seeds, one member each")
	out := flag.String("out", filepath.Join(models.Dir(), "ensemble"), "output folder")
	flag.Parse()
	if err := run(*seeds, *out); err != nil {
		fmt.Fprintln(os.Stderr, "ensemble:", err)
		os.Exit(1)
	}
}

func run(seeds, out string) error {
	dir, err := mnistdir.Dir()
	if err != nil {
		return err
	}
	train, test, err := core.LoadMNIST(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, s := range strings.Split(seeds, ",") {
		seed, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("seed %q: %w", s, err)
		}
		if err := train1(train, test, seed, out); err != nil {
			return err
		}
	}
	return nil
}

func train1(train, test *core.Dataset, seed uint64, out string) error {
	r := models.SmallMaxout
	name := fmt.Sprintf("%s-s%d", r.Name, seed)
	m := r.New(rand.New(rand.NewPCG(seed, 7)), train)
	m.Name = name
	cfg := r.Config()
	cfg.Seed = seed
	start := time.Now()
	core.Train(m, train, cfg)
	core.RoundToHalf(m)
	mt := models.Measure(m, test)
	tags := ""
	if core.BLAS != "gonum (pure Go)" {
		tags = "-tags openblas "
	}
	mt.Record(m, fmt.Sprintf("go run %s./models/cmd/ensemble -seeds %d", tags, seed))
	m.Meta["description"] = models.SmallMaxoutWhat
	var buf bytes.Buffer
	if err := core.WriteModel(&buf, m, "F16"); err != nil {
		return err
	}
	path := filepath.Join(out, name+".safetensors")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s  clean error %.2f%%  FGSM ε=0.25 error %.1f%%  (%s, %d KB, %s)\n", name,
		100*mt.CleanError, 100*mt.FGSMError, path, buf.Len()/1024, time.Since(start).Round(time.Second))
	return nil
}
