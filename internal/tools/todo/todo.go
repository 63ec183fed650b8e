// Package todo is the todo tool: a per-session task list with statuses,
// dependencies and tombstones, whose state lives in the tool results on the
// session branch (each result carries the whole list), so it survives
// resume, fork and compaction without a store of its own.
package todo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/tools"
)

// Name is the tool's name.
const Name = "todo"

//go:embed todo.md
var description string

const schema = `{"type":"object","required":["action"],"properties":{` +
	`"action":{"type":"string","enum":["create","update","list","get","delete","clear"],"description":"What to do"},` +
	`"subject":{"type":"string","description":"Short imperative title (create; update renames)"},` +
	`"description":{"type":"string","description":"Longer detail (create, update)"},` +
	`"activeForm":{"type":"string","description":"Label shown while the task is in progress, e.g. \"Writing the parser\" (create, update)"},` +
	`"status":{"type":"string","enum":["pending","in_progress","completed","deleted"],"description":"New status (update) or a filter (list)"},` +
	`"blockedBy":{"type":"array","items":{"type":"number"},"description":"Ids this new task waits on (create)"},` +
	`"addBlockedBy":{"type":"array","items":{"type":"number"},"description":"Ids to add to the task's dependencies (update)"},` +
	`"removeBlockedBy":{"type":"array","items":{"type":"number"},"description":"Ids to drop from the task's dependencies (update)"},` +
	`"owner":{"type":"string","description":"Who works on the task (create, update)"},` +
	`"metadata":{"type":"object","description":"Free-form fields; on update a null value removes that key"},` +
	`"id":{"type":"number","description":"Task id (update, get, delete)"},` +
	`"includeDeleted":{"type":"boolean","description":"Also list deleted tasks (list)"}}}`

// EventUpdate is the stream event carrying the whole list; FrameKey is
// the connect-time frame it is kept under.
const (
	EventUpdate = "todo_update"
	FrameKey    = EventUpdate
)

type updateEvent struct {
	Type      string `json:"type"`
	SessionID string `json:"sessionId"`
	Tasks     []Task `json:"tasks"`
	NextID    int    `json:"nextId"`
}

// UpdateEvent is the todo_update event for a list.
func UpdateEvent(sessionID string, st State) any {
	if st.Tasks == nil {
		st = Empty()
	}
	return updateEvent{Type: EventUpdate, SessionID: sessionID, Tasks: st.Tasks, NextID: st.NextID}
}

// Details is the details object of every todo result: the action, its
// arguments and the whole list afterwards (unchanged when Error is set).
type Details struct {
	Action string          `json:"action"`
	Params json.RawMessage `json:"params"`
	Tasks  []Task          `json:"tasks"`
	NextID int             `json:"nextId"`
	Error  string          `json:"error,omitempty"`
}

// Store is one session's list. It is a cache of the branch: the registry
// resets it when the session moves to another branch.
type Store struct {
	mu       sync.Mutex
	state    State
	onChange func(State)
}

// NewStore returns a store holding initial. onChange, when set, runs after
// every change, in order (it publishes todo_update); it must not call back
// into the store.
func NewStore(initial State, onChange func(State)) *Store {
	if initial.Tasks == nil {
		initial = Empty()
	}
	return &Store{state: initial.clone(), onChange: onChange}
}

// State returns a copy of the list.
func (s *Store) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.clone()
}

// Apply runs one action and keeps its outcome.
func (s *Store) Apply(p Params) Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Apply(s.state, p)
	if out.Error == "" {
		s.state = out.State
		if out.Changed && s.onChange != nil {
			s.onChange(out.State.clone())
		}
	}
	return out
}

// Reset replaces the list (the session moved to another branch) and tells
// onChange when it differs.
func (s *Store) Reset(st State) {
	if st.Tasks == nil {
		st = Empty()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sameState(s.state, st) {
		return
	}
	s.state = st.clone()
	if s.onChange != nil {
		s.onChange(st.clone())
	}
}

// FromMessages rebuilds the list from a branch: the details of the last
// todo result on it, else the empty list. Results whose details do not
// hold a list (another extension's "todo", a damaged entry) are skipped.
func FromMessages(msgs []ai.Message) State {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := &msgs[i]
		if m.Role != ai.RoleToolResult || m.ToolName != Name || len(m.Details) == 0 {
			continue
		}
		var d struct {
			Tasks  []Task `json:"tasks"`
			NextID int    `json:"nextId"`
		}
		if err := json.Unmarshal(m.Details, &d); err != nil || d.Tasks == nil || d.NextID < 1 {
			continue
		}
		return State{Tasks: d.Tasks, NextID: d.NextID}.clone()
	}
	return Empty()
}

// Tool is the todo tool over one session's store.
type Tool struct{ store *Store }

// NewTool returns the tool for store.
func NewTool(store *Store) *Tool { return &Tool{store: store} }

// Spec implements agent.Tool.
func (t *Tool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: Name, Description: strings.TrimSpace(description), Parameters: json.RawMessage(schema)}
}

// PromptInfo implements tools.Prompter.
func (t *Tool) PromptInfo() tools.PromptInfo {
	return tools.PromptInfo{
		Snippet: "Track multi-step work as a task list the user can watch (create, update status, list)",
		Guidelines: []string{
			"For work with three or more steps, write the steps down with todo create before starting",
			"Keep exactly one task in_progress at a time: set it in_progress when you start it and completed as soon as it is done, not in batches at the end",
			"Never mark a task completed while its tests fail, the build is broken or the work is partial; leave it in_progress and add a task for what blocks it",
			"Change a status with update {id, status}; use blockedBy / addBlockedBy for real ordering constraints only",
		},
	}
}

// Execute implements agent.Tool. Refused calls are answered in-band ("Error:
// ..." with details.error) and leave the list unchanged.
func (t *Tool) Execute(_ context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	raw := call.Args
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	var p Params
	if err := json.Unmarshal(raw, &p); err != nil {
		return agent.ToolResult{}, fmt.Errorf("invalid arguments for tool %q: %w", Name, err)
	}
	out := t.store.Apply(p)
	d := Details{Action: p.Action, Params: paramsEcho(raw), Tasks: out.State.Tasks, NextID: out.State.NextID, Error: out.Error}
	return agent.ToolResult{Content: []ai.Content{ai.TextContent(out.Text)}, Details: d}, nil
}

// paramsEcho is the arguments without the action, as an object.
func paramsEcho(raw json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return json.RawMessage("{}")
	}
	delete(m, "action")
	b, err := json.Marshal(m)
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
}
