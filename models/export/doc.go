// Package export holds the PyTorch exporter, torch_to_fgsmlab.py, which
// writes a torch.nn.Sequential as an fgsmlab model file, and the test that
// the lab computes what PyTorch computes from such a file.
//
// make_reference.py exports three small models in float64 and records, for
// a few inputs, PyTorch's probabilities and input gradients of the
// cross-entropy (testdata/reference.json). The test reads each file with
// core.ReadModel and checks that PredictOne and InputGradientOne agree with
// PyTorch to 1e-6 of the vector's largest magnitude. When PyTorch is
// installed (/usr/bin/python3 -c 'import torch'), it also exports freshly
// made models into a temporary directory and checks them the same way.
//
// There is no Go API here: the package exists for its test.
package export
