// Package mcptest runs real MCP servers for tests, built with the official
// Go SDK: a streamable-HTTP or SSE-only server on loopback whose tools
// return every kind of content (and which can forget its sessions), and
// the mcpstdio command for stdio servers.
package mcptest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// PNG is the 1x1 image the image tool returns.
var PNG = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89}

// ToolNames are the tools of Server, sorted.
var ToolNames = []string{"big", "echo", "fail", "image", "resource", "slow"}

// Options choose the server's transport.
type Options struct {
	SSE bool // SSE only (the 2024-11-05 transport) instead of streamable HTTP
}

// Server is a real MCP server on a loopback port. Its tools:
//
//	echo {text}  "echo: <text>"
//	image        text "before", a PNG, text "after"
//	resource     a resource link and an embedded text resource
//	fail         isError with "bad input"
//	slow         waits until Release (or the call is cancelled)
//	big {n}      n characters, the digits of each position modulo 10
type Server struct {
	*httptest.Server
	srv     *sdk.Server
	sse     bool
	handler atomic.Pointer[http.Handler]
	started chan struct{}
	release chan struct{}
	once    sync.Once
	calls   atomic.Int32
	mu      sync.Mutex
	headers []http.Header
}

// NewServer starts a server until the test ends. It speaks stateful
// protocol versions (sessions with ids), as most servers do.
func NewServer(tb testing.TB, o Options) *Server {
	tb.Helper()
	s := &Server{sse: o.SSE, started: make(chan struct{}, 64), release: make(chan struct{})}
	s.srv = sdk.NewServer(&sdk.Implementation{Name: "mcptest", Version: "1"},
		&sdk.ServerOptions{SupportedProtocolVersions: []string{"2025-06-18", "2024-11-05"}})
	s.addTools()
	s.Forget()
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.headers = append(s.headers, r.Header.Clone())
		s.mu.Unlock()
		s.Handler().ServeHTTP(w, r)
	}))
	tb.Cleanup(func() {
		s.Release()
		s.CloseClientConnections()
		s.Close()
		// Sessions of swapped-out handlers (Forget) outlive their handler.
		var open []*sdk.ServerSession
		for ss := range s.srv.Sessions() {
			open = append(open, ss)
		}
		for _, ss := range open {
			_ = ss.Close()
		}
	})
	return s
}

// Handler is the MCP handler in use (to wrap it in another server).
func (s *Server) Handler() http.Handler { return *s.handler.Load() }

// Forget swaps in a fresh handler: every session the server knew is gone,
// and their requests get 404 "session not found".
func (s *Server) Forget() {
	get := func(*http.Request) *sdk.Server { return s.srv }
	var h http.Handler
	if s.sse {
		h = sdk.NewSSEHandler(get, nil)
	} else {
		h = sdk.NewStreamableHTTPHandler(get, nil)
	}
	s.handler.Store(&h)
}

// Headers returns the headers of every HTTP request so far.
func (s *Server) Headers() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.headers...)
}

// Calls counts tool calls.
func (s *Server) Calls() int { return int(s.calls.Load()) }

// Started receives a value each time the slow tool begins.
func (s *Server) Started() <-chan struct{} { return s.started }

// Release lets every slow call (now and later) finish.
func (s *Server) Release() { s.once.Do(func() { close(s.release) }) }

func textResult(text string) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}
}

// Schema is every tool's input schema.
var Schema = map[string]any{"type": "object", "properties": map[string]any{
	"text": map[string]any{"type": "string"}, "n": map[string]any{"type": "integer"}}}

type args struct {
	Text string
	N    int
}

func argsOf(r *sdk.CallToolRequest) args {
	var a args
	_ = json.Unmarshal(r.Params.Arguments, &a)
	return a
}

func (s *Server) addTools() {
	add := func(name, desc string, h sdk.ToolHandler) {
		s.srv.AddTool(&sdk.Tool{Name: name, Description: desc, InputSchema: Schema}, func(ctx context.Context, r *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			s.calls.Add(1)
			return h(ctx, r)
		})
	}
	add("echo", "Echoes its text.", func(_ context.Context, r *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return textResult("echo: " + argsOf(r).Text), nil
	})
	add("image", "", func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: "before"},
			&sdk.ImageContent{Data: PNG, MIMEType: "image/png"}, &sdk.TextContent{Text: "after"}}}, nil
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
		case s.started <- struct{}{}:
		default:
		}
		select {
		case <-s.release:
			return textResult("slow done"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	add("big", "Returns n characters.", func(_ context.Context, r *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return textResult(BigText(argsOf(r).N)), nil
	})
}

// BigText is n characters whose every position can be recognised: the
// digit of the position modulo 10.
func BigText(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteByte(byte('0' + i%10))
	}
	return b.String()
}

// StdioPackage is the import path of the stdio test server.
const StdioPackage = "github.com/pi-forge/pi-forge/internal/mcp/mcptest/mcpstdio"

// BuildStdio builds the stdio test server into dir and returns its path.
// Its tools: env (the environment as a JSON array), cwd, pid, echo {text}
// (upper-cased) and exit (the process exits).
func BuildStdio(dir string) (string, error) {
	bin := filepath.Join(dir, "mcpstdio")
	if out, err := exec.Command("go", "build", "-o", bin, StdioPackage).CombinedOutput(); err != nil {
		return "", &buildError{err: err, out: string(out)}
	}
	return bin, nil
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "building mcpstdio: " + e.err.Error() + "\n" + e.out }
