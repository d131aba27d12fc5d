// Package facts holds, once, the facts that the lab, the reproduction report
// and the tests all read: the paper's figures (Goodfellow, Shlens and
// Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015), the
// reproduction targets the shipped models must meet, and the registry of
// shipped models.
//
// It is pure data with no imports from this module, so the WebAssembly lab
// can read it without linking the training code of package models.
//
// Fractions are in [0, 1]. A lookup of a name that is not in a table is a
// programming error and panics with a "facts: " message.
package facts
