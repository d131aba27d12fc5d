// Command reproduce measures the paper's MNIST table with the shipped models
// and writes models/REPORT.md, models/report.json and the figures in
// models/report/: `make reproduce`, or
//
//	go run ./models/cmd/reproduce [-fresh [-seed 1] [-epochs N]] [-n 10000] [-rubbish 10000] [-attack-digits 0] [-check] [-out models]
//
// By default it loads the shipped .safetensors files. With -fresh it first
// retrains every model from its recipe, as `make train` does, and reports on
// those (the shipped files are left alone); the §9 ensemble's members are
// always the files of facts.ReportEnsemble. With -check it exits with status
// 1 when one of the reproduction targets fails or cannot be measured.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
	"fgsmlab/models"
	"fgsmlab/models/facts"
)

type options struct {
	fresh, check bool
	seed         uint64
	epochs, n    int
	rubbish      int
	attackDigits int
	in, out      string
}

func main() {
	var o options
	flag.BoolVar(&o.fresh, "fresh", false, "retrain every model from its recipe before evaluating")
	flag.Uint64Var(&o.seed, "seed", 1, "with -fresh: random seed, as for models/cmd/train")
	flag.IntVar(&o.epochs, "epochs", 0, "with -fresh: override every recipe's number of epochs (0: the recipe's)")
	flag.IntVar(&o.n, "n", 0, "use only the first n MNIST test digits (0: all 10,000)")
	flag.IntVar(&o.rubbish, "rubbish", 10000, "Gaussian noise images per model for the rubbish-class rows")
	flag.IntVar(&o.attackDigits, "attack-digits", 0, "cap the digits each stronger attack runs on (0: the settings' own)")
	flag.BoolVar(&o.check, "check", false, "exit with status 1 if a reproduction target fails")
	flag.StringVar(&o.in, "models", models.Dir(), "folder of the shipped model files")
	flag.StringVar(&o.out, "out", models.Dir(), "folder for REPORT.md, report.json and report/*.png")
	flag.Parse()
	start := time.Now()
	r, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reproduce:", err)
		os.Exit(1)
	}
	fmt.Printf("\nmake reproduce took %s\n", time.Since(start).Round(100*time.Millisecond))
	if o.check && r.Failed() {
		fmt.Fprintln(os.Stderr, "reproduce: some reproduction targets are not met (see above)")
		os.Exit(1)
	}
}

func run(o options) (*models.Report, error) {
	dir, err := mnistdir.Dir()
	if err != nil {
		return nil, err
	}
	train, test, err := core.LoadMNIST(dir)
	if err != nil {
		return nil, err
	}
	if o.n > 0 && o.n < test.Len() {
		test = test.Slice(0, o.n)
	}
	ms := map[string]*core.Model{}
	for _, rc := range models.Recipes {
		m, err := obtain(rc, train, test, o)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%-10s missing: %v; its rows are skipped (make train)\n", rc.Name, err)
			continue
		}
		ms[rc.Name] = m
	}
	ens, err := ensemble(o.in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ensemble   missing: %v; its rows are skipped\n", err)
	}
	t := time.Now()
	r := models.Reproduce(ms, test, models.ReportOptions{RubbishSamples: o.rubbish, AttackDigits: o.attackDigits, Train: train,
		Ensemble: ens, Log: func(what string, took time.Duration) {
			fmt.Fprintf(os.Stderr, "  measured %-22s in %s\n", what, took.Round(100*time.Millisecond))
		}})
	fmt.Printf("measured in %s on %d test digits\n\n", time.Since(t).Round(100*time.Millisecond), r.TestExamples)
	printReport(os.Stdout, r)
	return r, write(r, ms, test, o)
}

// ensemble loads the report's §9 ensemble (facts.ReportEnsemble) from dir.
// Its members are the files, also with -fresh.
func ensemble(dir string) (*core.Model, error) {
	ms, err := models.LoadEnsemble(dir, facts.ReportEnsemble)
	if err != nil {
		return nil, err
	}
	return core.NewEnsemble("ensemble", ms...)
}

// obtain loads a shipped model or, with -fresh, trains it as
// models/cmd/train does (same seeds, same recipe).
func obtain(rc models.Recipe, train, test *core.Dataset, o options) (*core.Model, error) {
	if !o.fresh {
		return models.Load(o.in, rc.Name)
	}
	tr := train
	if rc.Data != nil {
		tr = rc.Data(train)
	}
	m := rc.New(rand.New(rand.NewPCG(o.seed, 7)), tr)
	cfg := rc.Config()
	cfg.Seed = o.seed
	if o.epochs > 0 {
		cfg.Epochs = o.epochs
	}
	start := time.Now()
	cfg.Progress = func(ep, b, n int, loss, errRate float64) {
		if b == n {
			fmt.Fprintf(os.Stderr, "%-10s epoch %d/%d  loss %.4f  error %5.2f%%  (%s)\n", rc.Name, ep, cfg.Epochs,
				loss, 100*errRate, time.Since(start).Round(time.Second))
		}
	}
	core.Train(m, tr, cfg)
	m.Meta["command"] = fmt.Sprintf("go run ./models/cmd/reproduce -fresh -seed %d", o.seed)
	if o.epochs > 0 {
		m.Meta["command"] += fmt.Sprintf(" -epochs %d", o.epochs)
	}
	m.Meta["description"] = rc.What()
	return m, nil
}

func write(r *models.Report, ms map[string]*core.Model, test *core.Dataset, o options) error {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "report.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	figs, err := writeFigures(r, ms, test, filepath.Join(o.out, "report"))
	if err != nil {
		return err
	}
	var md bytes.Buffer
	writeMarkdown(&md, r, ms, figs, o)
	path := filepath.Join(o.out, "REPORT.md")
	if err := os.WriteFile(path, md.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s, %s and %d figures in %s\n", path, filepath.Join(o.out, "report.json"), len(figs),
		filepath.Join(o.out, "report"))
	return nil
}
