package agent

import (
	"context"
	"slices"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/openai"
)

// TestEndToEndOverHTTP runs the loop on the real openai-completions adapter
// against aitest's fake server: an overloaded error that is retried, a
// streamed tool call whose result goes back over the wire, and a reply.
func TestEndToEndOverHTTP(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Error: &aitest.Error{Kind: aitest.ErrOverloaded}},
		{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "Let me read it."}, aitest.ToolCall("call_1", "read", `{"path":"a.txt"}`)}},
		aitest.Text("It says hello."),
	}})
	provider := ai.NewDispatcher(map[string]ai.Provider{ai.APIOpenAICompletions: openai.NewCompletions(ai.AdapterConfig{})})
	read := &fakeTool{name: "read", exec: func(_ context.Context, c ToolCall, _ func(ToolResult)) (ToolResult, error) {
		return ToolResult{Content: []ai.Content{ai.TextContent("hello")}}, nil
	}}
	a := newTestAgent(t, provider, []Tool{read}, func(c *Config) { c.Model = srv.Model(ai.APIOpenAICompletions) })
	rec := &recorder{}
	a.Subscribe(rec.on)
	prompt(t, a, "what does a.txt say?")

	if n := len(rec.of(EventAutoRetryStart)); n != 1 {
		t.Errorf("%d retries, want 1", n)
	}
	if e := rec.of(EventAutoRetryEnd); len(e) != 1 || e[0]["success"] != true {
		t.Errorf("auto_retry_end = %v", e)
	}
	msgs := a.Messages()
	var roles []string
	for _, m := range msgs {
		roles = append(roles, m.Role)
	}
	if !slices.Equal(roles, []string{"user", "assistant", "toolResult", "assistant"}) {
		t.Fatalf("roles = %v", roles)
	}
	if calls := msgs[1].ToolCalls(); len(calls) != 1 || calls[0].Name != "read" || string(calls[0].Arguments) != `{"path":"a.txt"}` {
		t.Errorf("tool call = %+v", calls)
	}
	if msgs[3].Text() != "It says hello." || msgs[3].Usage.TotalTokens == 0 {
		t.Errorf("reply = %+v", msgs[3])
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	last := reqs[2].JSON()["messages"].([]any)
	tool := last[len(last)-1].(map[string]any)
	if tool["role"] != "tool" || tool["tool_call_id"] != "call_1" || tool["content"] != "hello" {
		t.Errorf("tool result on the wire = %v", tool)
	}
}

// TestAbortOverHTTP aborts a slow stream after its first delta: the request
// is cancelled and the partial reply is kept as an aborted message.
func TestAbortOverHTTP(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "one two three four five six seven eight nine ten"}}, DelayMS: 50},
	}})
	provider := openai.NewCompletions(ai.AdapterConfig{})
	a := newTestAgent(t, provider, nil, func(c *Config) { c.Model = srv.Model(ai.APIOpenAICompletions) })
	streaming := make(chan struct{})
	var once bool
	a.Subscribe(func(ev *Event) {
		if ev.Type == EventMessageUpdate && ev.AssistantEvent.Type == ai.EventTextDelta && !once {
			once = true
			close(streaming)
		}
	})
	if err := a.Prompt("count", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	<-streaming
	a.Abort()
	msgs := a.Messages()
	last := msgs[len(msgs)-1]
	if last.StopReason != ai.StopReasonAborted || last.Text() == "" || last.Text() == "one two three four five six seven eight nine ten" {
		t.Errorf("aborted reply = %q (%s)", last.Text(), last.StopReason)
	}
}

// TestOverflowOverHTTP: the adapter's context-overflow error is recognized,
// the session is compacted with a real summary request, and the prompt is
// retried once.
func TestOverflowOverHTTP(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		aitest.Text("first answer"),
		{Error: &aitest.Error{Kind: aitest.ErrContextOverflow}},
		aitest.Text("## Goal\nAnswer two questions."),
		aitest.Text("second answer"),
	}})
	provider := openai.NewCompletions(ai.AdapterConfig{})
	sess := &memSession{clock: &testClock{}}
	a := newTestAgent(t, provider, nil, func(c *Config) {
		c.Model = srv.Model(ai.APIOpenAICompletions)
		c.Compactor = sess
		c.Settings.Compaction.KeepRecentTokens = 1
	})
	a.Subscribe(sess.on)
	rec := &recorder{}
	a.Subscribe(rec.on)
	prompt(t, a, "first question")
	prompt(t, a, "second question")
	end := rec.of(EventCompactionEnd)
	if len(end) != 1 || end[0]["reason"] != ReasonOverflow || end[0]["willRetry"] != true {
		t.Fatalf("compaction_end = %v", end)
	}
	msgs := a.Messages()
	if msgs[0].Role != ai.RoleCompactionSummary || msgs[len(msgs)-1].Text() != "second answer" {
		t.Errorf("context = %+v", msgs)
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}
