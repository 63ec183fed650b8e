package agent

import (
	"context"
	"slices"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func TestAbortMidStreamRecordsAbortedMessage(t *testing.T) {
	streaming := make(chan struct{})
	p := newFake(t, func(s *fakeStream) *ai.Message {
		s.text("partial ", "answer")
		close(streaming)
		return s.hang()
	})
	a := newTestAgent(t, p, nil, nil)
	sess := &memSession{clock: p.clock}
	a.Subscribe(sess.on)
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.Prompt("tell me", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	<-streaming
	a.Abort()
	if a.State().IsStreaming {
		t.Fatal("Abort returned before the agent was idle")
	}
	msgs := a.Messages()
	last := msgs[len(msgs)-1]
	if last.StopReason != ai.StopReasonAborted || last.Text() != "partial answer" || last.ErrorMessage != "Request was aborted" {
		t.Errorf("last message = %+v", last)
	}
	if n := len(sess.entries); n != 2 || sess.entries[1].Message.StopReason != ai.StopReasonAborted {
		t.Errorf("the aborted message was not persisted: %d entries", n)
	}
	end := rec.of(EventAgentEnd)
	if len(end) != 1 || end[0]["willRetry"] != false || end[0]["errorMessage"] != "Request was aborted" {
		t.Errorf("agent_end = %v", end)
	}
	if got := rec.types(); got[len(got)-1] != EventAgentEnd {
		t.Errorf("last event = %s", got[len(got)-1])
	}
}

func TestAbortMidToolCancelsItAndEndsWithAbortedMessage(t *testing.T) {
	running := make(chan struct{})
	sawCancel := make(chan struct{})
	tool := &fakeTool{name: "bash", exec: func(ctx context.Context, _ ToolCall, _ func(ToolResult)) (ToolResult, error) {
		close(running)
		<-ctx.Done()
		close(sawCancel)
		return ToolResult{}, context.Cause(ctx)
	}}
	p := newFake(t, replyTools(call{"c1", "bash", `{"path":"sleep"}`}))
	a := newTestAgent(t, p, []Tool{tool}, nil)
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.Prompt("run it", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	<-running
	a.Abort()
	select {
	case <-sawCancel:
	default:
		t.Fatal("the tool's context was not cancelled by Abort")
	}
	if a.State().IsStreaming {
		t.Fatal("Abort returned before the agent was idle")
	}
	msgs := a.Messages()
	roles := []string{}
	for _, m := range msgs {
		roles = append(roles, m.Role)
	}
	if !slices.Equal(roles, []string{"user", "assistant", "toolResult", "assistant"}) {
		t.Fatalf("roles = %v", roles)
	}
	if r := msgs[2]; !r.IsError || r.Text() != "context canceled" {
		t.Errorf("tool result = %+v", r)
	}
	if m := msgs[3]; m.StopReason != ai.StopReasonAborted {
		t.Errorf("final response stop reason = %s", m.StopReason)
	}
	if len(rec.of(EventAgentEnd)) != 1 {
		t.Error("want one agent_end")
	}
}

func TestAbortWhenIdleIsANoop(t *testing.T) {
	a := newTestAgent(t, newFake(t), nil, nil)
	a.Abort()
	if err := a.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	p := newFake(t, replyError(`503 {"error":"Service Unavailable"}`), replyText("recovered"))
	a := newTestAgent(t, p, nil, nil)
	sess := &memSession{clock: p.clock}
	a.Subscribe(sess.on)
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.Prompt("hi", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	got := without(rec.types(), "message_update", "message_start")
	want := []string{
		"agent_start", "turn_start", "message_end", "message_end", "turn_end", "agent_end",
		"auto_retry_start",
		"agent_start", "turn_start", "message_end", "auto_retry_end", "turn_end", "agent_end",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	ends := rec.of(EventAgentEnd)
	if ends[0]["willRetry"] != true || ends[0]["errorMessage"] != `503 {"error":"Service Unavailable"}` || ends[1]["willRetry"] != false {
		t.Errorf("agent_end events = %v", ends)
	}
	start := rec.of(EventAutoRetryStart)[0]
	if start["attempt"] != 1.0 || start["maxAttempts"] != 3.0 || start["delayMs"] != 1.0 {
		t.Errorf("auto_retry_start = %v", start)
	}
	if end := rec.of(EventAutoRetryEnd)[0]; end["success"] != true || end["attempt"] != 1.0 {
		t.Errorf("auto_retry_end = %v", end)
	}
	msgs := a.Messages()
	if len(msgs) != 2 || msgs[1].Text() != "recovered" {
		t.Errorf("the failed response should have left the context: %+v", msgs)
	}
	if len(sess.entries) != 3 {
		t.Errorf("session has %d entries, want the failure kept (3)", len(sess.entries))
	}
	if retry := p.requests()[1].Context.Messages; len(retry) != 1 || retry[0].Role != ai.RoleUser {
		t.Errorf("retry request = %+v", retry)
	}
}

func TestRetryExhausted(t *testing.T) {
	p := newFake(t, replyError("overloaded_error"), replyError("overloaded_error"), replyError("overloaded_error"))
	a := newTestAgent(t, p, nil, func(c *Config) { c.Settings.Retry.MaxRetries = 2 })
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.Prompt("hi", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	var delays []float64
	for _, e := range rec.of(EventAutoRetryStart) {
		delays = append(delays, e["delayMs"].(float64))
	}
	if !slices.Equal(delays, []float64{1, 2}) {
		t.Errorf("retry delays = %v, want base·2^(n-1)", delays)
	}
	ends := rec.of(EventAutoRetryEnd)
	if len(ends) != 1 || ends[0]["success"] != false || ends[0]["attempt"] != 2.0 || ends[0]["finalError"] != "overloaded_error" {
		t.Errorf("auto_retry_end = %v", ends)
	}
	agentEnds := rec.of(EventAgentEnd)
	if len(agentEnds) != 3 || agentEnds[2]["willRetry"] != false || agentEnds[1]["willRetry"] != true {
		t.Errorf("agent_end = %v", agentEnds)
	}
	if len(p.requests()) != 3 {
		t.Errorf("%d requests, want 3", len(p.requests()))
	}
	// After giving up the error stays in the context, as pi keeps it.
	if msgs := a.Messages(); msgs[len(msgs)-1].StopReason != ai.StopReasonError {
		t.Errorf("last message = %+v", msgs[len(msgs)-1])
	}
}

func TestAbortDuringRetryWait(t *testing.T) {
	p := newFake(t, replyError("429 rate limit"))
	a := newTestAgent(t, p, nil, func(c *Config) { c.Settings.Retry.BaseDelayMs = 60000 })
	waiting := make(chan struct{})
	rec := &recorder{hook: func(ev *Event) {
		if ev.Type == EventAutoRetryStart {
			close(waiting)
		}
	}}
	a.Subscribe(rec.on)
	if err := a.Prompt("hi", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	<-waiting
	a.Abort()
	ends := rec.of(EventAutoRetryEnd)
	if len(ends) != 1 || ends[0]["success"] != false || ends[0]["finalError"] != "Retry cancelled" {
		t.Errorf("auto_retry_end = %v", ends)
	}
}

func TestNonRetryableErrorEndsTheRun(t *testing.T) {
	p := newFake(t, replyError("invalid x-api-key"))
	a := newTestAgent(t, p, nil, nil)
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.Prompt("hi", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	if n := len(rec.of(EventAutoRetryStart)); n != 0 {
		t.Errorf("%d retries of a permanent error", n)
	}
}

func TestMissingAPIKeyEndsWithErrorMessage(t *testing.T) {
	p := newFake(t)
	a := newTestAgent(t, p, nil, func(c *Config) {
		c.APIKey = func(context.Context, string) (string, error) {
			return "", errorString("No API key found for fake.")
		}
	})
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.Prompt("hi", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	end := rec.of(EventAgentEnd)[0]
	if end["errorMessage"] != "No API key found for fake." {
		t.Errorf("agent_end = %v", end)
	}
	if len(p.requests()) != 0 {
		t.Error("a request went out without a key")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestContinueRules(t *testing.T) {
	p := newFake(t, replyText("answer"), replyText("steered"))
	a := newTestAgent(t, p, nil, nil)
	if err := a.Continue(); err != ErrNoMessages {
		t.Errorf("Continue on empty context: %v", err)
	}
	if err := a.Prompt("q", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	if err := a.Continue(); err != ErrContinueFromAssistant {
		t.Errorf("Continue after an answer: %v", err)
	}
	a.Steer("more")
	if err := a.Continue(); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	msgs := a.Messages()
	if len(msgs) != 4 || msgs[2].Text() != "more" || msgs[3].Text() != "steered" {
		t.Errorf("messages = %+v", msgs)
	}
}
