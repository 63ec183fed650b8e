// Package sandbox runs the agent tool sandbox (AGENT_TOOL_SANDBOX_ENABLED):
// it says which identity, environment and path policy tool children get,
// hands files the server creates to the tool identity, prepares the
// workspace at start-up, and stores the tool environment users set in
// Settings → Sandbox.
package sandbox

import (
	"log/slog"
	"os"
	"path/filepath"

	"github.com/pi-forge/pi-forge/internal/config"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/tools"
	"github.com/pi-forge/pi-forge/internal/workspace"
)

// ToolUser is USER and LOGNAME of sandboxed children.
const ToolUser = "pi-tools"

// Options describe the sandbox; FromConfig fills them from the server's
// configuration.
type Options struct {
	Enabled bool
	UID     int    // AGENT_TOOL_UID
	GID     int    // AGENT_TOOL_GID
	Home    string // AGENT_TOOL_HOME

	Workspace    string // WORKSPACE_PATH
	PiConfigDir  string // PI_CONFIG_DIR
	ForgeDataDir string // FORGE_DATA_DIR
	// ServerHome is the server user's home: its ~/.ssh, ~/.aws, ~/.kube and
	// ~/.gnupg are closed to the file tools.
	ServerHome string
	// ChownPaths are AGENT_TOOL_SANDBOX_CHOWN_PATHS.
	ChownPaths []string

	Logger *slog.Logger
}

// FromConfig returns the sandbox options of cfg.
func FromConfig(cfg *config.Config, log *slog.Logger) Options {
	home, _ := os.UserHomeDir()
	return Options{
		Enabled:      cfg.AgentToolSandboxEnabled,
		UID:          cfg.AgentToolUID,
		GID:          cfg.AgentToolGID,
		Home:         cfg.AgentToolHome,
		Workspace:    cfg.WorkspacePath,
		PiConfigDir:  cfg.PiConfigDir,
		ForgeDataDir: cfg.ForgeDataDir,
		ServerHome:   home,
		ChownPaths:   cfg.AgentToolSandboxChownPaths,
		Logger:       log,
	}
}

// Sandbox is the sandbox of one server. With Enabled false every method is
// a no-op or returns nil, so callers need no branches.
type Sandbox struct {
	opts      Options
	serverUID int
	serverGID int
	log       *slog.Logger
}

// New returns the sandbox for opts. The server's own uid and gid are the
// process's.
func New(opts Options) *Sandbox {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, p := range []*string{&opts.Workspace, &opts.PiConfigDir, &opts.ForgeDataDir, &opts.Home} {
		if *p != "" {
			*p = filepath.Clean(*p)
		}
	}
	return &Sandbox{opts: opts, serverUID: os.Getuid(), serverGID: os.Getgid(), log: log}
}

// Enabled reports whether the sandbox is on.
func (s *Sandbox) Enabled() bool { return s.opts.Enabled }

// UID, GID and Home are the tool identity (meaningful when Enabled).
func (s *Sandbox) UID() int { return s.opts.UID }

// GID is the tool group.
func (s *Sandbox) GID() int { return s.opts.GID }

// Home is the tool children's HOME.
func (s *Sandbox) Home() string { return s.opts.Home }

// Identity is what proc.Config.Sandbox takes: the tool identity, or nil
// when the sandbox is off.
func (s *Sandbox) Identity() *proc.Identity {
	if !s.opts.Enabled {
		return nil
	}
	return &proc.Identity{UID: uint32(s.opts.UID), GID: uint32(s.opts.GID), Home: s.opts.Home, User: ToolUser}
}

// Policy is the path policy of the file tools and of @file references: the
// sandbox scope when on, nil (everything allowed) when off.
func (s *Sandbox) Policy() tools.PathPolicy {
	if !s.opts.Enabled {
		return nil
	}
	return &tools.SandboxPolicy{
		Workspace:    s.opts.Workspace,
		PiConfigDir:  s.opts.PiConfigDir,
		ForgeDataDir: s.opts.ForgeDataDir,
		Home:         s.opts.ServerHome,
	}
}

// WorkspaceHandoff is workspace.Options.Handoff: nil when the sandbox is off.
func (s *Sandbox) WorkspaceHandoff() workspace.Handoff {
	if !s.opts.Enabled {
		return nil
	}
	return s.Handoff
}

// ToolWriteHook is tools.Options.OnWrite for a tool set working in
// projectRoot: nil when the sandbox is off. A written path inside the
// project gets the parent chain from the project root; elsewhere in the
// workspace the chain starts at the workspace; under a folder the tool user
// may own (AGENT_TOOL_HOME, PI_CONFIG_DIR/skills and the other ChownSubdirs)
// it starts at that folder; anywhere else (a file directly in
// PI_CONFIG_DIR) only the path itself is handed off, so the folders of the
// operator's contract keep their owners.
func (s *Sandbox) ToolWriteHook(projectRoot string) func(path string) error {
	if !s.opts.Enabled {
		return nil
	}
	return func(path string) error {
		root := ""
		switch {
		case projectRoot != "" && inside(path, projectRoot):
			root = projectRoot
		case s.opts.Workspace != "" && inside(path, s.opts.Workspace):
			root = s.opts.Workspace
		default:
			for _, r := range s.allowedChownRoots()[1:] { // [0] is the workspace
				if r != "" && inside(path, r) {
					root = r
					break
				}
			}
		}
		return s.Handoff(root, path)
	}
}

// inside reports whether p is root or below it, lexically.
func inside(p, root string) bool {
	p, root = filepath.Clean(p), filepath.Clean(root)
	if p == root {
		return true
	}
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && !hasDotDotPrefix(rel)
}

func hasDotDotPrefix(rel string) bool {
	return len(rel) >= 3 && rel[:3] == ".."+string(filepath.Separator)
}
