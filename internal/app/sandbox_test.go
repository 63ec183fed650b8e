package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/app"
	"github.com/pi-forge/pi-forge/internal/config"
	"github.com/pi-forge/pi-forge/internal/proc"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("sandbox mode needs root (as CI runs)")
	}
}

// Start-up refuses a CHOWN_PATHS entry outside the allowed roots and says
// which roots are allowed.
func TestSandboxStartupRefusesProtectedChownPath(t *testing.T) {
	requireRoot(t)
	home := t.TempDir()
	data := filepath.Join(home, "forge")
	res, err := config.Parse(nil, config.MapEnv(map[string]string{
		"HOME": home, "WORKSPACE_PATH": filepath.Join(home, "ws"), "FORGE_DATA_DIR": data, "PI_CONFIG_DIR": filepath.Join(home, "agent"),
		"AGENT_TOOL_SANDBOX_ENABLED": "true", "AGENT_TOOL_UID": "1001", "AGENT_TOOL_GID": "1001",
		"AGENT_TOOL_SANDBOX_CHOWN_PATHS": data,
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = app.New(res.Config, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "allowed roots: "+filepath.Join(home, "ws")) {
		t.Fatalf("start-up error = %v", err)
	}
	if fi, err := os.Stat(data); err != nil || fi.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Fatal("FORGE_DATA_DIR changed owner")
	}
}

// In sandbox mode the app's launcher starts tool children as the tool
// user, and the workspace was handed to it before the server listened.
func TestSandboxModeWiring(t *testing.T) {
	requireRoot(t)
	e := apitest.Start(t, map[string]string{
		"AGENT_TOOL_SANDBOX_ENABLED": "true", "AGENT_TOOL_UID": "1001", "AGENT_TOOL_GID": "1001", "AGENT_TOOL_HOME": "/tmp",
	})
	if fi, err := os.Stat(e.Workspace); err != nil || fi.Sys().(*syscall.Stat_t).Uid != 1001 {
		t.Fatalf("workspace not handed to the tool user: %v", err)
	}
	if e.App.Sandbox.Policy() == nil || e.App.Sandbox.WorkspaceHandoff() == nil {
		t.Fatal("sandbox policy and handoff missing")
	}
	cmd, err := e.App.Launcher.Command(context.Background(), proc.Spec{Kind: proc.KindShell, Path: "/bin/sh", Args: []string{"-c", "id -u; echo $HOME"}, Dir: "/"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.Output()
	if err != nil || string(out) != "1001\n/tmp\n" {
		t.Fatalf("shell child: %v %q", err, out)
	}
}
