package todo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Status is a task's state.
type Status string

// Task statuses. Deleted tasks stay in the list as tombstones so older
// blockedBy references still resolve.
const (
	Pending    Status = "pending"
	InProgress Status = "in_progress"
	Completed  Status = "completed"
	Deleted    Status = "deleted"
)

// Actions.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionList   = "list"
	ActionGet    = "get"
	ActionDelete = "delete"
	ActionClear  = "clear"
)

// Task is one item of the list.
type Task struct {
	ID          int                        `json:"id"`
	Subject     string                     `json:"subject"`
	Description string                     `json:"description,omitempty"`
	ActiveForm  string                     `json:"activeForm,omitempty"`
	Status      Status                     `json:"status"`
	BlockedBy   []int                      `json:"blockedBy,omitempty"`
	Owner       string                     `json:"owner,omitempty"`
	Metadata    map[string]json.RawMessage `json:"metadata,omitempty"`
}

// State is a session's whole list. Tasks is never nil, so it marshals as [].
type State struct {
	Tasks  []Task `json:"tasks"`
	NextID int    `json:"nextId"`
}

// Empty is the state of a session that never used the tool.
func Empty() State { return State{Tasks: []Task{}, NextID: 1} }

// clone deep-copies s, so a state handed out is never changed later.
func (s State) clone() State {
	out := State{Tasks: make([]Task, len(s.Tasks)), NextID: s.NextID}
	for i, t := range s.Tasks {
		t.BlockedBy = slices.Clone(t.BlockedBy)
		if t.Metadata != nil {
			t.Metadata = maps.Clone(t.Metadata)
		}
		out.Tasks[i] = t
	}
	return out
}

func (s State) find(id int) int {
	return slices.IndexFunc(s.Tasks, func(t Task) bool { return t.ID == id })
}

// Params are the tool's arguments. Pointers tell "absent" from "empty".
type Params struct {
	Action          string                     `json:"action"`
	Subject         *string                    `json:"subject"`
	Description     *string                    `json:"description"`
	ActiveForm      *string                    `json:"activeForm"`
	Status          *Status                    `json:"status"`
	BlockedBy       []intArg                   `json:"blockedBy"`
	AddBlockedBy    []intArg                   `json:"addBlockedBy"`
	RemoveBlockedBy []intArg                   `json:"removeBlockedBy"`
	Owner           *string                    `json:"owner"`
	Metadata        map[string]json.RawMessage `json:"metadata"`
	ID              *intArg                    `json:"id"`
	IncludeDeleted  bool                       `json:"includeDeleted"`
}

// intArg is an id: a JSON number with no fraction, or such a number as a
// string (models send both).
type intArg int

func (n *intArg) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) {
		return fmt.Errorf("must be an integer, got %s", b)
	}
	*n = intArg(f)
	return nil
}

func ints(a []intArg) []int {
	out := make([]int, len(a))
	for i, v := range a {
		out[i] = int(v)
	}
	return out
}

// Outcome is what one action did: the new state, the text for the model
// and, for a refused call, the error (state then unchanged).
type Outcome struct {
	State   State
	Text    string
	Error   string
	Changed bool // the state differs from before (worth a todo_update)
}

// Apply runs one action on state. It never modifies state; a refused call
// returns it unchanged with Error set.
func Apply(state State, p Params) Outcome {
	st := state.clone()
	var (
		text string
		err  string
	)
	switch p.Action {
	case ActionCreate:
		text, err = create(&st, p)
	case ActionUpdate:
		text, err = update(&st, p)
	case ActionList:
		text = list(st, p)
	case ActionGet:
		text, err = get(st, p)
	case ActionDelete:
		text, err = remove(&st, p)
	case ActionClear:
		text = "Cleared " + plural(len(st.Tasks), "task")
		st = Empty()
	default:
		err = "unknown action " + strconv.Quote(p.Action)
	}
	if err != "" {
		return Outcome{State: state.clone(), Text: "Error: " + err, Error: err}
	}
	return Outcome{State: st, Text: text, Changed: !sameState(state, st)}
}

func create(st *State, p Params) (string, string) {
	if p.Subject == nil || strings.TrimSpace(*p.Subject) == "" {
		return "", "subject required for create"
	}
	deps := ints(p.BlockedBy)
	for _, d := range deps {
		if e := checkDependency(*st, "blockedBy", d); e != "" {
			return "", e
		}
	}
	t := Task{ID: st.NextID, Subject: *p.Subject, Status: Pending, BlockedBy: dedupe(deps)}
	t.Description = deref(p.Description)
	t.ActiveForm = deref(p.ActiveForm)
	t.Owner = deref(p.Owner)
	t.Metadata = mergeMetadata(nil, p.Metadata)
	st.Tasks = append(st.Tasks, t)
	st.NextID++
	return fmt.Sprintf("Created #%d: %s (pending)", t.ID, t.Subject), ""
}

// checkDependency validates one dependency id named by field.
func checkDependency(st State, field string, id int) string {
	i := st.find(id)
	if i < 0 {
		return fmt.Sprintf("%s: #%d not found", field, id)
	}
	if st.Tasks[i].Status == Deleted {
		return fmt.Sprintf("%s: #%d is deleted", field, id)
	}
	return ""
}

// allowed lists the statuses each status may move to (besides itself).
var allowed = map[Status][]Status{
	Pending:    {InProgress, Completed, Deleted},
	InProgress: {Pending, Completed, Deleted},
	Completed:  {Deleted},
	Deleted:    nil,
}

// CanMove reports whether a task may go from one status to another.
func CanMove(from, to Status) bool { return from == to || slices.Contains(allowed[from], to) }

func update(st *State, p Params) (string, string) {
	if p.ID == nil {
		return "", "id required for update"
	}
	id := int(*p.ID)
	i := st.find(id)
	if i < 0 {
		return "", fmt.Sprintf("#%d not found", id)
	}
	if p.Subject == nil && p.Description == nil && p.ActiveForm == nil && p.Status == nil && p.Owner == nil &&
		p.Metadata == nil && len(p.AddBlockedBy) == 0 && len(p.RemoveBlockedBy) == 0 {
		return "", "update requires at least one mutable field: subject, description, activeForm, status, owner, metadata, addBlockedBy, or removeBlockedBy"
	}
	before := st.Tasks[i]
	t := before
	t.BlockedBy = slices.Clone(before.BlockedBy)
	if p.Status != nil {
		if !CanMove(before.Status, *p.Status) {
			return "", fmt.Sprintf("illegal transition %s → %s", before.Status, *p.Status)
		}
		t.Status = *p.Status
	}
	if rm := ints(p.RemoveBlockedBy); len(rm) > 0 {
		t.BlockedBy = slices.DeleteFunc(t.BlockedBy, func(d int) bool { return slices.Contains(rm, d) })
	}
	if add := ints(p.AddBlockedBy); len(add) > 0 {
		for _, d := range add {
			if d == id {
				return "", fmt.Sprintf("cannot block #%d on itself", id)
			}
			if e := checkDependency(*st, "addBlockedBy", d); e != "" {
				return "", e
			}
			if !slices.Contains(t.BlockedBy, d) {
				t.BlockedBy = append(t.BlockedBy, d)
			}
		}
		if createsCycle(*st, id, t.BlockedBy) {
			return "", "addBlockedBy would create a cycle in the blockedBy graph"
		}
	}
	if len(t.BlockedBy) == 0 {
		t.BlockedBy = nil
	}
	if p.Subject != nil {
		t.Subject = *p.Subject
	}
	if p.Description != nil {
		t.Description = *p.Description
	}
	if p.ActiveForm != nil {
		t.ActiveForm = *p.ActiveForm
	}
	if p.Owner != nil {
		t.Owner = *p.Owner
	}
	if p.Metadata != nil {
		t.Metadata = mergeMetadata(before.Metadata, p.Metadata)
	}
	st.Tasks[i] = t
	switch {
	case !sameTask(before, t):
		if before.Status != t.Status {
			return fmt.Sprintf("Updated #%d (%s → %s)", id, before.Status, t.Status), ""
		}
		return fmt.Sprintf("Updated #%d", id), ""
	default:
		return fmt.Sprintf("No change: #%d already matches the requested values (status: %s)", id, t.Status), ""
	}
}

// createsCycle reports whether giving task id the dependencies deps would
// let id reach itself through blockedBy edges.
func createsCycle(st State, id int, deps []int) bool {
	edges := map[int][]int{}
	for _, t := range st.Tasks {
		edges[t.ID] = t.BlockedBy
	}
	edges[id] = deps
	seen := map[int]bool{}
	stack := slices.Clone(deps)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == id {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		stack = append(stack, edges[n]...)
	}
	return false
}

func remove(st *State, p Params) (string, string) {
	if p.ID == nil {
		return "", "id required for delete"
	}
	id := int(*p.ID)
	i := st.find(id)
	if i < 0 {
		return "", fmt.Sprintf("#%d not found", id)
	}
	if st.Tasks[i].Status == Deleted {
		return "", fmt.Sprintf("#%d is already deleted", id)
	}
	st.Tasks[i].Status = Deleted
	return fmt.Sprintf("Deleted #%d: %s", id, st.Tasks[i].Subject), ""
}

func get(st State, p Params) (string, string) {
	if p.ID == nil {
		return "", "id required for get"
	}
	id := int(*p.ID)
	i := st.find(id)
	if i < 0 {
		return "", fmt.Sprintf("#%d not found", id)
	}
	t := st.Tasks[i]
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s\nstatus: %s", t.ID, t.Subject, t.Status)
	if t.ActiveForm != "" {
		fmt.Fprintf(&b, "\nactive form: %s", t.ActiveForm)
	}
	if t.Description != "" {
		fmt.Fprintf(&b, "\ndescription: %s", t.Description)
	}
	if t.Owner != "" {
		fmt.Fprintf(&b, "\nowner: %s", t.Owner)
	}
	if len(t.BlockedBy) > 0 {
		fmt.Fprintf(&b, "\nblocked by: %s", refs(t.BlockedBy))
	}
	var blocks []int
	for _, o := range st.Tasks {
		if slices.Contains(o.BlockedBy, id) {
			blocks = append(blocks, o.ID)
		}
	}
	if len(blocks) > 0 {
		fmt.Fprintf(&b, "\nblocks: %s", refs(blocks))
	}
	if len(t.Metadata) > 0 {
		m, _ := json.Marshal(t.Metadata)
		fmt.Fprintf(&b, "\nmetadata: %s", m)
	}
	return b.String(), ""
}

func list(st State, p Params) string {
	var lines []string
	for _, t := range st.Tasks {
		switch {
		case p.Status != nil && t.Status != *p.Status:
			continue
		case p.Status == nil && t.Status == Deleted && !p.IncludeDeleted:
			continue
		}
		line := fmt.Sprintf("[%s] #%d %s", t.Status, t.ID, t.Subject)
		if t.Status == InProgress && t.ActiveForm != "" {
			line += " (" + t.ActiveForm + ")"
		}
		if len(t.BlockedBy) > 0 {
			line += " — blocked by " + refs(t.BlockedBy)
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return "No tasks"
	}
	return strings.Join(lines, "\n")
}

func refs(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "#" + strconv.Itoa(id)
	}
	return strings.Join(parts, ", ")
}

// mergeMetadata applies patch to base: a null value deletes its key. An
// empty result is nil (the field disappears).
func mergeMetadata(base, patch map[string]json.RawMessage) map[string]json.RawMessage {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]json.RawMessage{}
	}
	for k, v := range patch {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func sameTask(a, b Task) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func sameState(a, b State) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func dedupe(ids []int) []int {
	var out []int
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
