package app

import (
	"context"
	"os"
	"path/filepath"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/sandbox"
)

// setupSandbox builds the tool sandbox, prepares the workspace for it
// (before the server listens; a failure stops start-up), loads the tool
// environment and creates the one process launcher every child goes
// through, with the sandbox identity and tool environment applied.
func (a *App) setupSandbox() error {
	cfg := a.Config
	a.Sandbox = sandbox.New(sandbox.FromConfig(cfg, a.Log))
	if err := a.Sandbox.Prepare(context.Background()); err != nil {
		return err
	}
	store, err := sandbox.OpenStore(filepath.Join(cfg.ForgeDataDir, sandbox.SettingsFile), a.Log)
	if err != nil {
		return err
	}
	a.SandboxSettings = store
	a.Launcher, err = proc.New(proc.Config{
		Sandbox:        a.Sandbox.Identity(),
		PassthroughEnv: cfg.TerminalPassthroughEnv,
		ToolEnv:        store.ToolEnv,
		ServerEnv:      os.Environ(),
	})
	return err
}

// registerSandbox mounts GET/PUT /config/sandbox and kills every child
// still running when the server shuts down.
func (a *App) registerSandbox() {
	api.RegisterSandbox(a.Server.API(), api.SandboxSource{Sandbox: a.Sandbox, Store: a.SandboxSettings})
	a.Server.OnShutdown(func(context.Context) { a.Launcher.Shutdown() })
}
