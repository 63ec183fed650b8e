package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/mcp/mcptest"
)

// childPID asks a stdio server for its pid.
func childPID(t *testing.T, h *harness, p Project, server string) int {
	t.Helper()
	pid, err := strconv.Atoi(firstText(run(t, findTool(t, h.m.SessionTools(context.Background(), p, nil), server+"__pid"), `{}`)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// waitGone polls until pid no longer exists (reaped children leave no
// trace; there is no event to wait on for another process's end).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still running", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStdioServerEnvCwdStderrAndShutdown: a global stdio server is spawned
// through the launcher with the allowlist env plus its own (never the
// server's secrets), runs in the server's directory, logs its stderr with
// secrets scrubbed and is gone after Shutdown.
func TestStdioServerEnvCwdStderrAndShutdown(t *testing.T) {
	serverCwd := t.TempDir()
	h := newHarness(t, func(o *Options) { o.ServerCwd = serverCwd })
	h.put("local", ServerCfg{Command: stdioBin, Env: map[string]string{"MCPSTDIO_TOKEN": "stdio-secret-value", "EXTRA": "1"}})
	st := h.waitState("local", nil, StateConnected)
	if st.Kind != KindStdio || st.Command != stdioBin || st.ToolCount != 5 {
		t.Fatalf("status %+v", st)
	}
	tools := h.m.SessionTools(context.Background(), noProject, nil)
	var env []string
	if err := json.Unmarshal([]byte(firstText(run(t, findTool(t, tools, "local__env"), `{}`))), &env); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "MCPSTDIO_TOKEN=stdio-secret-value") || !slices.Contains(env, "EXTRA=1") {
		t.Errorf("config env missing: %v", env)
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, serverSecret+"=") {
			t.Errorf("server secret reached the MCP child")
		}
	}
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") }) {
		t.Errorf("PATH missing from the allowlist env")
	}
	if got := firstText(run(t, findTool(t, tools, "local__cwd"), `{}`)); got != serverCwd {
		t.Errorf("cwd %q, want %q", got, serverCwd)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "mcpstdio ready token="+Redacted) || strings.Contains(logs, "stdio-secret-value") {
		t.Errorf("stderr log not scrubbed or missing:\n%s", logs)
	}
	if out, _ := json.Marshal(h.m.Servers(nil)); strings.Contains(string(out), "stdio-secret-value") {
		t.Errorf("servers view leaks env: %s", out)
	}
	pid := childPID(t, h, noProject, "local")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h.m.Shutdown(ctx)
	waitGone(t, pid)
}

// TestStdioCrashRecovers: a stdio server that died is spawned again by
// the next call.
func TestStdioCrashRecovers(t *testing.T) {
	h := newHarness(t)
	h.put("local", ServerCfg{Command: stdioBin})
	h.waitState("local", nil, StateConnected)
	tools := h.m.SessionTools(context.Background(), noProject, nil)
	first := childPID(t, h, noProject, "local")
	res := run(t, findTool(t, tools, "local__exit"), `{}`)
	if !strings.HasPrefix(firstText(res), "MCP tool 'local__exit' threw: ") {
		t.Errorf("crashing call: %q", firstText(res))
	}
	waitGone(t, first)
	if got := firstText(run(t, findTool(t, tools, "local__echo"), `{"text":"back"}`)); got != "BACK" {
		t.Fatalf("after the crash: %q", got)
	}
	if second := childPID(t, h, noProject, "local"); second == first {
		t.Errorf("same pid %d after a crash", second)
	}
}

// TestStdioTrustGate: a project's stdio servers wait for trust (remote
// ones do not); trust spawns them at once; revoking tears the whole
// project pool down; deleting the project forgets its trust.
func TestStdioTrustGate(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	p := newProject(t, "proj-1", `{"mcpServers":{"local":{"command":"`+stdioBin+`"},"web":{"url":"`+ts.URL+`"}}}`)
	tools := toolNames(h.m.SessionTools(context.Background(), p, nil))
	if !slices.Contains(tools, "web__echo") || slices.ContainsFunc(tools, func(n string) bool { return strings.HasPrefix(n, "local__") }) {
		t.Fatalf("untrusted project tools %v", tools)
	}
	view := h.m.Servers(&p)
	if view.StdioTrust == nil || view.StdioTrust.Trusted {
		t.Fatalf("stdioTrust %+v", view.StdioTrust)
	}
	if st := h.status("local", &p); st.State != StateTrustRequired || st.Scope != ScopeProject || st.ProjectID != p.ID {
		t.Fatalf("local %+v", st)
	}

	status, err := h.m.Trust(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(status, func(s ServerStatus) bool { return s.Name == "local" }); i < 0 || status[i].State != StateConnected {
		t.Fatalf("after trust: %+v", status)
	}
	data, err := os.ReadFile(filepath.Join(h.dir, TrustFile))
	if err != nil || !strings.Contains(string(data), `"proj-1"`) || !strings.Contains(string(data), "trustedAt") {
		t.Fatalf("trust file %s %v", data, err)
	}
	if fi, _ := os.Stat(filepath.Join(h.dir, TrustFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("trust file mode %v", fi.Mode().Perm())
	}
	pid := childPID(t, h, p, "local")
	webCalls := h.m.SessionTools(context.Background(), p, nil)

	if err := h.m.Revoke(p); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	if got := firstText(run(t, findTool(t, webCalls, "web__echo"), `{}`)); !strings.HasPrefix(got, "MCP server 'web' is not connected") {
		t.Errorf("a revoked project's remote tool: %q", got)
	}
	if st := h.status("local", &p); st.State != StateTrustRequired {
		t.Errorf("after revoke: %+v", st)
	}
	if h.m.trust.Trusted(p.ID) {
		t.Errorf("still trusted after revoke")
	}

	if _, err := h.m.Trust(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if err := h.m.ForgetProject(p.ID); err != nil {
		t.Fatal(err)
	}
	if h.m.trust.Trusted(p.ID) {
		t.Errorf("a deleted project keeps its trust")
	}
}

// TestGlobalStdioIsNeverGated: global stdio servers run without trust.
func TestGlobalStdioIsNeverGated(t *testing.T) {
	h := newHarness(t)
	h.put("local", ServerCfg{Command: stdioBin})
	h.waitState("local", nil, StateConnected)
	if !slices.Contains(toolNames(h.m.SessionTools(context.Background(), newProject(t, "untrusted", ""), nil)), "local__echo") {
		t.Errorf("global stdio tools missing in an untrusted project")
	}
}

// TestBrokenStdioCommand: a command that cannot start is an error state,
// not a crash, and sessions start without it.
func TestBrokenStdioCommand(t *testing.T) {
	h := newHarness(t)
	h.put("nope", ServerCfg{Command: filepath.Join(t.TempDir(), "missing")})
	if st := h.waitState("nope", nil, StateError); st.LastError == "" {
		t.Errorf("no error text")
	}
	if got := h.m.SessionTools(context.Background(), noProject, nil); len(got) != 0 {
		t.Errorf("tools %v", toolNames(got))
	}
	if _, err := h.m.Probe(context.Background(), "absent", nil); !errors.Is(err, ErrServerNotFound) {
		t.Errorf("probe of an unknown server: %v", err)
	}
}
