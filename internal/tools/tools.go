// Package tools implements pi's built-in coding tools (read, bash, edit,
// write, grep, find, ls) as agent.Tool values, with pi's parameters,
// truncation limits, notices and error texts.
package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/proc"
)

// Tool names.
const (
	NameRead  = "read"
	NameBash  = "bash"
	NameEdit  = "edit"
	NameWrite = "write"
	NameGrep  = "grep"
	NameFind  = "find"
	NameLs    = "ls"
)

// AllNames lists every built-in tool in pi's order. All are enabled by
// default in pi-forge (pi alone enables only read, bash, edit and write).
var AllNames = []string{NameRead, NameBash, NameEdit, NameWrite, NameGrep, NameFind, NameLs}

// Options configure one set of tools for one working directory.
type Options struct {
	// Cwd is the project directory relative paths resolve against.
	Cwd string
	// Home expands "~" in paths; empty means os.UserHomeDir().
	Home string
	// Launcher spawns bash, rg and fd. Required for bash; grep without it
	// uses the Go searcher.
	Launcher *proc.Launcher
	// Policy scopes file tools (sandbox mode); nil allows every path.
	Policy PathPolicy
	// OnWrite runs after write and edit changed a file (sandbox mode hands
	// ownership to the tool user). May be nil.
	OnWrite func(path string) error
	// Mutations serialises edits and writes of one file across tool sets;
	// nil gives this set its own.
	Mutations *MutationQueue

	// ShellPath is the settings.json shellPath (must exist when set).
	ShellPath string
	// ShellCommandPrefix is prepended to every bash command with a newline.
	ShellCommandPrefix string
	// BinDir is pi's AGENT_DIR/bin: prepended to PATH for bash and searched
	// first for rg.
	BinDir string
	// TempDir receives bash's full-output spill files; empty means
	// os.TempDir().
	TempDir string
	// NoRipgrep forces grep's Go searcher (tests, benchmarks).
	NoRipgrep bool

	// DisableImageResize is the inverse of settings.json images.autoResize
	// (default true): set, read returns images exactly as stored.
	DisableImageResize bool
	// ModelSupportsImages reports whether the current model takes images;
	// nil means it does. read adds pi's note when it does not.
	ModelSupportsImages func() bool
}

// New returns the enabled tools, in pi's order, for the names given (nil
// means all of them). Unknown names are an error.
func New(names []string, opts Options) ([]agent.Tool, error) {
	if names == nil {
		names = AllNames
	}
	if opts.Home == "" {
		opts.Home, _ = os.UserHomeDir()
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	if opts.Mutations == nil {
		opts.Mutations = &MutationQueue{}
	}
	want := map[string]bool{}
	for _, n := range names {
		known := false
		for _, a := range AllNames {
			known = known || a == n
		}
		if !known {
			return nil, fmt.Errorf("tools: unknown tool name %q", n)
		}
		want[n] = true
	}
	b := base{opts: opts}
	var out []agent.Tool
	for _, n := range AllNames {
		if !want[n] {
			continue
		}
		switch n {
		case NameRead:
			out = append(out, &readTool{b})
		case NameBash:
			if opts.Launcher == nil {
				return nil, errors.New("tools: bash needs a process launcher")
			}
			out = append(out, &bashTool{b})
		case NameEdit:
			out = append(out, &editTool{b})
		case NameWrite:
			out = append(out, &writeTool{b})
		case NameGrep:
			out = append(out, &grepTool{b})
		case NameFind:
			out = append(out, &findTool{b})
		case NameLs:
			out = append(out, &lsTool{b})
		}
	}
	return out, nil
}

// PromptInfo is what the system prompt says about a tool: a one-line
// snippet for the tool list and optional guidelines.
type PromptInfo struct {
	Snippet    string
	Guidelines []string
}

// Prompter is implemented by every tool here, for the system prompt builder.
type Prompter interface {
	PromptInfo() PromptInfo
}

// base holds what every tool shares.
type base struct{ opts Options }

// resolve turns a model-supplied path into an absolute one and applies the
// path policy.
func (b base) resolve(p string) (string, error) {
	abs := resolveToCwd(p, b.opts.Cwd, b.opts.Home)
	return abs, b.check(p, abs)
}

// searchDir resolves the optional path argument of find, grep and ls:
// "." when absent, NUL bytes refused, an abort that came first honoured.
func (b base) searchDir(ctx context.Context, raw string) (string, error) {
	if err := aborted(ctx); err != nil {
		return "", err
	}
	if raw == "" {
		raw = "."
	}
	if hasNUL(raw) {
		return "", nulPathError(raw)
	}
	return b.resolve(raw)
}

func (b base) check(raw, abs string) error {
	if b.opts.Policy == nil {
		return nil
	}
	if strings.TrimSpace(raw) == "" {
		return &PathDeniedError{Path: raw, Reason: "empty path"}
	}
	return b.opts.Policy.Check(abs)
}

func (b base) afterWrite(path string) error {
	if b.opts.OnWrite == nil {
		return nil
	}
	return b.opts.OnWrite(path)
}

// errAborted is pi's rejection text when the abort signal fires.
//
//lint:ignore ST1005 pi's exact wording
var errAborted = errors.New("Operation aborted")

func aborted(ctx context.Context) error {
	if ctx.Err() != nil {
		return errAborted
	}
	return nil
}

// walkError is a walk's error as the tools report it: the walk ending
// with the context is an abort.
func walkError(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return errAborted
	}
	return err
}

// decodeArgs unmarshals a tool call's arguments.
func decodeArgs(call agent.ToolCall, v any) error {
	raw := call.Args
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("invalid arguments for tool %q: %w", call.Name, err)
	}
	return nil
}

// intArg truncates a JSON number toward zero, as JavaScript's slice does.
func intArg(f *number, def int) int {
	if f == nil {
		return def
	}
	return int(*f)
}

// number is a numeric argument. Like pi's validator (AJV with coerceTypes)
// it also takes a numeric string, and null counts as absent.
type number float64

func (n *number) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*n = number(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && strings.TrimSpace(s) != "" {
			*n = number(f)
			return nil
		}
	}
	return fmt.Errorf("must be number, got %s", b)
}

// boolArg is a boolean argument that also takes "true"/"false" strings.
type boolArg bool

func (f *boolArg) UnmarshalJSON(b []byte) error {
	switch strings.TrimSpace(string(b)) {
	case "true", `"true"`, "1":
		*f = true
	case "false", `"false"`, "0", "null":
		*f = false
	default:
		return fmt.Errorf("must be boolean, got %s", b)
	}
	return nil
}

func textResult(s string, details any) agent.ToolResult {
	return agent.ToolResult{Content: []ai.Content{ai.TextContent(s)}, Details: details}
}

// MutationQueue serialises file mutations per real path, so an edit and a
// write of the same file (from parallel tool calls) never interleave.
type MutationQueue struct {
	mu    sync.Mutex
	locks map[string]*queueLock
}

type queueLock struct {
	mu   sync.Mutex
	refs int
}

// Do runs fn while holding path's lock.
func (q *MutationQueue) Do(path string, fn func() error) error {
	key := path
	if r, err := filepath.EvalSymlinks(path); err == nil {
		key = r
	}
	q.mu.Lock()
	if q.locks == nil {
		q.locks = map[string]*queueLock{}
	}
	l := q.locks[key]
	if l == nil {
		l = &queueLock{}
		q.locks[key] = l
	}
	l.refs++
	q.mu.Unlock()

	l.mu.Lock()
	defer func() {
		l.mu.Unlock()
		q.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(q.locks, key)
		}
		q.mu.Unlock()
	}()
	return fn()
}

// errorf builds a tool error with pi's exact text.
func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
