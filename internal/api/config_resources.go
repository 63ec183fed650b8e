package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/resources"
	"github.com/pi-forge/pi-forge/internal/server"
)

// resourceBodyLimit caps toggle and addendum bodies (an addendum is at most
// 20,000 bytes, JSON-escaped up to six times that).
const resourceBodyLimit = 256 << 10

// ProjectGetter looks projects up; *projects.Store implements it.
type ProjectGetter interface {
	Get(id string) (projects.Project, error)
}

// SkillList is GET /config/skills.
type SkillList struct {
	Skills      []resources.SkillInfo          `json:"skills"`
	Diagnostics []resources.ResourceDiagnostic `json:"diagnostics"`
}

// SkillsOnly is the answer of a skill toggle.
type SkillsOnly struct {
	Skills []resources.SkillInfo `json:"skills"`
}

// PromptList is GET /config/prompts.
type PromptList struct {
	Prompts     []resources.PromptInfo         `json:"prompts"`
	Diagnostics []resources.ResourceDiagnostic `json:"diagnostics"`
}

// PromptsOnly is the answer of a prompt toggle.
type PromptsOnly struct {
	Prompts []resources.PromptInfo `json:"prompts"`
}

// ToggleBody is PUT /config/{skills,prompts,tools/...}/{name}/enabled.
type ToggleBody struct {
	Enabled bool   `json:"enabled"`
	Scope   string `json:"scope,omitempty" enum:"global,project" doc:"global (default) or project (needs projectId)"`
}

// NameOverridesView is GET /config/skills/overrides and /config/prompts/overrides.
type NameOverridesView struct {
	Projects map[string]resources.EnableDisable `json:"projects"`
}

// ToolList is GET /config/tools.
type ToolList struct {
	Builtin   []resources.ToolStatus `json:"builtin"`
	MCP       []ConfigToolsMCPServer `json:"mcp"`
	Extension []ConfigToolsExtension `json:"extension"`
}

// ConfigToolsMCPServer is one MCP server's tools in GET /config/tools.
type ConfigToolsMCPServer struct {
	Server    string               `json:"server"`
	Scope     string               `json:"scope" enum:"global,project"`
	ProjectID string               `json:"projectId,omitempty"`
	Enabled   bool                 `json:"enabled"`
	State     string               `json:"state"`
	LastError string               `json:"lastError,omitempty"`
	Tools     []ConfigToolsMCPTool `json:"tools"`
}

// ConfigToolsMCPTool is one bridged MCP tool.
type ConfigToolsMCPTool struct {
	Name            string `json:"name" doc:"<server>__<tool>"`
	ShortName       string `json:"shortName"`
	Description     string `json:"description"`
	Enabled         bool   `json:"enabled"`
	GlobalEnabled   bool   `json:"globalEnabled"`
	ProjectOverride string `json:"projectOverride,omitempty" enum:"enabled,disabled"`
}

// ConfigToolsExtension is one pi package's tools in GET /config/tools.
type ConfigToolsExtension struct {
	PackageSource string                 `json:"packageSource"`
	Tools         []resources.ToolStatus `json:"tools"`
}

// ToolOverridesView is GET /config/tools/overrides.
type ToolOverridesView struct {
	Projects map[string]resources.ToolProjectOverrides `json:"projects"`
}

// ToolToggleResult is PUT /config/tools/{family}/{name}/enabled.
type ToolToggleResult struct {
	Family    string `json:"family"`
	Name      string `json:"name"`
	Enabled   bool   `json:"enabled"`
	Scope     string `json:"scope"`
	ProjectID string `json:"projectId,omitempty"`
}

// ToolClearResult is DELETE /config/tools/{family}/{name}/enabled.
type ToolClearResult struct {
	Family    string `json:"family"`
	Name      string `json:"name"`
	ProjectID string `json:"projectId"`
}

// AddendumBody is PUT /projects/{id}/system-prompt.
type AddendumBody struct {
	Addendum string `json:"addendum" doc:"appended to the system prompt of new sessions; empty or blank clears it"`
}

// AddendumView is GET and PUT /projects/{id}/system-prompt.
type AddendumView struct {
	Addendum string `json:"addendum"`
	MaxBytes int    `json:"maxBytes"`
}

type projectQuery struct {
	ProjectID string `query:"projectId" required:"true" doc:"project id"`
}

type nameToggleInput struct {
	Name      string `path:"name"`
	ProjectID string `query:"projectId" required:"true"`
	Body      ToggleBody
}

type nameClearInput struct {
	Name      string `path:"name"`
	ProjectID string `query:"projectId" required:"true"`
}

type toolToggleInput struct {
	Family    string `path:"family" enum:"builtin,mcp,extension"`
	Name      string `path:"name"`
	ProjectID string `query:"projectId"`
	Body      ToggleBody
}

type toolClearInput struct {
	Family    string `path:"family" enum:"builtin,mcp,extension"`
	Name      string `path:"name"`
	ProjectID string `query:"projectId" required:"true"`
}

// MCPToolLister lists the MCP servers and tools of GET /config/tools for
// a project ("" for the global view); MCPToolGroups builds one.
type MCPToolLister func(projectID, projectPath string) ([]ConfigToolsMCPServer, error)

// RegisterConfigResources mounts the skills, prompts and tools toggles and
// the per-project system-prompt addendum (api-contract §1.3, §1.10). All
// changes apply to sessions created afterwards. mcpTools may be nil (no
// MCP servers listed).
func RegisterConfigResources(api huma.API, loader *resources.Loader, store ProjectGetter, mcpTools MCPToolLister) {
	r := resourceRoutes{loader: loader, store: store, mcpTools: mcpTools}
	r.registerSkills(api)
	r.registerPrompts(api)
	r.registerTools(api)
	r.registerAddendum(api)
}

type resourceRoutes struct {
	loader   *resources.Loader
	store    ProjectGetter
	mcpTools MCPToolLister
}

func configOp(method, path, id, summary string) huma.Operation {
	o := server.Op(method, path, id, summary, "Config")
	o.MaxBodyBytes = resourceBodyLimit
	return o
}

// project resolves a project id or fails with 404 project_not_found.
func (r resourceRoutes) project(id string) (resources.Project, error) {
	p, err := r.store.Get(id)
	if errors.Is(err, projects.ErrNotFound) {
		return resources.Project{}, server.Errorf(http.StatusNotFound, "project_not_found", "no project with id %q", id)
	}
	if err != nil {
		return resources.Project{}, err
	}
	return resources.Project{ID: p.ID, Path: p.Path}, nil
}

func toggleState(b ToggleBody) *bool {
	on := b.Enabled
	return &on
}

func notFound(err error, code, what, name string) error {
	if errors.Is(err, resources.ErrNotFound) {
		return server.Errorf(http.StatusNotFound, code, "no %s named %q", what, name)
	}
	return err
}

func (r resourceRoutes) registerSkills(api huma.API) {
	huma.Register(api, configOp(http.MethodGet, "/config/skills", "listSkills", "Skills of a project with their global, project and effective state"),
		func(ctx context.Context, in *projectQuery) (*struct{ Body SkillList }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			skills, diags, err := r.loader.ListSkills(ctx, p)
			if err != nil {
				return nil, err
			}
			return &struct{ Body SkillList }{Body: SkillList{Skills: skills, Diagnostics: orEmptyDiags(diags)}}, nil
		})
	huma.Register(api, configOp(http.MethodGet, "/config/skills/overrides", "skillOverrides", "Per-project skill overrides of every project"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body NameOverridesView }, error) {
			o, err := r.loader.Overrides().Skills.Read()
			if err != nil {
				return nil, err
			}
			return &struct{ Body NameOverridesView }{Body: NameOverridesView{Projects: o.Projects}}, nil
		})
	huma.Register(api, configOp(http.MethodPut, "/config/skills/{name}/enabled", "setSkillEnabled", "Switch a skill on or off, globally (settings.json) or for one project"),
		func(ctx context.Context, in *nameToggleInput) (*struct{ Body SkillsOnly }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			skills, err := r.loader.SetSkill(ctx, p, in.Name, scopeOf(in.Body), toggleState(in.Body))
			if err != nil {
				return nil, notFound(err, "skill_not_found", "skill", in.Name)
			}
			return &struct{ Body SkillsOnly }{Body: SkillsOnly{Skills: skills}}, nil
		})
	huma.Register(api, configOp(http.MethodDelete, "/config/skills/{name}/enabled", "clearSkillOverride", "Let a project inherit a skill's global state again"),
		func(ctx context.Context, in *nameClearInput) (*struct{ Body SkillsOnly }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			skills, err := r.loader.SetSkill(ctx, p, in.Name, resources.ScopeProject, nil)
			if err != nil {
				return nil, notFound(err, "skill_not_found", "skill", in.Name)
			}
			return &struct{ Body SkillsOnly }{Body: SkillsOnly{Skills: skills}}, nil
		})
}

func (r resourceRoutes) registerPrompts(api huma.API) {
	huma.Register(api, configOp(http.MethodGet, "/config/prompts", "listPrompts", "Prompt templates of a project with their global, project and effective state"),
		func(ctx context.Context, in *projectQuery) (*struct{ Body PromptList }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			prompts, diags, err := r.loader.ListPrompts(ctx, p)
			if err != nil {
				return nil, err
			}
			return &struct{ Body PromptList }{Body: PromptList{Prompts: prompts, Diagnostics: orEmptyDiags(diags)}}, nil
		})
	huma.Register(api, configOp(http.MethodGet, "/config/prompts/overrides", "promptOverrides", "Per-project prompt template overrides of every project"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body NameOverridesView }, error) {
			o, err := r.loader.Overrides().Prompts.Read()
			if err != nil {
				return nil, err
			}
			return &struct{ Body NameOverridesView }{Body: NameOverridesView{Projects: o.Projects}}, nil
		})
	huma.Register(api, configOp(http.MethodPut, "/config/prompts/{name}/enabled", "setPromptEnabled", "Switch a prompt template on or off, globally (settings.json) or for one project"),
		func(ctx context.Context, in *nameToggleInput) (*struct{ Body PromptsOnly }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			prompts, err := r.loader.SetPrompt(ctx, p, in.Name, scopeOf(in.Body), toggleState(in.Body))
			if err != nil {
				return nil, notFound(err, "prompt_not_found", "prompt template", in.Name)
			}
			return &struct{ Body PromptsOnly }{Body: PromptsOnly{Prompts: prompts}}, nil
		})
	huma.Register(api, configOp(http.MethodDelete, "/config/prompts/{name}/enabled", "clearPromptOverride", "Let a project inherit a prompt template's global state again"),
		func(ctx context.Context, in *nameClearInput) (*struct{ Body PromptsOnly }, error) {
			p, err := r.project(in.ProjectID)
			if err != nil {
				return nil, err
			}
			prompts, err := r.loader.SetPrompt(ctx, p, in.Name, resources.ScopeProject, nil)
			if err != nil {
				return nil, notFound(err, "prompt_not_found", "prompt template", in.Name)
			}
			return &struct{ Body PromptsOnly }{Body: PromptsOnly{Prompts: prompts}}, nil
		})
}

func (r resourceRoutes) registerTools(api huma.API) {
	huma.Register(api, configOp(http.MethodGet, "/config/tools", "listTools", "Built-in, MCP and extension tools with their state"),
		func(ctx context.Context, in *struct {
			ProjectID string `query:"projectId" doc:"project for the effective state; omit for the global view"`
		}) (*struct{ Body ToolList }, error) {
			builtin, err := r.loader.BuiltinTools(in.ProjectID)
			if err != nil {
				return nil, err
			}
			mcpServers := []ConfigToolsMCPServer{}
			if r.mcpTools != nil {
				id, path := "", ""
				if p, err := r.store.Get(in.ProjectID); in.ProjectID != "" && err == nil {
					id, path = p.ID, p.Path
				}
				if mcpServers, err = r.mcpTools(id, path); err != nil {
					return nil, err
				}
			}
			return &struct{ Body ToolList }{Body: ToolList{Builtin: builtin, MCP: mcpServers, Extension: []ConfigToolsExtension{}}}, nil
		})
	huma.Register(api, configOp(http.MethodGet, "/config/tools/overrides", "toolOverrides", "Per-project tool overrides of every project"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body ToolOverridesView }, error) {
			o, err := r.loader.Overrides().Tools.Read()
			if err != nil {
				return nil, err
			}
			return &struct{ Body ToolOverridesView }{Body: ToolOverridesView{Projects: o.Projects}}, nil
		})
	huma.Register(api, configOp(http.MethodPut, "/config/tools/{family}/{name}/enabled", "setToolEnabled", "Switch a tool on or off, globally or for one project"),
		func(ctx context.Context, in *toolToggleInput) (*struct{ Body ToolToggleResult }, error) {
			ov := r.loader.Overrides()
			res := ToolToggleResult{Family: in.Family, Name: in.Name, Enabled: in.Body.Enabled, Scope: scopeOf(in.Body)}
			if res.Scope == resources.ScopeProject {
				if in.ProjectID == "" {
					return nil, server.Errorf(http.StatusBadRequest, "missing_project_id", "scope project needs ?projectId=")
				}
				if _, err := r.project(in.ProjectID); err != nil {
					return nil, err
				}
				res.ProjectID = in.ProjectID
				if err := ov.SetProjectTool(in.ProjectID, in.Family, in.Name, *stateFor(in.Body.Enabled)); err != nil {
					return nil, err
				}
			} else if err := ov.SetToolEnabled(in.Family, in.Name, in.Body.Enabled); err != nil {
				return nil, err
			}
			return &struct{ Body ToolToggleResult }{Body: res}, nil
		})
	huma.Register(api, configOp(http.MethodDelete, "/config/tools/{family}/{name}/enabled", "clearToolOverride", "Let a project inherit a tool's global state again"),
		func(ctx context.Context, in *toolClearInput) (*struct{ Body ToolClearResult }, error) {
			if _, err := r.project(in.ProjectID); err != nil {
				return nil, err
			}
			if err := r.loader.Overrides().SetProjectTool(in.ProjectID, in.Family, in.Name, ""); err != nil {
				return nil, err
			}
			return &struct{ Body ToolClearResult }{Body: ToolClearResult{Family: in.Family, Name: in.Name, ProjectID: in.ProjectID}}, nil
		})
}

func (r resourceRoutes) registerAddendum(api huma.API) {
	view := func(text string) *struct{ Body AddendumView } {
		return &struct{ Body AddendumView }{Body: AddendumView{Addendum: text, MaxBytes: resources.MaxAddendumBytes}}
	}
	op := func(method, id, summary string) huma.Operation {
		o := server.Op(method, "/projects/{id}/system-prompt", id, summary, "Projects")
		o.MaxBodyBytes = resourceBodyLimit
		return o
	}
	huma.Register(api, op(http.MethodGet, "getSystemPromptAddendum", "The project's system-prompt addendum"),
		func(ctx context.Context, in *projectID) (*struct{ Body AddendumView }, error) {
			if _, err := r.project(in.ID); err != nil {
				return nil, err
			}
			text, err := r.loader.Overrides().Addendum(in.ID)
			if err != nil {
				return nil, err
			}
			return view(text), nil
		})
	huma.Register(api, op(http.MethodPut, "setSystemPromptAddendum", "Set the text appended to the system prompt of the project's new sessions"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" doc:"project id (UUID)"`
			Body AddendumBody
		}) (*struct{ Body AddendumView }, error) {
			if _, err := r.project(in.ID); err != nil {
				return nil, err
			}
			text, err := r.loader.Overrides().SetAddendum(in.ID, in.Body.Addendum)
			if errors.Is(err, resources.ErrAddendumTooLarge) {
				return nil, server.Errorf(http.StatusBadRequest, "addendum_too_large", "the addendum is %d UTF-8 bytes; at most %d are allowed", len(in.Body.Addendum), resources.MaxAddendumBytes)
			}
			if err != nil {
				return nil, err
			}
			return view(text), nil
		})
}

func scopeOf(b ToggleBody) string {
	if b.Scope == resources.ScopeProject {
		return resources.ScopeProject
	}
	return resources.ScopeGlobal
}

func stateFor(on bool) *string {
	s := resources.StateDisabled
	if on {
		s = resources.StateEnabled
	}
	return &s
}

func orEmptyDiags(d []resources.ResourceDiagnostic) []resources.ResourceDiagnostic {
	if d == nil {
		return []resources.ResourceDiagnostic{}
	}
	return d
}
