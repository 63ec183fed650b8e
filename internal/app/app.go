// Package app wires pi-forge together: it builds every service from a
// Config and mounts their routes on one server. main and the end-to-end
// tests both start pi-forge through it.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/buildinfo"
	"github.com/pi-forge/pi-forge/internal/config"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/server/docsui"
	"github.com/pi-forge/pi-forge/web"
)

// App is a wired pi-forge instance.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	Server *server.Server
}

// New creates the data directories and builds every service.
func New(cfg *config.Config, log *slog.Logger) (*App, error) {
	if err := makeDirs(cfg); err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log}
	a.Server = server.New(server.Options{
		Logger:      log,
		TrustProxy:  cfg.TrustProxy,
		CORSOrigin:  cfg.CORSOrigin,
		ExtraImgSrc: cfg.LogoImgSrcAllowlist,
		UI:          uiFiles(cfg),
		ExposeDocs:  cfg.ExposeDocs,
		DocsUI:      docsui.Files(),
		Version:     buildinfo.Version(),
		LogRequests: true,
	})
	api.RegisterHealth(a.Server.API(), api.HealthSource{})
	return a, nil
}

// Serve runs until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	return a.Server.Serve(ctx, ln)
}

// uiFiles is the web UI to serve: a directory given by CLIENT_DIST_PATH,
// else the build embedded in the binary; nil with SERVE_CLIENT=false.
func uiFiles(cfg *config.Config) fs.FS {
	switch {
	case !cfg.ServeClient:
		return nil
	case cfg.ClientDist != "":
		return os.DirFS(cfg.ClientDist)
	default:
		return web.Dist()
	}
}

func makeDirs(cfg *config.Config) error {
	for _, d := range []struct {
		path string
		perm os.FileMode
	}{
		{cfg.ForgeDataDir, 0o700},
		{cfg.WorkspacePath, 0o755},
		{cfg.SessionDir, 0o700},
	} {
		if err := os.MkdirAll(d.path, d.perm); err != nil {
			return fmt.Errorf("creating %s: %w", d.path, err)
		}
	}
	return nil
}

// AuthEnabled reports whether requests need credentials.
func (a *App) AuthEnabled() bool { return false }
