package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandoffChainModesAndSymlinks(t *testing.T) {
	requireRoot(t)
	l := newLayout(t)
	sb := New(l.options())
	outside := filepath.Join(l.base, "outside.txt")
	mustWrite(t, outside, "x", 0o600)
	mustWrite(t, filepath.Join(l.project, "a", "b", "run.sh"), "#!/bin/sh\n", 0o700)
	mustWrite(t, filepath.Join(l.project, "a", "plain.txt"), "p", 0o600)
	link := filepath.Join(l.project, "a", "link")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a/b/run.sh", "a/plain.txt", "a/link", "a/missing"} {
		if err := sb.Handoff(l.project, filepath.Join(l.project, p)); err != nil {
			t.Fatalf("handoff %s: %v", p, err)
		}
	}
	cases := []struct {
		path string
		perm os.FileMode
	}{
		{l.project, 0o775 | os.ModeSetgid | os.ModeDir},
		{filepath.Join(l.project, "a"), 0o775 | os.ModeSetgid | os.ModeDir},
		{filepath.Join(l.project, "a", "b"), 0o775 | os.ModeSetgid | os.ModeDir},
		{filepath.Join(l.project, "a", "b", "run.sh"), 0o770},
		{filepath.Join(l.project, "a", "plain.txt"), 0o660},
	}
	for _, c := range cases {
		uid, gid, mode := owner(t, c.path)
		if uid != toolUID || gid != os.Getgid() || mode != c.perm {
			t.Errorf("%s: %d:%d %v, want %d:%d %v", c.path, uid, gid, mode, toolUID, os.Getgid(), c.perm)
		}
	}
	if uid, _, _ := owner(t, link); uid != toolUID {
		t.Errorf("symlink owned by %d", uid)
	}
	if uid, gid, mode := owner(t, outside); uid != 0 || gid != 0 || mode.Perm() != 0o600 {
		t.Errorf("the symlink target changed: %d:%d %v", uid, gid, mode)
	}
	// The workspace root is above the chain's root: untouched.
	if uid, _, _ := owner(t, l.workspace); uid != 0 {
		t.Errorf("handoff climbed above the project root")
	}
}

func TestPrepareHandsWorkspaceAndKeepsSecrets(t *testing.T) {
	requireRoot(t)
	l := newLayout(t)
	opts := l.options()
	// A workspace that (unwisely) holds pi-forge's data and pi's config.
	opts.ForgeDataDir = filepath.Join(l.workspace, ".forge")
	opts.PiConfigDir = filepath.Join(l.workspace, ".pi-agent")
	mustWrite(t, filepath.Join(opts.ForgeDataDir, "jwt-secret"), "s", 0o600)
	mustWrite(t, filepath.Join(opts.PiConfigDir, "auth.json"), "{}", 0o600)
	mustWrite(t, filepath.Join(opts.PiConfigDir, "skills", "s", "SKILL.md"), "skill", 0o600)
	mustWrite(t, filepath.Join(l.project, "src", "main.go"), "package main", 0o644)
	outside := filepath.Join(l.base, "elsewhere")
	mustWrite(t, filepath.Join(outside, "f"), "f", 0o600)
	if err := os.Symlink(outside, filepath.Join(l.project, "escape")); err != nil {
		t.Fatal(err)
	}
	opts.ChownPaths = []string{filepath.Join(opts.PiConfigDir, "skills"), l.toolHome}
	sb := New(opts)
	if err := sb.Prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{l.workspace, l.project, filepath.Join(l.project, "src", "main.go"),
		filepath.Join(opts.PiConfigDir, "skills", "s", "SKILL.md"), l.toolHome} {
		if uid, gid, _ := owner(t, p); uid != toolUID || gid != os.Getgid() {
			t.Errorf("%s: owned by %d:%d, want %d:%d", p, uid, gid, toolUID, os.Getgid())
		}
	}
	for _, p := range []string{opts.ForgeDataDir, filepath.Join(opts.ForgeDataDir, "jwt-secret"),
		filepath.Join(opts.PiConfigDir, "auth.json"), filepath.Join(outside, "f"), outside} {
		if uid, _, _ := owner(t, p); uid != 0 {
			t.Errorf("%s was handed to the tool user", p)
		}
	}
}

func TestChownPathsRefusesProtectedPaths(t *testing.T) {
	l := newLayout(t)
	mustWrite(t, filepath.Join(l.piConfig, "auth.json"), "{}", 0o600)
	mustMkdir(t, filepath.Join(l.piConfig, "skills"), 0o755)
	mustMkdir(t, filepath.Join(l.piConfig, "sessions"), 0o755)
	link := filepath.Join(l.project, "to-data")
	if err := os.Symlink(l.forgeData, link); err != nil {
		t.Fatal(err)
	}
	refused := map[string]string{
		l.forgeData:                            "protected",
		filepath.Join(l.piConfig, "auth.json"): "protected",
		l.piConfig:                             "outside the allowed roots",
		filepath.Join(l.piConfig, "sessions"):  "outside the allowed roots",
		"/etc":                                 "outside the allowed roots",
		link:                                   "protected",
		"relative/path":                        "not an absolute path",
		filepath.Join(l.project, "missing"):    "does not exist",
	}
	for p, why := range refused {
		opts := l.options()
		opts.ChownPaths = []string{p}
		_, err := New(opts).ChownTargets()
		if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "allowed roots: "+l.workspace+", "+l.toolHome) {
			t.Errorf("%s: err = %v, want %q and the allowed roots", p, err, why)
		}
	}
	opts := l.options()
	opts.ChownPaths = []string{filepath.Join(l.piConfig, "skills"), l.project, " "}
	got, err := New(opts).ChownTargets()
	if err != nil || len(got) != 2 {
		t.Errorf("allowed paths refused: %v %v", got, err)
	}
}

// A prepared workspace costs one lstat per entry on the next start.
func BenchmarkPrepareAlreadyHanded(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	base := b.TempDir()
	ws := filepath.Join(base, "ws")
	for i := range 50 {
		d := filepath.Join(ws, "p", string(rune('a'+i%26)), "d"+string(rune('a'+i/26)))
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		for j := range 20 {
			if err := os.WriteFile(filepath.Join(d, "f"+string(rune('a'+j))), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	sb := New(Options{Enabled: true, UID: toolUID, GID: toolGID, Home: base, Workspace: ws, PiConfigDir: filepath.Join(base, "cfg"), ForgeDataDir: filepath.Join(base, "data")})
	if err := sb.Prepare(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := sb.Prepare(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// The write hook never hands over the folders of the operator's contract:
// a file directly in PI_CONFIG_DIR goes alone, one under skills/ takes the
// chain from skills/ down.
func TestToolWriteHookOutsideTheWorkspace(t *testing.T) {
	requireRoot(t)
	l := newLayout(t)
	sb := New(l.options())
	hook := sb.ToolWriteHook(l.project)
	top := filepath.Join(l.piConfig, "notes.md")
	skill := filepath.Join(l.piConfig, "skills", "new", "SKILL.md")
	mustWrite(t, top, "n", 0o644)
	mustWrite(t, skill, "s", 0o644)
	for _, p := range []string{top, skill} {
		if err := hook(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{top, skill, filepath.Join(l.piConfig, "skills", "new"), filepath.Join(l.piConfig, "skills")} {
		if uid, _, _ := owner(t, p); uid != toolUID {
			t.Errorf("%s not handed over", p)
		}
	}
	for _, p := range []string{l.piConfig, filepath.Dir(l.piConfig)} {
		if uid, _, _ := owner(t, p); uid != 0 {
			t.Errorf("%s was handed to the tool user", p)
		}
	}
}
