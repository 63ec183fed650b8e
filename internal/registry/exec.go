package registry

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/proc"
)

// Exec limits: a `!` command gets 30 s and its output keeps the last
// 2000 lines or 50 KiB, whichever is smaller (pi's bash limits).
const (
	ExecTimeout   = 30 * time.Second
	execMaxBytes  = 50 << 10
	execMaxLines  = 2000
	execMaxBuffer = 4 * execMaxBytes
)

// ExecResult is POST /exec's answer.
type ExecResult struct {
	ExitCode   *int
	Output     string
	DurationMs int64
	Truncated  bool
	Cancelled  bool
}

// Exec runs a user's shell command (`!cmd`) in the project with the
// scrubbed shell environment, then records it in the session as a
// bashExecution message; excludeFromContext keeps it from the model (`!!`).
// While a run is in progress the message is added when the run ends.
func (s *Session) Exec(ctx context.Context, command string, excludeFromContext bool) (ExecResult, error) {
	l := s.reg.opts.Launcher
	if l == nil {
		return ExecResult{}, ErrExecUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, ExecTimeout)
	defer cancel()
	shell := "/bin/sh"
	if p, err := exec.LookPath("bash"); err == nil {
		shell = p
	}
	cmd, err := l.Command(ctx, proc.Spec{Kind: proc.KindShell, Path: shell, Args: []string{"-c", command}, Dir: s.cwd})
	if err != nil {
		return ExecResult{}, err
	}
	out := &tailBuffer{max: execMaxBuffer}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	runErr := cmd.Run()
	res := ExecResult{DurationMs: time.Since(start).Milliseconds()}
	res.Output, res.Truncated = out.result()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.Cancelled = true
	case runErr == nil:
		code := 0
		res.ExitCode = &code
	case errors.As(runErr, &exitErr) && exitErr.ExitCode() >= 0:
		code := exitErr.ExitCode()
		res.ExitCode = &code
	case errors.As(runErr, &exitErr):
		res.Cancelled = true // killed by a signal
	default:
		return ExecResult{}, runErr
	}
	s.recordBash(ai.Message{Role: ai.RoleBashExecution, Command: command, Output: res.Output, ExitCode: res.ExitCode,
		Cancelled: res.Cancelled, Truncated: res.Truncated, ExcludeFromContext: excludeFromContext,
		Timestamp: s.reg.opts.Now().UnixMilli()})
	return res, nil
}

// recordBash adds a bashExecution message to the context and the file now
// when the agent is idle, else when its run ends (pi defers it the same
// way so it never lands in the middle of a turn).
func (s *Session) recordBash(m ai.Message) {
	s.mu.Lock()
	s.pendingBash = append(s.pendingBash, m)
	s.mu.Unlock()
	s.opMu.Lock()
	defer s.opMu.Unlock()
	if !s.agent.State().IsStreaming {
		s.flushBash()
	}
}

// flushBash moves deferred bashExecution messages into the context and the
// file. The caller holds opMu and the agent is idle.
func (s *Session) flushBash() {
	s.mu.Lock()
	pending := s.pendingBash
	s.pendingBash = nil
	s.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	msgs := append(s.agent.Messages(), pending...)
	if err := s.agent.SetMessages(msgs); err != nil {
		s.mu.Lock()
		s.pendingBash = append(pending, s.pendingBash...)
		s.mu.Unlock()
		return
	}
	for _, m := range pending {
		s.appendEntry(s.file.AppendMessage(m))
	}
}

// flushAfterRun waits for the run that just ended and flushes; a new run
// started meanwhile leaves the messages for its own end.
func (s *Session) flushAfterRun() {
	defer s.bg.Done()
	if err := s.agent.WaitIdle(context.Background()); err != nil || s.isClosed() {
		return
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	if !s.isClosed() && !s.agent.State().IsStreaming {
		s.flushBash()
	}
}

// tailBuffer keeps the last bytes written to it.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.dropped = true
	}
	return len(p), nil
}

// result is the output cut to the last 2000 lines and 50 KiB, on a line
// (or at least a character) boundary, and whether anything was cut.
func (t *tailBuffer) result() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out, cut := string(t.buf), t.dropped
	body, nl := strings.CutSuffix(out, "\n")
	if lines := strings.Split(body, "\n"); len(lines) > execMaxLines {
		out, cut = strings.Join(lines[len(lines)-execMaxLines:], "\n"), true
		if nl {
			out += "\n"
		}
	}
	if len(out) > execMaxBytes {
		out, cut = out[len(out)-execMaxBytes:], true
		if i := strings.IndexByte(out, '\n'); i >= 0 && i < len(out)-1 {
			out = out[i+1:]
		}
	}
	for len(out) > 0 && !utf8.RuneStart(out[0]) {
		out = out[1:]
	}
	return out, cut
}
