package session

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func TestSearch(t *testing.T) {
	st := testStore(t)
	s := must[*Session](t)(st.Create("p", "/p", CreateOptions{}))
	ok := must[string](t)
	ok(s.AppendMessage(userMsg("Where is the Needle? 🧵 needle again", 1)))
	a := assistantMsg("", 2)
	a.Content = []ai.Content{
		{Type: ai.ContentThinking, Thinking: "needle in thinking is not searched"},
		ai.TextContent("I will look for the needle."),
		{Type: ai.ContentToolCall, ID: "c1", Name: "grep", Arguments: json.RawMessage(`{"pattern":"NEEDLE","limit":3}`)},
	}
	asst := ok(s.AppendMessage(a))
	ok(s.AppendMessage(ai.Message{Role: ai.RoleToolResult, ToolCallID: "c1", ToolName: "grep", Content: []ai.Content{ai.TextContent("needle in results is not searched")}}))
	ok(s.AppendMessage(userMsg("no match here", 4)))
	ok(s.SetName("Hay"))
	other := must[*Session](t)(st.Create("q", "/q", CreateOptions{}))
	must[string](t)(other.AppendMessage(userMsg("nothing", 1)))
	must[string](t)(other.AppendMessage(assistantMsg("at all", 2)))

	res := st.Search(context.Background(), SearchOptions{Query: "needle", Projects: []SearchProject{{"p", "Project P"}, {"q", "Q"}}})
	if res.Truncated || len(res.Results) != 1 {
		t.Fatalf("%+v", res)
	}
	r := res.Results[0]
	if r.SessionID != s.ID() || r.ProjectID != "p" || r.ProjectName != "Project P" || r.SessionName != "Hay" || r.ModifiedAt == "" {
		t.Errorf("result %+v", r)
	}
	var kinds []string
	for _, m := range r.Matches {
		kinds = append(kinds, m.Kind)
		u := utf16.Encode([]rune(m.Snippet))
		if got := strings.ToLower(string(utf16.Decode(u[m.MatchOffset : m.MatchOffset+m.MatchLength]))); got != "needle" {
			t.Errorf("offset/length select %q in %q", got, m.Snippet)
		}
	}
	if got := strings.Join(kinds, ","); got != "user,assistant,tool_call" {
		t.Errorf("kinds %s", got)
	}
	if m := r.Matches[1]; m.MessageIndex != 1 || m.MessageEnvelopeID != asst {
		t.Errorf("assistant match %+v", m)
	}
	if m := r.Matches[2]; m.Snippet != `grep(pattern=NEEDLE, limit=3)` {
		t.Errorf("tool call snippet %q", m.Snippet)
	}

	// Limits.
	res = st.Search(context.Background(), SearchOptions{Query: "NEEDLE", MatchesPerSession: 1, Projects: []SearchProject{{"p", "P"}}})
	if len(res.Results[0].Matches) != 1 {
		t.Errorf("matches per session not applied")
	}
	res = st.Search(context.Background(), SearchOptions{Query: "a", SessionLimit: 1, Projects: []SearchProject{{"p", "P"}, {"q", "Q"}}})
	if len(res.Results) != 1 || !res.Truncated {
		t.Errorf("session limit: %d results, truncated %v", len(res.Results), res.Truncated)
	}
	res = st.Search(context.Background(), SearchOptions{Query: "nothing", Budget: time.Nanosecond, Projects: []SearchProject{{"q", "Q"}}})
	if !res.Truncated {
		t.Errorf("exhausted budget not reported")
	}
	res = st.Search(context.Background(), SearchOptions{Query: "in results", Projects: []SearchProject{{"p", "P"}}})
	if len(res.Results) != 0 {
		t.Errorf("tool results searched: %+v", res)
	}
}

func TestSnippetCentred(t *testing.T) {
	text := strings.Repeat("x", 300) + "Target" + strings.Repeat("y", 300)
	snip, off, n, ok := findSnippet(text, lowerRunes("target"))
	if !ok || len([]rune(snip)) != snippetRunes || snip[off:off+n] != "Target" || off < 50 || off > 60 {
		t.Errorf("snippet %q off %d n %d", snip, off, n)
	}
	snip, off, _, _ = findSnippet("Target at start", lowerRunes("target"))
	if snip != "Target at start" || off != 0 {
		t.Errorf("short text: %q %d", snip, off)
	}
}
