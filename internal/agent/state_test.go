package agent

import (
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func TestThinkingLevelClamp(t *testing.T) {
	str := func(s string) *string { return &s }
	plain := &ai.Model{ID: "gpt-4o"}
	reasoning := &ai.Model{ID: "claude-sonnet-4-5", Reasoning: true}
	xhigh := &ai.Model{ID: "claude-opus-4-6", Reasoning: true, ThinkingLevelMap: map[string]*string{"xhigh": str("max")}}
	noMinimal := &ai.Model{ID: "gemini-3-pro", Reasoning: true, ThinkingLevelMap: map[string]*string{"minimal": nil, "off": nil}}
	cases := []struct {
		model *ai.Model
		level string
		want  string
	}{
		{plain, "high", "off"},
		{nil, "medium", "off"},
		{reasoning, "xhigh", "high"}, // nearest lower when nothing higher
		{reasoning, "medium", "medium"},
		{xhigh, "xhigh", "xhigh"},
		{noMinimal, "minimal", "low"}, // nearest higher first
		{noMinimal, "off", "low"},
	}
	for _, c := range cases {
		a := New(Config{Model: c.model})
		if got, _ := a.SetThinkingLevel(c.level); got != c.want {
			t.Errorf("SetThinkingLevel(%s) on %v = %s, want %s", c.level, c.model, got, c.want)
		}
	}
}

func TestSetModelReclampsThinking(t *testing.T) {
	plain := &ai.Model{ID: "small", Provider: "p"}
	reasoning := &ai.Model{ID: "big", Provider: "p", Reasoning: true}
	a := newTestAgent(t, newFake(t), nil, func(c *Config) {
		c.Model = reasoning
		c.ThinkingLevel = "high"
		c.Settings.DefaultThinkingLevel = "low"
	})
	if got := a.State().ThinkingLevel; got != "high" {
		t.Fatalf("initial level %s", got)
	}
	if level, changed := a.SetModel(plain); level != "off" || !changed {
		t.Errorf("to a plain model: %s %v", level, changed)
	}
	// Back to reasoning: the level "off" was forced, so the default returns.
	if level, changed := a.SetModel(reasoning); level != "low" || !changed {
		t.Errorf("back to reasoning: %s %v", level, changed)
	}
	if level, changed := a.SetThinkingLevel("low"); level != "low" || changed {
		t.Errorf("same level: %s %v", level, changed)
	}
	if level, _ := a.SetThinkingLevel("xhigh"); level != "high" {
		t.Errorf("xhigh on a model without it: %s", level)
	}
}

func TestThinkingLevelReachesTheProvider(t *testing.T) {
	reasoning := testModel()
	reasoning.Reasoning = true
	p := newFake(t, replyText("a"), replyText("b"))
	a := newTestAgent(t, p, nil, func(c *Config) { c.Model = reasoning; c.ThinkingLevel = "medium" })
	prompt(t, a, "one")
	a.SetThinkingLevel("off")
	prompt(t, a, "two")
	reqs := p.requests()
	if reqs[0].Options.Reasoning != "medium" || reqs[1].Options.Reasoning != "" {
		t.Errorf("reasoning = %q, %q", reqs[0].Options.Reasoning, reqs[1].Options.Reasoning)
	}
}

func TestMessageBuilderRebuildsTheStreamedMessage(t *testing.T) {
	var final *ai.Message
	var b MessageBuilder
	var mid []*ai.Message
	s := &fakeStream{msg: ai.Message{Role: ai.RoleAssistant, Model: "m"}}
	s.emit = func(ev *ai.StreamEvent) {
		switch ev.Type {
		case ai.EventStart:
			b.Start(ev.Partial)
		case ai.EventDone:
		default:
			// Compact events carry no partial: rebuild without it.
			c := *ev
			c.Partial = nil
			b.Apply(&c)
			mid = append(mid, b.Message())
		}
	}
	s.thinking("plan")
	s.text("Hel", "lo")
	s.toolCall("c1", "read", `{"path":"a"}`)
	final = s.done()
	got := b.Message()
	gotJSON, _ := json.Marshal(got)
	// The compact thinking_end carries no signature; everything else matches.
	want := final.Clone()
	want.StopReason = ""
	want.Content[0].ThinkingSignature = ""
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("rebuilt:\n%s\nwant:\n%s", gotJSON, wantJSON)
	}
	// Mid-stream a half-sent tool call reads as an empty object.
	for _, m := range mid {
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("mid-stream message does not marshal: %v", err)
		}
	}
	if m := mid[len(mid)-3]; string(m.Content[2].Arguments) != "{}" {
		t.Errorf("half tool call arguments = %s", m.Content[2].Arguments)
	}
}

func TestSubscriberMaySteerWithoutDeadlock(t *testing.T) {
	p := newFake(t, replyText("a"), replyText("b"))
	a := newTestAgent(t, p, nil, nil)
	steered := false
	a.Subscribe(func(ev *Event) {
		if ev.Type == EventMessageEnd && ev.Message.Role == ai.RoleAssistant && !steered {
			steered = true
			a.Steer("from a subscriber")
		}
	})
	prompt(t, a, "go")
	if n := len(p.requests()); n != 2 {
		t.Errorf("%d requests, want the steered turn too", n)
	}
}

func TestPanickingSubscriberDoesNotStopTheRun(t *testing.T) {
	p := newFake(t, replyText("fine"))
	a := newTestAgent(t, p, nil, nil)
	a.Subscribe(func(ev *Event) {
		if ev.Type == EventMessageUpdate {
			panic("listener bug")
		}
	})
	rec := &recorder{}
	a.Subscribe(rec.on)
	prompt(t, a, "go")
	if got := rec.types(); got[len(got)-1] != EventAgentEnd {
		t.Errorf("events = %v", got)
	}
}

func TestUnsubscribe(t *testing.T) {
	p := newFake(t, replyText("a"), replyText("b"))
	a := newTestAgent(t, p, nil, nil)
	n := 0
	stop := a.Subscribe(func(*Event) { n++ })
	prompt(t, a, "one")
	first := n
	stop()
	prompt(t, a, "two")
	if first == 0 || n != first {
		t.Errorf("events before/after unsubscribe: %d/%d", first, n)
	}
}

// Events emitted from other goroutines (queue updates) interleave with the
// run's events, but every subscriber sees one order and never two at once.
func TestSubscribersSeeOneOrderAndNoConcurrency(t *testing.T) {
	release := make(chan struct{})
	p := newFake(t, func(s *fakeStream) *ai.Message {
		s.text("x")
		<-release
		s.text("y", "z")
		return s.done()
	}, replyText("f1"), replyText("f2"), replyText("f3"), replyText("f4"))
	a := newTestAgent(t, p, nil, func(c *Config) { c.Settings.FollowUpMode = QueueAll })
	var active atomic.Int32
	var orders [2][]string // each written by its own subscriber only
	for i := range 2 {
		a.Subscribe(func(ev *Event) {
			if active.Add(1) != 1 {
				t.Error("two subscriber calls at once")
			}
			orders[i] = append(orders[i], ev.Type)
			active.Add(-1)
		})
	}
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { a.FollowUp("more") })
	}
	wg.Wait()
	close(release)
	waitIdle(t, a)
	if !slices.Equal(orders[0], orders[1]) {
		t.Errorf("subscribers saw different orders:\n%v\n%v", orders[0], orders[1])
	}
	if n := len(p.requests()); n != 2 {
		t.Errorf("%d requests; follow-ups in all mode should go out together", n)
	}
}

func TestSnapshotMidStream(t *testing.T) {
	release := make(chan struct{})
	streaming := make(chan struct{})
	p := newFake(t, func(s *fakeStream) *ai.Message {
		s.text("Hel", "lo")
		close(streaming)
		<-release
		return s.done()
	})
	a := newTestAgent(t, p, nil, nil)
	if err := a.Prompt("hi", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	<-streaming
	var v View
	a.Snapshot(func(view View) { v = view })
	close(release)
	waitIdle(t, a)
	if !v.IsStreaming || len(v.Messages) != 1 || v.Streaming == nil || v.Streaming.Text() != "Hello" {
		t.Errorf("snapshot = %+v (streaming %+v)", v, v.Streaming)
	}
	a.Snapshot(func(view View) { v = view })
	if v.IsStreaming || v.Streaming != nil || len(v.Messages) != 2 {
		t.Errorf("idle snapshot = %+v", v)
	}
}

func TestQueueUpdatesAndClear(t *testing.T) {
	a := newTestAgent(t, newFake(t), nil, nil)
	rec := &recorder{}
	a.Subscribe(rec.on)
	a.Steer("s")
	a.FollowUp("f")
	steering, followUp := a.ClearQueue()
	if !slices.Equal(steering, []string{"s"}) || !slices.Equal(followUp, []string{"f"}) {
		t.Errorf("cleared %v %v", steering, followUp)
	}
	updates := rec.of(EventQueueUpdate)
	if len(updates) != 3 || len(updates[1]["followUp"].([]any)) != 1 || len(updates[2]["steering"].([]any)) != 0 {
		t.Errorf("queue updates = %v", updates)
	}
	if a.State().PendingMessageCount != 0 {
		t.Error("queue not empty")
	}
}

func TestSetMessagesWhileBusy(t *testing.T) {
	release := make(chan struct{})
	p := newFake(t, func(s *fakeStream) *ai.Message { <-release; return s.text("x").done() })
	a := newTestAgent(t, p, nil, nil)
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.SetMessages(nil); err != ErrBusy {
		t.Errorf("SetMessages while busy: %v", err)
	}
	close(release)
	waitIdle(t, a)
	if err := a.SetMessages(nil); err != nil || len(a.Messages()) != 0 {
		t.Errorf("SetMessages when idle: %v", err)
	}
}
