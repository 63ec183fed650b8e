package agent

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func TestPromptToolReplyEventOrder(t *testing.T) {
	p := newFake(t,
		func(s *fakeStream) *ai.Message {
			s.thinking("let me look")
			s.text("Reading", " it.")
			return s.toolCall("c1", "read", `{"path":"a.txt"}`).done()
		},
		replyText("It says hi."),
	)
	a := newTestAgent(t, p, []Tool{&fakeTool{name: "read"}}, nil)
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.Prompt("what is in a.txt?", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)

	want := []string{
		"agent_start", "turn_start", "message_start", "message_end", // the prompt
		"message_start",                                      // assistant
		"message_update", "message_update", "message_update", // thinking
		"message_update", "message_update", "message_update", "message_update", // text
		"message_update", "message_update", "message_update", "message_update", // tool call
		"message_end",
		"tool_execution_start", "tool_execution_end",
		"message_start", "message_end", // tool result
		"turn_end",
		"turn_start", "message_start", "message_update", "message_update", "message_update", "message_end", "turn_end",
		"agent_end",
	}
	if got := rec.types(); !slices.Equal(got, want) {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	end := rec.of(EventAgentEnd)[0]
	msgs := end["messages"].([]any)
	roles := []string{}
	for _, m := range msgs {
		roles = append(roles, m.(map[string]any)["role"].(string))
	}
	if !slices.Equal(roles, []string{"user", "assistant", "toolResult", "assistant"}) {
		t.Errorf("agent_end roles = %v", roles)
	}
	if end["willRetry"] != false {
		t.Errorf("willRetry = %v", end["willRetry"])
	}
	toolEnd := rec.of(EventToolExecutionEnd)[0]
	result := toolEnd["result"].(map[string]any)
	if text := result["content"].([]any)[0].(map[string]any)["text"]; text != `read ok {"path":"a.txt"}` {
		t.Errorf("tool result text = %v", text)
	}
	if got := len(a.Messages()); got != 4 {
		t.Errorf("agent holds %d messages, want 4", got)
	}
	reqs := p.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	second := reqs[1].Context.Messages
	if len(second) != 3 || second[2].Role != ai.RoleToolResult || second[2].ToolCallID != "c1" {
		t.Errorf("second request messages = %+v", second)
	}
	if reqs[0].Options.APIKey != "key" || reqs[0].Context.SystemPrompt != "You are a test." || len(reqs[0].Context.Tools) != 1 {
		t.Errorf("first request = %+v", reqs[0])
	}
}

func TestRunWithoutSubscriber(t *testing.T) {
	p := newFake(t, replyTools(call{"c1", "read", `{"path":"x"}`}), replyText("done"))
	a := newTestAgent(t, p, []Tool{&fakeTool{name: "read"}}, nil)
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	msgs := a.Messages()
	if len(msgs) != 4 || msgs[3].Text() != "done" {
		t.Fatalf("messages = %+v", msgs)
	}
	if a.State().IsStreaming {
		t.Error("still streaming after WaitIdle")
	}
}

func TestParallelToolsEndInCompletionOrderResultsInSourceOrder(t *testing.T) {
	releaseSlow := make(chan struct{})
	slow := &fakeTool{name: "slow", exec: func(ctx context.Context, c ToolCall, onUpdate func(ToolResult)) (ToolResult, error) {
		onUpdate(ToolResult{Content: []ai.Content{ai.TextContent("working")}})
		select {
		case <-releaseSlow: // only the fast tool's completion releases it: both run at once
		case <-ctx.Done():
			return ToolResult{}, ctx.Err()
		}
		return ToolResult{Content: []ai.Content{ai.TextContent("slow done")}, Details: map[string]int{"n": 1}}, nil
	}}
	fast := &fakeTool{name: "fast", exec: func(ctx context.Context, c ToolCall, onUpdate func(ToolResult)) (ToolResult, error) {
		return ToolResult{Content: []ai.Content{ai.TextContent("fast done")}}, nil
	}}
	p := newFake(t, replyTools(call{"c1", "slow", `{"path":"1"}`}, call{"c2", "fast", `{"path":"2"}`}), replyText("ok"))
	a := newTestAgent(t, p, []Tool{slow, fast}, nil)
	rec := &recorder{}
	rec.hook = func(ev *Event) {
		if ev.Type == EventToolExecutionEnd && ev.ToolName == "fast" {
			close(releaseSlow)
		}
	}
	a.Subscribe(rec.on)
	if err := a.Prompt("both", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)

	var ends []string
	for _, e := range rec.of(EventToolExecutionEnd) {
		ends = append(ends, e["toolName"].(string))
	}
	if !slices.Equal(ends, []string{"fast", "slow"}) {
		t.Errorf("tool_execution_end order = %v, want completion order", ends)
	}
	var results []string
	for _, e := range rec.of(EventMessageEnd) {
		m := e["message"].(map[string]any)
		if m["role"] == "toolResult" {
			results = append(results, m["toolName"].(string))
		}
	}
	if !slices.Equal(results, []string{"slow", "fast"}) {
		t.Errorf("tool results order = %v, want source order", results)
	}
	updates := rec.of(EventToolExecutionUpdate)
	if len(updates) != 1 || updates[0]["toolName"] != "slow" {
		t.Errorf("updates = %v", updates)
	}
	turnEnd := rec.of(EventTurnEnd)[0]
	tr := turnEnd["toolResults"].([]any)
	if len(tr) != 2 || tr[0].(map[string]any)["details"].(map[string]any)["n"] != float64(1) {
		t.Errorf("turn_end toolResults = %v", tr)
	}
}

func TestSteerDuringToolPreparationSkipsTheRest(t *testing.T) {
	var ran []string
	tool := func(name string) *fakeTool {
		return &fakeTool{name: name, exec: func(ctx context.Context, c ToolCall, _ func(ToolResult)) (ToolResult, error) {
			ran = append(ran, name)
			return ToolResult{}, nil
		}}
	}
	p := newFake(t,
		replyTools(call{"c1", "a", `{"path":"1"}`}, call{"c2", "b", `{"path":"2"}`}, call{"c3", "c", `{"path":"3"}`}),
		replyText("changing course"),
	)
	a := newTestAgent(t, p, []Tool{tool("a"), tool("b"), tool("c")}, nil)
	rec := &recorder{}
	rec.hook = func(ev *Event) {
		if ev.Type == EventToolExecutionStart && ev.ToolCallID == "c1" {
			a.Steer("stop, do something else")
		}
	}
	a.Subscribe(rec.on)
	if err := a.Prompt("run three", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)

	if len(ran) != 0 {
		t.Errorf("tools ran: %v", ran)
	}
	toolEvents := []string{}
	for _, e := range rec.events {
		if strings.HasPrefix(e.Type, "tool_execution") {
			toolEvents = append(toolEvents, e.Type[len("tool_execution_"):]+":"+e.JSON["toolCallId"].(string))
		}
	}
	want := []string{"start:c1", "end:c1", "start:c2", "end:c2", "start:c3", "end:c3"}
	if !slices.Equal(toolEvents, want) {
		t.Errorf("tool events = %v, want %v", toolEvents, want)
	}
	for _, e := range rec.of(EventToolExecutionEnd) {
		text := e["result"].(map[string]any)["content"].([]any)[0].(map[string]any)["text"]
		if text != skippedText || e["isError"] != true {
			t.Errorf("skipped result = %v", e)
		}
	}
	queues := rec.of(EventQueueUpdate)
	if len(queues) != 2 || len(queues[0]["steering"].([]any)) != 1 || len(queues[1]["steering"].([]any)) != 0 {
		t.Errorf("queue updates = %v", queues)
	}
	reqs := p.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	last := reqs[1].Context.Messages
	if got := last[len(last)-1]; got.Role != ai.RoleUser || got.Text() != "stop, do something else" {
		t.Errorf("steering message not sent last: %+v", got)
	}
	if n := len(last); last[n-2].Role != ai.RoleToolResult || last[n-4].Role != ai.RoleToolResult {
		t.Errorf("tool results should precede the steering message: %+v", last)
	}
}

func TestFollowUpRunsAfterTheAgentWouldStop(t *testing.T) {
	p := newFake(t, replyText("first answer"), replyText("second answer"))
	a := newTestAgent(t, p, nil, nil)
	rec := &recorder{}
	var promptErr, queueErr error
	rec.hook = func(ev *Event) {
		if ev.Type == EventMessageUpdate && ev.AssistantEvent.Type == ai.EventTextDelta && len(p.requests()) == 1 {
			promptErr = a.Prompt("interrupt?", PromptOptions{})
			queueErr = a.Prompt("and then this", PromptOptions{StreamingBehavior: BehaviorFollowUp})
		}
	}
	a.Subscribe(rec.on)
	if err := a.Prompt("first", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	if !errors.Is(promptErr, ErrAlreadyProcessing) {
		t.Errorf("prompt while busy: %v", promptErr)
	}
	if queueErr != nil {
		t.Fatal(queueErr)
	}
	reqs := p.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	texts := []string{}
	for _, m := range reqs[1].Context.Messages {
		texts = append(texts, m.Text())
	}
	if !slices.Equal(texts, []string{"first", "first answer", "and then this"}) {
		t.Errorf("second request = %v", texts)
	}
	if got := without(rec.types(), "message_update", "message_start", "message_end"); !slices.Equal(got, []string{
		"agent_start", "turn_start", "queue_update", "turn_end", "queue_update", "turn_start", "turn_end", "agent_end",
	}) {
		t.Errorf("events = %v", got)
	}
	if n := len(rec.of(EventAgentEnd)[0]["messages"].([]any)); n != 4 {
		t.Errorf("agent_end has %d messages, want 4", n)
	}
}

func TestSteeringModeAllDeliversEverything(t *testing.T) {
	p := newFake(t, replyText("one"), replyText("two"))
	a := newTestAgent(t, p, nil, func(c *Config) { c.Settings.SteeringMode = QueueAll })
	a.Steer("s1")
	a.Steer("s2")
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	texts := []string{}
	for _, m := range p.requests()[0].Context.Messages {
		texts = append(texts, m.Text())
	}
	if !slices.Equal(texts, []string{"go", "s1", "s2"}) {
		t.Errorf("request = %v", texts)
	}
}

func TestSteeringOneAtATime(t *testing.T) {
	p := newFake(t, replyText("one"), replyText("two"))
	a := newTestAgent(t, p, nil, nil)
	a.Steer("s1")
	a.Steer("s2")
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	reqs := p.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if n := len(reqs[0].Context.Messages); n != 2 {
		t.Errorf("first request has %d messages, want prompt + s1", n)
	}
	if got := reqs[1].Context.Messages[3].Text(); got != "s2" {
		t.Errorf("second steering message = %q", got)
	}
}

func TestToolErrorsBecomeErrorResults(t *testing.T) {
	failing := &fakeTool{name: "bash", exec: func(context.Context, ToolCall, func(ToolResult)) (ToolResult, error) {
		return ToolResult{}, errors.New("boom\n\nCommand exited with code 2")
	}}
	panicking := &fakeTool{name: "edit", exec: func(context.Context, ToolCall, func(ToolResult)) (ToolResult, error) {
		panic("kaboom")
	}}
	p := newFake(t, replyTools(
		call{"c1", "bash", `{"path":"x"}`},
		call{"c2", "nope", `{}`},
		call{"c3", "edit", `{"path":"y"}`},
		call{"c4", "bash", `{"path":7,"extra":true}`},
		call{"c5", "bash", `{}`},
	), replyText("ok"))
	a := newTestAgent(t, p, []Tool{failing, panicking}, nil)
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	msgs := a.Messages()
	results := msgs[2:7]
	want := []string{
		"boom\n\nCommand exited with code 2",
		"Tool nope not found",
		"Tool edit failed: kaboom",
		"boom\n\nCommand exited with code 2", // "7" was coerced to a string, so it ran
		"Validation failed for tool \"bash\":\n  - path: must have required properties path\n\nReceived arguments:\n{}",
	}
	for i, r := range results {
		if r.Role != ai.RoleToolResult || !r.IsError || r.Text() != want[i] || string(r.Details) != "{}" {
			t.Errorf("result %d = %q (isError %v, details %s), want %q", i, r.Text(), r.IsError, r.Details, want[i])
		}
	}
}

func TestCoercedArgumentsReachTheTool(t *testing.T) {
	var got string
	tool := &fakeTool{name: "read", schema: `{"type":"object","properties":{"path":{"type":"string"},"offset":{"type":"number"}},"required":["path"]}`,
		exec: func(_ context.Context, c ToolCall, _ func(ToolResult)) (ToolResult, error) {
			got = string(c.Args)
			return ToolResult{}, nil
		}}
	p := newFake(t, replyTools(call{"c1", "read", `{"path":"f","offset":"12"}`}), replyText("ok"))
	a := newTestAgent(t, p, []Tool{tool}, nil)
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	if got != `{"offset":12,"path":"f"}` {
		t.Errorf("tool got %s", got)
	}
}
