package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/mcp"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/resources"
	"github.com/pi-forge/pi-forge/internal/server"
)

// mcpBodyLimit caps MCP config bodies.
const mcpBodyLimit = 256 << 10

// MCPSettingsBody is PUT /mcp/settings.
type MCPSettingsBody struct {
	Enabled    *bool               `json:"enabled,omitempty" doc:"master switch: false gives new sessions no MCP tools"`
	Truncation *MCPTruncationPatch `json:"truncation,omitempty"`
}

// MCPTruncationPatch changes result truncation.
type MCPTruncationPatch struct {
	Enabled  *bool `json:"enabled,omitempty"`
	MaxChars *int  `json:"maxChars,omitempty" minimum:"1" maximum:"1000000"`
}

// MCPOK is PUT /mcp/servers/{name}.
type MCPOK struct {
	OK bool `json:"ok"`
}

// MCPRemoved is DELETE /mcp/servers/{name}.
type MCPRemoved struct {
	Removed bool `json:"removed"`
}

// MCPProbeResult is POST /mcp/servers/{name}/probe.
type MCPProbeResult struct {
	Status mcp.ServerStatus `json:"status"`
}

// MCPToolList is GET /mcp/tools.
type MCPToolList struct {
	Tools []MCPToolSummary `json:"tools"`
}

// MCPToolSummary is one tool of GET /mcp/tools.
type MCPToolSummary struct {
	Name        string `json:"name" doc:"<server>__<tool>"`
	Description string `json:"description"`
}

// MCPTrustResult is POST and DELETE /mcp/trust/{projectId}.
type MCPTrustResult struct {
	Trusted bool               `json:"trusted"`
	Status  []mcp.ServerStatus `json:"status,omitempty" doc:"after a grant: the project's servers"`
}

type mcpRoutes struct {
	m     *mcp.Manager
	store ProjectGetter
}

// RegisterMCP mounts the MCP settings, servers, probe, tools and trust
// routes (api-contract §1.12). Header and env values never leave the
// server: they read ***REDACTED***, and sending that back keeps them.
func RegisterMCP(api huma.API, m *mcp.Manager, store ProjectGetter) {
	r := mcpRoutes{m: m, store: store}
	r.registerSettings(api)
	r.registerServers(api)
	r.registerTrust(api)
}

func mcpOp(method, path, id, summary string) huma.Operation {
	o := server.Op(method, path, id, summary, "MCP")
	o.MaxBodyBytes = mcpBodyLimit
	return o
}

// project resolves a project id or fails with 404 project_not_found.
func (r mcpRoutes) project(id string) (mcp.Project, error) {
	p, err := r.store.Get(id)
	if errors.Is(err, projects.ErrNotFound) {
		return mcp.Project{}, server.Errorf(http.StatusNotFound, "project_not_found", "no project with id %q", id)
	}
	if err != nil {
		return mcp.Project{}, err
	}
	return mcp.Project{ID: p.ID, Path: p.Path}, nil
}

// optionalProject resolves a project id when one is given.
func (r mcpRoutes) optionalProject(id string) (*mcp.Project, error) {
	if id == "" {
		return nil, nil
	}
	p, err := r.project(id)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func mcpError(err error) error {
	if errors.Is(err, mcp.ErrInvalidConfig) {
		msg := strings.TrimPrefix(err.Error(), mcp.ErrInvalidConfig.Error()+": ")
		return server.Errorf(http.StatusBadRequest, "mcp_invalid_config", "%s", msg)
	}
	return err
}

func (r mcpRoutes) registerSettings(api huma.API) {
	huma.Register(api, mcpOp(http.MethodGet, "/mcp/settings", "getMCPSettings", "MCP master switch, connected/enabled global servers and truncation"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body mcp.Overview }, error) {
			return &struct{ Body mcp.Overview }{Body: r.m.Settings()}, nil
		})
	huma.Register(api, mcpOp(http.MethodPut, "/mcp/settings", "setMCPSettings", "Change the MCP master switch or result truncation (new sessions)"),
		func(ctx context.Context, in *struct{ Body MCPSettingsBody }) (*struct{ Body mcp.Overview }, error) {
			b := in.Body
			if b.Enabled == nil && b.Truncation == nil {
				return nil, server.Errorf(http.StatusBadRequest, "invalid_body", "give enabled or truncation")
			}
			p := mcp.SettingsPatch{Enabled: b.Enabled}
			if b.Truncation != nil {
				p.Truncate, p.MaxChars = b.Truncation.Enabled, b.Truncation.MaxChars
			}
			v, err := r.m.UpdateSettings(p)
			if err != nil {
				return nil, mcpError(err)
			}
			return &struct{ Body mcp.Overview }{Body: v}, nil
		})
}

func (r mcpRoutes) registerServers(api huma.API) {
	huma.Register(api, mcpOp(http.MethodGet, "/mcp/servers", "listMCPServers", "Global MCP servers (secrets redacted) and the status of every server"),
		func(ctx context.Context, in *struct {
			ProjectID string `query:"projectId" doc:"also list this project's .mcp.json servers and its stdio trust"`
		}) (*struct{ Body mcp.ServerList }, error) {
			p, err := r.optionalProject(in.ProjectID)
			if err != nil {
				return nil, err
			}
			return &struct{ Body mcp.ServerList }{Body: r.m.Servers(p)}, nil
		})
	huma.Register(api, mcpOp(http.MethodPut, "/mcp/servers/{name}", "putMCPServer", "Create or replace a global MCP server"),
		func(ctx context.Context, in *struct {
			Name string `path:"name" doc:"1 to 64 characters"`
			Body mcp.ServerCfg
		}) (*struct{ Body MCPOK }, error) {
			if err := r.m.PutServer(in.Name, in.Body); err != nil {
				return nil, mcpError(err)
			}
			return &struct{ Body MCPOK }{Body: MCPOK{OK: true}}, nil
		})
	huma.Register(api, mcpOp(http.MethodDelete, "/mcp/servers/{name}", "deleteMCPServer", "Remove a global MCP server"),
		func(ctx context.Context, in *struct {
			Name string `path:"name"`
		}) (*struct{ Body MCPRemoved }, error) {
			removed, err := r.m.DeleteServer(in.Name)
			if err != nil {
				return nil, err
			}
			return &struct{ Body MCPRemoved }{Body: MCPRemoved{Removed: removed}}, nil
		})
	huma.Register(api, mcpOp(http.MethodPost, "/mcp/servers/{name}/probe", "probeMCPServer", "Reconnect an MCP server and list its tools again"),
		func(ctx context.Context, in *struct {
			Name      string `path:"name"`
			ProjectID string `query:"projectId" doc:"read this project's .mcp.json again and look the name up there first"`
		}) (*struct{ Body MCPProbeResult }, error) {
			p, err := r.optionalProject(in.ProjectID)
			if err != nil {
				return nil, err
			}
			st, err := r.m.Probe(ctx, in.Name, p)
			if errors.Is(err, mcp.ErrServerNotFound) {
				return nil, server.Errorf(http.StatusNotFound, "mcp_server_not_found", "no MCP server named %q", in.Name)
			}
			if err != nil {
				return nil, err
			}
			return &struct{ Body MCPProbeResult }{Body: MCPProbeResult{Status: st}}, nil
		})
	huma.Register(api, mcpOp(http.MethodGet, "/mcp/tools", "listMCPTools", "Every tool of a project's connected MCP servers"),
		func(ctx context.Context, in *projectQuery) (*struct{ Body MCPToolList }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			out := MCPToolList{Tools: []MCPToolSummary{}}
			for _, t := range r.m.Tools(ctx, p) {
				out.Tools = append(out.Tools, MCPToolSummary{Name: t.Name, Description: t.Description})
			}
			return &struct{ Body MCPToolList }{Body: out}, nil
		})
}

func (r mcpRoutes) registerTrust(api huma.API) {
	type trustInput struct {
		ProjectID string `path:"projectId" doc:"project id (UUID)"`
	}
	huma.Register(api, mcpOp(http.MethodPost, "/mcp/trust/{projectId}", "trustMCPProject", "Let the project's .mcp.json stdio servers run, and start them"),
		func(ctx context.Context, in *trustInput) (*struct{ Body MCPTrustResult }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			st, err := r.m.Trust(ctx, p)
			if err != nil {
				return nil, err
			}
			return &struct{ Body MCPTrustResult }{Body: MCPTrustResult{Trusted: true, Status: st}}, nil
		})
	huma.Register(api, mcpOp(http.MethodDelete, "/mcp/trust/{projectId}", "revokeMCPProject", "Withdraw the project's stdio trust and disconnect all its servers"),
		func(ctx context.Context, in *trustInput) (*struct{ Body MCPTrustResult }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			if err := r.m.Revoke(p); err != nil {
				return nil, err
			}
			return &struct{ Body MCPTrustResult }{Body: MCPTrustResult{Trusted: false}}, nil
		})
}

// MCPToolGroups builds the mcp section of GET /config/tools: each server
// the project's sessions would see (the global ones without a project),
// its state and its tools with their switches from tool-overrides.json.
func MCPToolGroups(m *mcp.Manager, ov *resources.Overrides) func(projectID, projectPath string) ([]ConfigToolsMCPServer, error) {
	return func(projectID, projectPath string) ([]ConfigToolsMCPServer, error) {
		o, err := ov.Tools.Read()
		if err != nil {
			return nil, err
		}
		var p *mcp.Project
		if projectID != "" {
			p = &mcp.Project{ID: projectID, Path: projectPath}
		}
		out := []ConfigToolsMCPServer{}
		for _, g := range m.ToolGroups(p) {
			s := ConfigToolsMCPServer{Server: g.Status.Name, Scope: g.Status.Scope, ProjectID: g.Status.ProjectID,
				Enabled: g.Status.Enabled, State: string(g.Status.State), LastError: g.Status.LastError, Tools: []ConfigToolsMCPTool{}}
			for _, t := range g.Tools {
				tool := ConfigToolsMCPTool{Name: t.Name, ShortName: t.ShortName, Description: t.Description,
					Enabled:       o.ToolEnabled(projectID, resources.FamilyMCP, t.Name),
					GlobalEnabled: o.ToolEnabled("", resources.FamilyMCP, t.Name)}
				if projectID != "" {
					tool.ProjectOverride = o.ProjectState(projectID, resources.FamilyMCP, t.Name)
				}
				s.Tools = append(s.Tools, tool)
			}
			out = append(out, s)
		}
		return out, nil
	}
}
