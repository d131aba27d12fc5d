package facts

import "fmt"

// A Model is one shipped model as the lab and the reports present it. How
// it is made is its recipe in package models.
type Model struct {
	Name string
	// What says in a sentence what the model is; model files record it as
	// their description.
	What string
	// Blurb says in a line, in the paper's terms, why the lab offers it.
	Blurb string
	// Color is its colour on every chart of the lab.
	Color string
	// InLab reports whether the lab's model picker offers it; logreg37,
	// with its two classes, has a page of its own.
	InLab bool
}

// Shipped lists the shipped models, the lab's default first. The Makefile's
// SHIPPED repeats the names (its test checks they agree).
var Shipped = []Model{
	{Name: "mlp", InLab: true, Color: "#6d28d9", // the accent
		What:  "a small ReLU network, 784 → 256 → 128 → 10",
		Blurb: "A small ReLU network, the lab's default. ReLUs are piecewise linear, which is exactly what FGSM exploits (§4)."},
	{Name: "softmax", InLab: true, Color: "#d97706",
		What:  "the paper's shallow softmax classifier, 784 → 10",
		Blurb: "The paper's shallow softmax classifier: a single linear layer, the clearest case of the linear explanation (§3)."},
	{Name: "maxout", InLab: true, Color: "#dc2626",
		What:  "a maxout network in the paper's style: two maxout layers of 240 units × 3 pieces, dropout",
		Blurb: "A maxout network with dropout, the paper's MNIST model (§6)."},
	{Name: "maxout-adv", InLab: true, Color: "#0f766e",
		What:  "the maxout network trained on the adversarial objective (α = 0.5, ε = 0.25)",
		Blurb: "The same maxout network trained on α·J(x) + (1−α)·J(x + ε·sign(∇ₓJ)) with α = 0.5, ε = 0.25 (§6)."},
	{Name: "maxout-noise-sign", Color: "#f97316",
		What: "the maxout network trained on ±ε random-sign noise instead of FGSM examples (α = 0.5, ε = 0.25), §6's control"},
	{Name: "maxout-noise-uniform", Color: "#0284c7",
		What: "the maxout network trained on U(−ε, ε) noise instead of FGSM examples (α = 0.5, ε = 0.25), §6's control"},
	{Name: "rbf", InLab: true, Color: "#2563eb",
		What:  "the paper's shallow RBF network: one RBF unit per class, p_c = exp(−Σ_j β_cj(x_j − w_cj)²)",
		Blurb: "A shallow RBF network: not linear, so it resists FGSM, but it is unsure where it has seen no data (§7)."},
	{Name: "cnn", InLab: true, Color: "#db2777",
		What:  "a small convolutional network: two 5×5 convolution + max-pool blocks (16 and 32 maps), then 128 ReLU units",
		Blurb: "A small convolutional network, what courses train today. Convolutions and ReLUs are linear piece by piece too, so FGSM fools it as well."},
	{Name: "cnn-adv", InLab: true, Color: "#65a30d",
		What:  "the convolutional network trained on the adversarial objective (α = 0.5, ε = 0.25)",
		Blurb: "The same convolutional network trained on α·J(x) + (1−α)·J(x + ε·sign(∇ₓJ)) with α = 0.5, ε = 0.25 (§6)."},
	{Name: "logreg37",
		What: "logistic regression on 3s against 7s (paper Figure 2), 784 → 1"},
	{Name: "logreg37-l1",
		What: "logreg37 trained with L1 weight decay 0.0025·‖w‖₁ added to its cost (§5)"},
	{Name: "logreg37-adv",
		What: "logreg37 trained on the adversarial objective (α = 0.5, ε = 0.25), whose adversarial term is ζ(−y(wᵀx + b) + ε‖w‖₁) (§5)"},
}

// LabModels returns the names of the models the lab's picker offers, the
// default first.
func LabModels() []string {
	var names []string
	for _, m := range Shipped {
		if m.InLab {
			names = append(names, m.Name)
		}
	}
	return names
}

// Lookup returns the shipped model with the given name, and whether there
// is one (the lab also holds models trained in the page).
func Lookup(name string) (Model, bool) {
	for _, m := range Shipped {
		if m.Name == name {
			return m, true
		}
	}
	return Model{}, false
}

// Find returns the shipped model with the given name.
// It panics if there is none.
func Find(name string) Model {
	if m, ok := Lookup(name); ok {
		return m
	}
	panic(fmt.Sprintf("facts: no shipped model %q", name))
}
