package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/proc"
)

// capsHelperEnv makes the test binary run runCapsHelper instead of the
// tests: the parent re-executes it as root with only CHOWN, SETUID, SETGID
// and KILL, as the sandbox compose file runs the server (no DAC_OVERRIDE,
// DAC_READ_SEARCH, FOWNER or FSETID).
const capsHelperEnv = "PI_FORGE_SANDBOX_CAPS_HELPER"

// The handoff order (chown to the server, chmod, chown to the tool user)
// and the setgid directories work for a root server holding only CHOWN,
// SETUID and SETGID: start-up preparation of a workspace the tool user
// locked down, server writes to files the agent's shell created, and
// handoffs of server-created files.
func TestHandoffWithoutDACOverride(t *testing.T) {
	requireRoot(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatal("this test needs setpriv (util-linux)")
	}
	l := newLayout(t)
	// What a tool user with umask 077 left behind.
	locked := filepath.Join(l.project, "locked")
	mustWrite(t, filepath.Join(locked, "inner", "secret-of-tool.txt"), "tool data", 0o600)
	for _, p := range []string{locked, filepath.Join(locked, "inner"), filepath.Join(locked, "inner", "secret-of-tool.txt")} {
		if err := os.Chown(p, toolUID, toolGID); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{locked, filepath.Join(locked, "inner")} {
		if err := os.Chmod(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// A control file outside every handed-off root: without DAC_OVERRIDE
	// the helper must fail to read it, which proves the capability is gone.
	control := filepath.Join(l.toolHome, "control.txt")
	mustWrite(t, control, "control", 0o600)
	if err := os.Chown(control, toolUID, toolGID); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(l.toolHome, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(l.toolHome, toolUID, toolGID); err != nil {
		t.Fatal(err)
	}

	spec, _ := json.Marshal(l)
	// Exactly the capabilities of docker-compose.sandbox.yml.
	cmd := exec.Command(setpriv, "--bounding-set", "-all,+chown,+setuid,+setgid,+kill", "--", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), capsHelperEnv+"="+string(spec))
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "OK\n" {
		t.Fatalf("helper without DAC_OVERRIDE/FOWNER: %v\n%s", err, out)
	}
	uid, gid, mode := owner(t, filepath.Join(locked, "inner", "secret-of-tool.txt"))
	if uid != toolUID || gid != 0 || mode.Perm() != 0o660 {
		t.Errorf("prepared file is %d:%d %v, want %d:0 -rw-rw----", uid, gid, mode, toolUID)
	}
}

// layoutJSON lets the helper receive the parent's layout.
func (l layout) MarshalJSON() ([]byte, error) {
	return json.Marshal([]string{l.base, l.workspace, l.project, l.piConfig, l.forgeData, l.toolHome})
}

func runCapsHelper() int {
	var f []string
	if err := json.Unmarshal([]byte(os.Getenv(capsHelperEnv)), &f); err != nil || len(f) != 6 {
		fmt.Fprintln(os.Stderr, "bad helper spec", err)
		return 2
	}
	l := layout{base: f[0], workspace: f[1], project: f[2], piConfig: f[3], forgeData: f[4], toolHome: f[5]}
	if err := capsScenario(l); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("OK")
	return 0
}

func capsScenario(l layout) error {
	syscall.Umask(0o002) // what the image's entrypoint sets in sandbox mode
	if _, err := os.ReadFile(filepath.Join(l.toolHome, "control.txt")); !errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("control read should fail with EACCES without DAC_OVERRIDE, got %v", err)
	}
	opts := l.options()
	opts.Logger = slog.New(slog.DiscardHandler)
	sb := New(opts)
	if err := sb.Prepare(context.Background()); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	toolFile := filepath.Join(l.project, "locked", "inner", "secret-of-tool.txt")
	if err := os.WriteFile(toolFile, []byte("server rewrote it"), 0o644); err != nil {
		return fmt.Errorf("server write of a prepared tool file: %w", err)
	}
	// The agent's shell creates a folder and a file; the server then edits it.
	launcher, err := proc.New(proc.Config{Sandbox: sb.Identity(), ServerEnv: []string{"PATH=/usr/bin:/bin"}})
	if err != nil {
		return err
	}
	cmd, err := launcher.Command(context.Background(), proc.Spec{Kind: proc.KindAgentBash, Path: "/bin/sh",
		Args: []string{"-c", "mkdir -p made/by/shell && echo '{}' > made/by/shell/package.json && echo x > locked/inner/new.txt"}, Dir: l.project})
	if err != nil {
		return err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tool shell: %v: %s", err, out)
	}
	shellFile := filepath.Join(l.project, "made", "by", "shell", "package.json")
	if err := os.WriteFile(shellFile, []byte(`{"name":"x"}`), 0o644); err != nil {
		return fmt.Errorf("server write of a file the tool shell created: %w", err)
	}
	// locked/inner was the tool group's before preparation: its setgid bit
	// must have survived the chmod of a server outside that group.
	if err := os.WriteFile(filepath.Join(l.project, "locked", "inner", "new.txt"), []byte("y"), 0o644); err != nil {
		return fmt.Errorf("server write of a tool file in a prepared folder: %w", err)
	}
	if err := os.WriteFile(filepath.Join(l.project, "made", "by", "shell", "server.txt"), []byte("x"), 0o644); err != nil {
		return fmt.Errorf("server create in a folder the tool shell created: %w", err)
	}
	// A file the server creates, handed off, then rewritten by the server.
	created := filepath.Join(l.project, "made", "server-new.txt")
	if err := os.WriteFile(created, []byte("v1"), 0o600); err != nil {
		return err
	}
	if err := sb.Handoff(l.project, created); err != nil {
		return fmt.Errorf("handoff: %w", err)
	}
	if err := os.WriteFile(created, []byte("v2"), 0o600); err != nil {
		return fmt.Errorf("server rewrite after handoff: %w", err)
	}
	return abortToolChild(launcher, l.project)
}

// abortToolChild starts a long-running tool child and cancels it: the
// server must be able to kill what runs as the tool user.
func abortToolChild(launcher *proc.Launcher, dir string) error {
	ctx, cancel := context.WithCancel(context.Background())
	cmd, err := launcher.Command(ctx, proc.Spec{Kind: proc.KindShell, Path: "/bin/sleep", Args: []string{"600"}, Dir: dir})
	if err != nil {
		cancel()
		return err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return fmt.Errorf("start tool child: %w", err)
	}
	cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return nil
	case <-time.After(30 * time.Second): // far beyond any kill; the child sleeps 600 s
		return fmt.Errorf("the cancelled tool child %d was not killed", cmd.Process.Pid)
	}
}
