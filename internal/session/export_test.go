package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// subagentSession is a parent whose assistant called the subagent tool
// twice, with one child per call plus one orphan child.
func subagentSession(t *testing.T, st *Store) (*Session, []string) {
	t.Helper()
	s := must[*Session](t)(st.Create("p", "/work/p", CreateOptions{}))
	ok := must[string](t)
	ok(s.AppendModelChange("anthropic", "claude-sonnet-4-5"))
	ok(s.AppendMessage(userMsg("Delegate this", 1)))
	call := func(id string) ai.Message {
		m := assistantMsg("", 2)
		m.Content = []ai.Content{{Type: ai.ContentThinking, Thinking: "plan it"},
			{Type: ai.ContentToolCall, ID: id, Name: "subagent", Arguments: json.RawMessage(`{"task":"do it"}`)}}
		return m
	}
	ok(s.AppendMessage(call("call_1")))
	ok(s.AppendMessage(ai.Message{Role: ai.RoleToolResult, ToolCallID: "call_1", ToolName: "subagent",
		Content: []ai.Content{ai.TextContent(strings.Repeat("r", 2500))}}))
	ok(s.AppendMessage(call("call_2")))
	bash := assistantMsg("", 3)
	bash.Content = []ai.Content{{Type: ai.ContentToolCall, ID: "call_3", Name: "bash", Arguments: json.RawMessage(`{"command":"echo ` + "```" + `"}`)}}
	ok(s.AppendMessage(bash))
	ok(s.SetName("Sub Agents: Demo!"))
	kids := []string{"kid-1", "kid-2", "kid-3"}
	for i, k := range kids {
		childFile(t, s, "run"+string(rune('a'+i))+"/"+k+".jsonl", k)
	}
	return s, kids
}

func TestExportJSONL(t *testing.T) {
	st := testStore(t)
	s, kids := subagentSession(t, st)
	ex := must[Exported](t)(st.Export(s.ID(), FormatJSONL, "Proj"))
	if ex.ContentType != "application/x-ndjson" || ex.Filename != "sub-agents-demo-2025-06-01.jsonl" {
		t.Errorf("%s %s", ex.ContentType, ex.Filename)
	}
	orig := readFile(t, s.Path())
	var parentLines [][]byte
	var types []string
	for l := range bytes.SplitSeq(bytes.TrimSuffix(ex.Content, []byte("\n")), []byte("\n")) {
		var v struct {
			Type             string  `json:"type"`
			ParentToolCallID *string `json:"parentToolCallId"`
			ChildSessionID   string  `json:"childSessionId"`
		}
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatalf("export line not JSON: %s", l)
		}
		switch v.Type {
		case "subagent_inline_start":
			call := "null"
			if v.ParentToolCallID != nil {
				call = *v.ParentToolCallID
			}
			types = append(types, "start:"+call+":"+v.ChildSessionID)
		case "subagent_inline_end":
			types = append(types, "end:"+v.ChildSessionID)
		case "session":
			types = append(types, "session")
		}
		if v.Type != "subagent_inline_start" && v.Type != "subagent_inline_end" && !bytes.Contains(l, []byte("child task")) && !bytes.Contains(l, []byte(`"id":"kid-`)) {
			parentLines = append(parentLines, l)
		}
	}
	want := "session start:call_1:kid-1 session end:kid-1 start:call_2:kid-2 session end:kid-2 start:null:kid-3 session end:kid-3"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("envelopes\n got %s\nwant %s", got, want)
	}
	if got := append(bytes.Join(parentLines, []byte("\n")), '\n'); !bytes.Equal(got, orig) {
		t.Errorf("parent lines changed")
	}

	// A child exports as itself, without inlining.
	ex = must[Exported](t)(st.Export(kids[0], FormatJSONL, "Proj"))
	if bytes.Contains(ex.Content, []byte("subagent_inline")) || ex.Filename != "kid-1-2025-06-01.jsonl" {
		t.Errorf("child export %s %s", ex.Filename, ex.Content)
	}
	if _, err := st.Export(s.ID(), "html", ""); !errors.Is(err, ErrBadFormat) {
		t.Errorf("bad format: %v", err)
	}
	if _, err := st.Export("missing", FormatJSONL, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}

func TestExportMarkdown(t *testing.T) {
	st := testStore(t)
	s, _ := subagentSession(t, st)
	ex := must[Exported](t)(st.Export(s.ID(), FormatMarkdown, "Proj"))
	md := string(ex.Content)
	if ex.ContentType != "text/markdown; charset=utf-8" || ex.Filename != "sub-agents-demo-2025-06-01.md" {
		t.Errorf("%s %s", ex.ContentType, ex.Filename)
	}
	for _, want := range []string{
		"# Sub Agents: Demo!\n",
		"- **Session id:** `" + s.ID() + "`",
		"- **Project:** Proj",
		"- **Model:** anthropic / claude-sonnet-4-5",
		"- **Workspace:** `/work/p`",
		"## You — 2025-06-01 12:00:00\n\nDelegate this",
		"## Assistant — ",
		"<details><summary>Thinking</summary>\n\nplan it",
		"**subagent**\n\n```\n{\n  \"task\": \"do it\"\n}\n```",
		"> " + strings.Repeat("r", ToolResultCap) + "\n> … (truncated, 2500 bytes total)",
		"<details><summary>↳ subagent kid-1</summary>",
		"### You — 2025-06-01 13:00:01\n\nchild task",
		"### ↳ subagent kid-3 (orphaned — no matching parent tool call)",
		"**bash**\n\n````bash\necho ```\n````",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q\n%s", want, md)
		}
	}
	if strings.Index(md, "kid-1") > strings.Index(md, "kid-2") {
		t.Error("children out of order")
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Hello, World!":         "hello-world",
		"--x--":                 "x",
		"日本語":                   "session",
		strings.Repeat("a", 70): strings.Repeat("a", 64),
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
