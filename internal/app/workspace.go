package app

import (
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/search"
	"github.com/pi-forge/pi-forge/internal/server"
)

// registerWorkspace mounts the workspace panel's routes: files, content
// search, git and clone. Every file operation goes through one
// workspace.FS (with the sandbox's ownership handoff), git and ripgrep
// through the app's launcher.
func (a *App) registerWorkspace() {
	cfg, h := a.Config, a.Server.API()
	ws, git := a.Workspace, a.Git
	api.RegisterFiles(h, api.Files{Projects: a.Projects, Workspace: ws, UploadLimit: server.RateLimit(cfg.RateLimitUpload)})
	api.RegisterFileSearch(h, api.FileSearch{Projects: a.Projects, Searcher: search.New(a.Launcher, search.Options{}),
		Limit: server.RateLimit(cfg.RateLimitSearch)})
	api.RegisterGit(h, api.Git{Projects: a.Projects, Git: git, PushLimit: server.RateLimit(cfg.RateLimitPush)})
	api.RegisterClone(h, api.Clone{Projects: a.Projects, Workspace: ws, WorkspacePath: cfg.WorkspacePath, Git: git,
		Closing: a.Server.Closing()})
}
