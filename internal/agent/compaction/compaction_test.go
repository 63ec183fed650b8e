package compaction

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func user(id, text string) Entry {
	return Entry{ID: id, Kind: KindMessage, Message: &ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent(text)}}}
}

func assistant(id, text string, calls ...ai.Content) Entry {
	content := []ai.Content{ai.TextContent(text)}
	content = append(content, calls...)
	return Entry{ID: id, Kind: KindMessage, Message: &ai.Message{Role: ai.RoleAssistant, Content: content, StopReason: ai.StopReasonStop}}
}

func toolResult(id, text string) Entry {
	return Entry{ID: id, Kind: KindMessage, Message: &ai.Message{Role: ai.RoleToolResult, Content: []ai.Content{ai.TextContent(text)}}}
}

func toolCall(name, args string) ai.Content {
	return ai.Content{Type: ai.ContentToolCall, ID: "c-" + name, Name: name, Arguments: json.RawMessage(args)}
}

func TestEstimateTokens(t *testing.T) {
	cases := []struct {
		m    ai.Message
		want int
	}{
		{ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("12345")}}, 2},
		{ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("😀😀")}}, 1}, // 4 UTF-16 units
		{ai.Message{Role: ai.RoleAssistant, Content: []ai.Content{ai.TextContent("ab"), {Type: ai.ContentThinking, Thinking: "cd"}, toolCall("read", `{"p":1}`)}}, 4},
		{ai.Message{Role: ai.RoleToolResult, Content: []ai.Content{ai.TextContent("x"), ai.ImageContent("..", "image/png")}}, 1201},
		{ai.Message{Role: ai.RoleBashExecution, Command: "ls", Output: "abcdef"}, 2},
		{ai.Message{Role: ai.RoleCompactionSummary, Summary: "123456789"}, 3},
	}
	for i, c := range cases {
		if got := EstimateTokens(&c.m); got != c.want {
			t.Errorf("case %d: %d, want %d", i, got, c.want)
		}
	}
}

func TestEstimateContextUsesLastUsage(t *testing.T) {
	msgs := []ai.Message{
		{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("x")}},
		{Role: ai.RoleAssistant, StopReason: ai.StopReasonStop, Usage: ai.Usage{TotalTokens: 1000}},
		{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("12345678")}},
		{Role: ai.RoleAssistant, StopReason: ai.StopReasonError, Usage: ai.Usage{TotalTokens: 99999}},
	}
	est := EstimateContext(msgs)
	if est.LastUsageIndex != 1 || est.Tokens != 1002 || est.TrailingTokens != 2 {
		t.Errorf("estimate = %+v", est)
	}
	if ContextTokens(ai.Usage{Input: 1, Output: 2, CacheRead: 3, CacheWrite: 4}) != 10 {
		t.Error("sum of parts without a total")
	}
	s := DefaultSettings()
	if ShouldCompact(200000-16384, 200000, s) || !ShouldCompact(200000-16383, 200000, s) {
		t.Error("threshold is contextWindow - reserveTokens, exclusive")
	}
}

func TestPrepareCutsAtATurn(t *testing.T) {
	long := strings.Repeat("x", 400) // 100 tokens
	path := []Entry{
		user("u1", long), assistant("a1", long),
		{ID: "m1", Kind: KindModelChange},
		user("u2", long), assistant("a2", long),
	}
	path[4].Message.Usage.TotalTokens = 999
	p, err := Prepare(path, Settings{Enabled: true, ReserveTokens: 1000, KeepRecentTokens: 150})
	if err != nil {
		t.Fatal(err)
	}
	// Walking back: a2 (100) then u2 (200 ≥ 150) → cut at u2, then pulled
	// back over the model change. The turn is whole: the cut is at a user
	// message even though the first kept entry is the model change.
	if p.FirstKeptEntryID != "m1" || p.IsSplitTurn || len(p.MessagesToSummarize) != 2 {
		t.Errorf("prep = %+v", p)
	}
	if p.TokensBefore != 999 {
		t.Errorf("tokensBefore = %d", p.TokensBefore)
	}
}

func TestPrepareSplitTurnNeverCutsAtToolResult(t *testing.T) {
	long := strings.Repeat("y", 400)
	path := []Entry{
		user("u1", "first"), assistant("a1", "ok"),
		user("u2", "big task"),
		assistant("a2", "", toolCall("read", `{"path":"a.go"}`)), toolResult("t2", long),
		assistant("a3", "", toolCall("edit", `{"path":"b.go"}`)), toolResult("t3", long),
		assistant("a4", "done"),
	}
	p, err := Prepare(path, Settings{Enabled: true, KeepRecentTokens: 150})
	if err != nil {
		t.Fatal(err)
	}
	// a4 (1), t3 (100), a3 (~?), t2 (100) crosses 150 at t2 → next cut point a3.
	if p.FirstKeptEntryID != "a3" || !p.IsSplitTurn {
		t.Fatalf("prep = %+v", p)
	}
	if len(p.MessagesToSummarize) != 2 || len(p.TurnPrefixMessages) != 3 {
		t.Errorf("history %d, prefix %d", len(p.MessagesToSummarize), len(p.TurnPrefixMessages))
	}
	lists := p.Files.Lists()
	if !slices.Equal(lists.ReadFiles, []string{"a.go"}) || len(lists.ModifiedFiles) != 0 {
		t.Errorf("files = %+v (b.go is in the kept part)", lists)
	}
}

func TestPrepareAfterPreviousCompaction(t *testing.T) {
	path := []Entry{
		user("u1", "old"), assistant("a1", "old answer"),
		user("u2", "kept"), assistant("a2", "kept answer", toolCall("write", `{"path":"w.txt"}`)),
		{ID: "c1", Kind: KindCompaction, Summary: "## Goal\nold", FirstKeptEntryID: "u2", TokensBefore: 50,
			Details: json.RawMessage(`{"readFiles":["r.txt"],"modifiedFiles":["m.txt"]}`)},
		user("u3", "new"), assistant("a3", "new answer"),
	}
	p, err := Prepare(path, Settings{Enabled: true, KeepRecentTokens: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasPreviousSummary || p.PreviousSummary != "## Goal\nold" {
		t.Errorf("previous summary = %q", p.PreviousSummary)
	}
	// The window starts at the previous kept entry (u2); the old compaction
	// itself is not summarized again.
	var texts []string
	for _, m := range p.MessagesToSummarize {
		texts = append(texts, m.Text())
	}
	// keepRecentTokens 1 cuts at a3, splitting the u3 turn.
	if !slices.Equal(texts, []string{"kept", "kept answer"}) || p.FirstKeptEntryID != "a3" || !p.IsSplitTurn || len(p.TurnPrefixMessages) != 1 {
		t.Errorf("history %v, kept from %s, split %v", texts, p.FirstKeptEntryID, p.IsSplitTurn)
	}
	lists := p.Files.Lists()
	if !slices.Equal(lists.ReadFiles, []string{"r.txt"}) || !slices.Equal(lists.ModifiedFiles, []string{"m.txt", "w.txt"}) {
		t.Errorf("files = %+v", lists)
	}
	ctxMsgs := ContextMessages(path)
	if len(ctxMsgs) != 5 || ctxMsgs[0].Role != ai.RoleCompactionSummary || ctxMsgs[1].Text() != "kept" {
		t.Errorf("context = %+v", ctxMsgs)
	}
}

func TestPrepareRefusals(t *testing.T) {
	if _, err := Prepare([]Entry{user("u", "x"), {ID: "c", Kind: KindCompaction}}, DefaultSettings()); err != ErrAlreadyCompacted {
		t.Errorf("after a compaction: %v", err)
	}
	if _, err := Prepare(nil, DefaultSettings()); err != ErrNothingToCompact {
		t.Errorf("empty: %v", err)
	}
	if _, err := Prepare([]Entry{user("u", "x"), assistant("a", "y")}, DefaultSettings()); err != ErrNothingToCompact {
		t.Errorf("everything fits in keepRecentTokens: %v", err)
	}
}

func TestSerializeConversation(t *testing.T) {
	msgs := []ai.Message{
		{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("do it")}},
		{Role: ai.RoleAssistant, Content: []ai.Content{
			{Type: ai.ContentThinking, Thinking: "hmm"}, ai.TextContent("ok"),
			toolCall("bash", `{"command": "ls -la", "timeout": 5}`), toolCall("read", `{"path":"a"}`),
		}},
		{Role: ai.RoleToolResult, Content: []ai.Content{ai.TextContent(strings.Repeat("é", 2005))}},
	}
	got := SerializeConversation(msgs)
	want := "[User]: do it\n\n[Assistant thinking]: hmm\n\n[Assistant]: ok\n\n" +
		`[Assistant tool calls]: bash(command="ls -la", timeout=5); read(path="a")` + "\n\n" +
		"[Tool result]: " + strings.Repeat("é", 2000) + "\n\n[... 5 more characters truncated]"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatFileLists(t *testing.T) {
	if FormatFileLists(FileDetails{}) != "" {
		t.Error("empty lists add nothing")
	}
	got := FormatFileLists(FileDetails{ReadFiles: []string{"a"}, ModifiedFiles: []string{"b", "c"}})
	if got != "\n\n<read-files>\na\n</read-files>\n\n<modified-files>\nb\nc\n</modified-files>" {
		t.Errorf("got %q", got)
	}
}

// scripted answers summary requests and records them.
type scripted struct {
	mu      sync.Mutex
	answers map[string]string // first match of a prompt substring → answer
	fail    string
	reqs    []struct {
		ctx  ai.Context
		opts ai.StreamOptions
	}
}

func (s *scripted) Stream(ctx context.Context, model *ai.Model, c *ai.Context, opts *ai.StreamOptions, emit func(*ai.StreamEvent)) *ai.Message {
	s.mu.Lock()
	s.reqs = append(s.reqs, struct {
		ctx  ai.Context
		opts ai.StreamOptions
	}{*c, *opts})
	s.mu.Unlock()
	if s.fail != "" {
		return &ai.Message{Role: ai.RoleAssistant, StopReason: ai.StopReasonError, ErrorMessage: s.fail}
	}
	prompt := c.Messages[0].Text()
	for key, answer := range s.answers {
		if strings.Contains(prompt, key) {
			return &ai.Message{Role: ai.RoleAssistant, StopReason: ai.StopReasonStop, Content: []ai.Content{ai.TextContent(answer)}}
		}
	}
	return &ai.Message{Role: ai.RoleAssistant, StopReason: ai.StopReasonStop, Content: []ai.Content{ai.TextContent("?")}}
}

func TestSummarizeSplitTurnAndUpdate(t *testing.T) {
	long := strings.Repeat("z", 800)
	path := []Entry{
		user("u0", "earlier"), assistant("a0", "earlier answer"),
		{ID: "c0", Kind: KindCompaction, Summary: "PREVIOUS", FirstKeptEntryID: "u1"},
		user("u1", "huge"), assistant("a1", "", toolCall("read", `{"path":"x"}`)), toolResult("t1", long),
		assistant("a2", "", toolCall("edit", `{"path":"x"}`)), toolResult("t2", long), assistant("a3", "fin"),
	}
	llmProvider := &scripted{answers: map[string]string{"<previous-summary>": "HISTORY", "BEGINNING of one turn": "PREFIX"}}
	model := &ai.Model{ID: "m", Reasoning: true, MaxTokens: 5000}
	res, err := Compact(context.Background(), path, Settings{Enabled: true, ReserveTokens: 16384, KeepRecentTokens: 210},
		LLM{Provider: llmProvider, Model: model, APIKey: "k", ThinkingLevel: "high"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.FirstKeptEntryID != "a2" {
		t.Fatalf("cut at %s", res.FirstKeptEntryID)
	}
	// Everything after the previous kept entry is this one turn, so there is
	// no history to summarize, only the turn's beginning.
	if !strings.HasPrefix(res.Summary, "No prior history.\n\n---\n\n**Turn Context (split turn):**\n\nPREFIX") {
		t.Errorf("summary = %q", res.Summary)
	}
	if !strings.HasSuffix(res.Summary, "<read-files>\nx\n</read-files>") && !strings.HasSuffix(res.Summary, "<modified-files>\nx\n</modified-files>") {
		t.Errorf("file lists missing: %q", res.Summary)
	}
	if len(llmProvider.reqs) != 1 {
		t.Fatalf("%d requests", len(llmProvider.reqs))
	}
	r := llmProvider.reqs[0]
	if r.opts.MaxTokens != 5000 || r.opts.Reasoning != "high" || r.opts.APIKey != "k" {
		t.Errorf("options = %+v (budget floor(0.5·16384) capped at the model's 5000)", r.opts)
	}
	if !strings.Contains(r.ctx.SystemPrompt, "summar") {
		t.Errorf("system prompt = %q", r.ctx.SystemPrompt)
	}
}

func TestSummarizeUsesPreviousSummaryAndFocus(t *testing.T) {
	path := []Entry{
		user("u0", "a"), assistant("a0", "b"),
		{ID: "c0", Kind: KindCompaction, Summary: "PREVIOUS", FirstKeptEntryID: "u1"},
		user("u1", "c"), assistant("a1", "d"),
		user("u2", "e"), assistant("a2", "f"),
	}
	llmProvider := &scripted{answers: map[string]string{"<previous-summary>": "UPDATED"}}
	res, err := Compact(context.Background(), path, Settings{Enabled: true, ReserveTokens: 1000, KeepRecentTokens: 2},
		LLM{Provider: llmProvider, Model: &ai.Model{ID: "m"}}, "keep the tests")
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != "UPDATED" || res.FirstKeptEntryID != "u2" {
		t.Errorf("result = %+v", res)
	}
	prompt := llmProvider.reqs[0].ctx.Messages[0].Text()
	if !strings.HasPrefix(prompt, "<conversation>\n[User]: c\n\n[Assistant]: d\n</conversation>\n\n<previous-summary>\nPREVIOUS\n</previous-summary>\n\n") {
		t.Errorf("prompt = %q", prompt)
	}
	for _, section := range []string{"## Goal", "## Constraints & Preferences", "## Progress", "### Done", "### In Progress", "### Blocked", "## Key Decisions", "## Next Steps", "## Critical Context"} {
		if !strings.Contains(prompt, section) {
			t.Errorf("prompt lacks %s", section)
		}
	}
	if !strings.HasSuffix(prompt, "\n\nAdditional focus: keep the tests") {
		t.Errorf("focus missing")
	}
	if o := llmProvider.reqs[0].opts; o.MaxTokens != 800 || o.Reasoning != "" {
		t.Errorf("options = %+v (floor(0.8·1000), no reasoning on a plain model)", o)
	}
}

func TestSummarizeFailureAndCancel(t *testing.T) {
	path := []Entry{user("u0", "a"), assistant("a0", "b"), user("u1", "c"), assistant("a1", "d")}
	s := Settings{Enabled: true, KeepRecentTokens: 1}
	_, err := Compact(context.Background(), path, s, LLM{Provider: &scripted{fail: "529 overloaded"}, Model: &ai.Model{ID: "m"}}, "")
	if err == nil || err.Error() != "Turn prefix summarization failed: 529 overloaded" && err.Error() != "Summarization failed: 529 overloaded" {
		t.Errorf("error = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Compact(ctx, path, s, LLM{Provider: &scripted{}, Model: &ai.Model{ID: "m"}}, ""); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("cancelled: %v", err)
	}
}

func TestBranchSummary(t *testing.T) {
	a := user("a", "root")
	b, c := user("b", "try X"), assistant("c", "did X", toolCall("write", `{"path":"x.go"}`))
	d := toolResult("d", "written")
	e := assistant("e", "on the other branch")
	oldPath := []Entry{a, b, c, d}
	targetPath := []Entry{a, e}
	entries, common := BranchEntries(oldPath, targetPath)
	if common != "a" || len(entries) != 3 || entries[0].ID != "b" {
		t.Fatalf("entries %v common %q", entries, common)
	}
	llmProvider := &scripted{answers: map[string]string{"conversation branch": "## Goal\nX"}}
	sum, err := SummarizeBranch(context.Background(), entries, LLM{Provider: llmProvider, Model: &ai.Model{ID: "m", ContextWindow: 200000}}, BranchOptions{CustomInstructions: "be short"})
	if err != nil {
		t.Fatal(err)
	}
	want := "The user explored a different conversation branch before returning here.\nSummary of that exploration:\n\n## Goal\nX\n\n<modified-files>\nx.go\n</modified-files>"
	if sum.Summary != want || !slices.Equal(sum.Files.ModifiedFiles, []string{"x.go"}) {
		t.Errorf("summary = %q", sum.Summary)
	}
	req := llmProvider.reqs[0]
	if req.opts.MaxTokens != 2048 || strings.Contains(req.ctx.Messages[0].Text(), "[Tool result]") {
		t.Errorf("request: max %d, tool results must be left out", req.opts.MaxTokens)
	}
	if !strings.HasSuffix(req.ctx.Messages[0].Text(), "Additional focus: be short") {
		t.Error("focus missing")
	}
	empty, err := SummarizeBranch(context.Background(), []Entry{{ID: "l", Kind: KindLabel}}, LLM{Provider: llmProvider, Model: &ai.Model{ID: "m"}}, BranchOptions{})
	if err != nil || !empty.Empty || empty.Summary != "No content to summarize" {
		t.Errorf("empty branch: %+v %v", empty, err)
	}
}

func TestPrepareBranchEntriesBudget(t *testing.T) {
	entries := []Entry{
		{ID: "s", Kind: KindBranchSummary, Summary: strings.Repeat("s", 40), Details: json.RawMessage(`{"readFiles":["old.go"],"modifiedFiles":[]}`)},
		user("u1", strings.Repeat("a", 40)), // 10 tokens
		user("u2", strings.Repeat("b", 40)), // 10 tokens
	}
	msgs, files, total := PrepareBranchEntries(entries, 15)
	if len(msgs) != 1 || msgs[0].Text() != strings.Repeat("b", 40) || total != 10 {
		t.Errorf("msgs %d total %d", len(msgs), total)
	}
	if !slices.Equal(files.Lists().ReadFiles, []string{"old.go"}) {
		t.Error("file lists of every entry count, even past the budget")
	}
}
