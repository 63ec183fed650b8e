package agent

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func customMessage(text string) ai.Message {
	return ai.Message{Role: ai.RoleCustom, CustomType: "process-notify", Content: []ai.Content{ai.TextContent(text)}, Display: true, Timestamp: 1}
}

func TestAppendMessageWhenIdle(t *testing.T) {
	a := newTestAgent(t, newFake(t), nil, nil)
	rec := &recorder{}
	a.Subscribe(rec.on)
	if err := a.AppendMessage(customMessage("build finished")); err != nil {
		t.Fatal(err)
	}
	if got := rec.types(); !slices.Equal(got, []string{EventMessageStart, EventMessageEnd}) {
		t.Fatalf("events = %v", got)
	}
	msgs := a.Messages()
	if len(msgs) != 1 || msgs[0].CustomType != "process-notify" || msgs[0].Text() != "build finished" {
		t.Fatalf("context = %+v", msgs)
	}
	if a.State().IsStreaming {
		t.Fatal("appending started a run")
	}
	a.Close()
	if err := a.AppendMessage(customMessage("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestAppendMessageRefusedDuringARun(t *testing.T) {
	started := make(chan struct{})
	p := newFake(t, func(s *fakeStream) *ai.Message { close(started); return s.hang() })
	a := newTestAgent(t, p, nil, nil)
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := a.AppendMessage(customMessage("x")); !errors.Is(err, ErrBusy) {
		t.Fatalf("during a run: %v", err)
	}
	a.Abort()
}

func TestSteerMessageReachesTheRunningTurn(t *testing.T) {
	release := make(chan struct{})
	tool := &fakeTool{name: "wait", exec: func(ctx context.Context, c ToolCall, _ func(ToolResult)) (ToolResult, error) {
		<-release
		return ToolResult{Content: []ai.Content{ai.TextContent("waited")}}, nil
	}}
	p := newFake(t, replyTools(call{"c1", "wait", `{"path":"x"}`}), replyText("seen the alert"))
	a := newTestAgent(t, p, []Tool{tool}, nil)
	rec := &recorder{}
	rec.hook = func(ev *Event) {
		if ev.Type == EventToolExecutionStart {
			a.SteerMessage(customMessage("process failed"))
			close(release)
		}
	}
	a.Subscribe(rec.on)
	if err := a.Prompt("start it", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	reqs := p.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	last := reqs[1].Context.Messages
	if got := last[len(last)-1]; got.Role != ai.RoleUser || got.Text() != "process failed" {
		t.Fatalf("the steered custom message did not reach the model last: %+v", got)
	}
	var custom int
	for _, m := range a.Messages() {
		if m.Role == ai.RoleCustom && m.CustomType == "process-notify" {
			custom++
		}
	}
	if custom != 1 {
		t.Fatalf("context holds %d custom messages", custom)
	}
	if q := rec.of(EventQueueUpdate); len(q) == 0 || q[0]["steering"].([]any)[0] != "process failed" {
		t.Fatalf("queue updates = %v", q)
	}
}
