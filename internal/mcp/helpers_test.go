package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/mcp/mcptest"
	"github.com/pi-forge/pi-forge/internal/proc"
)

// stdioBin is the test stdio server, built once by TestMain.
var stdioBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mcpstdio")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if stdioBin, err = mcptest.BuildStdio(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// serverSecret is in the test launcher's server environment; no MCP child
// may see it.
const serverSecret = "PI_FORGE_TEST_SERVER_SECRET"

type harness struct {
	t    testing.TB
	m    *Manager
	dir  string
	logs *logBuffer
	now  atomic.Pointer[time.Time]
}

func newHarness(t testing.TB, tune ...func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), logs: &logBuffer{}}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h.now.Store(&start)
	l, err := proc.New(proc.Config{ServerEnv: append(os.Environ(), serverSecret+"=server-only-value")})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{DataDir: h.dir, Launcher: l, Log: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ConnectTimeout: 10 * time.Second, SessionWait: 10 * time.Second, Now: func() time.Time { return *h.now.Load() }}
	for _, f := range tune {
		f(&opts)
	}
	h.m = New(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		h.m.Shutdown(ctx)
	})
	return h
}

func (h *harness) advance(d time.Duration) {
	next := h.now.Load().Add(d)
	h.now.Store(&next)
}

func (h *harness) put(name string, cfg ServerCfg) {
	h.t.Helper()
	if err := h.m.PutServer(name, cfg); err != nil {
		h.t.Fatalf("put %s: %v", name, err)
	}
}

// status returns the named server's status (global unless p is set).
func (h *harness) status(name string, p *Project) ServerStatus {
	h.t.Helper()
	for _, s := range h.m.Servers(p).Status {
		if s.Name == name && (p == nil) == (s.Scope == ScopeGlobal) {
			return s
		}
	}
	h.t.Fatalf("no server %s", name)
	return ServerStatus{}
}

// waitState polls until the server reaches want (connects run in the
// background and publish no event).
func (h *harness) waitState(name string, p *Project, want State) ServerStatus {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := h.status(name, p)
		if s.State == want {
			return s
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: state %s (%s), want %s", name, s.State, s.LastError, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func toolNames(ts []agent.Tool) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Spec().Name)
	}
	return out
}

func findTool(t *testing.T, ts []agent.Tool, name string) agent.Tool {
	t.Helper()
	for _, x := range ts {
		if x.Spec().Name == name {
			return x
		}
	}
	t.Fatalf("no tool %s in %v", name, toolNames(ts))
	return nil
}

func run(t *testing.T, tl agent.Tool, args string) agent.ToolResult {
	t.Helper()
	res, err := tl.Execute(context.Background(), agent.ToolCall{ID: "c1", Name: tl.Spec().Name, Args: json.RawMessage(args)}, func(agent.ToolResult) {})
	if err != nil {
		t.Fatalf("%s: %v", tl.Spec().Name, err)
	}
	return res
}

func firstText(r agent.ToolResult) string {
	for _, c := range r.Content {
		if c.Type == ai.ContentText {
			return c.Text
		}
	}
	return ""
}

func on(b bool) *bool { return &b }

// newProject makes a project directory holding .mcp.json (when body is
// not empty).
func newProject(t *testing.T, id, body string) Project {
	t.Helper()
	dir := t.TempDir()
	if body != "" {
		if err := os.WriteFile(filepath.Join(dir, ProjectFile), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Project{ID: id, Path: dir}
}
