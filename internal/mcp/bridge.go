package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// NameSeparator joins server and tool in a bridged tool's name.
const NameSeparator = "__"

// BridgedName is the agent tool name of an MCP tool: <server>__<tool>.
// Characters model APIs refuse in tool names (anything but letters,
// digits, _ and -) become _.
func BridgedName(server, tool string) string {
	return sanitizeName(server) + NameSeparator + sanitizeName(tool)
}

func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// ToolInfo is one bridged tool of a server.
type ToolInfo struct {
	Name        string `json:"name" doc:"<server>__<tool>"`
	ShortName   string `json:"shortName" doc:"the tool's name on its server"`
	Description string `json:"description"`
}

func describe(server string, t *sdk.Tool) string {
	if d := strings.TrimSpace(t.Description); d != "" {
		return d
	}
	if t.Title != "" {
		return fmt.Sprintf("%s (tool %q of the MCP server %q)", t.Title, t.Name, server)
	}
	return fmt.Sprintf("Tool %q of the MCP server %q.", t.Name, server)
}

// infos lists an entry's tools.
func (e *entry) infos(s snapshot) []ToolInfo {
	out := make([]ToolInfo, 0, len(s.tools))
	for _, t := range s.tools {
		out = append(out, ToolInfo{Name: BridgedName(e.name, t.Name), ShortName: t.Name, Description: describe(e.name, t)})
	}
	return out
}

// Group is one server with its tools, for GET /config/tools.
type Group struct {
	Status ServerStatus
	Tools  []ToolInfo
}

// ToolGroups lists the servers a project's sessions would see (the global
// ones alone when p is nil) with their current tools. Nothing connects.
func (m *Manager) ToolGroups(p *Project) []Group {
	m.refresh()
	m.mu.Lock()
	var pp *projectPool
	if p != nil {
		pp = m.poolLocked(*p)
	}
	entries := m.mergedLocked(pp)
	m.mu.Unlock()
	out := make([]Group, 0, len(entries))
	for _, e := range entries {
		out = append(out, Group{Status: e.status(), Tools: e.infos(e.snap())})
	}
	return out
}

// prepare loads the project's pool, connects what is pending (bounded by
// SessionWait) and returns the merged servers.
func (m *Manager) prepare(ctx context.Context, p Project) []*entry {
	m.refresh()
	m.mu.Lock()
	entries := m.mergedLocked(m.poolLocked(p))
	m.mu.Unlock()
	m.connectPending(ctx, entries)
	return entries
}

// Tools is GET /mcp/tools: every tool of the project's connected servers,
// whatever the switches say.
func (m *Manager) Tools(ctx context.Context, p Project) []ToolInfo {
	out := []ToolInfo{}
	for _, e := range m.prepare(ctx, p) {
		out = append(out, e.infos(e.snap())...)
	}
	return out
}

// SessionTools are the agent tools of a new session in p: nothing when
// the master switch is off; otherwise the tools of the connected servers
// (global and project, merged) that enabled lets through. enabled may be
// nil (all on).
func (m *Manager) SessionTools(ctx context.Context, p Project, enabled func(name string) bool) []agent.Tool {
	m.refresh()
	m.mu.Lock()
	off := m.applied.Disabled
	m.mu.Unlock()
	if off {
		return nil
	}
	var out []agent.Tool
	seen := map[string]bool{}
	for _, e := range m.prepare(ctx, p) {
		s := e.snap()
		if s.state != StateConnected {
			continue
		}
		for _, t := range s.tools {
			name := BridgedName(e.name, t.Name)
			if seen[name] || (enabled != nil && !enabled(name)) {
				continue
			}
			seen[name] = true
			out = append(out, &tool{m: m, scope: e.scope, projectID: e.projectID, server: e.name, remote: t.Name,
				spec: ai.ToolSpec{Name: name, Description: describe(e.name, t), Parameters: schemaOf(t)}})
		}
	}
	return out
}

// schemaOf is the tool's input schema passed through ({"type":"object"}
// when it has none).
func schemaOf(t *sdk.Tool) json.RawMessage {
	if t.InputSchema == nil {
		return json.RawMessage(`{"type":"object","properties":{}}`)
	}
	data, err := json.Marshal(t.InputSchema)
	if err != nil {
		return json.RawMessage(`{"type":"object","properties":{}}`)
	}
	return data
}

// tool is one MCP tool offered to an agent. It finds its server by name
// at every call, so a reconnected or reconfigured server serves sessions
// that started before.
type tool struct {
	m         *Manager
	scope     string
	projectID string
	server    string
	remote    string // the tool's name on its server
	spec      ai.ToolSpec
}

// Details is the ToolResult.Details of an MCP call.
type Details struct {
	Server    string `json:"server"`
	Tool      string `json:"tool"`
	IsError   bool   `json:"isError,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Spec implements agent.Tool.
func (t *tool) Spec() ai.ToolSpec { return t.spec }

// Label is how the UI names the tool.
func (t *tool) Label() string { return "MCP: " + t.server + "/" + t.remote }

// Execute implements agent.Tool. Failures come back as text for the
// model, not as errors; only an abort is an error.
func (t *tool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	details := Details{Server: t.server, Tool: t.remote}
	e := t.m.lookup(t.scope, t.projectID, t.server)
	if e == nil {
		return t.textResult(notConnectedText(t.server, nil), details), nil
	}
	args := call.Args
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	res, err := e.call(ctx, t.remote, args, t.m.spawn)
	if err != nil {
		if ctx.Err() != nil {
			return agent.ToolResult{}, ctx.Err()
		}
		if errors.Is(err, errNotConnected) || errors.Is(err, errRemoved) {
			s := e.snap()
			return t.textResult(notConnectedText(t.server, &s), details), nil
		}
		details.IsError = true
		msg := scrub(err.Error(), e.cfg.secrets())
		return t.textResult(fmt.Sprintf("MCP tool '%s' threw: %s", t.spec.Name, msg), details), nil
	}
	content := mapResult(res)
	details.IsError = res.IsError
	if tr := t.m.truncation(); tr.Enabled {
		content, details.Truncated = truncate(content, tr.MaxChars)
	}
	return agent.ToolResult{Content: content, Details: details}, nil
}

func (t *tool) textResult(text string, d Details) agent.ToolResult {
	d.IsError = true
	return agent.ToolResult{Content: []ai.Content{ai.TextContent(text)}, Details: d}
}

func notConnectedText(server string, s *snapshot) string {
	text := fmt.Sprintf("MCP server '%s' is not connected", server)
	if s != nil && s.state != "" {
		text += fmt.Sprintf(" (state: %s", s.state)
		if s.lastErr != "" {
			text += ": " + s.lastErr
		}
		text += ")"
	}
	return text + ". Its tools cannot be used until it is reconnected from Settings → MCP."
}
