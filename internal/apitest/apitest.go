// Package apitest starts a real pi-forge on a loopback port with fresh
// temp directories, for end-to-end HTTP tests of the API.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/app"
	"github.com/pi-forge/pi-forge/internal/config"
)

// Env is one running server and its directories.
type Env struct {
	T         testing.TB
	App       *app.App
	URL       string // http://127.0.0.1:port
	Home      string
	Workspace string
	DataDir   string
	PiConfig  string
	Sessions  string
	// Token, when set, is sent as the bearer token by Do.
	Token string
	logs  *lockedBuffer
	vars  map[string]string
	args  []string
	stop  func()
}

// Logs returns everything the server logged so far.
func (e *Env) Logs() string {
	e.logs.mu.Lock()
	defer e.logs.mu.Unlock()
	return e.logs.buf.String()
}

// Start runs pi-forge with the given extra env vars (KEY=VALUE) and args,
// on a random loopback port, until the test ends.
func Start(t testing.TB, env map[string]string, args ...string) *Env {
	t.Helper()
	home := t.TempDir()
	e := &Env{T: t, Home: home, logs: &lockedBuffer{buf: &bytes.Buffer{}}, args: args}
	e.vars = map[string]string{
		"HOME":           home,
		"WORKSPACE_PATH": filepath.Join(home, "workspace"),
		"FORGE_DATA_DIR": filepath.Join(home, "forge"),
		"PI_CONFIG_DIR":  filepath.Join(home, "pi-agent"),
		"HOST":           "127.0.0.1",
		"PORT":           "0",
	}
	for k, v := range env {
		e.vars[k] = v
	}
	e.start()
	t.Cleanup(func() { e.stop() })
	return e
}

// Restart stops the server and starts a new one on the same directories
// (persistence tests). env changes the variables for the new run: a value
// sets one, "" removes it. The URL changes; Token is kept.
func (e *Env) Restart(env map[string]string) {
	e.T.Helper()
	e.stop()
	for k, v := range env {
		if v == "" {
			delete(e.vars, k)
		} else {
			e.vars[k] = v
		}
	}
	e.start()
}

func (e *Env) start() {
	t := e.T
	t.Helper()
	res, err := config.Parse(e.args, config.MapEnv(e.vars))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg := res.Config
	e.Workspace, e.DataDir, e.PiConfig, e.Sessions = cfg.WorkspacePath, cfg.ForgeDataDir, cfg.PiConfigDir, cfg.SessionDir
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(cfg, log)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	e.App = a
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.URL = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	e.stop = func() {
		e.stop = func() {}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

// Response is a finished request with its body read.
type Response struct {
	*http.Response
	Body []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request. body may be nil, a string/[]byte (sent as is) or any
// value (sent as JSON). headers are "Name: value" strings.
func (e *Env) Do(method, path string, body any, headers ...string) *Response {
	e.T.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd, ctype = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if e.Token != "" {
		req.Header.Set("Authorization", "Bearer "+e.Token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return &Response{Response: resp, Body: data}
}

// Expect sends a request and fails unless the status matches.
func (e *Env) Expect(status int, method, path string, body any, headers ...string) *Response {
	e.T.Helper()
	r := e.Do(method, path, body, headers...)
	if r.StatusCode != status {
		e.T.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.StatusCode, status, r.Body)
	}
	return r
}
