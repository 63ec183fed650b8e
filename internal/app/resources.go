package app

import (
	"context"
	"os"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/promptinput"
	"github.com/pi-forge/pi-forge/internal/resources"
)

// registerResources builds the resource loader and the prompt parser and
// mounts the skills, prompts, tools and system-prompt routes. A deleted
// project's overrides go with it.
func (a *App) registerResources() {
	cfg := a.Config
	home, _ := os.UserHomeDir()
	a.Resources = resources.New(resources.Options{
		AgentDir:      cfg.PiConfigDir,
		DataDir:       cfg.ForgeDataDir,
		Home:          home,
		SecretHygiene: cfg.AgentSecretHygiene,
		Log:           a.Log,
	})
	conv := promptinput.NewConverter(0)
	a.Server.OnShutdown(func(context.Context) { conv.Close() })
	a.PromptInput = promptinput.NewParser(promptinput.Limits{}, conv)
	a.Projects.OnDelete(func(_ context.Context, p projects.Project) {
		if err := a.Resources.Overrides().ForgetProject(p.ID); err != nil {
			a.Log.Warn("project overrides not removed", "project", p.ID, "err", err)
		}
	})
	api.RegisterConfigResources(a.Server.API(), a.Resources, a.Projects)
}
