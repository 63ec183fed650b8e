package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/proc"
)

//go:embed bash.md
var bashDescription string

const bashSchema = `{"type":"object","required":["command"],"properties":{` +
	`"command":{"type":"string","description":"The bash command to run"},` +
	`"timeout":{"type":"number","description":"Timeout in seconds (optional; no timeout by default)"}}}`

// bashUpdateInterval throttles streamed updates, as pi does.
const bashUpdateInterval = 100 * time.Millisecond

type bashTool struct{ base }

type bashArgs struct {
	Command string  `json:"command"`
	Timeout *number `json:"timeout"`
}

// BashDetails is the details object of a bash result or update.
type BashDetails struct {
	Truncation     *Truncation `json:"truncation,omitempty"`
	FullOutputPath string      `json:"fullOutputPath,omitempty"`
}

func (t *bashTool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: NameBash, Description: strings.TrimSpace(bashDescription), Parameters: json.RawMessage(bashSchema)}
}

func (t *bashTool) PromptInfo() PromptInfo {
	return PromptInfo{Snippet: "Run bash commands (ls, grep, find, etc.)"}
}

// shell picks the shell like pi: shellPath when set (it must exist), else
// /bin/bash, else bash on PATH, else sh.
func (t *bashTool) shell() (string, error) {
	if p := t.opts.ShellPath; p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", errors.New("Custom shell path not found: " + p)
		}
		return p, nil
	}
	if _, err := os.Stat("/bin/bash"); err == nil {
		return "/bin/bash", nil
	}
	if p, err := exec.LookPath("bash"); err == nil {
		return p, nil
	}
	return "sh", nil
}

func (t *bashTool) Execute(ctx context.Context, call agent.ToolCall, onUpdate func(agent.ToolResult)) (agent.ToolResult, error) {
	var args bashArgs
	if err := decodeArgs(call, &args); err != nil {
		return agent.ToolResult{}, err
	}
	command := args.Command
	if t.opts.ShellCommandPrefix != "" {
		command = t.opts.ShellCommandPrefix + "\n" + command
	}
	shell, err := t.shell()
	if err != nil {
		return agent.ToolResult{}, err
	}
	if _, err := os.Stat(t.opts.Cwd); err != nil {
		return agent.ToolResult{}, errors.New("Working directory does not exist: " + t.opts.Cwd + "\nCannot execute bash commands.")
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timedOut atomic.Bool
	if args.Timeout != nil && float64(*args.Timeout) > 0 {
		timer := time.AfterFunc(time.Duration(float64(*args.Timeout)*float64(time.Second)), func() {
			timedOut.Store(true)
			cancel()
		})
		defer timer.Stop()
	}
	spec := proc.Spec{Kind: proc.KindAgentBash, Path: shell, Args: []string{"-c", command}, Dir: t.opts.Cwd}
	if t.opts.BinDir != "" {
		spec.PathPrepend = []string{t.opts.BinDir}
	}
	cmd, err := t.opts.Launcher.Command(runCtx, spec)
	if err != nil {
		return agent.ToolResult{}, err
	}
	out := &bashStream{acc: newOutputAccumulator(t.opts.TempDir, "pi-bash"), onUpdate: onUpdate}
	cmd.Stdout, cmd.Stderr = out, out // one pipe: stdout and stderr stay in arrival order
	onUpdate(agent.ToolResult{Content: []ai.Content{}})
	runErr := cmd.Run()
	text, details := out.finish()
	if cmd.ProcessState == nil && runErr != nil { // never started
		return agent.ToolResult{}, runErr
	}
	status := ""
	switch {
	case ctx.Err() != nil:
		status = "Command aborted"
	case timedOut.Load():
		status = "Command timed out after " + fmtNum(args.Timeout) + " seconds"
	}
	if status != "" {
		if text != "" {
			status = text + "\n\n" + status
		}
		return agent.ToolResult{}, errors.New(status)
	}
	if text == "" {
		text = "(no output)"
	}
	// A signal death has no exit code; pi treats it (code null) as success.
	if ws := cmd.ProcessState; ws.Exited() && ws.ExitCode() != 0 {
		return agent.ToolResult{}, errors.New(text + "\n\nCommand exited with code " + strconv.Itoa(ws.ExitCode()))
	}
	var d any
	if details != nil {
		d = *details
	}
	return textResult(text, d), nil
}

// bashStream receives the child's merged output and streams throttled
// snapshots of the accumulated tail to onUpdate.
type bashStream struct {
	mu       sync.Mutex
	acc      *outputAccumulator
	onUpdate func(agent.ToolResult)
	last     time.Time
	dirty    bool
	timer    *time.Timer
	done     bool
}

func (s *bashStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acc.append(p)
	s.dirty = true
	if wait := bashUpdateInterval - time.Since(s.last); wait <= 0 {
		s.stopTimer()
		s.emit()
	} else if s.timer == nil {
		s.timer = time.AfterFunc(wait, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.timer = nil
			if !s.done {
				s.emit()
			}
		})
	}
	return len(p), nil
}

func (s *bashStream) stopTimer() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

// emit sends the current snapshot; the caller holds mu.
func (s *bashStream) emit() {
	if !s.dirty {
		return
	}
	s.dirty = false
	s.last = time.Now()
	tr, path := s.acc.snapshot(true)
	d := BashDetails{FullOutputPath: path}
	if tr.Truncated {
		d.Truncation = &tr
	}
	s.onUpdate(agent.ToolResult{Content: []ai.Content{ai.TextContent(tr.Content)}, Details: d})
}

// finish flushes the last update and returns the final text with pi's
// truncation notice, plus details when the output was truncated.
func (s *bashStream) finish() (string, *BashDetails) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acc.finish()
	s.stopTimer()
	s.emit()
	s.done = true
	tr, path := s.acc.snapshot(true)
	_ = s.acc.close()
	text := tr.Content
	if !tr.Truncated {
		return text, nil
	}
	start := tr.TotalLines - tr.OutputLines + 1
	end := strconv.Itoa(tr.TotalLines)
	switch {
	case tr.LastLinePartial:
		text += "\n\n[Showing last " + FormatSize(tr.OutputBytes) + " of line " + end + " (line is " + FormatSize(s.acc.currentLineBytes) + "). Full output: " + path + "]"
	case *tr.TruncatedBy == "lines":
		text += "\n\n[Showing lines " + strconv.Itoa(start) + "-" + end + " of " + end + ". Full output: " + path + "]"
	default:
		text += "\n\n[Showing lines " + strconv.Itoa(start) + "-" + end + " of " + end + " (" + FormatSize(DefaultMaxBytes) + " limit). Full output: " + path + "]"
	}
	return text, &BashDetails{Truncation: &tr, FullOutputPath: path}
}
