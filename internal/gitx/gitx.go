// Package gitx runs the git CLI for the git panel and clone: prompts
// disabled, output capped, every call cancellable, failures turned into
// typed errors with sanitised messages.
//
// Every public method takes the directory to run in (a project or a
// registered worktree; see Git.Worktree). Non-repositories are not errors
// for the read-only views: they report IsGitRepo false with empty data.
package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/pi-forge/pi-forge/internal/proc"
)

// DefaultMaxOutput caps what one git call may print (stdout and stderr
// each); past it the call fails rather than fill memory.
const DefaultMaxOutput = 16 << 20

// Options configure a Git.
type Options struct {
	Binary    string // default "git"
	MaxOutput int64  // default DefaultMaxOutput
}

// Git runs git commands. It is safe for concurrent use.
type Git struct {
	launcher  *proc.Launcher
	binary    string
	maxOutput int64
}

// New returns a Git that starts every git through l.
func New(l *proc.Launcher, opts Options) *Git {
	g := &Git{launcher: l, binary: opts.Binary, maxOutput: opts.MaxOutput}
	if g.binary == "" {
		g.binary = "git"
	}
	if g.maxOutput <= 0 {
		g.maxOutput = DefaultMaxOutput
	}
	return g
}

// command prepares one git child. Normally git is a server helper (the
// server's environment minus pi-forge's secrets, so credential helpers,
// SSH agents and proxies work). In sandbox mode it runs as the tool
// identity with the scrubbed environment instead: git runs hooks and
// reads config from the repository, which the agent can write, and must
// not do so as the server.
func (g *Git) command(ctx context.Context, dir string, args []string, env map[string]string) (*exec.Cmd, error) {
	kind := proc.KindHelper
	if g.launcher.Sandboxed() {
		kind = proc.KindShell
	}
	return g.launcher.Command(ctx, proc.Spec{Kind: kind, Path: g.binary, Args: args, Dir: dir, Env: env})
}

// hardening overrides repository config that would make git run
// programs or pagers of the repository's choosing, and pins output
// formats the parsers rely on.
var hardening = []string{
	"-c", "core.fsmonitor=false",
	"-c", "core.pager=cat",
	"-c", "core.editor=true",
	"-c", "core.askPass=",
	"-c", "core.quotePath=false",
	"-c", "color.ui=false",
	"-c", "diff.noprefix=false",
	"-c", "log.showSignature=false",
}

// baseEnv disables every prompt: no terminal prompt, no askpass, no
// credential-manager dialog, no editor for merges.
var baseEnv = map[string]string{
	"GIT_TERMINAL_PROMPT": "0",
	"GCM_INTERACTIVE":     "never",
	"GIT_ASKPASS":         "",
	"SSH_ASKPASS":         "",
	"GIT_EDITOR":          "true",
	"GIT_PAGER":           "cat",
	"GIT_MERGE_AUTOEDIT":  "no",
	"LC_ALL":              "C",
}

// call is one git invocation.
type call struct {
	dir    string
	args   []string
	stdin  io.Reader
	env    map[string]string // over baseEnv
	stderr io.Writer         // also receives stderr as it arrives (clone progress)
	// secrets are redacted from every message built from the output.
	secrets []string
}

// result is a finished invocation. exit is git's exit status.
type result struct {
	stdout, stderr []byte
	exit           int
}

// run executes c. A non-zero exit is returned in result.exit, not as an
// error; errors are only for git that could not run or over-long output.
func (g *Git) run(ctx context.Context, c call) (result, error) {
	env := make(map[string]string, len(baseEnv)+len(c.env))
	for k, v := range baseEnv {
		env[k] = v
	}
	for k, v := range c.env {
		env[k] = v
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cmd, err := g.command(ctx, c.dir, append(append([]string{}, hardening...), c.args...), env)
	if err != nil {
		return result{}, &Error{Code: CodeSpawnFailed, Op: op(c.args), Message: "could not start git", Err: err}
	}
	stdout := &capped{max: g.maxOutput, over: cancel}
	stderr := &capped{max: g.maxOutput, over: cancel}
	cmd.Stdin = c.stdin
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	if c.stderr != nil {
		cmd.Stderr = io.MultiWriter(stderr, c.stderr)
	}
	err = cmd.Run()
	res := result{stdout: stdout.buf.Bytes(), stderr: stderr.buf.Bytes()}
	var exitErr *exec.ExitError
	switch {
	case stdout.overflow || stderr.overflow:
		return res, &Error{Code: CodeFailed, Op: op(c.args), Message: fmt.Sprintf("git printed more than %d MiB; refusing to buffer it", g.maxOutput>>20)}
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return res, &Error{Code: CodeFailed, Op: op(c.args), Message: "git was cancelled", Err: context.Cause(ctx)}
	case errors.As(err, &exitErr):
		res.exit = exitErr.ExitCode()
		return res, nil
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) && cmd.Process == nil:
		return res, &Error{Code: CodeNotInstalled, Op: op(c.args), Message: "git is not installed on the server", Err: err}
	}
	return res, &Error{Code: CodeSpawnFailed, Op: op(c.args), Message: "could not run git", Err: err}
}

// git runs c and turns a non-zero exit into an *Error.
func (g *Git) git(ctx context.Context, c call) (result, error) {
	res, err := g.run(ctx, c)
	if err != nil {
		return res, err
	}
	if res.exit != 0 {
		return res, failure(op(c.args), res, c.secrets)
	}
	return res, nil
}

// out runs git in dir and returns its stdout.
func (g *Git) out(ctx context.Context, dir string, args ...string) (string, error) {
	res, err := g.git(ctx, call{dir: dir, args: args})
	return string(res.stdout), err
}

func op(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return "git " + a
		}
	}
	return "git"
}

// capped keeps at most max bytes and reports when more arrived.
type capped struct {
	buf      bytes.Buffer
	max      int64
	overflow bool
	over     context.CancelCauseFunc
}

var errTooMuchOutput = errors.New("git output over the limit")

func (c *capped) Write(p []byte) (int, error) {
	if c.overflow {
		return len(p), nil
	}
	if int64(c.buf.Len()+len(p)) > c.max {
		c.overflow = true
		c.over(errTooMuchOutput)
		return len(p), nil
	}
	return c.buf.Write(p)
}
