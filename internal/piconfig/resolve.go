package piconfig

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CommandTimeout bounds a `!command` config value, as in pi.
const CommandTimeout = 10 * time.Second

// CommandRunner runs a `!command` value through a shell and returns its
// standard output; a non-zero exit is an error. env is the child's whole
// environment.
type CommandRunner func(ctx context.Context, command string, env []string) ([]byte, error)

// RunShell is the default CommandRunner: /bin/sh -c in its own process group,
// the whole group killed when ctx ends, stdin empty and stderr discarded.
func RunShell(ctx context.Context, command string, env []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	return cmd.Output()
}

// Resolver turns config values (auth.json "key", models.json "apiKey" and
// header values) into what is sent, the way pi's resolveConfigValue does:
//
//   - "!command": run it; the trimmed stdout is the value. A failure, a
//     timeout or empty output resolves to nothing.
//   - a name that is set in the environment: that variable's value.
//   - anything else: the literal. There is no "$VAR" syntax.
//
// Resolved values are secrets: nothing here logs them.
type Resolver struct {
	env Environ
	run CommandRunner

	mu    sync.Mutex
	cache map[string]*commandResult // pi caches command output for the process lifetime
}

type commandResult struct {
	done  chan struct{}
	value string
	ok    bool
}

// NewResolver returns a resolver over env; run nil means RunShell.
func NewResolver(env Environ, run CommandRunner) *Resolver {
	if run == nil {
		run = RunShell
	}
	return &Resolver{env: env, run: run, cache: map[string]*commandResult{}}
}

// Resolve resolves value, running a command at most once per process (pi's
// behaviour for auth.json keys). It reports false when a command failed,
// timed out or printed nothing.
func (r *Resolver) Resolve(ctx context.Context, value string) (string, bool) {
	command, isCommand := strings.CutPrefix(value, "!")
	if !isCommand {
		return r.lookup(value)
	}
	r.mu.Lock()
	res, found := r.cache[value]
	if !found {
		res = &commandResult{done: make(chan struct{})}
		r.cache[value] = res
	}
	r.mu.Unlock()
	if found {
		select {
		case <-res.done:
			return res.value, res.ok
		case <-ctx.Done():
			return "", false
		}
	}
	res.value, res.ok = r.runCommand(ctx, command)
	if ctx.Err() != nil {
		// Cancelled by the caller, not a verdict on the command: let the
		// next caller run it again.
		r.mu.Lock()
		delete(r.cache, value)
		r.mu.Unlock()
	}
	close(res.done)
	return res.value, res.ok
}

// ResolveFresh resolves value, running a command every time (pi's behaviour
// for models.json values, which are resolved per request).
func (r *Resolver) ResolveFresh(ctx context.Context, value string) (string, bool) {
	if command, isCommand := strings.CutPrefix(value, "!"); isCommand {
		return r.runCommand(ctx, command)
	}
	return r.lookup(value)
}

func (r *Resolver) lookup(value string) (string, bool) {
	if v := r.env.Get(value); v != "" {
		return v, true
	}
	return value, true
}

func (r *Resolver) runCommand(ctx context.Context, command string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()
	out, err := r.run(ctx, command, r.env.List())
	if err != nil {
		return "", false
	}
	v := strings.TrimSpace(string(out))
	return v, v != ""
}
