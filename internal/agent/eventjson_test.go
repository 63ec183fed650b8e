package agent

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
)

var update = flag.Bool("update", false, "rewrite golden files")

func goldenMessages() (user, partial, final, result ai.Message) {
	user = ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("list files")}, Timestamp: 1700000000000}
	partial = ai.Message{Role: ai.RoleAssistant, API: "anthropic-messages", Provider: "anthropic", Model: "claude-x",
		Content: []ai.Content{{Type: ai.ContentText, Text: "Hel"}}, Timestamp: 1700000000100}
	final = partial
	final.Content = []ai.Content{ai.TextContent("Hello \"world\"\n"), {Type: ai.ContentToolCall, ID: "toolu_1", Name: "ls", Arguments: json.RawMessage(`{"path":"."}`)}}
	final.StopReason = ai.StopReasonToolUse
	final.Usage = ai.Usage{Input: 10, Output: 5, TotalTokens: 15, Cost: ai.Cost{Input: 0.00003, Output: 0.000075, Total: 0.000105}}
	result = ai.Message{Role: ai.RoleToolResult, ToolCallID: "toolu_1", ToolName: "ls", Content: []ai.Content{ai.TextContent("a.go\nb.go")}, Timestamp: 1700000000200}
	return
}

// goldenEvents covers every event type and every message_update block
// event, in both framings where they differ.
func goldenEvents() []struct {
	name    string
	ev      Event
	framing Framing
} {
	user, partial, final, result := goldenMessages()
	call := final.Content[1]
	res := &ToolResult{Content: []ai.Content{ai.TextContent("a.go\nb.go")}}
	partialRes := &ToolResult{Content: []ai.Content{ai.TextContent("a.go")}, Details: map[string]any{"truncation": nil}}
	update := func(se ai.StreamEvent) Event {
		se.Partial = &partial
		return Event{Type: EventMessageUpdate, Message: &partial, AssistantEvent: &se}
	}
	cr := &compaction.Result{Summary: "## Goal\nx", FirstKeptEntryID: "a1b2c3d4", TokensBefore: 150000,
		Details: compaction.FileDetails{ReadFiles: []string{"a.go"}, ModifiedFiles: []string{}}}
	type tc = struct {
		name    string
		ev      Event
		framing Framing
	}
	cases := []tc{
		{"agent_start", Event{Type: EventAgentStart}, FramingReference},
		{"agent_end", Event{Type: EventAgentEnd, Messages: []ai.Message{user, final, result}}, FramingReference},
		{"agent_end_error", Event{Type: EventAgentEnd, Messages: []ai.Message{}, WillRetry: true, ErrorMessage: "529 overloaded"}, FramingReference},
		{"turn_start", Event{Type: EventTurnStart}, FramingReference},
		{"turn_end", Event{Type: EventTurnEnd, Message: &final, ToolResults: []ai.Message{result}}, FramingReference},
		{"message_start", Event{Type: EventMessageStart, Message: &user}, FramingReference},
		{"message_end", Event{Type: EventMessageEnd, Message: &final}, FramingReference},
		{"tool_execution_start", Event{Type: EventToolExecutionStart, ToolCallID: "toolu_1", ToolName: "ls", Args: call.Arguments}, FramingReference},
		{"tool_execution_update", Event{Type: EventToolExecutionUpdate, ToolCallID: "toolu_1", ToolName: "ls", Args: call.Arguments, Result: partialRes}, FramingReference},
		{"tool_execution_end", Event{Type: EventToolExecutionEnd, ToolCallID: "toolu_1", ToolName: "ls", Result: res}, FramingReference},
		{"tool_execution_end_error", Event{Type: EventToolExecutionEnd, ToolCallID: "toolu_2", ToolName: "nope", Result: ptr(errorResult("Tool nope not found")), IsError: true}, FramingReference},
		{"queue_update", Event{Type: EventQueueUpdate, Steering: []string{"focus on errors"}}, FramingReference},
		{"compaction_start", Event{Type: EventCompactionStart, Reason: ReasonThreshold}, FramingReference},
		{"compaction_end", Event{Type: EventCompactionEnd, Reason: ReasonOverflow, Compaction: cr, WillRetry: true}, FramingReference},
		{"compaction_end_failed", Event{Type: EventCompactionEnd, Reason: ReasonManual, ErrorMessage: "Compaction failed: Nothing to compact (session too small)"}, FramingReference},
		{"compaction_end_aborted", Event{Type: EventCompactionEnd, Reason: ReasonThreshold, Aborted: true}, FramingReference},
		{"auto_retry_start", Event{Type: EventAutoRetryStart, Attempt: 1, MaxAttempts: 3, DelayMs: 2000, ErrorMessage: "503 Service Unavailable"}, FramingReference},
		{"auto_retry_end", Event{Type: EventAutoRetryEnd, Success: true, Attempt: 2}, FramingReference},
		{"auto_retry_end_failed", Event{Type: EventAutoRetryEnd, Attempt: 3, FinalError: "529 overloaded"}, FramingReference},
	}
	for _, f := range []Framing{FramingReference, FramingCompact} {
		suffix := map[Framing]string{FramingReference: "reference", FramingCompact: "compact"}[f]
		for _, se := range []ai.StreamEvent{
			{Type: ai.EventTextStart, ContentIndex: 0},
			{Type: ai.EventTextDelta, ContentIndex: 0, Delta: "Hel"},
			{Type: ai.EventTextEnd, ContentIndex: 0, Content: "Hello \"world\"\n"},
			{Type: ai.EventThinkingStart, ContentIndex: 0},
			{Type: ai.EventThinkingDelta, ContentIndex: 0, Delta: "hmm"},
			{Type: ai.EventThinkingEnd, ContentIndex: 0, Content: "hmm"},
			{Type: ai.EventToolCallStart, ContentIndex: 1, ToolCall: &ai.Content{Type: ai.ContentToolCall, ID: "toolu_1", Name: "ls"}},
			{Type: ai.EventToolCallDelta, ContentIndex: 1, Delta: `{"pa`},
			{Type: ai.EventToolCallEnd, ContentIndex: 1, ToolCall: &call},
		} {
			cases = append(cases, tc{"message_update_" + se.Type + "_" + suffix, update(se), f})
		}
	}
	return cases
}

func ptr[T any](v T) *T { return &v }

func TestEventJSONGolden(t *testing.T) {
	var out bytes.Buffer
	for _, c := range goldenEvents() {
		b, err := c.ev.AppendJSON(nil, c.framing)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !json.Valid(b) {
			t.Fatalf("%s: invalid JSON %s", c.name, b)
		}
		out.WriteString(c.name + " " + string(b) + "\n")
	}
	path := filepath.Join("testdata", "events.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	gotLines, wantLines := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
}

func TestMarshalJSONIsReferenceFraming(t *testing.T) {
	for _, c := range goldenEvents() {
		if c.framing != FramingReference {
			continue
		}
		a, _ := json.Marshal(&c.ev)
		b, _ := c.ev.AppendJSON(nil, FramingReference)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: json.Marshal differs from AppendJSON", c.name)
		}
	}
}

func TestCompactDeltaDoesNotAllocate(t *testing.T) {
	_, partial, _, _ := goldenMessages()
	se := &ai.StreamEvent{Type: ai.EventTextDelta, ContentIndex: 0, Delta: "some text\n", Partial: &partial}
	ev := &Event{Type: EventMessageUpdate, Message: &partial, AssistantEvent: se}
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = ev.AppendJSON(buf[:0], FramingCompact)
	})
	if allocs != 0 {
		t.Errorf("compact text delta allocates %.1f times", allocs)
	}
	if got := string(buf); got != `{"type":"message_update","assistantMessageEvent":{"type":"text_delta","contentIndex":0,"delta":"some text\n"}}` {
		t.Errorf("compact delta = %s", got)
	}
}
