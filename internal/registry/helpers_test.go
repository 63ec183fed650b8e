package registry

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/openai"
	"github.com/pi-forge/pi-forge/internal/piconfig"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/session"
	"github.com/pi-forge/pi-forge/internal/stream"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The fake LLM's and the adapter's idle keep-alive connections.
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a registry over temp dirs with one project and a fake LLM
// (openai-completions over real HTTP) as provider "fake".
type harness struct {
	t        testing.TB
	fake     *aitest.Server
	store    *session.Store
	projects *projects.Store
	project  projects.Project
	piDir    string
	dataDir  string
	clock    *clock
	launcher *proc.Launcher
}

func newHarness(t testing.TB, responses ...aitest.Response) *harness {
	t.Helper()
	root := t.TempDir()
	h := &harness{t: t, fake: aitest.NewServer(t, aitest.Script{Responses: responses}),
		piDir: filepath.Join(root, "pi"), dataDir: filepath.Join(root, "forge"),
		clock: &clock{t: time.Now()}}
	ws := filepath.Join(root, "workspace")
	projectDir := filepath.Join(ws, "demo")
	for _, d := range []string{h.piDir, h.dataDir, projectDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h.writeModels("fake-model", "other-model")
	h.writeSettings(map[string]any{"retry": map[string]any{"baseDelayMs": 1}})
	h.projects = projects.New(projects.Options{File: filepath.Join(h.dataDir, "projects.json"), Workspace: ws,
		SessionDir: filepath.Join(root, "sessions")})
	p, err := h.projects.Create("demo", projectDir)
	if err != nil {
		t.Fatal(err)
	}
	h.project = p
	h.store = session.NewStore(session.Options{SessionDir: filepath.Join(root, "sessions"), DataDir: h.dataDir})
	h.launcher, err = proc.New(proc.Config{ServerEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) writeModels(ids ...string) {
	h.t.Helper()
	var models []map[string]any
	for _, id := range ids {
		models = append(models, map[string]any{"id": id, "reasoning": true, "input": []string{"text", "image"}, "contextWindow": 200000})
	}
	writeJSON(h.t, filepath.Join(h.piDir, "models.json"), map[string]any{"providers": map[string]any{
		"fake": map[string]any{"baseUrl": aitest.BaseURL(h.fake.URL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions,
			"apiKey": "fake-key", "models": models}}})
}

func (h *harness) writeSettings(v map[string]any) {
	h.t.Helper()
	writeJSON(h.t, filepath.Join(h.piDir, "settings.json"), v)
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// registry starts a registry over the harness's directories; it is shut
// down when the test ends.
func (h *harness) registry(mod ...func(*Options)) *Registry {
	h.t.Helper()
	opts := Options{
		Store: h.store, Projects: h.projects,
		Config:   piconfig.New(piconfig.Options{AgentDir: h.piDir, Env: piconfig.Environ{"HOME": h.t.TempDir()}}),
		Provider: openai.NewCompletions(ai.AdapterConfig{}),
		Toolbox:  BuiltinTools{Launcher: h.launcher},
		Launcher: h.launcher,
		Now:      h.clock.now,
	}
	for _, m := range mod {
		m(&opts)
	}
	r := New(opts)
	h.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.Shutdown(ctx)
	})
	return r
}

// events reads a subscriber's events as decoded JSON.
type events struct {
	t   *testing.T
	sub *stream.Subscriber
}

func subscribe(t *testing.T, s *Session) *events {
	sub, _, first := s.Subscribe("", false)
	t.Cleanup(sub.Close)
	if first == nil || eventType(first.Data) != EventSnapshot {
		t.Fatalf("first event = %v", first)
	}
	return &events{t: t, sub: sub}
}

// until returns the events up to and including the first of type typ.
func (e *events) until(typ string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-e.sub.Events():
			var m map[string]any
			if err := json.Unmarshal(ev.Data, &m); err != nil {
				e.t.Fatal(err)
			}
			out = append(out, m)
			if m["type"] == typ {
				return out
			}
		case <-e.sub.Done():
			e.t.Fatalf("subscription ended (%v) waiting for %s", e.sub.Err(), typ)
		case <-timeout:
			e.t.Fatalf("no %s after %d events", typ, len(out))
		}
	}
}

func waitIdle(t *testing.T, s *Session) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.agent.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func roles(msgs []ai.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Role
	}
	return out
}

func entryTypes(f *session.Session) []string {
	var out []string
	for _, e := range f.Entries() {
		t := e.Type
		if e.Message != nil && e.Type == session.TypeMessage {
			t += ":" + e.Message.Role
		}
		out = append(out, t)
	}
	return out
}
