package mcp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/mcp/mcptest"
)

// TestBootConnectsEnabledGlobalServers: Start connects what mcp.json
// enables; a disabled server stays disabled and an unreachable one ends
// in error without stopping anything.
func TestBootConnectsEnabledGlobalServers(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	h := newHarness(t)
	writeJSON(t, filepath.Join(h.dir, ConfigFile), `{"servers":{
		"up":{"url":"`+ts.URL+`"},
		"off":{"url":"`+ts.URL+`","enabled":false},
		"down":{"url":"`+dead.URL+`"},
		"local":{"command":"`+stdioBin+`"}}}`)
	h.m.Start()
	h.waitState("up", nil, StateConnected)
	h.waitState("local", nil, StateConnected)
	h.waitState("down", nil, StateError)
	if st := h.status("off", nil); st.State != StateDisabled || st.Enabled {
		t.Errorf("off: %+v", st)
	}
	s := h.m.Settings()
	if !s.Enabled || s.Connected != 2 || s.Total != 3 || s.Truncation != (ResultTruncation{Enabled: true, MaxChars: DefaultMaxChars}) {
		t.Errorf("settings %+v", s)
	}
}

func writeJSON(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMasterSwitchAndPerToolToggles: with MCP off new sessions get no MCP
// tools while connections stay up; the per-tool filter drops tools.
func TestMasterSwitchAndPerToolToggles(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("web", ServerCfg{URL: ts.URL})
	h.waitState("web", nil, StateConnected)
	off := false
	if _, err := h.m.UpdateSettings(SettingsPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if got := h.m.SessionTools(context.Background(), noProject, nil); len(got) != 0 {
		t.Errorf("master off: tools %v", toolNames(got))
	}
	if s := h.m.Settings(); s.Enabled || s.Connected != 1 {
		t.Errorf("settings with the switch off %+v", s)
	}
	on := true
	if _, err := h.m.UpdateSettings(SettingsPatch{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	got := toolNames(h.m.SessionTools(context.Background(), noProject, func(name string) bool { return name != "web__slow" }))
	if slices.Contains(got, "web__slow") || !slices.Contains(got, "web__echo") {
		t.Errorf("per-tool filter: %v", got)
	}
	if len(h.m.Tools(context.Background(), noProject)) != 6 {
		t.Errorf("GET /mcp/tools lists every tool whatever the switches")
	}
}

// TestSaveReconnectsOnlyChangedServers: a save replaces the entries whose
// connection fields (or enabled flag) changed and keeps the others'
// connections.
func TestSaveReconnectsOnlyChangedServers(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("a", ServerCfg{URL: ts.URL})
	h.put("b", ServerCfg{URL: ts.URL, Headers: map[string]string{"X-One": "1"}})
	h.put("c", ServerCfg{Command: stdioBin, Args: []string{"x"}})
	for _, n := range []string{"a", "b", "c"} {
		h.waitState(n, nil, StateConnected)
	}
	a, b, c := h.m.lookup(ScopeGlobal, "", "a"), h.m.lookup(ScopeGlobal, "", "b"), h.m.lookup(ScopeGlobal, "", "c")
	h.put("a", ServerCfg{URL: ts.URL, Transport: TransportAuto})                      // same: auto is the default
	h.put("b", ServerCfg{URL: ts.URL, Headers: map[string]string{"X-One": "2"}})      // headers changed
	h.put("c", ServerCfg{Command: stdioBin, Args: []string{"x"}, Enabled: on(false)}) // disabled
	if h.m.lookup(ScopeGlobal, "", "a") != a {
		t.Errorf("a unchanged but replaced")
	}
	if h.m.lookup(ScopeGlobal, "", "b") == b {
		t.Errorf("b changed but kept")
	}
	h.waitState("b", nil, StateConnected)
	if h.m.lookup(ScopeGlobal, "", "c") == c || h.status("c", nil).State != StateDisabled {
		t.Errorf("c disabled but still connected")
	}
	removed, err := h.m.DeleteServer("a")
	if err != nil || !removed {
		t.Fatalf("delete a: %v %v", removed, err)
	}
	if removed, _ := h.m.DeleteServer("a"); removed {
		t.Errorf("deleting twice removed something")
	}
	if a.snap().link != nil {
		t.Errorf("a deleted but still linked")
	}
}

// TestProbeReconnectsAndRereadsTheProject: a probe reconnects and lists
// tools again; with a project it reads .mcp.json again first.
func TestProbeReconnectsAndRereadsTheProject(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("web", ServerCfg{URL: ts.URL})
	h.waitState("web", nil, StateConnected)
	gen := h.m.lookup(ScopeGlobal, "", "web").snap().gen
	st, err := h.m.Probe(context.Background(), "web", nil)
	if err != nil || st.State != StateConnected || st.ToolCount != 6 {
		t.Fatalf("probe: %+v %v", st, err)
	}
	if g := h.m.lookup(ScopeGlobal, "", "web").snap().gen; g != gen+1 {
		t.Errorf("probe did not reconnect (gen %d -> %d)", gen, g)
	}

	p := newProject(t, "p1", `{"servers":{}}`)
	if _, err := h.m.Probe(context.Background(), "later", &p); !errors.Is(err, ErrServerNotFound) {
		t.Fatalf("probe of a name not in the project yet: %v", err)
	}
	writeJSON(t, filepath.Join(p.Path, ProjectFile), `{"servers":{"later":{"url":"`+ts.URL+`"}}}`)
	st, err = h.m.Probe(context.Background(), "later", &p)
	if err != nil || st.State != StateConnected || st.Scope != ScopeProject {
		t.Fatalf("probe after the project file changed: %+v %v", st, err)
	}
}

// TestProjectServersReplaceGlobalOnes: a project server named like a
// global one replaces it whole for that project's sessions only.
func TestProjectServersReplaceGlobalOnes(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("same", ServerCfg{URL: ts.URL})
	h.waitState("same", nil, StateConnected)
	p, err := filepath.Abs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	proj := Project{ID: "p", Path: p}
	writeJSON(t, filepath.Join(p, ProjectFile), `{"servers":{"same":{"command":"`+stdioBin+`"}}}`)
	if _, err := h.m.Trust(context.Background(), proj); err != nil {
		t.Fatal(err)
	}
	got := toolNames(h.m.SessionTools(context.Background(), proj, nil))
	if !slices.Contains(got, "same__pid") || slices.Contains(got, "same__image") {
		t.Errorf("project tools %v: want the project server's", got)
	}
	got = toolNames(h.m.SessionTools(context.Background(), noProject, nil))
	if !slices.Contains(got, "same__image") || slices.Contains(got, "same__pid") {
		t.Errorf("other project's tools %v: want the global server's", got)
	}
	if cwd := firstText(run(t, findTool(t, h.m.SessionTools(context.Background(), proj, nil), "same__cwd"), `{}`)); cwd != p {
		t.Errorf("project stdio cwd %q, want the project %q", cwd, p)
	}
	groups := h.m.ToolGroups(&proj)
	if i := slices.IndexFunc(groups, func(g Group) bool { return g.Status.Name == "same" }); i < 0 || groups[i].Status.Scope != ScopeProject {
		t.Errorf("tool groups %+v", groups)
	}
}

// TestErroredServerIsRetriedByALaterSession: a server that was down is
// tried again by a new session once RetryAfter has passed.
func TestErroredServerIsRetriedByALaterSession(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	var down atomic.Bool
	down.Store(true)
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		ts.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		gate.CloseClientConnections()
		gate.Close()
	})
	h := newHarness(t)
	h.put("flaky", ServerCfg{URL: gate.URL, Transport: TransportStreamable})
	h.waitState("flaky", nil, StateError)
	down.Store(false)
	if got := h.m.SessionTools(context.Background(), noProject, nil); len(got) != 0 {
		t.Fatalf("retried before RetryAfter: %v", toolNames(got))
	}
	h.advance(31 * time.Second)
	if got := toolNames(h.m.SessionTools(context.Background(), noProject, nil)); !slices.Contains(got, "flaky__echo") {
		t.Fatalf("not retried after RetryAfter: %v", got)
	}
}

// TestNotConnectedText: a session's tool whose server went away answers
// with text for the model.
func TestNotConnectedText(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("web", ServerCfg{URL: ts.URL})
	h.waitState("web", nil, StateConnected)
	echo := findTool(t, h.m.SessionTools(context.Background(), noProject, nil), "web__echo")
	if _, err := h.m.DeleteServer("web"); err != nil {
		t.Fatal(err)
	}
	res := run(t, echo, `{}`)
	if got := firstText(res); !strings.HasPrefix(got, "MCP server 'web' is not connected") || !res.Details.(Details).IsError {
		t.Errorf("text %q details %+v", got, res.Details)
	}
}

// TestExternalEditsAreApplied: an mcp.json replaced behind the manager's
// back (a config import) is applied on the next read.
func TestExternalEditsAreApplied(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.m.Start()
	writeJSON(t, filepath.Join(h.dir, ConfigFile), `{"disabled":true,"truncation":{"maxChars":50},"servers":{"imported":{"url":"`+ts.URL+`"}}}`)
	if s := h.m.Settings(); s.Enabled || s.Truncation.MaxChars != 50 || !s.Truncation.Enabled {
		t.Errorf("settings after an import %+v", s)
	}
	h.waitState("imported", nil, StateConnected)
}

// TestTruncationOfLiveResults: the global setting applies to results.
func TestTruncationOfLiveResults(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("web", ServerCfg{URL: ts.URL})
	h.waitState("web", nil, StateConnected)
	max := 100
	if _, err := h.m.UpdateSettings(SettingsPatch{MaxChars: &max}); err != nil {
		t.Fatal(err)
	}
	big := findTool(t, h.m.SessionTools(context.Background(), noProject, nil), "web__big")
	res := run(t, big, `{"n":1000}`)
	if !strings.HasPrefix(firstText(res), "MCP_RESULT_TRUNCATED: 900 characters (~225 tokens)") || !res.Details.(Details).Truncated {
		t.Errorf("truncated result %q", firstText(res))
	}
	off := false
	if _, err := h.m.UpdateSettings(SettingsPatch{Truncate: &off}); err != nil {
		t.Fatal(err)
	}
	if got := firstText(run(t, big, `{"n":1000}`)); len(got) != 1000 {
		t.Errorf("truncation off: %d characters", len(got))
	}
	bad := 0
	if _, err := h.m.UpdateSettings(SettingsPatch{MaxChars: &bad}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("maxChars 0: %v", err)
	}
}
