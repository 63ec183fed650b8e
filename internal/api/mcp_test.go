package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/mcp"
	"github.com/pi-forge/pi-forge/internal/mcp/mcptest"
)

const mcpSecret = "Bearer mcp-secret-header-value-42"

// mcpStatus polls GET /mcp/servers until the named server is in want.
func mcpStatus(t *testing.T, e *apitest.Env, name, query string, want mcp.State) mcp.ServerStatus {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var v mcp.ServerList
		e.Expect(http.StatusOK, "GET", "/api/v1/mcp/servers"+query, nil).JSON(t, &v)
		for _, s := range v.Status {
			if s.Name == name && s.State == want {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached %s: %+v", name, want, v.Status)
		}
		time.Sleep(20 * time.Millisecond) // connects run in the background and publish no event
	}
}

func TestMCPSettingsAndServerRoutes(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	e := apitest.Start(t, nil)

	var s mcp.Overview
	e.Expect(http.StatusOK, "GET", "/api/v1/mcp/settings", nil).JSON(t, &s)
	if !s.Enabled || s.Connected != 0 || s.Total != 0 || s.Truncation != (mcp.ResultTruncation{Enabled: true, MaxChars: 30000}) {
		t.Fatalf("fresh settings %+v", s)
	}
	for _, bad := range []string{`{}`, `{"truncation":{"maxChars":0}}`, `{"truncation":{"maxChars":1000001}}`, `{"enabled":"yes"}`, `{`} {
		if r := e.Do("PUT", "/api/v1/mcp/settings", bad); r.StatusCode != http.StatusBadRequest {
			t.Errorf("PUT settings %s: %d %s", bad, r.StatusCode, r.Body)
		}
	}
	e.Expect(http.StatusOK, "PUT", "/api/v1/mcp/settings", map[string]any{"truncation": map[string]any{"maxChars": 1234}}).JSON(t, &s)
	if s.Truncation.MaxChars != 1234 || !s.Truncation.Enabled || !s.Enabled {
		t.Errorf("after PUT %+v", s)
	}

	invalid := map[string]any{
		"both":                  map[string]any{"url": ts.URL, "command": "x"},
		"neither":               map[string]any{"enabled": true},
		"badtransport":          map[string]any{"url": ts.URL, "transport": "ws"},
		"sentinel":              map[string]any{"url": ts.URL, "headers": map[string]string{"Authorization": mcp.Redacted}},
		strings.Repeat("n", 65): map[string]any{"url": ts.URL},
	}
	for name, body := range invalid {
		r := e.Do("PUT", "/api/v1/mcp/servers/"+name, body)
		if r.StatusCode != http.StatusBadRequest || r.Map(t)["error"] != "mcp_invalid_config" {
			t.Errorf("PUT %s: %d %s", name, r.StatusCode, r.Body)
		}
	}

	var ok api.MCPOK
	e.Expect(http.StatusOK, "PUT", "/api/v1/mcp/servers/web", map[string]any{"url": ts.URL, "headers": map[string]string{"Authorization": mcpSecret}}).JSON(t, &ok)
	if !ok.OK {
		t.Fatal("ok false")
	}
	st := mcpStatus(t, e, "web", "", mcp.StateConnected)
	if st.ToolCount != len(mcptest.ToolNames) || st.Scope != mcp.ScopeGlobal || st.Kind != mcp.KindRemote || st.URL != ts.URL {
		t.Errorf("status %+v", st)
	}
	r := e.Expect(http.StatusOK, "GET", "/api/v1/mcp/servers", nil)
	var list mcp.ServerList
	r.JSON(t, &list)
	if list.Servers["web"].Headers["Authorization"] != mcp.Redacted || strings.Contains(string(r.Body), "mcp-secret") || list.StdioTrust != nil {
		t.Errorf("GET /mcp/servers: %s", r.Body)
	}
	// The sentinel sent back keeps the header: the server still accepts calls.
	e.Expect(http.StatusOK, "PUT", "/api/v1/mcp/servers/web", map[string]any{"url": ts.URL, "headers": map[string]string{"Authorization": mcp.Redacted}})
	data, err := os.ReadFile(filepath.Join(e.DataDir, "mcp.json"))
	if err != nil || !strings.Contains(string(data), "mcp-secret-header-value-42") {
		t.Fatalf("mcp.json lost the header: %s %v", data, err)
	}
	if fi, _ := os.Stat(filepath.Join(e.DataDir, "mcp.json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mcp.json mode %v", fi.Mode().Perm())
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/mcp/settings", nil).JSON(t, &s)
	if s.Connected != 1 || s.Total != 1 {
		t.Errorf("settings counts %+v", s)
	}

	var probe api.MCPProbeResult
	e.Expect(http.StatusOK, "POST", "/api/v1/mcp/servers/web/probe", nil).JSON(t, &probe)
	if probe.Status.State != mcp.StateConnected || probe.Status.ToolCount != len(mcptest.ToolNames) {
		t.Errorf("probe %+v", probe.Status)
	}
	if r := e.Do("POST", "/api/v1/mcp/servers/nope/probe", nil); r.StatusCode != http.StatusNotFound || r.Map(t)["error"] != "mcp_server_not_found" {
		t.Errorf("probe unknown: %d %s", r.StatusCode, r.Body)
	}
	if r := e.Do("POST", "/api/v1/mcp/servers/web/probe?projectId=nope", nil); r.StatusCode != http.StatusNotFound || r.Map(t)["error"] != "project_not_found" {
		t.Errorf("probe in unknown project: %d %s", r.StatusCode, r.Body)
	}

	mkdirs(t, e.Workspace, "proj")
	p := createProject(t, e, "proj", filepath.Join(e.Workspace, "proj"))
	if r := e.Do("GET", "/api/v1/mcp/tools", nil); r.StatusCode != http.StatusBadRequest {
		t.Errorf("tools without projectId: %d", r.StatusCode)
	}
	if r := e.Do("GET", "/api/v1/mcp/tools?projectId=nope", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("tools of an unknown project: %d", r.StatusCode)
	}
	var tools api.MCPToolList
	e.Expect(http.StatusOK, "GET", "/api/v1/mcp/tools?projectId="+p.ID, nil).JSON(t, &tools)
	if len(tools.Tools) != len(mcptest.ToolNames) || !slices.ContainsFunc(tools.Tools, func(x api.MCPToolSummary) bool {
		return x.Name == "web__echo" && x.Description == "Echoes its text."
	}) {
		t.Errorf("tools %+v", tools)
	}

	// GET /config/tools lists the server and its switches.
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/tools/mcp/web__echo/enabled", map[string]any{"enabled": false})
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/tools/mcp/web__echo/enabled?projectId="+p.ID, map[string]any{"enabled": true, "scope": "project"})
	var tl api.ToolList
	e.Expect(http.StatusOK, "GET", "/api/v1/config/tools?projectId="+p.ID, nil).JSON(t, &tl)
	if len(tl.MCP) != 1 || tl.MCP[0].Server != "web" || tl.MCP[0].State != "connected" || tl.MCP[0].Scope != "global" || len(tl.MCP[0].Tools) != len(mcptest.ToolNames) {
		t.Fatalf("config tools mcp %+v", tl.MCP)
	}
	i := slices.IndexFunc(tl.MCP[0].Tools, func(x api.ConfigToolsMCPTool) bool { return x.Name == "web__echo" })
	if x := tl.MCP[0].Tools[i]; x.ShortName != "echo" || !x.Enabled || x.GlobalEnabled || x.ProjectOverride != "enabled" {
		t.Errorf("web__echo %+v", x)
	}
	var global api.ToolList
	e.Expect(http.StatusOK, "GET", "/api/v1/config/tools", nil).JSON(t, &global)
	if x := global.MCP[0].Tools[i]; x.Enabled || x.ProjectOverride != "" {
		t.Errorf("global view of web__echo %+v", x)
	}

	var rm api.MCPRemoved
	e.Expect(http.StatusOK, "DELETE", "/api/v1/mcp/servers/web", nil).JSON(t, &rm)
	if !rm.Removed {
		t.Error("not removed")
	}
	e.Expect(http.StatusOK, "DELETE", "/api/v1/mcp/servers/web", nil).JSON(t, &rm)
	if rm.Removed {
		t.Error("removed twice")
	}
	if strings.Contains(e.Logs(), "mcp-secret") {
		t.Error("the log holds the header value")
	}
}

func TestMCPTrustRoutes(t *testing.T) {
	bin, err := mcptest.BuildStdio(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := apitest.Start(t, nil)
	mkdirs(t, e.Workspace, "proj")
	dir := filepath.Join(e.Workspace, "proj")
	writeFile(t, filepath.Join(dir, ".mcp.json"), map[string]any{"mcpServers": map[string]any{
		"local": map[string]any{"command": bin, "env": map[string]string{"MCPSTDIO_TOKEN": "stdio-token-value-77"}}}})
	p := createProject(t, e, "proj", dir)
	q := "?projectId=" + p.ID

	var list mcp.ServerList
	e.Expect(http.StatusOK, "GET", "/api/v1/mcp/servers"+q, nil).JSON(t, &list)
	if list.StdioTrust == nil || list.StdioTrust.Trusted || len(list.Status) != 1 || list.Status[0].State != mcp.StateTrustRequired ||
		list.Status[0].Scope != mcp.ScopeProject || list.Status[0].Command != bin {
		t.Fatalf("untrusted project %+v", list)
	}
	if r := e.Do("GET", "/api/v1/mcp/servers?projectId=nope", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown project: %d", r.StatusCode)
	}
	for _, m := range []string{"POST", "DELETE"} {
		if r := e.Do(m, "/api/v1/mcp/trust/nope", nil); r.StatusCode != http.StatusNotFound || r.Map(t)["error"] != "project_not_found" {
			t.Errorf("%s trust of an unknown project: %d %s", m, r.StatusCode, r.Body)
		}
	}
	var tr api.MCPTrustResult
	r := e.Expect(http.StatusOK, "POST", "/api/v1/mcp/trust/"+p.ID, nil)
	r.JSON(t, &tr)
	if !tr.Trusted || len(tr.Status) != 1 || tr.Status[0].State != mcp.StateConnected {
		t.Fatalf("trust %s", r.Body)
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/mcp/servers"+q, nil).JSON(t, &list)
	if !list.StdioTrust.Trusted {
		t.Error("not trusted after POST")
	}
	e.Expect(http.StatusOK, "DELETE", "/api/v1/mcp/trust/"+p.ID, nil).JSON(t, &tr)
	if tr.Trusted {
		t.Error("trusted after DELETE")
	}
	mcpStatus(t, e, "local", q, mcp.StateTrustRequired)

	e.Expect(http.StatusOK, "POST", "/api/v1/mcp/trust/"+p.ID, nil)
	e.Expect(http.StatusOK, "DELETE", "/api/v1/projects/"+p.ID, nil)
	data, _ := os.ReadFile(filepath.Join(e.DataDir, "mcp-stdio-trust.json"))
	if strings.Contains(string(data), p.ID) {
		t.Errorf("a deleted project keeps its trust: %s", data)
	}
	if strings.Contains(e.Logs(), "stdio-token-value-77") {
		t.Error("the log holds an env value")
	}
}

// TestMCPToolThroughAPrompt: a session created after a server connected
// offers its tools to the model; the model's call reaches the server and
// its result goes back to the model. Switched-off tools and the master
// switch keep tools out of new sessions.
func TestMCPToolThroughAPrompt(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	fake := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{aitest.ToolCall("c1", "web__echo", `{"text":"from the model"}`)}},
		aitest.Text("the server said it"),
	}, Fallback: &aitest.Canned{Mode: "echo"}})
	e := apitest.Start(t, nil)
	mkdirs(t, e.PiConfig, ".")
	writeFile(t, filepath.Join(e.PiConfig, "models.json"), map[string]any{"providers": map[string]any{"fake": map[string]any{
		"baseUrl": aitest.BaseURL(fake.URL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions, "apiKey": "k",
		"models": []map[string]any{{"id": "fake-model"}}}}})
	mkdirs(t, e.Workspace, "proj")
	p := createProject(t, e, "proj", filepath.Join(e.Workspace, "proj"))
	e.Expect(http.StatusOK, "PUT", "/api/v1/mcp/servers/web", map[string]any{"url": ts.URL})
	mcpStatus(t, e, "web", "", mcp.StateConnected)

	var s api.LiveSummary
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": p.ID}).JSON(t, &s)
	st := e.Stream("/api/v1/sessions/" + s.SessionID + "/stream")
	e.Expect(http.StatusAccepted, "POST", "/api/v1/sessions/"+s.SessionID+"/prompt", map[string]string{"text": "call the server"})
	ran := false
	for _, ev := range st.Until(t, "agent_end", 20*time.Second) {
		if ev.Type() == "tool_execution_end" {
			ran = ev.Map()["toolName"] == "web__echo" && strings.Contains(ev.Data, "echo: from the model")
		}
	}
	if !ran || ts.Calls() != 1 {
		t.Fatalf("the MCP tool did not run (calls %d)", ts.Calls())
	}
	reqs := fake.Requests()
	if len(reqs) < 2 || !slices.Contains(requestTools(reqs[0]), "web__echo") || !strings.Contains(string(reqs[1].Body), "echo: from the model") {
		t.Fatalf("the model did not see the tool or its result")
	}

	sessionTools := func() []string {
		var s api.LiveSummary
		e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": p.ID}).JSON(t, &s)
		before := len(fake.Requests())
		e.Expect(http.StatusAccepted, "POST", "/api/v1/sessions/"+s.SessionID+"/prompt", map[string]string{"text": "hi"})
		deadline := time.Now().Add(15 * time.Second)
		for len(fake.Requests()) == before {
			if time.Now().After(deadline) {
				t.Fatal("no model request")
			}
			time.Sleep(10 * time.Millisecond) // the prompt runs in the background
		}
		return requestTools(fake.Requests()[before])
	}
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/tools/mcp/web__slow/enabled?projectId="+p.ID, map[string]any{"enabled": false, "scope": "project"})
	if got := sessionTools(); slices.Contains(got, "web__slow") || !slices.Contains(got, "web__echo") {
		t.Errorf("with web__slow off for the project: %v", got)
	}
	e.Expect(http.StatusOK, "PUT", "/api/v1/mcp/settings", map[string]any{"enabled": false})
	if got := sessionTools(); slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, "web__") }) {
		t.Errorf("with MCP off: %v", got)
	}
}

// requestTools lists the tool names of an openai-completions request.
func requestTools(r aitest.Request) []string {
	var body struct {
		Tools []struct {
			Function struct{ Name string } `json:"function"`
		} `json:"tools"`
	}
	_ = json.Unmarshal(r.Body, &body)
	var out []string
	for _, t := range body.Tools {
		out = append(out, t.Function.Name)
	}
	return out
}
