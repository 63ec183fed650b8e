package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/session"
)

// TestPromptPersistsAndResumes: a prompt with a tool call is written to the
// session file as pi writes it, and a new registry over the same files
// resumes it with the same context, name and model.
func TestPromptPersistsAndResumes(t *testing.T) {
	h := newHarness(t,
		aitest.Response{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "Reading."}, aitest.ToolCall("c1", "read", `{"path":"notes.txt"}`)}},
		aitest.Text("It says hi."),
	)
	if err := os.WriteFile(filepath.Join(h.project.Path, "notes.txt"), []byte("hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.registry()
	s, err := r.Create(context.Background(), h.project.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "New session" || s.File().Persisted() {
		t.Fatalf("new session: name %q, persisted %v", s.Name(), s.File().Persisted())
	}
	ev := subscribe(t, s)
	res, err := s.Prompt(context.Background(), PromptInput{Text: "what do my notes say"})
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionName != "What Do My Notes Say" {
		t.Errorf("title %q", res.SessionName)
	}
	got := ev.until("agent_end")
	if got[0]["type"] != EventSessionRenamed || got[0]["name"] != res.SessionName {
		t.Errorf("first event %v", got[0])
	}
	waitIdle(t, s)
	want := []string{"model_change", "thinking_level_change", "session_info", "message:user", "message:assistant", "message:toolResult", "message:assistant"}
	if types := entryTypes(s.File()); !slices.Equal(types, want) {
		t.Fatalf("entries %v, want %v", types, want)
	}
	if !s.File().Persisted() {
		t.Fatal("file not written after the first assistant message")
	}
	before := s.Messages()

	r2 := h.registry()
	s2, err := r2.Resume(context.Background(), s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(roles(s2.Messages()), roles(before)) || s2.Messages()[3].Text() != "It says hi." {
		t.Errorf("resumed context %v", roles(s2.Messages()))
	}
	sum := s2.Summary()
	if sum.Name != "What Do My Notes Say" || sum.ModelProvider != "fake" || sum.ModelID != "fake-model" || sum.ThinkingLevel != "medium" {
		t.Errorf("resumed summary %+v", sum)
	}
	if n := len(s2.File().Entries()); n != len(want) {
		t.Errorf("resuming appended entries: %d", n)
	}
}

// TestConcurrentResumesShareOneLoad: twenty resumes of a cold session at
// once all get the one live session.
func TestConcurrentResumesShareOneLoad(t *testing.T) {
	h := newHarness(t, aitest.Text("hello"))
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	if _, err := s.Prompt(context.Background(), PromptInput{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)

	r2 := h.registry()
	var wg sync.WaitGroup
	got := make([]*Session, 20)
	errs := make([]error, 20)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = r2.Resume(context.Background(), s.ID()) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Fatalf("resume %d: %v (%p vs %p)", i, errs[i], got[i], got[0])
		}
	}
	if r2.Count() != 1 {
		t.Errorf("%d live sessions", r2.Count())
	}
	if _, err := r2.Resume(context.Background(), "no-such-session"); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestTombstone: a disposed session refuses to resume for the tombstone
// time, then resumes again.
func TestTombstone(t *testing.T) {
	h := newHarness(t, aitest.Text("hello"))
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	if _, err := s.Prompt(context.Background(), PromptInput{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	sub, _, _ := s.Subscribe("", false)
	if !r.Dispose(s.ID()) {
		t.Fatal("not live")
	}
	<-sub.Done()
	if r.Count() != 0 {
		t.Fatal("still counted")
	}
	if _, err := r.Resume(context.Background(), s.ID()); !errors.Is(err, ErrTombstoned) {
		t.Fatalf("resume right after dispose: %v", err)
	}
	h.clock.advance(DefaultTombstone + time.Millisecond)
	if _, err := r.Resume(context.Background(), s.ID()); err != nil {
		t.Fatalf("resume after the tombstone: %v", err)
	}
}

// TestDisposeMidRunPersistsAbortedReply: disposing a session while it
// streams aborts the run and keeps the partial reply in the file.
func TestDisposeMidRunPersistsAbortedReply(t *testing.T) {
	h := newHarness(t, aitest.Response{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "one two three four five six seven eight nine ten"}}, DelayMS: 40})
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	ev := subscribe(t, s)
	if _, err := s.Prompt(context.Background(), PromptInput{Text: "count"}); err != nil {
		t.Fatal(err)
	}
	for {
		m := ev.until("message_update")
		if e := m[len(m)-1]["assistantMessageEvent"].(map[string]any); e["type"] == "text_delta" {
			break
		}
	}
	r.Dispose(s.ID())
	f, err := h.store.Open(s.File().Path())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	path := f.ActivePath()
	last := path[len(path)-1]
	if last.Message == nil || last.Message.Role != ai.RoleAssistant || last.Message.StopReason != ai.StopReasonAborted || last.Message.Text() == "" {
		t.Fatalf("last entry %+v", last.Message)
	}
}

// TestExecWaitsForTheRun: a command run while the agent streams joins the
// context and the file after the run's messages.
func TestExecWaitsForTheRun(t *testing.T) {
	h := newHarness(t, aitest.Response{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "a b c d e f"}}, DelayMS: 30})
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	ev := subscribe(t, s)
	if _, err := s.Prompt(context.Background(), PromptInput{Text: "go"}); err != nil {
		t.Fatal(err)
	}
	ev.until("message_update")
	res, err := s.Exec(context.Background(), "echo hello; pwd", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode == nil || *res.ExitCode != 0 || res.Output != "hello\n"+h.project.Path+"\n" || res.Cancelled {
		t.Fatalf("exec %+v", res)
	}
	ev.until("agent_end")
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(roles(s.Messages()), []string{"user", "assistant", "bashExecution"}) {
		if time.Now().After(deadline) {
			t.Fatalf("context %v", roles(s.Messages()))
		}
		time.Sleep(5 * time.Millisecond) // the flush follows agent_end; no event marks it
	}
	types := entryTypes(s.File())
	if types[len(types)-1] != "message:bashExecution" || types[len(types)-2] != "message:assistant" {
		t.Errorf("entries %v", types)
	}
	code, err := s.Exec(context.Background(), "exit 3", true)
	if err != nil || code.ExitCode == nil || *code.ExitCode != 3 {
		t.Fatalf("exit 3: %+v %v", code, err)
	}
	if m := s.Messages(); !m[len(m)-1].ExcludeFromContext {
		t.Error("!! command not excluded from the context")
	}
}

// TestSetModelIsPerSession: switching a session's model records it in the
// session and leaves settings.json as it was.
func TestSetModelIsPerSession(t *testing.T) {
	h := newHarness(t, aitest.Text("hello"))
	h.writeSettings(map[string]any{"defaultProvider": "fake", "defaultModel": "fake-model", "retry": map[string]any{"baseDelayMs": 1}})
	settingsPath := filepath.Join(h.piDir, "settings.json")
	before, _ := os.ReadFile(settingsPath)
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	if _, err := s.SetModel(context.Background(), "fake", "other-model"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetModel(context.Background(), "fake", "missing"); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := s.SetModel(context.Background(), "nope", "x"); !errors.Is(err, ErrUnknownProvider) {
		t.Errorf("unknown provider: %v", err)
	}
	if _, err := s.Prompt(context.Background(), PromptInput{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	after, _ := os.ReadFile(settingsPath)
	if string(after) != string(before) {
		t.Errorf("settings.json changed: %s", after)
	}
	if body := h.fake.Requests()[0].JSON(); body["model"] != "other-model" {
		t.Errorf("request model %v", body["model"])
	}
	s2, err := h.registry().Resume(context.Background(), s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if sum := s2.Summary(); sum.ModelID != "other-model" {
		t.Errorf("resumed model %s", sum.ModelID)
	}
	other, _ := h.registry().Create(context.Background(), h.project.ID)
	if sum := other.Summary(); sum.ModelID != "fake-model" {
		t.Errorf("a new session got %s, not the global default", sum.ModelID)
	}
}

// TestCompactNavigateFork: compaction writes a compaction entry and the
// context starts from its summary; navigating back with a summary writes a
// branch summary; a fork copies the path into a new file.
func TestCompactNavigateFork(t *testing.T) {
	h := newHarness(t,
		aitest.Text("first answer"),
		aitest.Text("second answer"),
		aitest.Text("## Goal\nsummary of it all"),
		aitest.Text("## Goal\nsummary of it all"), // a split turn asks twice
		aitest.Text("branch summary text"),
	)
	h.writeSettings(map[string]any{"compaction": map[string]any{"keepRecentTokens": 1}, "retry": map[string]any{"baseDelayMs": 1}})
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	for _, p := range []string{"first question", "second question"} {
		if _, err := s.Prompt(context.Background(), PromptInput{Text: p}); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, s)
	}
	res, err := s.Compact(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary == "" || res.TokensBefore == 0 {
		t.Errorf("compaction %+v", res)
	}
	if m := s.Messages(); m[0].Role != ai.RoleCompactionSummary {
		t.Errorf("context after compaction %v", roles(m))
	}
	if len(s.File().Compactions()) != 1 {
		t.Error("no compaction listed")
	}

	var firstUser string
	for _, e := range s.File().ActivePath() {
		if e.Role() == ai.RoleUser {
			firstUser = e.ID
			break
		}
	}
	nav, err := s.Navigate(context.Background(), firstUser, NavigateOptions{Summarize: true, Label: "start"})
	if err != nil {
		t.Fatal(err)
	}
	if !nav.HasEditorText || nav.EditorText != "first question" || nav.Cancelled {
		t.Errorf("navigate %+v", nav)
	}
	var summary *session.Entry
	for _, e := range s.File().ActivePath() {
		if e.Type == session.TypeBranchSummary {
			summary = e
		}
	}
	if summary == nil || summary.Summary == "" || s.File().Label(summary.ID) != "start" {
		t.Errorf("branch summary %+v", summary)
	}
	if m := s.Messages(); len(m) != 1 || m[0].Role != ai.RoleBranchSummary {
		t.Errorf("context after navigate %v", roles(m))
	}
	if _, err := s.Navigate(context.Background(), "nope", NavigateOptions{}); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("unknown entry: %v", err)
	}

	fork, err := r.Fork(context.Background(), s.ID(), firstUser)
	if err != nil {
		t.Fatal(err)
	}
	if fork.ID() == s.ID() || fork.Name() != "First Question (fork)" || len(fork.Messages()) != 1 {
		t.Errorf("fork %s %q %v", fork.ID(), fork.Name(), roles(fork.Messages()))
	}
	if _, err := r.Fork(context.Background(), s.ID(), "nope"); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("fork at unknown entry: %v", err)
	}
}

// TestDeleteArchives: deleting a live session disposes it and moves its
// file to the archive.
func TestDeleteArchives(t *testing.T) {
	h := newHarness(t, aitest.Text("hello"))
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	if _, err := s.Prompt(context.Background(), PromptInput{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	path := s.File().Path()
	wasLive, err := r.Delete(s.ID())
	if err != nil || !wasLive {
		t.Fatalf("delete: %v %v", wasLive, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(h.dataDir, "archived-sessions", "*", filepath.Base(path)))
	if len(matches) != 1 {
		t.Errorf("archive %v", matches)
	}
	if _, err := r.Delete("nope"); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	// A session that never wrote a file is only disposed.
	s2, _ := r.Create(context.Background(), h.project.ID)
	if live, err := r.Delete(s2.ID()); !live || err != nil {
		t.Errorf("unwritten session: %v %v", live, err)
	}
}

// TestPublish: other areas' events reach subscribers with ids; types off
// the allowlist are refused.
func TestPublish(t *testing.T) {
	h := newHarness(t)
	r := h.registry()
	s, _ := r.Create(context.Background(), h.project.ID)
	ev := subscribe(t, s)
	if err := s.Publish(map[string]any{"type": "todo_update", "sessionId": s.ID(), "tasks": []any{}, "nextId": 1}); err != nil {
		t.Fatal(err)
	}
	if got := ev.until("todo_update"); got[0]["nextId"] != float64(1) {
		t.Errorf("event %v", got)
	}
	for _, bad := range []any{map[string]any{"type": "user_bash_result"}, map[string]any{"type": "snapshot"}, []int{1}} {
		if err := s.Publish(bad); err == nil {
			t.Errorf("published %v", bad)
		}
	}
}
