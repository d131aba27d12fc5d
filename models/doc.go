// Package models holds the shipped, pretrained models of fgsmlab (the
// .safetensors files beside this file) and the recipes that make them.
//
// Every file is made by `make train` (go run ./models/cmd/train) from MNIST
// with fixed seeds; each file's metadata records the exact command and the
// metrics measured on the 10,000 MNIST test digits.
//
// ensemble/ holds the members of the §9 ensembles, which are not lab models:
// four more networks of the maxout recipe (seeds 2–5, made by
// models/cmd/train; with the shipped maxout, the report's ensemble) and the
// five small maxout networks that /defence loads (models/cmd/ensemble). See
// facts.ReportEnsemble and facts.PageEnsemble.
package models
