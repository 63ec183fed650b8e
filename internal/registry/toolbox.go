package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/piconfig"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/tools"
)

// SessionInfo is what a Toolbox knows about the session it equips.
type SessionInfo struct {
	SessionID string
	ProjectID string
	Cwd       string
	// Settings are the effective settings (global with the project's on top).
	Settings *piconfig.Settings
	// Model returns the session's current model (nil when none).
	Model func() *ai.Model
	// Session is the session being equipped. Its agent starts after
	// Prepare returns, so tools may keep it but use it (Deliver,
	// PublishKept, ...) only from Execute or later; Keep and
	// BranchMessages work at once.
	Session *Session
}

// Workspace is what an agent works with: its tools and system prompt.
// Close, when set, releases what Prepare started; it runs when the session
// is disposed.
type Workspace struct {
	Tools        []agent.Tool
	SystemPrompt string
	Close        func()
	// Data is whatever else the toolbox keeps with the session (skills and
	// templates for the prompt decoder, say); Session.Workspace returns it.
	Data any
	// OnBranchChange, when set, runs after the session moved to another
	// branch (navigate), so state kept in tool results can be rebuilt.
	OnBranchChange func()
}

// Toolbox equips each live session. The resources package replaces the
// default with skills, context files and per-project overrides.
type Toolbox interface {
	Prepare(ctx context.Context, s SessionInfo) (Workspace, error)
}

// NoTools gives sessions no tools and the plain system prompt.
type NoTools struct{}

// Prepare implements Toolbox.
func (NoTools) Prepare(_ context.Context, s SessionInfo) (Workspace, error) {
	return Workspace{SystemPrompt: PlainSystemPrompt(s.Cwd, nil, time.Now())}, nil
}

// BuiltinTools gives every session pi's seven coding tools in its project.
type BuiltinTools struct {
	Launcher *proc.Launcher
	// Mutations serialises writes to one file across sessions; nil gives
	// every session its own queue.
	Mutations *tools.MutationQueue
	// Policy scopes the file tools (sandbox mode); nil allows every path.
	Policy tools.PathPolicy
	// OnWrite returns the hook run after a tool wrote a file in a project
	// (sandbox mode hands the file to the tool user); nil or a nil hook
	// means none.
	OnWrite func(projectRoot string) func(path string) error
}

// Prepare implements Toolbox.
func (b BuiltinTools) Prepare(_ context.Context, s SessionInfo) (Workspace, error) {
	opts := tools.Options{Cwd: s.Cwd, Launcher: b.Launcher, Mutations: b.Mutations, Policy: b.Policy}
	if b.OnWrite != nil {
		opts.OnWrite = b.OnWrite(s.Cwd)
	}
	if s.Settings != nil {
		opts.ShellPath = s.Settings.ShellPath()
		opts.ShellCommandPrefix = s.Settings.ShellCommandPrefix()
		opts.DisableImageResize = !s.Settings.Images().AutoResize
	}
	if s.Model != nil {
		opts.ModelSupportsImages = func() bool {
			m := s.Model()
			return m == nil || len(m.Input) == 0 || slices.Contains(m.Input, "image")
		}
	}
	ts, err := tools.New(nil, opts)
	if err != nil {
		return Workspace{}, fmt.Errorf("registry: tools for %s: %w", s.Cwd, err)
	}
	return Workspace{Tools: ts, SystemPrompt: PlainSystemPrompt(s.Cwd, ts, time.Now())}, nil
}

// PlainSystemPrompt is the system prompt used until the resources package
// builds pi's full one: who the agent is, its tools, where it works.
func PlainSystemPrompt(cwd string, ts []agent.Tool, now time.Time) string {
	var b strings.Builder
	b.WriteString("You are a coding assistant working in the user's project. Read files before changing them, make focused edits, and say briefly what you did.\n")
	if len(ts) > 0 {
		b.WriteString("\nTools available:\n")
		for _, t := range ts {
			spec := t.Spec()
			desc, _, _ := strings.Cut(strings.TrimSpace(spec.Description), "\n")
			fmt.Fprintf(&b, "- %s: %s\n", spec.Name, desc)
		}
	}
	fmt.Fprintf(&b, "\nCurrent date: %s\nCurrent working directory: %s\n", now.Format("2006-01-02"), cwd)
	return b.String()
}
