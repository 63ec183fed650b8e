package openai_test

import (
	"context"
	"encoding/json"
	"flag"
	"reflect"
	"strings"
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

func newResponses() ai.Provider {
	return openai.NewResponses(ai.AdapterConfig{Getenv: func(string) string { return "" }})
}

func TestResponsesConformance(t *testing.T) {
	aitest.Conformance(t, newResponses(), ai.APIOpenAIResponses)
}

// TestResponsesGolden pins reasoning items replayed verbatim, v1 text
// signatures, call|item ids (and their normalisation across models),
// function call outputs with images, cache keys and reasoning effort.
func TestResponsesGolden(t *testing.T) {
	aitest.CheckGolden(t, newResponses(), "responses_", *update)
}

func TestResponsesReasoningItemRoundTripsByteExact(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{
			{Type: aitest.BlockThinking, Text: "Compare <a> & <b>.", Signature: "gAAAAABopaque+/=="},
			{Type: aitest.BlockText, Text: "Done."},
			aitest.ToolCall("call_7", "read", `{"path":"x"}`),
		}},
		aitest.Text("Next."),
	}})
	p := newResponses()
	model := srv.Model(ai.APIOpenAIResponses)
	model.Provider = "openai"
	history := []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q")}}}
	first := p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k", Reasoning: "high"}, nil)
	sig := first.Content[0].ThinkingSignature
	if !strings.Contains(sig, `"encrypted_content":"gAAAAABopaque+/=="`) || !strings.Contains(sig, `Compare <a> & <b>.`) {
		t.Fatalf("thinkingSignature = %s", sig)
	}
	if first.Content[1].TextSignature != `{"v":1,"id":"msg_fake_1_1"}` {
		t.Errorf("textSignature = %s", first.Content[1].TextSignature)
	}
	if id := first.Content[2].ID; id != "call_7|fc_fake_1_2" {
		t.Errorf("tool call id = %q, want call_id|item_id", id)
	}
	history = append(history, *first,
		ai.Message{Role: ai.RoleToolResult, ToolCallID: first.Content[2].ID, ToolName: "read", Content: []ai.Content{ai.TextContent("X")}})
	p.Stream(context.Background(), model, &ai.Context{Messages: history}, &ai.StreamOptions{APIKey: "k", Reasoning: "high"}, nil)
	body := string(srv.Requests()[1].Body)
	if !strings.Contains(body, sig) {
		t.Errorf("the reasoning item did not go back byte for byte:\n%s\nnot in\n%s", sig, body)
	}
	if !strings.Contains(body, `{"type":"function_call","id":"fc_fake_1_2","call_id":"call_7","name":"read","arguments":"{\"path\":\"x\"}"}`) ||
		!strings.Contains(body, `{"type":"function_call_output","call_id":"call_7","output":"X"}`) {
		t.Errorf("function call items missing:\n%s", body)
	}
}

func TestResponsesIncompleteIsLength(t *testing.T) {
	// pi-ai ignores response.incomplete (its stop reason stays "stop" with
	// no usage); the event means the output limit was hit, so it is length.
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{{
		Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "cut"}}, StopReason: "length", Usage: &aitest.Usage{Input: 10, Output: 99},
	}}})
	msg := newResponses().Stream(context.Background(), srv.Model(ai.APIOpenAIResponses),
		&ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("q")}}}}, &ai.StreamOptions{APIKey: "k"}, nil)
	if msg.StopReason != ai.StopReasonLength || msg.Usage.Output != 99 {
		t.Errorf("got %q with usage %+v", msg.StopReason, msg.Usage)
	}
}
