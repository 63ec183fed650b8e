package api_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/openai"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/piconfig"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/session"
)

// sessEnv is the session API on a loopback server: a registry over temp
// dirs, one project, and a fake LLM (openai-completions over HTTP) as the
// "fake" provider.
type sessEnv struct {
	*apitest.Env
	Reg     *registry.Registry
	Fake    *aitest.Server
	Store   *session.Store
	Project projects.Project
	PiDir   string
	DataDir string
}

// sessOptions tune newSessEnv.
type sessOptions struct {
	registry    func(*registry.Options)
	api         func(*api.Sessions)
	noModels    bool
	noKey       bool
	settingsObj map[string]any
	// sendBuffer, when set, fixes the server's socket send buffer, so a
	// client that stops reading blocks the server's writes soon.
	sendBuffer int
}

func newSessEnv(t *testing.T, script aitest.Script, o sessOptions) *sessEnv {
	t.Helper()
	root := t.TempDir()
	e := &sessEnv{Fake: aitest.NewServer(t, script), PiDir: filepath.Join(root, "pi"), DataDir: filepath.Join(root, "forge")}
	ws := filepath.Join(root, "workspace")
	projectDir := filepath.Join(ws, "demo")
	mkdirs(t, root, "pi", "forge", "workspace/demo")
	if !o.noModels {
		model := map[string]any{"baseUrl": aitest.BaseURL(e.Fake.URL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions,
			"models": []map[string]any{{"id": "fake-model", "reasoning": true, "input": []string{"text", "image"}, "contextWindow": 200000,
				"cost": map[string]any{"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75}},
				{"id": "other-model", "contextWindow": 100000}}}
		if !o.noKey {
			model["apiKey"] = "fake-key"
		}
		writeFile(t, filepath.Join(e.PiDir, "models.json"), map[string]any{"providers": map[string]any{"fake": model}})
	}
	settings := map[string]any{"retry": map[string]any{"baseDelayMs": 1}}
	for k, v := range o.settingsObj {
		settings[k] = v
	}
	writeFile(t, filepath.Join(e.PiDir, "settings.json"), settings)
	ps := projects.New(projects.Options{File: filepath.Join(e.DataDir, "projects.json"), Workspace: ws, SessionDir: filepath.Join(root, "sessions")})
	p, err := ps.Create("demo", projectDir)
	if err != nil {
		t.Fatal(err)
	}
	e.Project = p
	e.Store = session.NewStore(session.Options{SessionDir: filepath.Join(root, "sessions"), DataDir: e.DataDir})
	launcher, err := proc.New(proc.Config{ServerEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	ropts := registry.Options{Store: e.Store, Projects: ps,
		Config:   piconfig.New(piconfig.Options{AgentDir: e.PiDir, Env: piconfig.Environ{"HOME": root}}),
		Provider: openai.NewCompletions(ai.AdapterConfig{}), Toolbox: registry.BuiltinTools{Launcher: launcher}, Launcher: launcher}
	if o.registry != nil {
		o.registry(&ropts)
	}
	e.Reg = registry.New(ropts)
	srv := server.New(server.Options{})
	closing := make(chan struct{})
	deps := api.Sessions{Registry: e.Reg, Store: e.Store, Projects: ps, Closing: closing}
	if o.api != nil {
		o.api(&deps)
	}
	api.RegisterSessions(srv.API(), deps)
	ts := httptest.NewUnstartedServer(srv.Handler())
	if o.sendBuffer > 0 {
		ts.Listener = sendBufferListener{ts.Listener, o.sendBuffer}
	}
	ts.Start()
	t.Cleanup(func() {
		close(closing)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Reg.Shutdown(ctx)
		ts.Close()
	})
	e.Env = &apitest.Env{T: t, URL: ts.URL}
	return e
}

func writeFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// createSession makes a session and returns its id.
func (e *sessEnv) createSession() string {
	e.T.Helper()
	var s api.LiveSummary
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": e.Project.ID}).JSON(e.T, &s)
	return s.SessionID
}

func (e *sessEnv) prompt(id, text string) api.PromptAccepted {
	e.T.Helper()
	var out api.PromptAccepted
	e.Expect(http.StatusAccepted, "POST", "/api/v1/sessions/"+id+"/prompt", map[string]string{"text": text}).JSON(e.T, &out)
	return out
}

func (e *sessEnv) stream(id string, headers ...string) *apitest.Stream {
	e.T.Helper()
	return e.Stream("/api/v1/sessions/"+id+"/stream", headers...)
}

// waitIdle polls the session until it no longer streams (after agent_end
// the run's goroutine still has to finish).
func (e *sessEnv) waitIdle(id string) {
	e.T.Helper()
	s, err := e.Reg.Get(id)
	if err != nil {
		e.T.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for s.Summary().IsStreaming {
		select {
		case <-ctx.Done():
			e.T.Fatal("session still streaming")
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func types(evs []apitest.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type()
	}
	return out
}

// withoutUpdates drops message_update events, for comparing the shape of a
// run whose delta count depends on chunking.
func withoutUpdates(ts []string) []string {
	var out []string
	for _, t := range ts {
		if t != "message_update" {
			out = append(out, t)
		}
	}
	return out
}

// words returns n words of text.
func words(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("word")
		b.WriteString(string(rune('a' + i%26)))
	}
	return b.String()
}

// sendBufferListener sets a fixed send buffer on every accepted connection.
type sendBufferListener struct {
	net.Listener
	size int
}

func (l sendBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(l.size)
	}
	return c, err
}
