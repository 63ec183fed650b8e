package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
)

// TestSessionsInTheApp: the wired application counts live sessions on
// /health, runs the agent with the built-in tools, needs the bearer token
// on the stream when auth is on, and disposes sessions at shutdown.
func TestSessionsInTheApp(t *testing.T) {
	fake := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{aitest.ToolCall("c1", "bash", `{"command":"echo from-bash"}`)}},
		aitest.Text("bash said it"),
	}})
	e := apitest.Start(t, map[string]string{"API_KEY": "test-key-123456"})
	e.Token = "test-key-123456"
	if err := os.MkdirAll(e.PiConfig, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(e.PiConfig, "models.json"), map[string]any{"providers": map[string]any{"fake": map[string]any{
		"baseUrl": aitest.BaseURL(fake.URL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions, "apiKey": "k",
		"models": []map[string]any{{"id": "fake-model"}}}}})
	mkdirs(t, e.Workspace, "proj")
	p := createProject(t, e, "proj", filepath.Join(e.Workspace, "proj"))
	health := func() int {
		var h api.HealthBody
		e.Expect(http.StatusOK, "GET", "/api/v1/health", nil).JSON(t, &h)
		return h.ActiveSessions
	}
	if n := health(); n != 0 {
		t.Fatalf("activeSessions %d", n)
	}
	var s api.LiveSummary
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": p.ID}).JSON(t, &s)
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": p.ID})
	if n := health(); n != 2 {
		t.Fatalf("activeSessions %d", n)
	}
	if _, r := apitest.OpenStream(t, e.URL+"/api/v1/sessions/"+s.SessionID+"/stream", ""); r == nil || r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("stream without a token: %v", r)
	}
	st := e.Stream("/api/v1/sessions/" + s.SessionID + "/stream")
	e.Expect(http.StatusAccepted, "POST", "/api/v1/sessions/"+s.SessionID+"/prompt", map[string]string{"text": "run echo"})
	ran := false
	for _, ev := range st.Until(t, "agent_end", 20*time.Second) {
		if ev.Type() == "tool_execution_end" {
			ran = ev.Map()["isError"] == false && strings.Contains(ev.Data, "from-bash")
		}
	}
	if !ran {
		t.Error("the bash tool did not run")
	}
	e.Expect(http.StatusNoContent, "DELETE", "/api/v1/sessions/"+s.SessionID, nil)
	if n := health(); n != 1 {
		t.Fatalf("activeSessions after delete %d", n)
	}
	e.Restart(nil)
	if n := health(); n != 0 {
		t.Fatalf("activeSessions after restart %d", n)
	}
}
