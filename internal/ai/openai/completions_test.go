package openai_test

import (
	"context"
	"encoding/json"
	"flag"
	"reflect"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/openai"
)

var update = flag.Bool("update", false, "rewrite golden files")

func newCompletions() ai.Provider {
	return openai.NewCompletions(ai.AdapterConfig{Getenv: func(string) string { return "" }})
}

func TestCompletionsConformance(t *testing.T) {
	aitest.Conformance(t, newCompletions(), ai.APIOpenAICompletions)
}

// TestCompletionsGolden pins, per fixture, the request body (roles, compat
// flags, thinking replay, tool-call id normalisation, synthetic tool
// results, images, cache markers, routing), the event sequence and the
// final message. The same fixtures run through pi-ai in aitest's interop
// test.
func TestCompletionsGolden(t *testing.T) {
	aitest.CheckGolden(t, newCompletions(), "completions_", *update)
}

func TestCompletionsSendsBearerKey(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{aitest.Text("ok")}})
	model := srv.Model(ai.APIOpenAICompletions)
	model.Headers = map[string]string{"X-Model": "m", "X-Both": "model"}
	newCompletions().Stream(context.Background(), model, &ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("go")}}}},
		&ai.StreamOptions{APIKey: "sk-1", Headers: map[string]string{"X-Both": "option"}}, nil)
	h := srv.Requests()[0].Header
	if h.Get("Authorization") != "Bearer sk-1" || h.Get("X-Model") != "m" || h.Get("X-Both") != "option" {
		t.Errorf("headers = %v", h)
	}
}

func TestCompletionsThinkingFieldRoundTrips(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{{Type: aitest.BlockThinking, Text: "Let me think.", Signature: "reasoning"}, {Type: aitest.BlockText, Text: "Answer."}}},
		aitest.Text("Second."),
	}})
	p := newCompletions()
	model := srv.Model(ai.APIOpenAICompletions)
	history := []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q1")}}}
	first := p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k"}, nil)
	if first.Content[0].ThinkingSignature != "reasoning" {
		t.Fatalf("thinking signature = %q, want the delta field name", first.Content[0].ThinkingSignature)
	}
	history = append(history, *first, ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q2")}})
	p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k"}, nil)
	var body struct {
		Messages []map[string]any `json:"messages"`
	}
	if err := json.Unmarshal(srv.Requests()[1].Body, &body); err != nil {
		t.Fatal(err)
	}
	replayed := body.Messages[1]
	if replayed["role"] != "assistant" || replayed["reasoning"] != "Let me think." || replayed["content"] != "Answer." {
		t.Errorf("replayed assistant = %v", replayed)
	}
}

func TestCompletionsToolCallEventSequence(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{{Blocks: []aitest.Block{
		{Type: aitest.BlockText, Text: "Checking."},
		aitest.ToolCall("call_1", "bash", `{"command":"ls"}`),
		aitest.ToolCall("call_2", "bash", `{"command":"pwd"}`),
	}}}})
	var rec aitest.Recorder
	msg := newCompletions().Stream(context.Background(), srv.Model(ai.APIOpenAICompletions),
		&ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("go")}}}},
		&ai.StreamOptions{APIKey: "k"}, rec.Emit)
	// pi-ai keeps every chat block open until the stream ends, then closes
	// them in order.
	want := []string{
		"start", "text_start:0", "text_delta:0",
		"toolcall_start:1", "toolcall_delta:1", "toolcall_start:2", "toolcall_delta:2",
		"text_end:0", "toolcall_end:1", "toolcall_end:2", "done:toolUse",
	}
	if got := rec.Sequence(); !reflect.DeepEqual(got, want) {
		t.Errorf("events =\n%v\nwant\n%v", got, want)
	}
	if msg.ResponseID != "chatcmpl-fake-1" {
		t.Errorf("responseId = %q", msg.ResponseID)
	}
}

func TestCompletionsErrorWording(t *testing.T) {
	cases := []struct {
		resp aitest.Response
		want string
	}{
		{aitest.Response{Error: &aitest.Error{Kind: aitest.ErrRateLimit}}, "429 Rate limit reached for requests"},
		{aitest.Response{Error: &aitest.Error{Status: 400, Message: "bad things"}}, "400 bad things"},
		{aitest.Response{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "x"}}, StreamError: &aitest.Error{Kind: aitest.ErrServer}},
			"The server had an error while processing your request. Sorry about that!"},
	}
	for _, c := range cases {
		srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{c.resp}})
		msg := newCompletions().Stream(context.Background(), srv.Model(ai.APIOpenAICompletions),
			&ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("go")}}}},
			&ai.StreamOptions{APIKey: "k"}, nil)
		if msg.ErrorMessage != c.want {
			t.Errorf("errorMessage = %q, want %q", msg.ErrorMessage, c.want)
		}
	}
}
