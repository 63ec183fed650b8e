package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/projects"
)

// toolsEnv is the wired app with a fake LLM and one project.
type toolsEnv struct {
	*apitest.Env
	fake    *aitest.Server
	project projects.Project
}

func newToolsEnv(t *testing.T, env map[string]string, responses ...aitest.Response) *toolsEnv {
	t.Helper()
	fake := aitest.NewServer(t, aitest.Script{Responses: responses})
	e := apitest.Start(t, env)
	if err := os.MkdirAll(e.PiConfig, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(e.PiConfig, "models.json"), map[string]any{"providers": map[string]any{"fake": map[string]any{
		"baseUrl": aitest.BaseURL(fake.URL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions, "apiKey": "k",
		"models": []map[string]any{{"id": "fake-model"}}}}})
	writeFile(t, filepath.Join(e.PiConfig, "settings.json"), map[string]any{"retry": map[string]any{"enabled": false}})
	mkdirs(t, e.Workspace, "proj")
	return &toolsEnv{Env: e, fake: fake, project: createProject(t, e, "proj", filepath.Join(e.Workspace, "proj"))}
}

func (e *toolsEnv) session() string {
	e.T.Helper()
	var s api.LiveSummary
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": e.project.ID}).JSON(e.T, &s)
	return s.SessionID
}

func (e *toolsEnv) stream(id string) *apitest.Stream {
	e.T.Helper()
	return e.Stream("/api/v1/sessions/" + id + "/stream")
}

func (e *toolsEnv) prompt(id, text string) {
	e.T.Helper()
	e.Expect(http.StatusAccepted, "POST", "/api/v1/sessions/"+id+"/prompt", map[string]string{"text": text})
}

// connectFrames opens a stream and returns the types of its first n frames.
func connectFrames(t *testing.T, e *toolsEnv, id string, n int) ([]apitest.Event, *apitest.Stream) {
	t.Helper()
	st := e.stream(id)
	var out []apitest.Event
	for range n {
		ev, err := st.Next(10 * time.Second)
		if err != nil {
			t.Fatalf("after %v: %v", types(out), err)
		}
		out = append(out, ev)
	}
	return out, st
}

func toolCall(id, name string, args any) aitest.Response {
	b, _ := json.Marshal(args)
	return aitest.Response{Blocks: []aitest.Block{aitest.ToolCall(id, name, string(b))}}
}

// toolEnd returns the tool_execution_end of a call among events.
func toolEnd(t *testing.T, evs []apitest.Event, callID string) map[string]any {
	t.Helper()
	for _, ev := range evs {
		if m := ev.Map(); ev.Type() == "tool_execution_end" && m["toolCallId"] == callID {
			return m
		}
	}
	t.Fatalf("no tool_execution_end for %s in %v", callID, types(evs))
	return nil
}

func resultText(m map[string]any) string {
	return m["result"].(map[string]any)["content"].([]any)[0].(map[string]any)["text"].(string)
}

func resultDetails(m map[string]any) map[string]any {
	d, _ := m["result"].(map[string]any)["details"].(map[string]any)
	return d
}

var question = map[string]any{"questions": []any{map[string]any{"question": "Which database?", "header": "DB", "options": []any{
	map[string]any{"label": "Postgres", "description": "a server"},
	map[string]any{"label": "SQLite", "description": "a file", "preview": "`sqlite3 app.db`"}}}}}

// TestConnectSequenceAndFirstAnswerWins: every connection gets the
// snapshot, then each pending question, the todo list and the process
// list; an answer from one tab closes the question in every tab and ends
// the tool with the answer; a second answer finds nothing.
func TestConnectSequenceAndFirstAnswerWins(t *testing.T) {
	e := newToolsEnv(t, nil, toolCall("q1", "ask_user_question", question), aitest.Text("SQLite it is"))
	id := e.session()
	frames, a := connectFrames(t, e, id, 3)
	if got := types(frames); !slices.Equal(got, []string{"snapshot", "todo_update", "process_update"}) {
		t.Fatalf("fresh connect = %v", got)
	}
	if m := frames[1].Map(); m["sessionId"] != id || m["nextId"] != float64(1) || len(m["tasks"].([]any)) != 0 {
		t.Fatalf("todo_update = %s", frames[1].Data)
	}
	if m := frames[2].Map(); m["sessionId"] != id || len(m["processes"].([]any)) != 0 {
		t.Fatalf("process_update = %s", frames[2].Data)
	}
	e.prompt(id, "pick a database")
	asked := a.Until(t, "ask_user_question", 20*time.Second)
	req := asked[len(asked)-1].Map()
	reqID := req["requestId"].(string)
	if req["sessionId"] != id || req["questions"].([]any)[0].(map[string]any)["header"] != "DB" {
		t.Fatalf("ask_user_question = %v", req)
	}
	frames, b := connectFrames(t, e, id, 4)
	if got := types(frames); !slices.Equal(got, []string{"snapshot", "ask_user_question", "todo_update", "process_update"}) {
		t.Fatalf("connect while pending = %v", got)
	}
	if frames[1].Map()["requestId"] != reqID || frames[1].ID != frames[0].ID {
		t.Fatalf("pending frame %s (id %s, snapshot %s)", frames[1].Data, frames[1].ID, frames[0].ID)
	}
	var pending api.PendingQuestions
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/ask-user-question/pending", nil).JSON(t, &pending)
	if len(pending.Pending) != 1 || pending.Pending[0].RequestID != reqID || pending.Pending[0].Questions[0].Options[1].Preview == "" {
		t.Fatalf("pending = %+v", pending)
	}

	other := e.session()
	answer := map[string]any{"requestId": reqID, "answers": []any{map[string]any{"questionIndex": 0, "kind": "option", "answer": "SQLite"}}}
	e.Expect(http.StatusNotFound, "POST", "/api/v1/sessions/"+other+"/ask-user-question/answer", answer).Map(t)
	bad := map[string]any{"requestId": reqID, "answers": []any{map[string]any{"questionIndex": 3, "kind": "option", "answer": "x"}}}
	e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions/"+id+"/ask-user-question/answer", bad)
	badKind := map[string]any{"requestId": reqID, "answers": []any{map[string]any{"questionIndex": 0, "kind": "maybe"}}}
	e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions/"+id+"/ask-user-question/answer", badKind)
	e.Expect(http.StatusNoContent, "POST", "/api/v1/sessions/"+id+"/ask-user-question/answer", answer)
	r := e.Expect(http.StatusNotFound, "POST", "/api/v1/sessions/"+id+"/ask-user-question/answer", answer).Map(t)
	if r["error"] != "request_not_found" {
		t.Fatalf("second answer = %v", r)
	}
	for _, st := range []*apitest.Stream{a, b} {
		evs := st.Until(t, "ask_user_question_cancelled", 10*time.Second)
		if m := evs[len(evs)-1].Map(); m["reason"] != "answered" || m["requestId"] != reqID {
			t.Fatalf("cancelled = %v", m)
		}
	}
	end := toolEnd(t, a.Until(t, "agent_end", 20*time.Second), "q1")
	d := resultDetails(end)
	if d["cancelled"] != false || d["answers"].([]any)[0].(map[string]any)["answer"] != "SQLite" ||
		!strings.Contains(resultText(end), `"Which database?": "SQLite"`) || end["isError"] != false {
		t.Fatalf("tool end = %v", end)
	}
	frames, _ = connectFrames(t, e, id, 3)
	if got := types(frames); !slices.Equal(got, []string{"snapshot", "todo_update", "process_update"}) {
		t.Fatalf("connect after the answer = %v", got)
	}
	e.Expect(http.StatusNotFound, "GET", "/api/v1/sessions/nope/ask-user-question/pending", nil)
}

// TestAbortCancelsTheQuestion: aborting the run withdraws the question
// (reason aborted) and the tool returns a cancelled envelope.
func TestAbortCancelsTheQuestion(t *testing.T) {
	e := newToolsEnv(t, nil, toolCall("q1", "ask_user_question", question))
	id := e.session()
	st := e.stream(id)
	e.prompt(id, "ask me")
	reqID := st.Until(t, "ask_user_question", 20*time.Second)
	rid := reqID[len(reqID)-1].Map()["requestId"]
	e.Expect(http.StatusNoContent, "POST", "/api/v1/sessions/"+id+"/abort", nil)
	evs := st.Until(t, "agent_end", 20*time.Second)
	var cancelled map[string]any
	for _, ev := range evs {
		if ev.Type() == "ask_user_question_cancelled" {
			cancelled = ev.Map()
		}
	}
	if cancelled == nil || cancelled["reason"] != "aborted" || cancelled["requestId"] != rid {
		t.Fatalf("cancelled = %v in %v", cancelled, types(evs))
	}
	end := toolEnd(t, evs, "q1")
	if d := resultDetails(end); d["cancelled"] != true || len(d["answers"].([]any)) != 0 {
		t.Fatalf("details = %v", d)
	}
	var pending api.PendingQuestions
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/ask-user-question/pending", nil).JSON(t, &pending)
	if len(pending.Pending) != 0 {
		t.Fatalf("still pending: %+v", pending)
	}
}

func todoTasks(t *testing.T, e *toolsEnv, id string) api.TodoList {
	t.Helper()
	var l api.TodoList
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/todos", nil).JSON(t, &l)
	return l
}

// TestTodoStateFollowsTheBranch: the list lives in the todo results on the
// branch: it is there after a restart (resume) and in a fork, and moving
// to an earlier point of the tree brings the earlier list back.
func TestTodoStateFollowsTheBranch(t *testing.T) {
	e := newToolsEnv(t, nil,
		toolCall("t1", "todo", map[string]any{"action": "create", "subject": "write the parser"}), aitest.Text("one task"),
		toolCall("t2", "todo", map[string]any{"action": "create", "subject": "test it", "blockedBy": []int{1}}),
		toolCall("t3", "todo", map[string]any{"action": "update", "id": 1, "status": "in_progress"}), aitest.Text("two tasks"),
		aitest.Text("## Goal\nplan the parser"), aitest.Text("## Prefix\nplanning"), // the compaction's summaries
	)
	writeFile(t, filepath.Join(e.PiConfig, "settings.json"), map[string]any{"retry": map[string]any{"enabled": false},
		"compaction": map[string]any{"keepRecentTokens": 1}})
	id := e.session()
	st := e.stream(id)
	e.prompt(id, "plan")
	evs := st.Until(t, "agent_end", 20*time.Second)
	var updates int
	for _, ev := range evs[3:] { // after the connect frames
		if ev.Type() == "todo_update" {
			updates++
		}
	}
	if updates != 1 {
		t.Fatalf("%d todo_update events in %v", updates, types(evs))
	}
	e.prompt(id, "more")
	evs = st.Until(t, "agent_end", 20*time.Second)
	if d := resultDetails(toolEnd(t, evs, "t3")); d["action"] != "update" || d["nextId"] != float64(3) {
		t.Fatalf("details = %v", d)
	}
	l := todoTasks(t, e, id)
	if len(l.Tasks) != 2 || l.Tasks[0].Status != "in_progress" || l.NextID != 3 || l.Tasks[1].BlockedBy[0] != 1 {
		t.Fatalf("todos = %+v", l)
	}

	// Compaction drops the todo results from the context, not from the branch.
	if r := e.Do("POST", "/api/v1/sessions/"+id+"/compact", map[string]string{}); r.StatusCode != 200 {
		t.Fatalf("%d %s\n%s", r.StatusCode, r.Body, e.Logs())
	}
	var msgs api.MessageList
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/messages", nil).JSON(t, &msgs)
	for _, m := range msgs.Messages {
		if m.Role == ai.RoleToolResult {
			t.Fatalf("compaction kept a tool result in the context: %+v", msgs.Messages)
		}
	}

	e.Restart(nil)
	frames, _ := connectFrames(t, e, id, 3) // resumes the session from its file
	if m := frames[1].Map(); frames[1].Type() != "todo_update" || len(m["tasks"].([]any)) != 2 || m["nextId"] != float64(3) {
		t.Fatalf("todo frame after a restart = %s", frames[1].Data)
	}
	if l := todoTasks(t, e, id); len(l.Tasks) != 2 {
		t.Fatalf("todos after a restart = %+v", l)
	}

	var tree api.SessionTree
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/tree", nil).JSON(t, &tree)
	leaf := *tree.LeafID
	var fork api.LiveSummary
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions/"+id+"/fork", map[string]string{"entryId": leaf}).JSON(t, &fork)
	if l := todoTasks(t, e, fork.SessionID); len(l.Tasks) != 2 || l.Tasks[0].Status != "in_progress" {
		t.Fatalf("todos of the fork = %+v", l)
	}

	// The first assistant reply ("one task") is where only task 1 existed.
	var first string
	for _, en := range tree.Entries {
		if en.Role == "assistant" && en.Preview == "one task" {
			first = en.ID
		}
	}
	live := e.stream(id)
	live.Until(t, "process_update", 10*time.Second)
	e.Expect(http.StatusOK, "POST", "/api/v1/sessions/"+id+"/navigate", map[string]string{"entryId": first})
	up := live.Until(t, "todo_update", 10*time.Second)
	if m := up[len(up)-1].Map(); len(m["tasks"].([]any)) != 1 || m["nextId"] != float64(2) {
		t.Fatalf("todo_update after navigate = %v", m)
	}
	if l := todoTasks(t, e, id); len(l.Tasks) != 1 || l.Tasks[0].Status != "pending" {
		t.Fatalf("todos after navigate = %+v", l)
	}
	e.Expect(http.StatusNotFound, "GET", "/api/v1/sessions/nope/todos", nil)
}
