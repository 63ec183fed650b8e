package ai

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAssistantStreamSnapshotsStayValid(t *testing.T) {
	var snapshots []*Message
	s := NewAssistantStream(&Model{ID: "m", API: "a", Provider: "p"}, func(e *StreamEvent) {
		snapshots = append(snapshots, e.Partial.Clone())
	}, time.UnixMilli(42))
	i := s.BeginText()
	for _, d := range []string{"hello", " big", " world"} {
		s.AppendText(i, d)
	}
	s.End(i)
	final := s.Finish(context.Background(), StopReasonStop)
	want := []string{"", "", "hello", "hello big", "hello big world", "hello big world", "hello big world"}
	for k, snap := range snapshots {
		got := ""
		if len(snap.Content) > 0 {
			got = snap.Content[0].Text
		}
		if got != want[k] {
			t.Errorf("snapshot %d text = %q, want %q", k, got, want[k])
		}
	}
	if final.Timestamp != 42 || final.StopReason != StopReasonStop || final.Text() != "hello big world" {
		t.Errorf("final = %+v", final)
	}
}

func TestAssistantStreamFailures(t *testing.T) {
	var types []string
	emit := func(e *StreamEvent) { types = append(types, e.Type+":"+string(e.Reason)) }
	model := &Model{ID: "m"}

	s := NewAssistantStream(model, emit, time.Now())
	s.Start()
	s.Message().ErrorMessage = "Provider finish_reason: content_filter"
	msg := s.Finish(context.Background(), StopReasonError)
	if msg.StopReason != StopReasonError || msg.ErrorMessage != "Provider finish_reason: content_filter" {
		t.Errorf("error stop = %q %q", msg.StopReason, msg.ErrorMessage)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s = NewAssistantStream(model, emit, time.Now())
	i := s.BeginToolCall("c", "read")
	s.AppendToolArgs(i, `{"path":"a`)
	msg = s.Fail(ctx, errors.New("read: connection reset"))
	if msg.StopReason != StopReasonAborted || msg.ErrorMessage != ErrAborted || string(msg.Content[0].Arguments) != `{"path":"a"}` {
		t.Errorf("abort = %q %q %s", msg.StopReason, msg.ErrorMessage, msg.Content[0].Arguments)
	}
	s.AppendToolArgs(i, "more") // after the end: no event
	if last := types[len(types)-1]; last != "error:aborted" {
		t.Errorf("events = %v", types)
	}
}
