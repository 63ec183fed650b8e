package google_test

import (
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/google"
)

var update = flag.Bool("update", false, "rewrite golden files")

func newProvider() ai.Provider {
	return google.New(ai.AdapterConfig{Getenv: func(string) string { return "" }})
}

func TestConformance(t *testing.T) {
	aitest.Conformance(t, newProvider(), ai.APIGoogleGenerativeAI)
}

// TestGolden pins request body, events and final message per fixture:
// system instruction, thinking levels and budgets (and "off" per family),
// signatures kept only for the same model and valid base64, merged function
// responses, images inside responses for Gemini 3 and beside them before.
func TestGolden(t *testing.T) {
	aitest.CheckGolden(t, newProvider(), "google_", *update)
}

func TestRequestURLAndKey(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{aitest.Text("ok")}})
	msg := newProvider().Stream(context.Background(), srv.Model(ai.APIGoogleGenerativeAI),
		&ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q")}}}}, &ai.StreamOptions{APIKey: "AIza-1"}, nil)
	if msg.StopReason != ai.StopReasonStop {
		t.Fatal(msg.ErrorMessage)
	}
	req := srv.Requests()[0]
	if req.Path != "/v1beta/models/fake-model:streamGenerateContent" || req.Header.Get("X-Goog-Api-Key") != "AIza-1" {
		t.Errorf("path %q key %q", req.Path, req.Header.Get("X-Goog-Api-Key"))
	}
}

func TestMissingCallIDsAreGenerated(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{{Blocks: []aitest.Block{
		{Type: aitest.BlockToolCall, Name: "read", Arguments: []byte(`{"path":"a"}`)},
		{Type: aitest.BlockToolCall, Name: "read", Arguments: []byte(`{"path":"b"}`)},
	}}}})
	msg := newProvider().Stream(context.Background(), srv.Model(ai.APIGoogleGenerativeAI),
		&ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q")}}}}, &ai.StreamOptions{APIKey: "k"}, nil)
	calls := msg.ToolCalls()
	if len(calls) != 2 || !strings.HasPrefix(calls[0].ID, "read_") || calls[0].ID == calls[1].ID {
		t.Errorf("ids = %q %q", calls[0].ID, calls[1].ID)
	}
}

func TestThoughtSignatureRoundTrips(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{{Type: aitest.BlockThinking, Text: "t", Signature: "dGhpbmtpbmc+Lw=="}, aitest.ToolCall("c1", "read", `{}`)}},
		aitest.Text("done"),
	}})
	srv.Handler.Requests()
	p := newProvider()
	model := srv.Model(ai.APIGoogleGenerativeAI)
	history := []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q")}}}
	first := p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k", Reasoning: "low"}, nil)
	history = append(history, *first, ai.Message{Role: ai.RoleToolResult, ToolCallID: "c1", ToolName: "read", Content: []ai.Content{ai.TextContent("r")}})
	p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k", Reasoning: "low"}, nil)
	if body := string(srv.Requests()[1].Body); !strings.Contains(body, `{"text":"t","thought":true,"thoughtSignature":"dGhpbmtpbmc+Lw=="}`) {
		t.Errorf("thought signature not replayed:\n%s", body)
	}
}
