package app

import (
	"os"
	"path/filepath"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/backup"
	"github.com/pi-forge/pi-forge/internal/piconfig"
)

// registerPiConfig mounts the routes over pi's configuration files (models,
// providers, settings, provider keys) and the configuration and skills
// backups, all on the one piconfig instance the sessions use.
func (a *App) registerPiConfig() {
	cfg := a.Config
	if a.PiConfig == nil {
		a.PiConfig = piconfig.New(piconfig.Options{AgentDir: cfg.PiConfigDir,
			Env: piconfig.EnvironFromList(os.Environ()), HideBuiltinProviders: cfg.HideBuiltinProviders})
	}
	h := a.Server.API()
	api.RegisterPiConfig(h, a.PiConfig)
	api.RegisterBackup(h, api.BackupSource{
		Config: &backup.Config{Pi: a.PiConfig, DataDir: cfg.ForgeDataDir},
		Skills: &backup.Skills{Dir: filepath.Join(cfg.PiConfigDir, "skills"), GroupWritable: a.Sandbox.Enabled()},
		Log:    a.Log,
	})
}
