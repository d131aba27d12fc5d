// Package models holds the shipped, pretrained models of fgsmlab (the
// .safetensors files beside this file) and the recipes that make them.
//
// Every file is made by `make train` (go run ./models/cmd/train) from MNIST
// with fixed seeds; each file's metadata records the exact command and the
// metrics measured on the 10,000 MNIST test digits.
package models
