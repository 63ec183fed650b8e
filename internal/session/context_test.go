package session

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func roles(ms []ai.Message) string {
	var out []string
	for _, m := range ms {
		t := m.Role
		if m.Role == ai.RoleUser || m.Role == ai.RoleAssistant {
			t += ":" + m.Text()
		}
		out = append(out, t)
	}
	return strings.Join(out, " ")
}

func TestBuildContext(t *testing.T) {
	st := testStore(t)
	s := must[*Session](t)(st.Create("p", "/p", CreateOptions{}))
	ok := must[string](t)
	if c := s.BuildContext(); len(c.Messages) != 0 || c.ThinkingLevel != "off" || c.Model != nil {
		t.Errorf("empty context %+v", c)
	}
	ok(s.AppendModelChange("openai", "gpt-4o"))
	ok(s.AppendThinkingLevelChange("high"))
	u1 := ok(s.AppendMessage(userMsg("u1", 1)))
	ok(s.AppendMessage(assistantMsg("a1", 2)))
	ok(s.AppendCustom("state", json.RawMessage(`{}`)))
	ok(s.AppendCustomMessage(ai.Message{CustomType: "note", Content: []ai.Content{ai.TextContent("cm")}, ContentIsString: true}))
	u2 := ok(s.AppendMessage(userMsg("u2", 3)))
	ok(s.AppendMessage(assistantMsg("a2", 4)))

	c := s.BuildContext()
	if got := roles(c.Messages); got != "user:u1 assistant:a1 custom user:u2 assistant:a2" {
		t.Errorf("context %s", got)
	}
	if c.ThinkingLevel != "high" || c.Model == nil || c.Model.Provider != "anthropic" || c.Model.ModelID != "claude-sonnet-4-5" {
		t.Errorf("level %s model %+v (an assistant message sets the model)", c.ThinkingLevel, c.Model)
	}
	cm := c.Messages[2]
	if cm.CustomType != "note" || cm.Text() != "cm" || cm.Timestamp == 0 {
		t.Errorf("custom message %+v", cm)
	}

	// Compaction keeping from u2: summary, kept u2 a2, then what follows.
	comp := ok(s.AppendCompaction(Compaction{Summary: "S1", FirstKeptEntryID: u2, TokensBefore: 100}))
	ok(s.AppendMessage(userMsg("u3", 5)))
	c = s.BuildContext()
	if got := roles(c.Messages); got != "compactionSummary user:u2 assistant:a2 user:u3" {
		t.Errorf("compacted context %s", got)
	}
	if c.Messages[0].Summary != "S1" || c.Messages[0].TokensBefore != 100 {
		t.Errorf("summary message %+v", c.Messages[0])
	}

	// A second compaction: only the last one counts for the context.
	a3 := ok(s.AppendMessage(assistantMsg("a3", 6)))
	ok(s.AppendCompaction(Compaction{Summary: "S2", FirstKeptEntryID: a3, TokensBefore: 200}))
	c = s.BuildContext()
	if got := roles(c.Messages); got != "compactionSummary assistant:a3" {
		t.Errorf("twice compacted context %s", got)
	}
	cs := s.Compactions()
	if len(cs) != 2 || cs[0].ID != comp || cs[1].Summary != "S2" {
		t.Fatalf("compactions %+v", cs)
	}
	if got := roles(cs[0].ArchivedMessages); got != "user:u1 assistant:a1 custom" {
		t.Errorf("first compaction archived %s", got)
	}
	if got := roles(cs[1].ArchivedMessages); got != "user:u2 assistant:a2 user:u3" {
		t.Errorf("second compaction archived %s", got)
	}
	if cs[0].InsertBeforeIndex != 0 || cs[1].InsertBeforeIndex != 1 {
		t.Errorf("insert indexes %d %d", cs[0].InsertBeforeIndex, cs[1].InsertBeforeIndex)
	}
	b, _ := json.Marshal(cs[0])
	for _, k := range []string{`"id"`, `"timestamp"`, `"summary"`, `"tokensBefore"`, `"insertBeforeIndex"`, `"archivedMessages"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("compaction JSON lacks %s: %s", k, b)
		}
	}

	// A compaction whose first kept entry is not on the path keeps nothing
	// before it; a branch without compaction shows everything.
	must[any](t)(nil, s.Branch(u1))
	c = s.BuildContext()
	if got := roles(c.Messages); got != "user:u1" {
		t.Errorf("context on the old branch %s", got)
	}
	if len(s.Compactions()) != 0 {
		t.Error("compactions of another branch listed")
	}
	ok(s.AppendCompaction(Compaction{Summary: "S3", FirstKeptEntryID: "zzzzzzzz"}))
	if got := roles(s.BuildContext().Messages); got != "compactionSummary" {
		t.Errorf("context with unknown first kept %s", got)
	}
	s.ResetLeaf()
	if len(s.BuildContext().Messages) != 0 {
		t.Error("reset leaf should give an empty context")
	}
}

func TestEmptyBranchSummaryNotInContext(t *testing.T) {
	st := testStore(t)
	s, id := conversation(t, st)
	must[string](t)(s.BranchWithSummary(id[1], BranchSummary{}))
	if got := roles(s.BuildContext().Messages); got != "user:first question assistant:first answer" {
		t.Errorf("context %s", got)
	}
}
