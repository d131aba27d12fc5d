// Package core is the maths of fgsmlab: layers, models, input gradients, the
// fast gradient sign method and its variants, the attacks it is measured
// against (PGD, FGM, DeepFool, Carlini–Wagner, JSMA, L-BFGS, the iterative
// least-likely class method; each cites its paper), ensembles of models (§9),
// training and evaluation.
//
// Every attack runs through one function, Craft(m, x, labels, a, opts), with
// an Attack constant a whose comment names the file that holds it; FGSM, the
// paper's method, is a function of its own too. SweepRun, AttackSweepRun,
// TransferRun and NearestSearch run attacks in slices, for a browser page.
//
// It follows Goodfellow, Shlens and Szegedy, "Explaining and Harnessing
// Adversarial Examples" (ICLR 2015); comments cite its sections and equations.
//
// Conventions, stated once:
//
//   - A batch is a *mat.Dense with one example per row. An input row is a
//     28×28 image in row-major order, white digit on black, values in [0, 1].
//   - A dense weight is shaped [out, in] (PyTorch's convention), so a layer
//     computes y = x·Wᵀ + b.
//   - Labels are class indices into Model.Classes.
//   - J is the per-example cost (cross-entropy). Gradients of a batch are the
//     gradients of the sum of the per-example costs, so that row i of an input
//     gradient is ∇ₓJ(θ, xᵢ, yᵢ) exactly; training divides by the batch size.
//   - Class scores s (Model.Scores) are the values before the output, one per
//     class, largest for the predicted class: logits for softmax, [−z/2, z/2]
//     for a sigmoid's z, log p for the RBF network (scores.go).
//   - A Model holds buffers between Forward and Backward and is not safe for
//     concurrent use. Clone it to use it from several goroutines.
//
// Misuse (mismatched lengths, an unknown layer) panics with a message that
// starts with "core: ". Bytes from outside (IDX files, safetensors files) are
// never trusted: decoders return an error and do not panic.
package core
