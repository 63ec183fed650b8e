package anthropic_test

import (
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/anthropic"
)

var update = flag.Bool("update", false, "rewrite golden files")

func newProvider() ai.Provider {
	return anthropic.New(ai.AdapterConfig{Getenv: func(string) string { return "" }})
}

func TestConformance(t *testing.T) {
	aitest.Conformance(t, newProvider(), ai.APIAnthropicMessages)
}

// TestGolden pins request body, events and final message per fixture: cache
// markers, thinking modes (adaptive, budget, disabled), redacted and
// unsigned thinking, merged tool results, OAuth identity and tool names,
// cross-model id normalisation and dropped aborted turns.
func TestGolden(t *testing.T) {
	aitest.CheckGolden(t, newProvider(), "anthropic_", *update)
}

func TestHeaders(t *testing.T) {
	cases := []struct {
		key, provider string
		check         func(t *testing.T, get func(string) string)
	}{
		{"sk-ant-api03-x", "anthropic", func(t *testing.T, get func(string) string) {
			if get("X-Api-Key") != "sk-ant-api03-x" || get("Authorization") != "" || get("Anthropic-Version") != "2023-06-01" {
				t.Errorf("api key auth: x-api-key %q authorization %q", get("X-Api-Key"), get("Authorization"))
			}
			if get("Anthropic-Beta") != "interleaved-thinking-2025-05-14" {
				t.Errorf("beta = %q", get("Anthropic-Beta"))
			}
		}},
		{"sk-ant-oat01-x", "anthropic", func(t *testing.T, get func(string) string) {
			if get("Authorization") != "Bearer sk-ant-oat01-x" || get("X-Api-Key") != "" || get("X-App") != "cli" {
				t.Errorf("oauth: authorization %q x-api-key %q", get("Authorization"), get("X-Api-Key"))
			}
			if get("Anthropic-Beta") != "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14" {
				t.Errorf("beta = %q", get("Anthropic-Beta"))
			}
		}},
		{"key", "fireworks", func(t *testing.T, get func(string) string) {
			// Fireworks takes no eager_input_streaming, so tools need the beta,
			// and routes caches by session.
			if get("Anthropic-Beta") != "fine-grained-tool-streaming-2025-05-14,interleaved-thinking-2025-05-14" || get("X-Session-Affinity") != "sess" {
				t.Errorf("fireworks: beta %q affinity %q", get("Anthropic-Beta"), get("X-Session-Affinity"))
			}
		}},
	}
	for _, c := range cases {
		srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{aitest.Text("ok")}})
		model := srv.Model(ai.APIAnthropicMessages)
		model.Provider = c.provider
		ctx := &ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("hi")}}}}
		if c.provider == "fireworks" {
			ctx.Tools = []ai.ToolSpec{{Name: "t", Parameters: []byte(`{"type":"object"}`)}}
		}
		msg := newProvider().Stream(context.Background(), model, ctx, &ai.StreamOptions{APIKey: c.key, SessionID: "sess"}, nil)
		if msg.StopReason != ai.StopReasonStop {
			t.Fatalf("%s: %s", c.provider, msg.ErrorMessage)
		}
		c.check(t, srv.Requests()[0].Header.Get)
	}
}

func TestSignatureRoundTripsByteExact(t *testing.T) {
	sig := "EqQBCkYIBxgCKkB/+==" + "\u00e9"
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{{Type: aitest.BlockThinking, Text: "hmm", Signature: sig}, {Type: aitest.BlockText, Text: "A"}}},
		aitest.Text("B"),
	}})
	p := newProvider()
	model := srv.Model(ai.APIAnthropicMessages)
	history := []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q")}}}
	first := p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k", Reasoning: "low"}, nil)
	if first.Content[0].ThinkingSignature != sig {
		t.Fatalf("signature = %q", first.Content[0].ThinkingSignature)
	}
	history = append(history, *first, ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q2")}})
	p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k", Reasoning: "low"}, nil)
	body := srv.Requests()[1].JSON()
	msgs := body["messages"].([]any)
	replay := msgs[1].(map[string]any)["content"].([]any)[0].(map[string]any)
	if replay["type"] != "thinking" || replay["signature"] != sig || replay["thinking"] != "hmm" {
		t.Errorf("replayed thinking = %v", replay)
	}
}

func TestAbortKeepsUsageFromMessageStart(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{{
		Blocks:  []aitest.Block{{Type: aitest.BlockText, Text: strings.Repeat("tick ", 100)}},
		Usage:   &aitest.Usage{Input: 4321, Output: 9, CacheRead: 100},
		DelayMS: 5,
	}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := aitest.Recorder{OnEvent: func(e *ai.StreamEvent) {
		if e.Type == ai.EventTextDelta {
			cancel()
		}
	}}
	msg := newProvider().Stream(ctx, srv.Model(ai.APIAnthropicMessages),
		&ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q")}}}}, &ai.StreamOptions{APIKey: "k"}, rec.Emit)
	if msg.StopReason != ai.StopReasonAborted || msg.Text() != "tick" {
		t.Fatalf("got %q with text %q", msg.StopReason, msg.Text())
	}
	if msg.Usage.Input != 4321 || msg.Usage.CacheRead != 100 || msg.Usage.Cost.Input == 0 {
		t.Errorf("usage from message_start lost: %+v", msg.Usage)
	}
}
