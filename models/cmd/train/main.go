// Command train makes the shipped models from MNIST: `make train`, or
//
//	go run ./models/cmd/train [-only mlp,rbf] [-seed 1] [-epochs N] [-out models]
//
// Each model is written to <out>/<name>.safetensors with the command that
// made it and its test metrics in the metadata.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
	"fgsmlab/models"
)

func main() {
	only := flag.String("only", "", "comma-separated model names (default: all)")
	seed := flag.Uint64("seed", 1, "random seed for initialisation, shuffling and dropout")
	epochs := flag.Int("epochs", 0, "override every recipe's number of epochs (0: the recipe's)")
	out := flag.String("out", models.Dir(), "output folder")
	flag.Parse()
	if err := run(*only, *seed, *epochs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(only string, seed uint64, epochs int, out string) error {
	dir, err := mnistdir.Dir()
	if err != nil {
		return err
	}
	train, test, err := core.LoadMNIST(dir)
	if err != nil {
		return err
	}
	recipes := models.Recipes
	if only != "" {
		recipes = nil
		for _, name := range strings.Split(only, ",") {
			r, err := models.Find(strings.TrimSpace(name))
			if err != nil {
				return err
			}
			recipes = append(recipes, r)
		}
	}
	start := time.Now()
	for _, r := range recipes {
		if err := make1(r, train, test, seed, epochs, out); err != nil {
			return err
		}
	}
	fmt.Printf("trained %d model(s) in %s\n", len(recipes), time.Since(start).Round(time.Second))
	return nil
}

func make1(r models.Recipe, train, test *core.Dataset, seed uint64, epochs int, out string) error {
	tr, te := train, test
	if r.Data != nil {
		tr, te = r.Data(train), r.Data(test)
	}
	m := r.New(rand.New(rand.NewPCG(seed, 7)), tr)
	cfg := r.Config()
	cfg.Seed = seed
	if epochs > 0 {
		cfg.Epochs = epochs
	}
	batches := (tr.Len() + cfg.BatchSize - 1) / cfg.BatchSize
	bar := progressbar.NewOptions(cfg.Epochs*batches, progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetWidth(30), progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond))
	start := time.Now()
	var loss, errRate float64
	cfg.Progress = func(ep, b, n int, l, e float64) {
		loss, errRate = 0.98*loss+0.02*l, 0.98*errRate+0.02*e
		bar.Describe(fmt.Sprintf("%-10s epoch %d/%d  loss %.4f  error %5.2f%%", r.Name, ep, cfg.Epochs, loss, 100*errRate))
		bar.Add(1)
	}
	core.Train(m, tr, cfg)
	bar.Finish()
	dtype := "F32"
	if r.Half {
		core.RoundToHalf(m)
		dtype = "F16"
	}
	mt := models.Measure(m, te)
	tags := ""
	if core.BLAS != "gonum (pure Go)" {
		tags = "-tags openblas "
	}
	command := fmt.Sprintf("go run %s./models/cmd/train -only %s -seed %d", tags, r.Name, seed)
	if epochs > 0 {
		command += fmt.Sprintf(" -epochs %d", epochs)
	}
	mt.Record(m, command)
	m.Meta["description"] = r.What()
	var buf bytes.Buffer
	if err := core.WriteModel(&buf, m, dtype); err != nil {
		return err
	}
	path := filepath.Join(out, r.Name+".safetensors")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("\n%-10s %s  clean error %.2f%%  FGSM ε=0.25 error %.1f%%  (%s, %d KB, %s)\n", r.Name, m.Meta["description"],
		100*mt.CleanError, 100*mt.FGSMError, path, buf.Len()/1024, time.Since(start).Round(time.Second))
	return nil
}
