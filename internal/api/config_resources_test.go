package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/resources"
)

func writeText(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// resourceEnv is a server with one project, a global skill and template
// and a project skill and template.
func resourceEnv(t *testing.T) (*apitest.Env, string, string) {
	t.Helper()
	e := apitest.Start(t, nil)
	mkdirs(t, e.Workspace, "demo")
	p := createProject(t, e, "Demo", filepath.Join(e.Workspace, "demo"))
	writeText(t, filepath.Join(e.PiConfig, "skills", "deploy", "SKILL.md"), "---\ndescription: Deploy the app\n---\nSteps.")
	writeText(t, filepath.Join(p.Path, ".pi", "skills", "lint", "SKILL.md"), "---\ndescription: Lint\ndisable-model-invocation: true\n---\nRun lint.")
	writeText(t, filepath.Join(p.Path, ".pi", "skills", "deploy", "SKILL.md"), "---\ndescription: Project deploy\n---\nx")
	writeText(t, filepath.Join(e.PiConfig, "prompts", "review.md"), "---\ndescription: Review\nargument-hint: <file>\n---\nReview $1")
	writeText(t, filepath.Join(p.Path, ".pi", "prompts", "fix.md"), "Fix the bug in $@")
	return e, p.ID, p.Path
}

func errCode(t *testing.T, r *apitest.Response) string {
	t.Helper()
	var body struct{ Error string }
	r.JSON(t, &body)
	return body.Error
}

func TestSkillRoutes(t *testing.T) {
	e, id, _ := resourceEnv(t)
	var list struct {
		Skills      []resources.SkillInfo
		Diagnostics []resources.ResourceDiagnostic
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/config/skills?projectId="+id, nil).JSON(t, &list)
	if len(list.Skills) != 2 || list.Skills[0].Name != "deploy" || list.Skills[0].Source != "project" ||
		list.Skills[1].Name != "lint" || !list.Skills[1].DisableModelInvocation || !list.Skills[1].Effective {
		t.Fatalf("skills %+v", list.Skills)
	}
	if len(list.Diagnostics) != 1 || list.Diagnostics[0].Type != "collision" ||
		list.Diagnostics[0].Collision.LoserPath != filepath.Join(e.PiConfig, "skills", "deploy", "SKILL.md") {
		t.Errorf("diagnostics %+v", list.Diagnostics)
	}
	raw := e.Expect(http.StatusOK, "GET", "/api/v1/config/skills?projectId="+id, nil).Map(t)
	first := raw["skills"].([]any)[0].(map[string]any)
	if _, ok := first["projectOverride"]; ok {
		t.Errorf("projectOverride must be absent without an override: %v", first)
	}

	// Global toggle writes pi's settings.json.
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/skills/lint/enabled?projectId="+id, map[string]any{"enabled": false})
	settings, _ := os.ReadFile(filepath.Join(e.PiConfig, "settings.json"))
	if !strings.Contains(string(settings), `"!lint"`) {
		t.Errorf("settings.json: %s", settings)
	}
	// Project toggle writes skills-overrides.json and answers the list.
	var after struct{ Skills []resources.SkillInfo }
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/skills/lint/enabled?projectId="+id, map[string]any{"enabled": true, "scope": "project"}).JSON(t, &after)
	if s := after.Skills[1]; s.Enabled || s.ProjectOverride != "enabled" || !s.Effective {
		t.Errorf("after project enable: %+v", s)
	}
	var ov map[string]map[string]resources.EnableDisable
	e.Expect(http.StatusOK, "GET", "/api/v1/config/skills/overrides", nil).JSON(t, &ov)
	if got := ov["projects"][id]; !slices.Equal(got.Enable, []string{"lint"}) || got.Disable == nil {
		t.Errorf("overrides %+v", ov)
	}
	var cleared struct{ Skills []resources.SkillInfo }
	e.Expect(http.StatusOK, "DELETE", "/api/v1/config/skills/lint/enabled?projectId="+id, nil).JSON(t, &cleared)
	if s := cleared.Skills[1]; s.ProjectOverride != "" || s.Effective {
		t.Errorf("after clear: %+v", s)
	}
	data, _ := os.ReadFile(filepath.Join(e.DataDir, "skills-overrides.json"))
	if strings.Contains(string(data), id) {
		t.Errorf("cleared project still on disk: %s", data)
	}

	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"GET", "/api/v1/config/skills", nil, 400, "invalid_body"},
		{"GET", "/api/v1/config/skills?projectId=nope", nil, 404, "project_not_found"},
		{"PUT", "/api/v1/config/skills/nope/enabled?projectId=" + id, map[string]any{"enabled": true}, 404, "skill_not_found"},
		{"PUT", "/api/v1/config/skills/lint/enabled?projectId=nope", map[string]any{"enabled": true}, 404, "project_not_found"},
		{"PUT", "/api/v1/config/skills/lint/enabled?projectId=" + id, map[string]any{}, 400, "invalid_body"},
		{"PUT", "/api/v1/config/skills/lint/enabled?projectId=" + id, map[string]any{"enabled": "yes"}, 400, "invalid_body"},
		{"PUT", "/api/v1/config/skills/lint/enabled?projectId=" + id, map[string]any{"enabled": true, "scope": "world"}, 400, "invalid_body"},
		{"PUT", "/api/v1/config/skills/lint/enabled?projectId=" + id, "{not json", 400, "invalid_body"},
		{"PUT", "/api/v1/config/skills/lint/enabled", map[string]any{"enabled": true}, 400, "invalid_body"},
		{"DELETE", "/api/v1/config/skills/nope/enabled?projectId=" + id, nil, 404, "skill_not_found"},
		{"DELETE", "/api/v1/config/skills/lint/enabled?projectId=nope", nil, 404, "project_not_found"},
	} {
		r := e.Do(c.method, c.path, c.body)
		if r.StatusCode != c.status || errCode(t, r) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, r.StatusCode, r.Body, c.status, c.code)
		}
	}
}

func TestPromptRoutes(t *testing.T) {
	e, id, _ := resourceEnv(t)
	var list struct {
		Prompts     []resources.PromptInfo
		Diagnostics []resources.ResourceDiagnostic
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/config/prompts?projectId="+id, nil).JSON(t, &list)
	if len(list.Prompts) != 2 || list.Prompts[0].Name != "fix" || list.Prompts[0].Source != "project" ||
		list.Prompts[1].ArgumentHint != "<file>" || list.Diagnostics == nil {
		t.Fatalf("prompts %+v", list)
	}
	var after struct{ Prompts []resources.PromptInfo }
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/prompts/review/enabled?projectId="+id, map[string]any{"enabled": false, "scope": "project"}).JSON(t, &after)
	if p := after.Prompts[1]; !p.Enabled || p.Effective || p.ProjectOverride != "disabled" {
		t.Errorf("%+v", p)
	}
	var ov map[string]map[string]resources.EnableDisable
	e.Expect(http.StatusOK, "GET", "/api/v1/config/prompts/overrides", nil).JSON(t, &ov)
	if !slices.Equal(ov["projects"][id].Disable, []string{"review"}) {
		t.Errorf("overrides %+v", ov)
	}
	r := e.Do("PUT", "/api/v1/config/prompts/nope/enabled?projectId="+id, map[string]any{"enabled": true})
	if r.StatusCode != 404 || errCode(t, r) != "prompt_not_found" {
		t.Errorf("unknown prompt: %d %s", r.StatusCode, r.Body)
	}
	if r := e.Do("GET", "/api/v1/config/prompts?projectId=nope", nil); r.StatusCode != 404 || errCode(t, r) != "project_not_found" {
		t.Errorf("unknown project: %d %s", r.StatusCode, r.Body)
	}
}

func TestToolRoutes(t *testing.T) {
	e, id, _ := resourceEnv(t)
	var list struct {
		Builtin   []resources.ToolStatus
		MCP       []any
		Extension []any
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/config/tools", nil).JSON(t, &list)
	var names []string
	for _, b := range list.Builtin {
		names = append(names, b.Name)
		if !b.Enabled || !b.GlobalEnabled || b.Description == "" {
			t.Errorf("default %+v", b)
		}
	}
	if !slices.Equal(names, resources.BuiltinToolNames) || list.MCP == nil || list.Extension == nil {
		t.Fatalf("tools %v mcp %v ext %v", names, list.MCP, list.Extension)
	}
	res := e.Expect(http.StatusOK, "PUT", "/api/v1/config/tools/builtin/bash/enabled", map[string]any{"enabled": false}).Map(t)
	if res["scope"] != "global" || res["enabled"] != false || res["projectId"] != nil {
		t.Errorf("global toggle answer %v", res)
	}
	res = e.Expect(http.StatusOK, "PUT", "/api/v1/config/tools/builtin/bash/enabled?projectId="+id, map[string]any{"enabled": true, "scope": "project"}).Map(t)
	if res["projectId"] != id || res["scope"] != "project" {
		t.Errorf("project toggle answer %v", res)
	}
	var forProject struct{ Builtin []resources.ToolStatus }
	e.Expect(http.StatusOK, "GET", "/api/v1/config/tools?projectId="+id, nil).JSON(t, &forProject)
	if b := forProject.Builtin[1]; b.Name != "bash" || !b.Enabled || b.GlobalEnabled || b.ProjectOverride != "enabled" {
		t.Errorf("bash for the project %+v", b)
	}
	var ov struct {
		Projects map[string]resources.ToolProjectOverrides
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/config/tools/overrides", nil).JSON(t, &ov)
	if p := ov.Projects[id]; !slices.Equal(p.Builtin.Enable, []string{"bash"}) || p.MCP.Enable == nil {
		t.Errorf("overrides %+v", ov)
	}
	raw, _ := os.ReadFile(filepath.Join(e.DataDir, "tool-overrides.json"))
	var disk map[string]any
	if err := json.Unmarshal(raw, &disk); err != nil || disk["builtin"].([]any)[0] != "bash" {
		t.Errorf("tool-overrides.json %s", raw)
	}
	clear := e.Expect(http.StatusOK, "DELETE", "/api/v1/config/tools/builtin/bash/enabled?projectId="+id, nil).Map(t)
	if clear["projectId"] != id || clear["family"] != "builtin" {
		t.Errorf("clear answer %v", clear)
	}
	// Idempotent.
	e.Expect(http.StatusOK, "DELETE", "/api/v1/config/tools/builtin/bash/enabled?projectId="+id, nil)
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"PUT", "/api/v1/config/tools/builtin/bash/enabled", map[string]any{"enabled": true, "scope": "project"}, 400, "missing_project_id"},
		{"PUT", "/api/v1/config/tools/builtin/bash/enabled?projectId=nope", map[string]any{"enabled": true, "scope": "project"}, 404, "project_not_found"},
		{"PUT", "/api/v1/config/tools/weird/bash/enabled", map[string]any{"enabled": true}, 400, "invalid_body"},
		{"PUT", "/api/v1/config/tools/builtin/bash/enabled", map[string]any{}, 400, "invalid_body"},
		{"DELETE", "/api/v1/config/tools/builtin/bash/enabled", nil, 400, "invalid_body"},
		{"DELETE", "/api/v1/config/tools/builtin/bash/enabled?projectId=nope", nil, 404, "project_not_found"},
		{"DELETE", "/api/v1/config/tools/nope/bash/enabled?projectId=" + id, nil, 400, "invalid_body"},
	} {
		r := e.Do(c.method, c.path, c.body)
		if r.StatusCode != c.status || errCode(t, r) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, r.StatusCode, r.Body, c.status, c.code)
		}
	}
}

func TestSystemPromptAddendumRoutes(t *testing.T) {
	e, id, _ := resourceEnv(t)
	path := "/api/v1/projects/" + id + "/system-prompt"
	var v struct {
		Addendum string
		MaxBytes int
	}
	e.Expect(http.StatusOK, "GET", path, nil).JSON(t, &v)
	if v.Addendum != "" || v.MaxBytes != 20000 {
		t.Fatalf("fresh %+v", v)
	}
	e.Expect(http.StatusOK, "PUT", path, map[string]string{"addendum": "Use tabs."}).JSON(t, &v)
	e.Expect(http.StatusOK, "GET", path, nil).JSON(t, &v)
	if v.Addendum != "Use tabs." {
		t.Errorf("stored %+v", v)
	}
	var disk struct{ Projects map[string]string }
	raw, _ := os.ReadFile(filepath.Join(e.DataDir, "system-prompt-overrides.json"))
	if err := json.Unmarshal(raw, &disk); err != nil || disk.Projects[id] != "Use tabs." {
		t.Errorf("on disk %s", raw)
	}
	for _, tooBig := range []string{strings.Repeat("x", 20001), strings.Repeat("é", 10001)} {
		r := e.Do("PUT", path, map[string]string{"addendum": tooBig})
		if r.StatusCode != 400 || errCode(t, r) != "addendum_too_large" {
			t.Errorf("%d bytes: %d %s", len(tooBig), r.StatusCode, r.Body)
		}
	}
	e.Expect(http.StatusOK, "PUT", path, map[string]string{"addendum": strings.Repeat("é", 10000)})
	e.Expect(http.StatusOK, "PUT", path, map[string]string{"addendum": " \n\t"}).JSON(t, &v)
	raw, _ = os.ReadFile(filepath.Join(e.DataDir, "system-prompt-overrides.json"))
	if v.Addendum != "" || strings.Contains(string(raw), id) {
		t.Errorf("blank should clear: %+v %s", v, raw)
	}
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"GET", "/api/v1/projects/nope/system-prompt", nil, 404, "project_not_found"},
		{"PUT", "/api/v1/projects/nope/system-prompt", map[string]string{"addendum": "x"}, 404, "project_not_found"},
		{"PUT", path, map[string]int{"addendum": 3}, 400, "invalid_body"},
		{"PUT", path, "{", 400, "invalid_body"},
	} {
		r := e.Do(c.method, c.path, c.body)
		if r.StatusCode != c.status || errCode(t, r) != c.code {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, r.StatusCode, r.Body, c.status, c.code)
		}
	}
	// Deleting the project removes every override it had.
	e.Expect(http.StatusOK, "PUT", path, map[string]string{"addendum": "bye"})
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/skills/lint/enabled?projectId="+id, map[string]any{"enabled": false, "scope": "project"})
	e.Expect(http.StatusOK, "DELETE", "/api/v1/projects/"+id, nil)
	for _, f := range []string{"system-prompt-overrides.json", "skills-overrides.json"} {
		raw, _ := os.ReadFile(filepath.Join(e.DataDir, f))
		if strings.Contains(string(raw), id) {
			t.Errorf("%s keeps the deleted project: %s", f, raw)
		}
	}
}
