package mcp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/mcp/mcptest"
)

var noProject = Project{ID: "p0", Path: os.TempDir()}

// TestRemoteToolsAndResultMapping: a streamable-HTTP server's tools become
// <server>__<tool> with their schema passed through, and each kind of
// content maps as the spec says.
func TestRemoteToolsAndResultMapping(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("web", ServerCfg{URL: ts.URL, Transport: TransportStreamable})
	st := h.waitState("web", nil, StateConnected)
	if st.ToolCount != 6 || st.Transport != TransportStreamable || st.Kind != KindRemote {
		t.Fatalf("status %+v", st)
	}
	tools := h.m.SessionTools(context.Background(), noProject, nil)
	want := []string{"web__big", "web__echo", "web__fail", "web__image", "web__resource", "web__slow"}
	got := toolNames(tools)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("tools %v, want %v", got, want)
	}
	echo := findTool(t, tools, "web__echo")
	if echo.Spec().Description != "Echoes its text." {
		t.Errorf("description %q", echo.Spec().Description)
	}
	var schema map[string]any
	if err := json.Unmarshal(echo.Spec().Parameters, &schema); err != nil || schema["properties"].(map[string]any)["n"] == nil {
		t.Errorf("schema not passed through: %s", echo.Spec().Parameters)
	}
	if d := findTool(t, tools, "web__image").Spec().Description; !strings.Contains(d, `"image"`) || !strings.Contains(d, `"web"`) {
		t.Errorf("generated description %q", d)
	}
	if l := echo.(interface{ Label() string }).Label(); l != "MCP: web/echo" {
		t.Errorf("label %q", l)
	}

	if got := firstText(run(t, echo, `{"text":"hi"}`)); got != "echo: hi" {
		t.Errorf("echo: %q", got)
	}
	img := run(t, findTool(t, tools, "web__image"), `{}`)
	if len(img.Content) != 3 || img.Content[0].Text != "before" || img.Content[2].Text != "after" ||
		img.Content[1].Type != ai.ContentImage || img.Content[1].MimeType != "image/png" ||
		img.Content[1].Data != base64.StdEncoding.EncodeToString(mcptest.PNG) {
		t.Errorf("image result %+v", img.Content)
	}
	res := run(t, findTool(t, tools, "web__resource"), `{}`)
	if len(res.Content) != 2 || !strings.Contains(res.Content[0].Text, `"type":"resource_link"`) ||
		!strings.Contains(res.Content[0].Text, `"uri":"file:///tmp/x.txt"`) || !strings.Contains(res.Content[1].Text, `"text":"hello"`) {
		t.Errorf("resource result %+v", res.Content)
	}
	fail := run(t, findTool(t, tools, "web__fail"), `{}`)
	if got := firstText(fail); got != "[error] bad input" || !fail.Details.(Details).IsError {
		t.Errorf("isError result %q %+v", got, fail.Details)
	}
}

// TestAutoFallsBackToSSE: auto tries streamable HTTP, then SSE; a server
// pinned to streamable-http fails against an SSE-only server.
func TestAutoFallsBackToSSE(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{SSE: true})
	h := newHarness(t)
	h.put("old", ServerCfg{URL: ts.URL})
	h.put("pinned", ServerCfg{URL: ts.URL, Transport: TransportStreamable})
	if st := h.waitState("old", nil, StateConnected); st.Transport != TransportSSE {
		t.Fatalf("transport %q, want sse", st.Transport)
	}
	if st := h.waitState("pinned", nil, StateError); st.LastError == "" {
		t.Fatalf("pinned: no error text")
	}
	tools := h.m.SessionTools(context.Background(), noProject, nil)
	if got := firstText(run(t, findTool(t, tools, "old__echo"), `{"text":"over sse"}`)); got != "echo: over sse" {
		t.Errorf("echo over SSE: %q", got)
	}
}

// TestHeadersOnEveryRequestAndNeverShown: configured headers reach the
// server on every request (the SSE GET included) but never the API
// output or the log; the sentinel keeps the stored value and cannot
// create one.
func TestHeadersOnEveryRequestAndNeverShown(t *testing.T) {
	const token = "Bearer very-secret-token-123"
	for _, sse := range []bool{false, true} {
		ts := mcptest.NewServer(t, mcptest.Options{SSE: sse})
		h := newHarness(t)
		h.put("auth", ServerCfg{URL: ts.URL, Headers: map[string]string{"Authorization": token}})
		h.waitState("auth", nil, StateConnected)
		run(t, findTool(t, h.m.SessionTools(context.Background(), noProject, nil), "auth__echo"), `{"text":"x"}`)
		seen := ts.Headers()
		if len(seen) < 3 {
			t.Fatalf("sse=%v: only %d requests", sse, len(seen))
		}
		for i, hd := range seen {
			if hd.Get("Authorization") != token {
				t.Errorf("sse=%v: request %d without the header", sse, i)
			}
		}
		view := h.m.Servers(nil)
		out, _ := json.Marshal(view)
		if strings.Contains(string(out), "very-secret") || view.Servers["auth"].Headers["Authorization"] != Redacted {
			t.Errorf("servers view leaks or lacks the sentinel: %s", out)
		}
		// Sending the sentinel back keeps the value (and changes nothing, so
		// no reconnect).
		before := h.m.lookup(ScopeGlobal, "", "auth")
		h.put("auth", ServerCfg{URL: ts.URL, Headers: map[string]string{"Authorization": Redacted}})
		if h.m.lookup(ScopeGlobal, "", "auth") != before {
			t.Errorf("sse=%v: an unchanged save reconnected", sse)
		}
		data, err := os.ReadFile(filepath.Join(h.dir, ConfigFile))
		if err != nil || !strings.Contains(string(data), "very-secret-token-123") {
			t.Errorf("stored header lost: %s", data)
		}
		err = h.m.PutServer("fresh", ServerCfg{URL: ts.URL, Headers: map[string]string{"X-Key": Redacted}})
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("create with the sentinel: %v", err)
		}
		if strings.Contains(h.logs.String(), "very-secret") {
			t.Errorf("the log holds the header value")
		}
	}
}

// TestStaleSessionRecovery: a server that forgot the session is
// reconnected once and the call retried; concurrent failures share one
// reconnect.
func TestStaleSessionRecovery(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("web", ServerCfg{URL: ts.URL, Transport: TransportStreamable})
	h.waitState("web", nil, StateConnected)
	tools := h.m.SessionTools(context.Background(), noProject, nil)
	echo := findTool(t, tools, "web__echo")
	e := h.m.lookup(ScopeGlobal, "", "web")
	gen := e.snap().gen

	ts.Forget()
	if got := firstText(run(t, echo, `{"text":"again"}`)); got != "echo: again" {
		t.Fatalf("after the server forgot the session: %q", got)
	}
	if g := e.snap().gen; g != gen+1 {
		t.Fatalf("generation %d, want %d (one reconnect)", g, gen+1)
	}

	ts.Forget()
	gen = e.snap().gen
	var wg sync.WaitGroup
	results := make([]string, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := echo.Execute(context.Background(), agent.ToolCall{Args: json.RawMessage(`{"text":"c"}`)}, func(agent.ToolResult) {})
			if err == nil {
				results[i] = firstText(r)
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r != "echo: c" {
			t.Errorf("call %d: %q", i, r)
		}
	}
	if g := e.snap().gen; g != gen+1 {
		t.Errorf("generation %d after concurrent failures, want %d (one shared reconnect)", g, gen+1)
	}
}

// TestSlowToolHonoursAbort: an aborted call returns the context's error
// (the agent records an abort), and a released one its result.
func TestSlowToolHonoursAbort(t *testing.T) {
	ts := mcptest.NewServer(t, mcptest.Options{})
	h := newHarness(t)
	h.put("web", ServerCfg{URL: ts.URL})
	h.waitState("web", nil, StateConnected)
	slow := findTool(t, h.m.SessionTools(context.Background(), noProject, nil), "web__slow")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := slow.Execute(ctx, agent.ToolCall{Args: json.RawMessage(`{}`)}, func(agent.ToolResult) {})
		done <- err
	}()
	<-ts.Started()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("aborted call: %v", err)
	}
	ts.Release()
	if got := firstText(run(t, slow, `{}`)); got != "slow done" {
		t.Errorf("released call: %q", got)
	}
}
