package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The agent's bash runs as the tool identity with the scrubbed
// environment: it cannot read a 0600 root file such as the JWT secret,
// and files it creates belong to the tool user.
func TestBashToolRunsAsToolUser(t *testing.T) {
	requireRoot(t)
	l := newLayout(t)
	sb := New(l.options())
	mustWrite(t, filepath.Join(l.forgeData, "jwt-secret"), "s3cret", 0o600)
	if err := sb.Prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	set := toolSet(t, l, sb, nil)
	out, err := call(t, set, "bash", map[string]any{"command": "id -u; id -g; id -G; echo HOME=$HOME USER=$USER; env | grep -c -e JWT_SECRET -e ANTHROPIC || true; " +
		"cat " + filepath.Join(l.forgeData, "jwt-secret") + " 2>/dev/null || echo DENIED; touch made-by-bash"})
	if err != nil {
		t.Fatalf("bash: %v: %s", err, out)
	}
	want := "1001\n1001\n1001\nHOME=" + l.toolHome + " USER=pi-tools\n0\nDENIED\n"
	if out != want {
		t.Errorf("bash output:\n%s\nwant:\n%s", out, want)
	}
	if uid, _, _ := owner(t, filepath.Join(l.project, "made-by-bash")); uid != toolUID {
		t.Errorf("file made by bash owned by %d, want %d", uid, toolUID)
	}
}

// Files the write and edit tools create are handed to the tool user, the
// directories they created on the way too, so the agent's shell can change
// them afterwards.
func TestWriteToolHandsFilesToToolUser(t *testing.T) {
	requireRoot(t)
	l := newLayout(t)
	sb := New(l.options())
	if err := sb.Prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	set := toolSet(t, l, sb, nil)
	if out, err := call(t, set, "write", map[string]any{"path": "src/deep/main.go", "content": "package main\n"}); err != nil {
		t.Fatalf("write: %s", out)
	}
	for _, p := range []string{"src", "src/deep", "src/deep/main.go"} {
		uid, gid, mode := owner(t, filepath.Join(l.project, p))
		if uid != toolUID || gid != os.Getgid() {
			t.Errorf("%s owned by %d:%d, want %d:%d", p, uid, gid, toolUID, os.Getgid())
		}
		if mode.Perm()&0o060 != 0o060 {
			t.Errorf("%s mode %v lacks g+rw", p, mode)
		}
	}
	if out, err := call(t, set, "bash", map[string]any{"command": "echo '// more' >> src/deep/main.go && cat src/deep/main.go"}); err != nil || out != "package main\n// more\n" {
		t.Errorf("bash could not change the written file: %v: %q", err, out)
	}
	if out, err := call(t, set, "edit", map[string]any{"path": "src/deep/main.go", "edits": []map[string]string{{"oldText": "// more", "newText": "// edited"}}}); err != nil {
		t.Fatalf("edit: %s", out)
	}
	if uid, _, _ := owner(t, filepath.Join(l.project, "src/deep/main.go")); uid != toolUID {
		t.Errorf("edited file owned by %d", uid)
	}
}

// The file tools are scoped: the workspace (sibling projects included) and
// non-secret pi resources are open; pi's secret files, pi-forge's data,
// system paths, credential folders and symlinks leading there are not.
func TestFileToolsArePathScoped(t *testing.T) {
	requireRoot(t)
	l := newLayout(t)
	sb := New(l.options())
	mustWrite(t, filepath.Join(l.forgeData, "jwt-secret"), "s3cret", 0o600)
	mustWrite(t, filepath.Join(l.piConfig, "auth.json"), `{"anthropic":{"type":"api_key","key":"sk"}}`, 0o600)
	mustWrite(t, filepath.Join(l.piConfig, "skills", "demo", "SKILL.md"), "skill body", 0o644)
	mustWrite(t, filepath.Join(l.base, "home", ".ssh", "id_ed25519"), "PRIVATE", 0o600)
	mustWrite(t, filepath.Join(l.workspace, "other", "notes.md"), "sibling", 0o644)
	mustWrite(t, filepath.Join(l.project, "README.md"), "hello", 0o644)
	for name, target := range map[string]string{
		"secret-link": filepath.Join(l.forgeData, "jwt-secret"),
		"auth-link":   filepath.Join(l.piConfig, "auth.json"),
		"etc-link":    "/etc",
		"dir-link":    l.forgeData,
	} {
		if err := os.Symlink(target, filepath.Join(l.project, name)); err != nil {
			t.Fatal(err)
		}
	}
	set := toolSet(t, l, sb, nil)
	allowed := map[string]string{
		"README.md":         "hello",
		"../other/notes.md": "sibling",
		filepath.Join(l.piConfig, "skills", "demo", "SKILL.md"): "skill body",
	}
	for p, want := range allowed {
		if out, err := call(t, set, "read", map[string]any{"path": p}); err != nil || !strings.Contains(out, want) {
			t.Errorf("read %s: %v %q", p, err, out)
		}
	}
	denied := []string{
		filepath.Join(l.forgeData, "jwt-secret"),
		filepath.Join(l.piConfig, "auth.json"),
		filepath.Join(l.piConfig, "models.json"),
		"/proc/self/environ", "/etc/passwd", "/run/secrets/token",
		"~/.ssh/id_ed25519",
		"secret-link", "auth-link", "etc-link/passwd", "dir-link/jwt-secret",
		"/tmp/outside",
		" ",
	}
	for _, p := range denied {
		out, err := call(t, set, "read", map[string]any{"path": p})
		if err == nil || !strings.HasPrefix(out, "agent_tool_path_denied: ") {
			t.Errorf("read %q was not denied: %q", p, out)
		}
	}
	for _, p := range []string{"dir-link/new-file", filepath.Join(l.piConfig, "settings.json")} {
		if out, err := call(t, set, "write", map[string]any{"path": p, "content": "x"}); err == nil {
			t.Errorf("write %s was allowed: %s", p, out)
		}
	}
	if _, err := os.Stat(filepath.Join(l.forgeData, "new-file")); err == nil {
		t.Error("a write through a symlink reached FORGE_DATA_DIR")
	}
	out, _ := call(t, set, "find", map[string]any{"pattern": "*", "path": "."})
	if strings.Contains(out, "jwt-secret") {
		t.Errorf("find listed through a denied symlink: %q", out)
	}
}

// With the sandbox off nothing changes: no identity, no policy, no hooks.
func TestDisabledSandboxIsInert(t *testing.T) {
	l := newLayout(t)
	opts := l.options()
	opts.Enabled = false
	opts.ChownPaths = []string{"/etc"}
	sb := New(opts)
	if sb.Identity() != nil || sb.Policy() != nil || sb.WorkspaceHandoff() != nil || sb.ToolWriteHook(l.project) != nil {
		t.Error("a disabled sandbox must give no identity, policy or hooks")
	}
	if err := sb.Prepare(t.Context()); err != nil {
		t.Errorf("CHOWN_PATHS with the sandbox off must only warn: %v", err)
	}
	if err := sb.Handoff(l.workspace, l.project); err != nil {
		t.Error(err)
	}
}
