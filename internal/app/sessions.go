package app

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/anthropic"
	"github.com/pi-forge/pi-forge/internal/ai/google"
	"github.com/pi-forge/pi-forge/internal/ai/openai"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/piconfig"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/session"
	"github.com/pi-forge/pi-forge/internal/tools"
)

// registerSessions builds pi's configuration, the session store and the
// live-session registry, and mounts the session routes and their event
// stream. Live sessions are disposed at shutdown (their runs abort and what
// they produced is persisted) and when their project is deleted.
func (a *App) registerSessions() {
	cfg := a.Config
	if a.PiConfig == nil {
		a.PiConfig = piconfig.New(piconfig.Options{AgentDir: cfg.PiConfigDir,
			Env: piconfig.EnvironFromList(os.Environ()), HideBuiltinProviders: cfg.HideBuiltinProviders})
	}
	a.SessionStore = session.NewStore(session.Options{SessionDir: cfg.SessionDir, DataDir: cfg.ForgeDataDir,
		ListCacheFile: filepath.Join(cfg.ForgeDataDir, "cache", "session-list.json")})
	if n, err := a.SessionStore.PurgeArchives(); err != nil {
		a.Log.Warn("purging archived sessions failed", "error", err.Error())
	} else if n > 0 {
		a.Log.Info("purged archived sessions", "count", n)
	}
	hub := newToolHub() // the process, todo and question state of each live session
	a.Sessions = registry.New(registry.Options{
		Store:    a.SessionStore,
		Projects: a.Projects,
		Config:   a.PiConfig,
		Provider: ai.NewDispatcher(map[string]ai.Provider{
			ai.APIAnthropicMessages:  anthropic.New(ai.AdapterConfig{}),
			ai.APIOpenAICompletions:  openai.NewCompletions(ai.AdapterConfig{}),
			ai.APIOpenAIResponses:    openai.NewResponses(ai.AdapterConfig{}),
			ai.APIGoogleGenerativeAI: google.New(ai.AdapterConfig{}),
		}),
		Toolbox: resourceToolbox{app: a, tools: forgeToolbox{app: a, hub: hub, inner: registry.BuiltinTools{Launcher: a.Launcher,
			Mutations: &tools.MutationQueue{}, Policy: a.Sandbox.Policy(), OnWrite: a.Sandbox.ToolWriteHook}}},
		Launcher: a.Launcher,
		GitDiff:  a.Git.HeadDiff,
		Logger:   a.Log,
	})
	a.Projects.OnDelete(func(_ context.Context, p projects.Project) { a.Sessions.DisposeProject(p.ID) })
	api.RegisterSessions(a.Server.API(), api.Sessions{
		Registry: a.Sessions, Store: a.SessionStore, Projects: a.Projects,
		PromptLimit: server.RateLimit(cfg.RateLimitPrompt), SearchLimit: server.RateLimit(cfg.RateLimitSearch),
		Closing:      a.Server.Closing(),
		DecodePrompt: a.decodePrompt,
		ExpandSteer:  a.expandSteer,
	})
	a.registerSessionTools(hub)
	a.warmSessionList()
	a.Server.OnShutdown(func(context.Context) {
		// Its own budget: the server's may be spent waiting for requests,
		// and aborted runs still have to write what they produced.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		a.Sessions.Shutdown(ctx)
		if err := a.SessionStore.FlushListCache(); err != nil {
			a.Log.Warn("saving the session list cache failed", "error", err)
		}
	})
}

func (a *App) activeSessions() int {
	if a.Sessions == nil {
		return 0
	}
	return a.Sessions.Count()
}

// warmSessionList reads the session summaries of every project folder
// under SESSION_DIR in the background at start-up, so the first sidebar
// list after a restart is as quick as later ones (a request that comes
// while it runs shares its work). It reads the folders, not projects.json,
// which stays loaded lazily.
func (a *App) warmSessionList() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		dirs, err := os.ReadDir(a.Config.SessionDir)
		if err != nil {
			return
		}
		for _, d := range dirs {
			if ctx.Err() != nil {
				return
			}
			if d.IsDir() {
				_, _ = a.SessionStore.List(d.Name()) // not a project id: an error, ignored
			}
		}
	}()
	a.Server.OnShutdown(func(context.Context) {
		cancel()
		<-done
	})
}
