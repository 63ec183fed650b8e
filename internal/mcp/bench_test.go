package mcp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/mcp/mcptest"
)

// benchCall measures one bridged tool call end to end: the agent tool,
// the SDK client, the transport and the server's handler.
func benchCall(b *testing.B, cfg ServerCfg, tool, args string) {
	h := newHarness(b)
	if err := h.m.PutServer("s", cfg); err != nil {
		b.Fatal(err)
	}
	tools := h.m.SessionTools(context.Background(), noProject, nil)
	var tl agent.Tool
	for _, t := range tools {
		if t.Spec().Name == "s__"+tool {
			tl = t
		}
	}
	if tl == nil {
		b.Fatalf("no tool s__%s", tool)
	}
	call := agent.ToolCall{Args: json.RawMessage(args)}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := tl.Execute(context.Background(), call, func(agent.ToolResult) {}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCallStreamableHTTP(b *testing.B) {
	ts := mcptest.NewServer(b, mcptest.Options{})
	benchCall(b, ServerCfg{URL: ts.URL, Transport: TransportStreamable}, "echo", `{"text":"hi"}`)
}

func BenchmarkCallSSE(b *testing.B) {
	ts := mcptest.NewServer(b, mcptest.Options{SSE: true})
	benchCall(b, ServerCfg{URL: ts.URL, Transport: TransportSSE}, "echo", `{"text":"hi"}`)
}

func BenchmarkCallStdio(b *testing.B) {
	benchCall(b, ServerCfg{Command: stdioBin}, "echo", `{"text":"hi"}`)
}

// BenchmarkTruncate1MB cuts a 1,000,000-character result to the default
// 30,000.
func BenchmarkTruncate1MB(b *testing.B) {
	content := []ai.Content{ai.TextContent(strings.Repeat("x", 500000)), ai.ImageContent("AAAA", "image/png"), ai.TextContent(strings.Repeat("y", 500000))}
	b.ReportAllocs()
	for range b.N {
		if _, cut := truncate(content, DefaultMaxChars); !cut {
			b.Fatal("not cut")
		}
	}
}
