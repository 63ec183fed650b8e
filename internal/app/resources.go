package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/mcp"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/promptinput"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/resources"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/workspace"
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
	api.RegisterConfigResources(a.Server.API(), a.Resources, a.Projects, api.MCPToolGroups(a.MCP, a.Resources.Overrides()))
}

// resourceToolbox equips a session from the resources package: the
// built-in tools the overrides leave on, pi's system prompt for them, and
// the session's skills and templates (Workspace.Data, a *resources.Session,
// for the prompt decoder).
type resourceToolbox struct {
	app   *App
	tools registry.Toolbox
}

// Prepare implements registry.Toolbox.
func (t resourceToolbox) Prepare(ctx context.Context, s registry.SessionInfo) (registry.Workspace, error) {
	ws, err := t.tools.Prepare(ctx, s)
	if err != nil || t.app.Resources == nil {
		return ws, err
	}
	sess, err := t.app.Resources.Load(ctx, resources.Project{ID: s.ProjectID, Path: s.Cwd})
	if err != nil {
		if ws.Close != nil {
			ws.Close()
		}
		return registry.Workspace{}, fmt.Errorf("resources for %s: %w", s.Cwd, err)
	}
	ws.Tools = slices.DeleteFunc(ws.Tools, func(tool agent.Tool) bool {
		name := tool.Spec().Name
		return slices.Contains(resources.BuiltinToolNames, name) && !slices.Contains(sess.Tools, name)
	})
	ws.Tools = append(ws.Tools, t.mcpTools(ctx, s)...)
	ws.SystemPrompt = sess.SystemPrompt(ws.Tools)
	ws.Data = sess
	return ws, nil
}

// mcpTools are the MCP tools of a new session: the project's servers
// merged over the global ones, trust and the master switch respected, each
// tool on or off per tool-overrides.json (family mcp).
func (t resourceToolbox) mcpTools(ctx context.Context, s registry.SessionInfo) []agent.Tool {
	if t.app.MCP == nil {
		return nil
	}
	ov, err := t.app.Resources.Overrides().Tools.Read()
	enabled := func(name string) bool {
		return err != nil || ov.ToolEnabled(s.ProjectID, resources.FamilyMCP, name) // unreadable overrides count as none
	}
	return t.app.MCP.SessionTools(ctx, mcp.Project{ID: s.ProjectID, Path: s.Cwd}, enabled)
}

// decodePrompt reads a prompt request (JSON or multipart with
// attachments) and composes the user message: /skill: and /template
// commands, @file references against the session's project, attached
// files as fenced blocks, images as image content.
func (a *App) decodePrompt(r *http.Request, t api.PromptTarget) (registry.PromptInput, error) {
	req, err := a.PromptInput.Parse(r.Context(), r)
	if err != nil {
		var pe *promptinput.Error
		if errors.As(err, &pe) {
			return registry.PromptInput{}, server.Errorf(http.StatusBadRequest, pe.Code, "%s", pe.Message)
		}
		return registry.PromptInput{}, err
	}
	content := promptinput.Compose(a.promptRoot(t), promptCommands(t), req)
	return registry.PromptInput{Text: content[0].Text, Images: content[1:], StreamingBehavior: req.StreamingBehavior}, nil
}

// expandSteer applies the same commands and @file references to a
// steering message as to a prompt.
func (a *App) expandSteer(t api.PromptTarget, text string) string {
	return promptinput.Compose(a.promptRoot(t), promptCommands(t), &promptinput.Request{Text: text})[0].Text
}

// promptRoot is the session's project for @file references; nil (no
// expansion) when the project folder vanished.
func (a *App) promptRoot(t api.PromptTarget) *workspace.Root {
	root, err := a.Workspace.Root(t.Cwd)
	if err != nil {
		return nil
	}
	return root
}

func promptCommands(t api.PromptTarget) promptinput.Commands {
	if s, ok := t.Workspace.Data.(*resources.Session); ok && s != nil {
		return s
	}
	return nil
}
