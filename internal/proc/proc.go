// Package proc is the one place where pi-forge creates child processes: it
// builds each child's environment (scrubbed allowlist, full server env or
// server env minus pi-forge's secrets), applies the optional sandbox identity,
// puts the child in its own process group or session, and kills the child
// together with every descendant it can find when the caller's context ends.
package proc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Kind says what a child is for; it decides the environment and identity.
type Kind int

const (
	// KindShell is a shell-like child a person or the model drives: the
	// terminal, `!` exec, quick actions and the process tool. It always gets
	// the allowlist environment and, in sandbox mode, the tool identity.
	KindShell Kind = iota
	// KindAgentBash is the agent's bash tool. With the sandbox off it
	// inherits the full server environment, as the reference does; with the
	// sandbox on it is treated like KindShell.
	KindAgentBash
	// KindHelper is a program the server runs for itself (git, rg). It gets
	// the server environment minus pi-forge's own secrets and never the
	// sandbox identity.
	KindHelper
	// KindMCP is a stdio MCP server. It gets the allowlist environment
	// only (no passthrough names, no sandbox toolEnv: its own env comes
	// from its config through Spec.Env) and, in sandbox mode, the tool
	// identity: it serves the agent and must not read pi-forge's state.
	KindMCP
)

func (k Kind) String() string {
	switch k {
	case KindShell:
		return "shell"
	case KindAgentBash:
		return "agent-bash"
	case KindHelper:
		return "helper"
	case KindMCP:
		return "mcp"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Identity is the sandbox identity tool children run as.
type Identity struct {
	UID  uint32
	GID  uint32
	Home string // HOME of the children (AGENT_TOOL_HOME)
	User string // USER and LOGNAME of the children; "pi-tools" when empty
}

// DefaultHelperSecrets are the server environment variables never handed to
// helper children: pi-forge's own credentials.
var DefaultHelperSecrets = []string{
	"API_KEY", "UI_PASSWORD", "JWT_SECRET", "LDAP_BIND_PASSWORD",
}

// Config is everything a Launcher needs, passed in explicitly so tests (and
// the server) decide what the children see.
type Config struct {
	// Sandbox is the identity of tool children; nil when the sandbox is off.
	Sandbox *Identity
	// PassthroughEnv names extra variables (TERMINAL_PASSTHROUGH_ENV) copied
	// from the server environment into scrubbed children.
	PassthroughEnv []string
	// ToolEnv returns the sandbox settings' toolEnv, merged last into shell
	// and agent-bash children (in any mode). May be nil.
	ToolEnv func() map[string]string
	// ServerEnv is the server's environment (os.Environ() in production).
	ServerEnv []string
	// HelperSecrets are removed from helper children's environment;
	// nil means DefaultHelperSecrets.
	HelperSecrets []string
	// KillGrace is how long a cancelled child gets between SIGTERM and
	// SIGKILL; zero kills at once with SIGKILL, as pi's bash tool does.
	KillGrace time.Duration
}

// Launcher prepares every child process of the server.
type Launcher struct {
	cfg Config
	id  string // prefix of every spawn marker, so Shutdown finds only ours
}

// New returns a Launcher for cfg.
func New(cfg Config) (*Launcher, error) {
	if cfg.Sandbox != nil && cfg.Sandbox.Home == "" {
		return nil, errors.New("proc: sandbox identity needs a home directory")
	}
	if cfg.HelperSecrets == nil {
		cfg.HelperSecrets = DefaultHelperSecrets
	}
	return &Launcher{cfg: cfg, id: randomHex(6)}, nil
}

// Sandboxed reports whether tool children run as the sandbox identity.
func (l *Launcher) Sandboxed() bool { return l.cfg.Sandbox != nil }

// Spec describes one child.
type Spec struct {
	Kind Kind
	Path string   // program; looked up in the server's PATH when it has no slash
	Args []string // arguments after the program name
	Dir  string   // working directory
	// Env is set last, over whatever the kind's policy produced (e.g. TERM
	// for a terminal, GIT_TERMINAL_PROMPT=0 for git).
	Env map[string]string
	// PathPrepend are directories put in front of PATH (pi's AGENT_DIR/bin).
	PathPrepend []string
	// Terminal makes the child a session leader (Setsid) instead of a
	// process-group leader, so a PTY can become its controlling terminal
	// (creack/pty sets Setctty). Killing works the same: the session leader
	// is also its group's leader.
	Terminal bool
	// KillGrace overrides Config.KillGrace for this child when non-zero.
	KillGrace time.Duration
	// WaitDelay bounds how long Wait keeps reading output after the child
	// exited while descendants still hold its pipes; zero means 100ms, as
	// pi gives a detached child's stdio.
	WaitDelay time.Duration
}

// MarkerEnv is the variable every child carries so that descendants which
// left its process group (setsid, double fork) can still be found and
// killed. Its value is "<launcher id>.<spawn id>".
const MarkerEnv = "PI_FORGE_SPAWN"

const defaultWaitDelay = 100 * time.Millisecond

// Command returns a prepared, unstarted command for spec. When ctx ends
// before the command has been waited for, the child's process group and
// every descendant found by the sweep (see kill.go) are killed. The caller
// sets Stdin/Stdout/Stderr (or hands the command to creack/pty) and starts it.
func (l *Launcher) Command(ctx context.Context, spec Spec) (*exec.Cmd, error) {
	if spec.Path == "" {
		return nil, errors.New("proc: empty program path")
	}
	marker := l.id + "." + randomHex(8)
	env, err := l.environment(spec, marker)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, spec.Path, spec.Args...)
	cmd.Dir = spec.Dir
	cmd.Env = env
	cmd.SysProcAttr = l.sysProcAttr(spec)
	grace := spec.KillGrace
	if grace == 0 {
		grace = l.cfg.KillGrace
	}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		terminate(cmd.Process.Pid, marker, grace)
		return nil
	}
	cmd.WaitDelay = spec.WaitDelay
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = defaultWaitDelay
	}
	return cmd, nil
}

// Kill kills a started command's process group and its descendants now,
// whether or not the command itself is still running (a terminal closing
// after its shell exited still takes down what the shell left behind).
func (l *Launcher) Kill(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	marker := markerOf(cmd.Env)
	terminate(cmd.Process.Pid, marker, 0)
}

// Shutdown kills every live descendant of the server that carries this
// launcher's marker or descends from the server process. Call it when the
// server stops.
func (l *Launcher) Shutdown() {
	self := os.Getpid()
	freezeAndKill(0, func(p procInfo, t *tree) bool {
		return t.descendsFrom(p.pid, self) || hasMarker(p.environ(), l.id+".", true)
	})
}

func (l *Launcher) sysProcAttr(spec Spec) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if spec.Terminal {
		attr.Setsid = true
	} else {
		attr.Setpgid = true
	}
	if id := l.cfg.Sandbox; id != nil && spec.Kind != KindHelper {
		// An empty supplementary group list: the tool user must not keep
		// root's groups.
		attr.Credential = &syscall.Credential{Uid: id.UID, Gid: id.GID, Groups: []uint32{}}
	}
	return attr
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it aborts the program instead)
	return hex.EncodeToString(b)
}
