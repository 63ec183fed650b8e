package todo

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// run applies a sequence of JSON calls to an empty list and returns the
// last outcome.
func run(t *testing.T, calls ...string) Outcome {
	t.Helper()
	st := Empty()
	var out Outcome
	for _, c := range calls {
		var p Params
		if err := json.Unmarshal([]byte(c), &p); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		out = Apply(st, p)
		st = out.State
	}
	return out
}

const (
	mk1 = `{"action":"create","subject":"one"}`
	mk2 = `{"action":"create","subject":"two"}`
	mk3 = `{"action":"create","subject":"three"}`
)

func TestRulesAndErrorStrings(t *testing.T) {
	cases := []struct {
		name  string
		calls []string
		err   string // "" = accepted
		text  string // substring of the text when accepted
	}{
		{"create", []string{mk1}, "", "Created #1: one (pending)"},
		{"create needs subject", []string{`{"action":"create"}`}, "subject required for create", ""},
		{"create blank subject", []string{`{"action":"create","subject":"  "}`}, "subject required for create", ""},
		{"create unknown dep", []string{`{"action":"create","subject":"x","blockedBy":[4]}`}, "blockedBy: #4 not found", ""},
		{"create deleted dep", []string{mk1, `{"action":"delete","id":1}`, `{"action":"create","subject":"x","blockedBy":[1]}`}, "blockedBy: #1 is deleted", ""},
		{"create with dep", []string{mk1, `{"action":"create","subject":"x","blockedBy":["1"]}`}, "", "Created #2"},
		{"update needs id", []string{mk1, `{"action":"update","status":"completed"}`}, "id required for update", ""},
		{"update unknown id", []string{mk1, `{"action":"update","id":9,"status":"completed"}`}, "#9 not found", ""},
		{"update needs a field", []string{mk1, `{"action":"update","id":1}`}, "update requires at least one mutable field: subject, description, activeForm, status, owner, metadata, addBlockedBy, or removeBlockedBy", ""},
		{"empty dependency lists are no field", []string{mk1, `{"action":"update","id":1,"addBlockedBy":[],"removeBlockedBy":[]}`}, "update requires at least one mutable field: subject, description, activeForm, status, owner, metadata, addBlockedBy, or removeBlockedBy", ""},
		{"pending to in_progress", []string{mk1, `{"action":"update","id":1,"status":"in_progress"}`}, "", "Updated #1 (pending → in_progress)"},
		{"pending to completed", []string{mk1, `{"action":"update","id":1,"status":"completed"}`}, "", "(pending → completed)"},
		{"in_progress to pending", []string{mk1, `{"action":"update","id":1,"status":"in_progress"}`, `{"action":"update","id":1,"status":"pending"}`}, "", "(in_progress → pending)"},
		{"completed to in_progress", []string{mk1, `{"action":"update","id":1,"status":"completed"}`, `{"action":"update","id":1,"status":"in_progress"}`}, "illegal transition completed → in_progress", ""},
		{"completed to pending", []string{mk1, `{"action":"update","id":1,"status":"completed"}`, `{"action":"update","id":1,"status":"pending"}`}, "illegal transition completed → pending", ""},
		{"completed to deleted", []string{mk1, `{"action":"update","id":1,"status":"completed"}`, `{"action":"update","id":1,"status":"deleted"}`}, "", "(completed → deleted)"},
		{"deleted is terminal", []string{mk1, `{"action":"delete","id":1}`, `{"action":"update","id":1,"status":"pending"}`}, "illegal transition deleted → pending", ""},
		{"same status is a no-op", []string{mk1, `{"action":"update","id":1,"status":"pending"}`}, "", "No change: #1 already matches the requested values (status: pending)"},
		{"rename", []string{mk1, `{"action":"update","id":1,"subject":"uno"}`}, "", "Updated #1"},
		{"self block", []string{mk1, `{"action":"update","id":1,"addBlockedBy":[1]}`}, "cannot block #1 on itself", ""},
		{"block on unknown", []string{mk1, `{"action":"update","id":1,"addBlockedBy":[7]}`}, "addBlockedBy: #7 not found", ""},
		{"block on deleted", []string{mk1, mk2, `{"action":"delete","id":2}`, `{"action":"update","id":1,"addBlockedBy":[2]}`}, "addBlockedBy: #2 is deleted", ""},
		{"two-cycle", []string{mk1, mk2, `{"action":"update","id":1,"addBlockedBy":[2]}`, `{"action":"update","id":2,"addBlockedBy":[1]}`}, "addBlockedBy would create a cycle in the blockedBy graph", ""},
		{"three-cycle", []string{mk1, mk2, mk3, `{"action":"update","id":1,"addBlockedBy":[2]}`, `{"action":"update","id":2,"addBlockedBy":[3]}`, `{"action":"update","id":3,"addBlockedBy":[1]}`}, "addBlockedBy would create a cycle in the blockedBy graph", ""},
		{"diamond is no cycle", []string{mk1, mk2, mk3, `{"action":"update","id":2,"addBlockedBy":[1]}`, `{"action":"update","id":3,"addBlockedBy":[1,2]}`}, "", "Updated #3"},
		{"delete", []string{mk1, `{"action":"delete","id":1}`}, "", "Deleted #1: one"},
		{"delete twice", []string{mk1, `{"action":"delete","id":1}`, `{"action":"delete","id":1}`}, "#1 is already deleted", ""},
		{"delete needs id", []string{`{"action":"delete"}`}, "id required for delete", ""},
		{"get needs id", []string{`{"action":"get"}`}, "id required for get", ""},
		{"get unknown", []string{`{"action":"get","id":3}`}, "#3 not found", ""},
		{"get shows reverse edges", []string{mk1, `{"action":"create","subject":"x","blockedBy":[1]}`, `{"action":"get","id":1}`}, "", "blocks: #2"},
		{"clear", []string{mk1, mk2, `{"action":"clear"}`}, "", "Cleared 2 tasks"},
		{"empty list", []string{`{"action":"list"}`}, "", "No tasks"},
		{"list hides tombstones", []string{mk1, mk2, `{"action":"delete","id":1}`, `{"action":"list"}`}, "", "[pending] #2 two"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := run(t, c.calls...)
			if out.Error != c.err {
				t.Fatalf("error = %q, want %q (text %q)", out.Error, c.err, out.Text)
			}
			if c.err != "" {
				if out.Text != "Error: "+c.err {
					t.Fatalf("text = %q", out.Text)
				}
				return
			}
			if !strings.Contains(out.Text, c.text) {
				t.Fatalf("text = %q, want it to contain %q", out.Text, c.text)
			}
		})
	}
}

func TestRefusedCallLeavesStateUnchanged(t *testing.T) {
	before := run(t, mk1, mk2, `{"action":"update","id":1,"addBlockedBy":[2]}`).State
	var p Params
	_ = json.Unmarshal([]byte(`{"action":"update","id":2,"status":"in_progress","addBlockedBy":[1]}`), &p)
	out := Apply(before, p)
	if out.Error == "" || !sameState(out.State, before) || out.Changed {
		t.Fatalf("refused cycle changed the list: %+v", out)
	}
}

func TestListFiltersAndTombstones(t *testing.T) {
	out := run(t, mk1, mk2, mk3, `{"action":"update","id":2,"status":"in_progress","activeForm":"Doing two"}`,
		`{"action":"delete","id":3}`, `{"action":"list","status":"in_progress"}`)
	if out.Text != "[in_progress] #2 two (Doing two)" {
		t.Fatalf("filtered list = %q", out.Text)
	}
	out = run(t, mk1, `{"action":"delete","id":1}`, `{"action":"list","includeDeleted":true}`)
	if out.Text != "[deleted] #1 one" {
		t.Fatalf("list with tombstones = %q", out.Text)
	}
	if len(out.State.Tasks) != 1 || out.State.NextID != 2 {
		t.Fatalf("tombstone must stay and ids never reuse: %+v", out.State)
	}
}

func TestMetadataMergeAndNullDeletes(t *testing.T) {
	out := run(t, `{"action":"create","subject":"x","metadata":{"a":1,"b":"two"}}`,
		`{"action":"update","id":1,"metadata":{"a":null,"c":true}}`)
	got, _ := json.Marshal(out.State.Tasks[0].Metadata)
	if string(got) != `{"b":"two","c":true}` {
		t.Fatalf("metadata = %s", got)
	}
	out = run(t, `{"action":"create","subject":"x","metadata":{"a":1}}`, `{"action":"update","id":1,"metadata":{"a":null}}`)
	if out.State.Tasks[0].Metadata != nil {
		t.Fatalf("emptied metadata should disappear: %v", out.State.Tasks[0].Metadata)
	}
}

func TestRemoveBlockedBy(t *testing.T) {
	out := run(t, mk1, mk2, mk3, `{"action":"update","id":3,"addBlockedBy":[1,2]}`, `{"action":"update","id":3,"removeBlockedBy":[1]}`)
	if b := out.State.Tasks[2].BlockedBy; len(b) != 1 || b[0] != 2 {
		t.Fatalf("blockedBy = %v", b)
	}
	out = run(t, mk1, mk2, `{"action":"update","id":2,"addBlockedBy":[1]}`, `{"action":"update","id":2,"removeBlockedBy":[1]}`)
	if out.State.Tasks[1].BlockedBy != nil {
		t.Fatalf("emptied blockedBy should disappear: %v", out.State.Tasks[1].BlockedBy)
	}
}

func execute(t *testing.T, tool *Tool, args string) (string, Details) {
	t.Helper()
	res, err := tool.Execute(context.Background(), agent.ToolCall{ID: "c", Name: Name, Args: json.RawMessage(args)}, func(agent.ToolResult) {})
	if err != nil {
		t.Fatal(err)
	}
	return res.Content[0].Text, res.Details.(Details)
}

func TestToolDetailsAndPublishing(t *testing.T) {
	var published []State
	store := NewStore(Empty(), func(s State) { published = append(published, s) })
	tool := NewTool(store)
	_, d := execute(t, tool, `{"action":"create","subject":"write tests","activeForm":"Writing tests"}`)
	if d.Action != "create" || d.NextID != 2 || len(d.Tasks) != 1 || d.Error != "" {
		t.Fatalf("details = %+v", d)
	}
	if string(d.Params) != `{"activeForm":"Writing tests","subject":"write tests"}` {
		t.Fatalf("params = %s", d.Params)
	}
	text, d := execute(t, tool, `{"action":"update","id":1,"status":"completed"}`)
	if text != "Updated #1 (pending → completed)" || d.Tasks[0].Status != Completed {
		t.Fatalf("%q %+v", text, d)
	}
	text, d = execute(t, tool, `{"action":"update","id":1,"status":"pending"}`)
	if d.Error != "illegal transition completed → pending" || text != "Error: "+d.Error || d.Tasks[0].Status != Completed {
		t.Fatalf("%q %+v", text, d)
	}
	execute(t, tool, `{"action":"list"}`)
	if len(published) != 2 {
		t.Fatalf("published %d states, want 2 (create, update; not the refusal or the list)", len(published))
	}
	b, _ := json.Marshal(d)
	if !strings.Contains(string(b), `"error":"illegal transition completed → pending"`) {
		t.Fatalf("details JSON = %s", b)
	}
}

func TestFromMessagesTakesTheLastTodoResult(t *testing.T) {
	res := func(name, details string) ai.Message {
		return ai.Message{Role: ai.RoleToolResult, ToolName: name, Details: json.RawMessage(details)}
	}
	msgs := []ai.Message{
		res(Name, `{"action":"create","params":{},"tasks":[{"id":1,"subject":"a","status":"pending"}],"nextId":2}`),
		{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("hi")}},
		res(Name, `{"action":"update","params":{},"tasks":[{"id":1,"subject":"a","status":"completed"}],"nextId":2,"error":""}`),
		res("bash", `{"tasks":[],"nextId":1}`),
		res(Name, `not json`),
		res(Name, `{"action":"list"}`),
	}
	st := FromMessages(msgs)
	if len(st.Tasks) != 1 || st.Tasks[0].Status != Completed || st.NextID != 2 {
		t.Fatalf("state = %+v", st)
	}
	if st := FromMessages(nil); st.Tasks == nil || st.NextID != 1 {
		t.Fatalf("empty branch = %+v", st)
	}
	cleared := append(msgs, res(Name, `{"action":"clear","params":{},"tasks":[],"nextId":1}`))
	if st := FromMessages(cleared); len(st.Tasks) != 0 || st.NextID != 1 {
		t.Fatalf("after clear = %+v", st)
	}
}

func TestResetPublishesOnlyChanges(t *testing.T) {
	n := 0
	s := NewStore(Empty(), func(State) { n++ })
	s.Reset(Empty())
	if n != 0 {
		t.Fatal("reset to the same list published")
	}
	s.Reset(State{Tasks: []Task{{ID: 1, Subject: "a", Status: Pending}}, NextID: 2})
	if n != 1 || len(s.State().Tasks) != 1 {
		t.Fatalf("n=%d state=%+v", n, s.State())
	}
}
