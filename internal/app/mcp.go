package app

import (
	"context"
	"time"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/mcp"
	"github.com/pi-forge/pi-forge/internal/projects"
)

// registerMCP builds the MCP connection pool, connects the enabled global
// servers in the background (a failure is a server state, never a start-up
// error) and mounts the /mcp routes. Stdio servers are spawned through the
// launcher: the allowlist environment plus their config's env, and the
// tool identity in sandbox mode. A deleted project's trust and
// connections go with it; every connection and child ends at shutdown.
func (a *App) registerMCP() {
	a.MCP = mcp.New(mcp.Options{DataDir: a.Config.ForgeDataDir, Launcher: a.Launcher, Log: a.Log})
	a.MCP.Start()
	a.Projects.OnDelete(func(_ context.Context, p projects.Project) {
		if err := a.MCP.ForgetProject(p.ID); err != nil {
			a.Log.Warn("project MCP trust not removed", "project", p.ID, "err", err)
		}
	})
	api.RegisterMCP(a.Server.API(), a.MCP, a.Projects)
	a.Server.OnShutdown(func(context.Context) {
		// Its own budget, like the sessions': stdio servers get their stdin
		// closed and a moment to exit before they are signalled.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.MCP.Shutdown(ctx)
	})
}
