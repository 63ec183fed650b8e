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
	"net/url"
	"os"
	"path/filepath"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/auth"
	"github.com/pi-forge/pi-forge/internal/buildinfo"
	"github.com/pi-forge/pi-forge/internal/config"
	"github.com/pi-forge/pi-forge/internal/gitx"
	"github.com/pi-forge/pi-forge/internal/logocache"
	"github.com/pi-forge/pi-forge/internal/mcp"
	"github.com/pi-forge/pi-forge/internal/piconfig"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/promptinput"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/resources"
	"github.com/pi-forge/pi-forge/internal/sandbox"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/server/docsui"
	"github.com/pi-forge/pi-forge/internal/session"
	"github.com/pi-forge/pi-forge/internal/terminal"
	"github.com/pi-forge/pi-forge/internal/theme"
	"github.com/pi-forge/pi-forge/internal/workspace"
	"github.com/pi-forge/pi-forge/web"
)

// App is a wired pi-forge instance.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	Server *server.Server

	Auth     *auth.Service    // credentials, tokens, lockout
	Projects *projects.Store  // the project registry; other areas look projects up here
	Logos    *logocache.Cache // nil unless LOGO_URL_MODE=cache

	// Sandbox is the agent tool sandbox: identity, path policy (Policy),
	// write hooks (ToolWriteHook, WorkspaceHandoff); inert when off.
	Sandbox         *sandbox.Sandbox
	SandboxSettings *sandbox.Store // toolEnv of Settings → Sandbox
	// Launcher starts every child process (bash tool, terminal, exec, git):
	// sandbox identity and tool env applied.
	Launcher *proc.Launcher

	// Resources builds a new session's tools, system prompt, skills and
	// templates (resources.Loader.Load); PromptInput parses prompt
	// requests (promptinput.Parser.Parse, then promptinput.Compose).
	Resources   *resources.Loader
	PromptInput *promptinput.Parser

	PiConfig     *piconfig.Config   // pi's auth.json, models.json, settings.json
	SessionStore *session.Store     // session files under SESSION_DIR
	Sessions     *registry.Registry // every live agent session (sessions.go)

	Terminals *terminal.Manager // integrated terminal PTYs (terminal.go)

	MCP *mcp.Manager // MCP server connections and their tools (mcp.go)

	// Workspace does every project-file operation (with the sandbox's
	// ownership handoff); Git runs git through the launcher.
	Workspace *workspace.FS
	Git       *gitx.Git
}

// New creates the data directories and builds every service.
func New(cfg *config.Config, log *slog.Logger) (*App, error) {
	if err := makeDirs(cfg); err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log}
	if err := a.setupSandbox(); err != nil {
		return nil, err
	}
	a.Workspace = workspace.New(workspace.Options{Handoff: a.Sandbox.WorkspaceHandoff()})
	a.Git = gitx.New(a.Launcher, gitx.Options{})
	authSvc, err := auth.New(auth.OptionsFromConfig(cfg, log))
	if err != nil {
		return nil, err
	}
	a.Auth = authSvc
	a.Server = server.New(server.Options{
		Logger:      log,
		Auth:        authSvc,
		TrustProxy:  cfg.TrustProxy,
		CORSOrigin:  cfg.CORSOrigin,
		ExtraImgSrc: extraImgSrc(cfg),
		UI:          uiFiles(cfg),
		ExposeDocs:  cfg.ExposeDocs,
		DocsUI:      docsui.Files(),
		Version:     buildinfo.Version(),
		LogRequests: true,
	})
	api.RegisterHealth(a.Server.API(), api.HealthSource{ActiveSessions: a.activeSessions, ActivePtys: a.activePtys})
	a.registerAuthAndProjects()
	a.registerSessions() // before the sandbox: sessions end before its children are killed
	a.registerMCP()      // after sessions (their calls end first), before the sandbox's sweep
	// Terminals also end before the sandbox's sweep of every child.
	if err := a.registerTerminal(); err != nil {
		return nil, err
	}
	a.registerSandbox()
	a.registerResources()
	a.registerWorkspace()
	a.registerPiConfig() // models, providers, settings, provider keys, backups (config_pi.go)
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

// extraImgSrc is what the CSP's img-src must add: in direct logo mode the
// browser loads the logos itself, so their origins and the allowlist.
func extraImgSrc(cfg *config.Config) []string {
	if cfg.LogoURLMode != "direct" {
		return nil
	}
	out := append([]string(nil), cfg.LogoImgSrcAllowlist...)
	for _, raw := range []string{cfg.AuthLogoURL, cfg.AppLogoDarkURL, cfg.AppLogoLightURL} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			out = append(out, u.Scheme+"://"+u.Host)
		}
	}
	return out
}

// AuthEnabled reports whether requests need credentials.
func (a *App) AuthEnabled() bool { return a.Auth.Enabled() }

// registerAuthAndProjects mounts auth, ui-config/theme and projects.
func (a *App) registerAuthAndProjects() {
	cfg, h := a.Config, a.Server.API()
	api.RegisterAuth(h, a.Auth, server.RateLimit(cfg.RateLimitLogin))
	api.RegisterUIConfig(h, api.UIConfigSource{
		Config:             cfg,
		Version:            buildinfo.Version(),
		Theme:              theme.NewStore(filepath.Join(cfg.ForgeDataDir, "theme.json")),
		PasswordConfigured: a.Auth.PasswordConfigured,
		Logos:              a.startLogoCache(),
	})
	a.Projects = projects.New(projects.Options{
		File:       filepath.Join(cfg.ForgeDataDir, "projects.json"),
		Workspace:  cfg.WorkspacePath,
		SessionDir: cfg.SessionDir,
		Logger:     a.Log,
	})
	api.RegisterProjects(h, a.Projects)
}

// startLogoCache fetches the custom logos in the background (cache mode)
// and serves them at /cache/logos/; shutdown cancels a fetch in flight.
func (a *App) startLogoCache() func() api.Logos {
	cfg := a.Config
	if cfg.LogoURLMode != "cache" {
		return nil
	}
	lc := logocache.New(filepath.Join(cfg.ForgeDataDir, "cache", "logos"), a.Log)
	a.Logos = lc
	a.Server.Handle("GET "+logocache.URLPrefix+"{name}", lc)
	ctx, cancel := context.WithCancel(context.Background())
	go lc.Fetch(ctx, map[string]string{
		logocache.Auth: cfg.AuthLogoURL, logocache.AppDark: cfg.AppLogoDarkURL, logocache.AppLight: cfg.AppLogoLightURL,
	})
	a.Server.OnShutdown(func(context.Context) {
		cancel()
		<-lc.Ready()
	})
	return func() api.Logos {
		return api.Logos{Auth: lc.URL(logocache.Auth), AppDark: lc.URL(logocache.AppDark), AppLight: lc.URL(logocache.AppLight)}
	}
}
