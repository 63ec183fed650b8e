package resources

import (
	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/tools"
)

// BuiltinToolNames are the built-in tools pi-forge offers, in the order
// GET /config/tools lists them: pi's seven coding tools, then pi-forge's
// own.
var BuiltinToolNames = []string{
	tools.NameRead, tools.NameBash, tools.NameEdit, tools.NameWrite, tools.NameGrep, tools.NameFind, tools.NameLs,
	"ask_user_question", "todo", "process",
}

// forgeToolDescriptions describe the built-ins that internal/tools does
// not hold (each lives in its own package and describes itself to the
// model; these lines are for the settings UI).
var forgeToolDescriptions = map[string]string{
	"ask_user_question": "Ask the user structured multiple-choice questions in the browser when instructions are ambiguous",
	"todo":              "Keep a task list for the session (pending, in progress, completed) with dependencies",
	"process":           "Start and watch background processes (dev servers, watchers, builds) with captured logs",
}

// ToolPrompts describes tools for the system prompt: the one-line snippet
// and guidelines of every tool that offers them (tools.Prompter), the name
// alone for the rest.
func ToolPrompts(ts []agent.Tool) []ToolPrompt {
	out := make([]ToolPrompt, 0, len(ts))
	for _, t := range ts {
		tp := ToolPrompt{Name: t.Spec().Name}
		if p, ok := t.(tools.Prompter); ok {
			info := p.PromptInfo()
			tp.Snippet, tp.Guidelines = info.Snippet, info.Guidelines
		}
		out = append(out, tp)
	}
	return out
}

// builtinDescriptions maps each built-in tool to its one-line description:
// internal/tools' own snippet for the coding tools. The tools are built
// only to ask them; nothing is ever run through the zero Launcher.
func builtinDescriptions() map[string]string {
	out := map[string]string{}
	for k, v := range forgeToolDescriptions {
		out[k] = v
	}
	ts, err := tools.New(nil, tools.Options{Cwd: "/", Launcher: &proc.Launcher{}})
	if err != nil {
		return out
	}
	for _, tp := range ToolPrompts(ts) {
		out[tp.Name] = tp.Snippet
	}
	return out
}
