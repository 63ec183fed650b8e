package registry

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/session"
)

func event(typ, key string) map[string]any {
	return map[string]any{"type": typ, "sessionId": "s", "key": key}
}

// connect subscribes afresh and returns the snapshot's and kept frames'
// types and keys.
func connect(t *testing.T, s *Session) []string {
	t.Helper()
	sub, replay, first := s.Subscribe("", false)
	defer sub.Close()
	if first == nil {
		t.Fatal("no snapshot")
	}
	out := []string{eventType(first.Data)}
	for _, ev := range replay {
		var m map[string]any
		_ = json.Unmarshal(ev.Data, &m)
		if ev.ID != first.ID {
			t.Errorf("kept frame id %s, snapshot %s", ev.ID, first.ID)
		}
		out = append(out, m["type"].(string)+":"+m["key"].(string))
	}
	return out
}

func TestKeptFramesFollowTheSnapshotInContractOrder(t *testing.T) {
	h := newHarness(t)
	s, _ := h.registry().Create(context.Background(), h.project.ID)
	live := subscribe(t, s)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Keep("process_update", event("process_update", "p0")))
	must(s.Keep("todo_update", event("todo_update", "t0")))
	must(s.PublishKept("process_update", event("process_update", "p1")))
	must(s.PublishKept("ask:b", event("ask_user_question", "b")))
	must(s.PublishKept("ask:a", event("ask_user_question", "a")))
	must(s.PublishKept("ask:c", event("ask_user_question", "c")))
	must(s.PublishDropped("ask:a", event("ask_user_question_cancelled", "a")))
	want := []string{"snapshot", "ask_user_question:b", "ask_user_question:c", "todo_update:t0", "process_update:p1"}
	if got := connect(t, s); !slices.Equal(got, want) {
		t.Fatalf("connect = %v, want %v", got, want)
	}
	// Keep publishes nothing; the kept publications reach live subscribers.
	got := live.until("ask_user_question_cancelled")
	var types []string
	for _, m := range got {
		types = append(types, m["type"].(string)+":"+m["key"].(string))
	}
	if !slices.Equal(types, []string{"process_update:p1", "ask_user_question:b", "ask_user_question:a", "ask_user_question:c", "ask_user_question_cancelled:a"}) {
		t.Fatalf("live = %v", types)
	}
	if err := s.PublishKept("x", map[string]any{"type": "user_bash_result"}); err == nil {
		t.Fatal("kept an event off the allowlist")
	}
	// A reconnect that is up to date replays nothing: no kept frames.
	sub, _, first := s.Subscribe("", false)
	sub.Close()
	sub, replay, again := s.Subscribe(first.ID, false)
	sub.Close()
	if again != nil || len(replay) != 0 {
		t.Fatalf("replaying reconnect got %v %d frames", again, len(replay))
	}
}

func TestDeliverIdleRecordsOrStartsARun(t *testing.T) {
	h := newHarness(t, aitest.Text("on it"))
	s, _ := h.registry().Create(context.Background(), h.project.ID)
	ev := subscribe(t, s)
	card := ai.Message{CustomType: "process-notify", Content: []ai.Content{ai.TextContent("build ok")}, Display: true,
		Details: json.RawMessage(`{"reason":"success"}`)}
	if err := s.Deliver(card, false); err != nil {
		t.Fatal(err)
	}
	got := ev.until("message_end")
	if len(got) != 2 || got[0]["type"] != "message_start" || got[1]["message"].(map[string]any)["customType"] != "process-notify" {
		t.Fatalf("events = %v", got)
	}
	if s.Summary().IsStreaming {
		t.Fatal("an informational card started a run")
	}
	failed := card
	failed.Content = []ai.Content{ai.TextContent("build failed")}
	if err := s.Deliver(failed, true); err != nil {
		t.Fatal(err)
	}
	ev.until("agent_end")
	waitIdle(t, s)
	if got := roles(s.Messages()); !slices.Equal(got, []string{"custom", "custom", "assistant"}) {
		t.Fatalf("context roles = %v", got)
	}
	reqs := h.fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d LLM requests", len(reqs))
	}
	if got := entryTypes(s.File()); !slices.Contains(got, session.TypeCustomMessage) {
		t.Fatalf("entries = %v", got)
	}
	var custom int
	for _, m := range s.BranchMessages() {
		if m.Role == ai.RoleCustom {
			custom++
		}
	}
	if custom != 2 {
		t.Fatalf("branch holds %d custom messages", custom)
	}
}

func TestDeliverAfterDisposeIsRefused(t *testing.T) {
	h := newHarness(t)
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	r.Dispose(s.ID())
	if err := s.Deliver(ai.Message{CustomType: "x", Content: []ai.Content{ai.TextContent("x")}}, true); err == nil {
		t.Fatal("delivered to a disposed session")
	}
}

// branchToolbox counts branch changes.
type branchToolbox struct {
	BuiltinTools
	changes *int
}

func (b branchToolbox) Prepare(ctx context.Context, si SessionInfo) (Workspace, error) {
	ws, err := b.BuiltinTools.Prepare(ctx, si)
	ws.OnBranchChange = func() { *b.changes++ }
	if si.Session == nil || si.Session.ID() != si.SessionID {
		panic("toolbox got no session")
	}
	return ws, err
}

func TestNavigateTellsTheToolbox(t *testing.T) {
	h := newHarness(t, aitest.Text("one"), aitest.Text("two"))
	changes := 0
	r := h.registry(func(o *Options) { o.Toolbox = branchToolbox{BuiltinTools{Launcher: h.launcher}, &changes} })
	s, _ := r.Create(context.Background(), h.project.ID)
	if _, err := s.Prompt(context.Background(), PromptInput{Text: "first"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	root := s.File().ActivePath()[0].ID
	if _, err := s.Navigate(context.Background(), root, NavigateOptions{}); err != nil {
		t.Fatal(err)
	}
	if changes != 1 {
		t.Fatalf("%d branch changes", changes)
	}
}
