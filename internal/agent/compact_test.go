package agent

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// compactingAgent is an agent over an in-memory session that keeps almost
// nothing verbatim, so any history can be compacted.
func compactingAgent(t *testing.T, p *fakeProvider) (*Agent, *memSession, *recorder) {
	sess := &memSession{clock: p.clock}
	a := newTestAgent(t, p, nil, func(c *Config) {
		c.Compactor = sess
		c.Settings.Compaction.KeepRecentTokens = 1
	})
	a.Subscribe(sess.on)
	rec := &recorder{}
	a.Subscribe(rec.on)
	return a, sess, rec
}

func prompt(t *testing.T, a *Agent, text string) {
	t.Helper()
	if err := a.Prompt(text, PromptOptions{}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
}

func TestOverflowCompactsAndRetriesOnce(t *testing.T) {
	p := newFake(t,
		replyText("first answer"),
		replyError("prompt is too long: 213462 tokens > 200000 maximum"),
		replyText("## Goal\nAnswer questions."), // the summary
		replyText("second answer"),
	)
	a, sess, rec := compactingAgent(t, p)
	prompt(t, a, "first question")
	prompt(t, a, "second question")

	got := without(rec.types(), "message_update", "message_start", "message_end", "turn_start", "turn_end")
	want := []string{"agent_start", "agent_end", "agent_start", "agent_end", "compaction_start", "compaction_end", "agent_start", "agent_end"}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	ends := rec.of(EventAgentEnd)
	if ends[1]["willRetry"] != true || ends[2]["willRetry"] != false {
		t.Errorf("agent_end willRetry = %v, %v", ends[1]["willRetry"], ends[2]["willRetry"])
	}
	if s := rec.of(EventCompactionStart)[0]; s["reason"] != ReasonOverflow {
		t.Errorf("compaction_start = %v", s)
	}
	end := rec.of(EventCompactionEnd)[0]
	result, _ := end["result"].(map[string]any)
	if end["reason"] != ReasonOverflow || end["willRetry"] != true || end["aborted"] != false || result == nil {
		t.Fatalf("compaction_end = %v", end)
	}
	if !strings.HasPrefix(result["summary"].(string), "## Goal\nAnswer questions.") || result["firstKeptEntryId"] != "e3" {
		t.Errorf("result = %v", result)
	}

	reqs := p.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	summaryReq := reqs[2].Context.Messages[0].Text()
	if !strings.HasPrefix(summaryReq, "<conversation>\n[User]: first question\n\n[Assistant]: first answer\n</conversation>\n\n") ||
		!strings.Contains(summaryReq, "## Constraints & Preferences") {
		t.Errorf("summary request:\n%s", summaryReq)
	}
	retry := reqs[3].Context.Messages
	if len(retry) != 2 || !strings.HasPrefix(retry[0].Text(), "The conversation history before this point was compacted into the following summary:\n\n<summary>\n## Goal") ||
		retry[1].Text() != "second question" {
		t.Errorf("retry request = %+v", retry)
	}
	msgs := a.Messages()
	roles := []string{}
	for _, m := range msgs {
		roles = append(roles, m.Role)
	}
	if !slices.Equal(roles, []string{"compactionSummary", "user", "assistant"}) {
		t.Errorf("context roles = %v", roles)
	}
	if k := sess.entries[4].Kind; k != compaction.KindCompaction {
		t.Errorf("entry 5 is %s", k)
	}
}

func TestSecondOverflowGivesUp(t *testing.T) {
	overflow := replyError("Your input exceeds the context window of this model")
	p := newFake(t, replyText("first answer"), overflow, replyText("summary"), overflow)
	a, _, rec := compactingAgent(t, p)
	prompt(t, a, "first question")
	prompt(t, a, "second question")
	ends := rec.of(EventCompactionEnd)
	if len(ends) != 2 {
		t.Fatalf("compaction_end events = %v", ends)
	}
	if ends[1]["errorMessage"] != overflowRecoveryFailed || ends[1]["willRetry"] != false {
		t.Errorf("second compaction_end = %v", ends[1])
	}
	if n := len(rec.of(EventCompactionStart)); n != 1 {
		t.Errorf("%d compactions started, want 1", n)
	}
	if len(p.requests()) != 4 {
		t.Errorf("%d requests, want 4", len(p.requests()))
	}
}

func TestThresholdCompactionDoesNotRetry(t *testing.T) {
	big := func(s *fakeStream) *ai.Message { return s.text("long answer").usage(100000 - 16384 + 1).done() }
	// The cut falls inside the second turn, so two summaries are written.
	p := newFake(t, replyText("first answer"), big, replyText("## Goal\nsummary"), replyText("## Goal\nsummary"))
	a, _, rec := compactingAgent(t, p)
	prompt(t, a, "first question")
	prompt(t, a, "second question")
	got := without(rec.types(), "message_update", "message_start", "message_end", "turn_start", "turn_end")
	want := []string{"agent_start", "agent_end", "agent_start", "agent_end", "compaction_start", "compaction_end"}
	if !slices.Equal(got, want) {
		t.Fatalf("events = %v", got)
	}
	end := rec.of(EventCompactionEnd)[0]
	if end["reason"] != ReasonThreshold || end["willRetry"] != false || end["result"] == nil {
		t.Errorf("compaction_end = %v", end)
	}
	if rec.of(EventAgentEnd)[1]["willRetry"] != false {
		t.Error("threshold compaction must not announce a retry")
	}
	if len(p.requests()) != 4 {
		t.Errorf("%d requests", len(p.requests()))
	}
	summary := end["result"].(map[string]any)["summary"].(string)
	if summary != "## Goal\nsummary\n\n---\n\n**Turn Context (split turn):**\n\n## Goal\nsummary" {
		t.Errorf("split-turn summary = %q", summary)
	}
}

func TestThresholdBelowLimitDoesNothing(t *testing.T) {
	fits := func(s *fakeStream) *ai.Message { return s.text("ok").usage(100000 - 16384).done() }
	p := newFake(t, fits)
	a, _, rec := compactingAgent(t, p)
	prompt(t, a, "q")
	if n := len(rec.of(EventCompactionStart)); n != 0 {
		t.Errorf("compacted at exactly the threshold")
	}
}

func TestManualCompact(t *testing.T) {
	p := newFake(t, replyTools(call{"c1", "read", `{"path":"src/a.go"}`}), replyText("read it"))
	sess := &memSession{clock: p.clock}
	a := newTestAgent(t, p, []Tool{&fakeTool{name: "read"}}, func(c *Config) {
		c.Compactor = sess
		// Keeps the last exchange ("and now?" 2 tokens, "second" 2 tokens),
		// so the cut is at a user message and one summary is written.
		c.Settings.Compaction.KeepRecentTokens = 3
	})
	a.Subscribe(sess.on)
	rec := &recorder{}
	a.Subscribe(rec.on)
	prompt(t, a, "look at a.go")
	p.push(replyText("second"))
	prompt(t, a, "and now?")
	p.push(replyText("## Goal\nfocused"))
	res, err := a.Compact(context.Background(), "the tests")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Summary, "## Goal\n") || !strings.HasSuffix(res.Summary, "\n\n<read-files>\nsrc/a.go\n</read-files>") {
		t.Errorf("summary = %q", res.Summary)
	}
	if d, ok := res.Details.(compaction.FileDetails); !ok || !slices.Equal(d.ReadFiles, []string{"src/a.go"}) || len(d.ModifiedFiles) != 0 {
		t.Errorf("details = %#v", res.Details)
	}
	reqs := p.requests()
	last := reqs[len(reqs)-1].Context.Messages[0].Text()
	if !strings.HasSuffix(last, "\n\nAdditional focus: the tests") {
		t.Errorf("summary prompt does not end with the focus: %q", last[len(last)-80:])
	}
	if !strings.Contains(last, `[Assistant tool calls]: read(path="src/a.go")`) {
		t.Errorf("tool call not serialized:\n%s", last)
	}
	end := rec.of(EventCompactionEnd)
	if len(end) != 1 || end[0]["reason"] != ReasonManual {
		t.Errorf("compaction_end = %v", end)
	}
	if m := a.Messages(); m[0].Role != ai.RoleCompactionSummary || m[0].Summary != res.Summary {
		t.Errorf("context does not start with the summary: %+v", m[0])
	}

	// Compacting again right away: the last entry is the compaction.
	if _, err := a.Compact(context.Background(), ""); !errors.Is(err, compaction.ErrAlreadyCompacted) {
		t.Errorf("second compact: %v", err)
	}
	end = rec.of(EventCompactionEnd)
	if end[1]["errorMessage"] != "Compaction failed: Already compacted" {
		t.Errorf("compaction_end = %v", end[1])
	}
}

func TestManualCompactNothingToCompact(t *testing.T) {
	p := newFake(t, replyText("hi"))
	sess := &memSession{clock: p.clock}
	a := newTestAgent(t, p, nil, func(c *Config) { c.Compactor = sess })
	a.Subscribe(sess.on)
	prompt(t, a, "hello")
	if _, err := a.Compact(context.Background(), ""); !errors.Is(err, compaction.ErrNothingToCompact) {
		t.Errorf("compact of a tiny session: %v", err)
	}
}

func TestAbortCancelsManualCompaction(t *testing.T) {
	hang := func(s *fakeStream) *ai.Message { return s.hang() }
	p := newFake(t, replyText("a1"), replyText("a2"), hang, hang) // a split turn: two summary calls
	a, _, rec := compactingAgent(t, p)
	prompt(t, a, "q1")
	prompt(t, a, "q2")
	summarizing := make(chan struct{})
	rec.mu.Lock()
	rec.hook = func(ev *Event) {
		if ev.Type == EventCompactionStart {
			close(summarizing)
		}
	}
	rec.mu.Unlock()
	errc := make(chan error, 1)
	go func() {
		_, err := a.Compact(context.Background(), "")
		errc <- err
	}()
	<-summarizing
	a.Abort()
	if err := <-errc; !errors.Is(err, ErrCompactionCancelled) {
		t.Errorf("Compact after Abort: %v", err)
	}
	if end := rec.of(EventCompactionEnd); len(end) != 1 || end[0]["aborted"] != true {
		t.Errorf("compaction_end = %v", end)
	}
}

func TestThresholdCompactionThenRunsQueuedMessages(t *testing.T) {
	big := func(s *fakeStream) *ai.Message { return s.text("long answer").usage(90000).done() }
	p := newFake(t, replyText("first answer"), big, replyText("S"), replyText("S"), replyText("queued answer"))
	a, _, rec := compactingAgent(t, p)
	prompt(t, a, "first question")
	ends := 0
	rec.mu.Lock()
	rec.hook = func(ev *Event) {
		if ev.Type == EventAgentEnd {
			if ends++; ends == 1 {
				a.FollowUp("after compaction")
			}
		}
	}
	rec.mu.Unlock()
	prompt(t, a, "second question")
	got := without(rec.types(), "message_update", "message_start", "message_end", "turn_start", "turn_end")
	want := []string{"agent_start", "agent_end", "agent_start", "agent_end", "queue_update",
		"compaction_start", "compaction_end", "agent_start", "queue_update", "agent_end"}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
	reqs := p.requests()
	last := reqs[len(reqs)-1].Context.Messages
	if last[0].Role != ai.RoleUser || !strings.HasPrefix(last[0].Text(), "The conversation history before this point was compacted") ||
		last[len(last)-1].Text() != "after compaction" {
		t.Errorf("request after compaction = %+v", last)
	}
}

func TestCompactionCheckBeforeAPrompt(t *testing.T) {
	big := func(s *fakeStream) *ai.Message { return s.text("long answer").usage(90000).done() }
	p := newFake(t, replyText("first answer"), big)
	a, _, rec := compactingAgent(t, p)
	a.UpdateSettings(func(s *Settings) { s.Compaction.Enabled = false })
	prompt(t, a, "first question")
	prompt(t, a, "second question")
	if n := len(rec.of(EventCompactionStart)); n != 0 {
		t.Fatalf("compacted while disabled")
	}
	a.UpdateSettings(func(s *Settings) { s.Compaction.Enabled = true })
	p.push(replyText("S"), replyText("S"), replyText("third answer"))
	prompt(t, a, "third question")
	got := without(rec.types(), "message_update", "message_start", "message_end", "turn_start", "turn_end")
	if tail := got[len(got)-4:]; !slices.Equal(tail, []string{"compaction_start", "compaction_end", "agent_start", "agent_end"}) {
		t.Errorf("events end with %v: the check runs before the prompt", tail)
	}
	if m := a.Messages(); m[0].Role != ai.RoleCompactionSummary || m[len(m)-1].Text() != "third answer" {
		t.Errorf("context = %+v", m)
	}
}
