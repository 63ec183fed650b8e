package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/goleak"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
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
	stdioBin = filepath.Join(dir, "mcpstdio")
	if out, err := exec.Command("go", "build", "-o", stdioBin, "./testdata/cmd/mcpstdio").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the stdio test server: %v\n%s", err, out)
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

// pngPixel is a 1x1 PNG.
var pngPixel = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89}

func textResult(s string) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: s}}}
}

var objectSchema = map[string]any{"type": "object", "properties": map[string]any{
	"text": map[string]any{"type": "string"}, "n": map[string]any{"type": "integer"}}}

// testServer is a real MCP server over streamable HTTP (or SSE only) on
// loopback, with tools returning every kind of content.
type testServer struct {
	*httptest.Server
	srv     *sdk.Server
	sse     bool
	handler atomic.Pointer[http.Handler]
	// started gets a value when the slow tool begins; release unblocks
	// every call of it.
	started chan struct{}
	release chan struct{}
	calls   atomic.Int32
	mu      sync.Mutex
	headers []http.Header // headers of every HTTP request
}

type serverOpts struct {
	sse bool // SSE only (the 2024-11-05 transport)
}

func newTestServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	ts := &testServer{sse: o.sse, started: make(chan struct{}, 16), release: make(chan struct{})}
	// A stateful protocol version: the server keeps sessions, which is what
	// most servers in the wild do and what stale-session recovery is about.
	ts.srv = sdk.NewServer(&sdk.Implementation{Name: "test", Version: "1"},
		&sdk.ServerOptions{SupportedProtocolVersions: []string{"2025-06-18", "2024-11-05"}})
	ts.addTools()
	ts.forget()
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		ts.headers = append(ts.headers, r.Header.Clone())
		ts.mu.Unlock()
		(*ts.handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
		// Sessions of swapped-out handlers (forget) outlive their handler.
		var open []*sdk.ServerSession
		for ss := range ts.srv.Sessions() {
			open = append(open, ss)
		}
		for _, ss := range open {
			_ = ss.Close()
		}
	})
	return ts
}

// forget swaps in a fresh handler: every session the server knew is gone
// and its requests get 404 "session not found".
func (ts *testServer) forget() {
	get := func(*http.Request) *sdk.Server { return ts.srv }
	var h http.Handler
	if ts.sse {
		h = sdk.NewSSEHandler(get, nil)
	} else {
		h = sdk.NewStreamableHTTPHandler(get, nil)
	}
	ts.handler.Store(&h)
}

func (ts *testServer) seenHeaders() []http.Header {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]http.Header(nil), ts.headers...)
}

func (ts *testServer) addTools() {
	add := func(name, desc string, h sdk.ToolHandler) {
		ts.srv.AddTool(&sdk.Tool{Name: name, Description: desc, InputSchema: objectSchema}, func(ctx context.Context, r *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			ts.calls.Add(1)
			return h(ctx, r)
		})
	}
	args := func(r *sdk.CallToolRequest) (in struct {
		Text string
		N    int
	}) {
		_ = json.Unmarshal(r.Params.Arguments, &in)
		return in
	}
	add("echo", "Echoes its text.", func(_ context.Context, r *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return textResult("echo: " + args(r).Text), nil
	})
	add("image", "", func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: "before"},
			&sdk.ImageContent{Data: pngPixel, MIMEType: "image/png"}, &sdk.TextContent{Text: "after"}}}, nil
	})
	add("resource", "Links and embeds.", func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{
			&sdk.ResourceLink{URI: "file:///tmp/x.txt", Name: "x.txt"},
			&sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: "mem://a", MIMEType: "text/plain", Text: "hello"}}}}, nil
	})
	add("fail", "Always fails.", func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: "bad input"}}}, nil
	})
	add("slow", "Waits until released.", func(ctx context.Context, _ *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		select {
		case ts.started <- struct{}{}:
		default:
		}
		select {
		case <-ts.release:
			return textResult("slow done"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	add("big", "Returns n characters.", func(_ context.Context, r *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return textResult(bigText(args(r).N)), nil
	})
}

// bigText is n characters whose every position can be recognised: the
// digits of the position modulo 10.
func bigText(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteByte(byte('0' + i%10))
	}
	return b.String()
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
	t    *testing.T
	m    *Manager
	dir  string
	logs *logBuffer
	now  atomic.Pointer[time.Time]
}

func newHarness(t *testing.T, tune ...func(*Options)) *harness {
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
