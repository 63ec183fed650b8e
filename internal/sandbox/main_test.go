package sandbox

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/tools"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(capsHelperEnv) != "" {
		os.Exit(runCapsHelper())
	}
	goleak.VerifyTestMain(m)
}

const toolUID, toolGID = 1001, 1001

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test switches identity and changes owners: it must run as root (as CI does)")
	}
}

// layout is a server's directories under one world-traversable temp dir.
type layout struct {
	base, workspace, project, piConfig, forgeData, toolHome string
}

func newLayout(t *testing.T) layout {
	t.Helper()
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l := layout{
		base:      base,
		workspace: filepath.Join(base, "workspace"),
		project:   filepath.Join(base, "workspace", "app"),
		piConfig:  filepath.Join(base, "home", ".pi", "agent"),
		forgeData: filepath.Join(base, "home", ".pi-forge"),
		toolHome:  filepath.Join(base, "tools-home"),
	}
	for _, d := range []string{l.project, l.piConfig, l.forgeData, l.toolHome} {
		mustMkdir(t, d, 0o755)
	}
	return l
}

func (l layout) options() Options {
	return Options{
		Enabled: true, UID: toolUID, GID: toolGID, Home: l.toolHome,
		Workspace: l.workspace, PiConfigDir: l.piConfig, ForgeDataDir: l.forgeData,
		ServerHome: filepath.Join(l.base, "home"),
		Logger:     slog.New(slog.DiscardHandler),
	}
}

func mustMkdir(t *testing.T, d string, mode fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(d, mode); err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, p, content string, mode fs.FileMode) {
	t.Helper()
	mustMkdir(t, filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// owner returns uid, gid and mode of p without following a symlink.
func owner(t *testing.T, p string) (int, int, fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid), fi.Mode()
}

func newLauncher(t *testing.T, sb *Sandbox, store *Store) *proc.Launcher {
	t.Helper()
	cfg := proc.Config{
		Sandbox:   sb.Identity(),
		ServerEnv: []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "USER=root", "JWT_SECRET=do-not-leak", "ANTHROPIC_API_KEY=sk-do-not-leak"},
	}
	if store != nil {
		cfg.ToolEnv = store.ToolEnv
	}
	l, err := proc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// toolSet builds the seven tools for the project the way the server wires
// them: the sandbox's launcher, path policy and write hook.
func toolSet(t *testing.T, l layout, sb *Sandbox, store *Store) map[string]agent.Tool {
	t.Helper()
	list, err := tools.New(nil, tools.Options{
		Cwd:       l.project,
		Home:      filepath.Join(l.base, "home"),
		Launcher:  newLauncher(t, sb, store),
		Policy:    sb.Policy(),
		OnWrite:   sb.ToolWriteHook(l.project),
		TempDir:   t.TempDir(),
		NoRipgrep: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]agent.Tool{}
	for _, tool := range list {
		out[tool.Spec().Name] = tool
	}
	return out
}

// call runs one tool and returns its text (or the error text).
func call(t *testing.T, set map[string]agent.Tool, name string, args map[string]any) (string, error) {
	t.Helper()
	raw, _ := json.Marshal(args)
	res, err := set[name].Execute(context.Background(), agent.ToolCall{ID: "c1", Name: name, Args: raw}, func(agent.ToolResult) {})
	if err != nil {
		return err.Error(), err
	}
	var b strings.Builder
	for _, c := range res.Content {
		b.WriteString(c.Text)
	}
	return b.String(), nil
}
