package models

import (
	"math/rand/v2"
	"sync"
	"testing"

	"fgsmlab/core"
	"fgsmlab/internal/mnistdir"
)

var mnist struct {
	once        sync.Once
	train, test *core.Dataset
	err         error
}

func loadMNIST(tb testing.TB) (train, test *core.Dataset) {
	mnist.once.Do(func() {
		dir, err := mnistdir.Dir()
		if err != nil {
			mnist.err = err
			return
		}
		mnist.train, mnist.test, mnist.err = core.LoadMNIST(dir)
	})
	if mnist.err != nil {
		tb.Skip("MNIST not available:", mnist.err)
	}
	return mnist.train, mnist.test
}

// BenchmarkEpoch trains each shipped model for one epoch on its training
// data, as `make train` does. Compare mlp with models/bench/compare.sh.
func BenchmarkEpoch(b *testing.B) {
	train, _ := loadMNIST(b)
	b.Logf("matrix products: %s", core.BLAS)
	for _, r := range Recipes {
		b.Run(r.Name, func(b *testing.B) {
			d := train
			if r.Data != nil {
				d = r.Data(train)
			}
			for b.Loop() {
				m := r.New(rand.New(rand.NewPCG(1, 1)), d)
				cfg := r.Config()
				cfg.Epochs = 1
				core.Train(m, d, cfg)
			}
		})
	}
}
