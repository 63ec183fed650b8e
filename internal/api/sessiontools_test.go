package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

func processList(t *testing.T, e *toolsEnv, id string) []api.ProcessInfo {
	t.Helper()
	var l api.ProcessList
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/processes", nil).JSON(t, &l)
	return l.Processes
}

// waitProcess reads process_update events until process pid has status.
func waitProcess(t *testing.T, st *apitest.Stream, procID, status string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ev, err := st.Next(time.Until(deadline))
		if err != nil {
			break
		}
		if ev.Type() != "process_update" {
			continue
		}
		for _, p := range ev.Map()["processes"].([]any) {
			if pm := p.(map[string]any); pm["id"] == procID && pm["status"] == status {
				return pm
			}
		}
	}
	t.Fatalf("process %s never became %s", procID, status)
	return nil
}

// TestProcessToolAndRoutes: the agent starts a process with a log watch;
// its output, log file and stdin are reachable over HTTP; the watch match
// starts a new turn with a process-watch card the model sees; kill and
// clear work; unknown ids answer process_not_found.
func TestProcessToolAndRoutes(t *testing.T) {
	e := newToolsEnv(t, nil,
		toolCall("p1", "process", map[string]any{"action": "start", "name": "srv",
			"command":    `echo booting; read word; echo "ready $word"; exec sleep 1000`,
			"logWatches": []any{map[string]any{"pattern": "^ready "}}}),
		aitest.Text("started it"),
		aitest.Text("the server is ready"),
	)
	id := e.session()
	st := e.stream(id)
	e.prompt(id, "start the server")
	evs := st.Until(t, "agent_end", 20*time.Second)
	proc := resultDetails(toolEnd(t, evs, "p1"))["process"].(map[string]any)
	pid := proc["id"].(string)
	if proc["status"] != "running" || len(pid) != 8 || proc["cwd"] != filepath.Join(e.Workspace, "proj") {
		t.Fatalf("started %v", proc)
	}
	list := processList(t, e, id)
	if len(list) != 1 || list[0].ID != pid || list[0].Status != "running" || list[0].AlertOnFailure != true {
		t.Fatalf("list = %+v", list)
	}
	base := "/api/v1/sessions/" + id + "/processes/" + pid
	var ok api.ProcessOK
	e.Expect(http.StatusOK, "POST", base+"/stdin", map[string]any{"input": "now\n"}).JSON(t, &ok)
	if !ok.OK {
		t.Fatalf("stdin = %+v", ok)
	}

	evs = st.Until(t, "agent_end", 20*time.Second) // the watch's turn
	var match map[string]any
	var card ai.Message
	for _, ev := range evs {
		switch ev.Type() {
		case "process_watch":
			match = ev.Map()["match"].(map[string]any)
		case "message_end":
			var m struct{ Message ai.Message }
			if err := json.Unmarshal([]byte(ev.Data), &m); err == nil && m.Message.Role == ai.RoleCustom {
				card = m.Message
			}
		}
	}
	if match == nil || match["line"] != "ready now" || match["processId"] != pid || match["source"] != "stdout" {
		t.Fatalf("process_watch = %v in %v", match, types(evs))
	}
	if card.CustomType != "process-watch" || !strings.Contains(card.Text(), "ready now") {
		t.Fatalf("card = %+v", card)
	}
	reqs := e.fake.Requests()
	if body := string(reqs[len(reqs)-1].Body); len(reqs) != 3 || !strings.Contains(body, "ready now") {
		t.Fatalf("%d requests; the last does not carry the card", len(reqs))
	}
	// The model is offered the three tools, and the system prompt tells it how to use them.
	first := string(reqs[0].Body)
	for _, want := range []string{`"name":"process"`, `"name":"todo"`, `"name":"ask_user_question"`, "Do not poll with list or output", "exactly one task in_progress"} {
		if !strings.Contains(first, want) {
			t.Errorf("the first request lacks %q", want)
		}
	}

	var out api.ProcessOutput
	e.Expect(http.StatusOK, "GET", base+"/output?tail=1", nil).JSON(t, &out)
	if len(out.Stdout) != 1 || out.Stdout[0] != "ready now" || out.Status != "running" {
		t.Fatalf("output = %+v", out)
	}
	r := e.Expect(http.StatusOK, "GET", base+"/logs/file", nil)
	if string(r.Body) != "booting\nready now\n" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("log file = %q (%s)", r.Body, r.Header.Get("Content-Type"))
	}
	if r := e.Expect(http.StatusOK, "GET", base+"/logs/file?stream=stderr", nil); len(r.Body) != 0 {
		t.Fatalf("stderr log = %q", r.Body)
	}
	e.Expect(http.StatusBadRequest, "GET", base+"/logs/file?stream=stdin", nil)

	e.Expect(http.StatusOK, "POST", base+"/kill", nil).JSON(t, &ok)
	if !ok.OK {
		t.Fatalf("kill = %+v", ok)
	}
	killed := waitProcess(t, st, pid, "killed")
	if killed["success"] != false || killed["endTime"] == nil {
		t.Fatalf("killed = %v", killed)
	}
	e.Expect(http.StatusOK, "POST", base+"/stdin", map[string]any{"input": "x"}).JSON(t, &ok)
	if ok.OK || ok.Reason != "process_exited" {
		t.Fatalf("stdin after the kill = %+v", ok)
	}
	var cleared api.ProcessesCleared
	e.Expect(http.StatusOK, "DELETE", "/api/v1/sessions/"+id+"/processes", nil).JSON(t, &cleared)
	if cleared.Cleared != 1 || len(processList(t, e, id)) != 0 {
		t.Fatalf("cleared %d", cleared.Cleared)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", base + "/output"}, {"GET", base + "/logs/file"}, {"POST", base + "/kill"},
	} {
		if m := e.Expect(http.StatusNotFound, c.method, c.path, nil).Map(t); m["error"] != "process_not_found" {
			t.Errorf("%s %s: %v", c.method, c.path, m)
		}
	}
	if m := e.Expect(http.StatusNotFound, "POST", base+"/stdin", map[string]any{"input": "x"}).Map(t); m["error"] != "process_not_found" {
		t.Errorf("stdin: %v", m)
	}
	if m := e.Expect(http.StatusNotFound, "GET", "/api/v1/sessions/nope/processes", nil).Map(t); m["error"] != "session_not_found" {
		t.Errorf("unknown session: %v", m)
	}
}

// TestDeletingTheSessionEndsItsProcesses: nothing the agent started
// outlives its session, and the logs go with it.
func TestDeletingTheSessionEndsItsProcesses(t *testing.T) {
	e := newToolsEnv(t, nil,
		toolCall("p1", "process", map[string]any{"action": "start", "name": "stubborn",
			"command": `trap '' TERM; sleep 1000 & echo "child $!"; while :; do sleep 1; done`}),
		aitest.Text("running"),
	)
	id := e.session()
	st := e.stream(id)
	e.prompt(id, "start it")
	proc := resultDetails(toolEnd(t, st.Until(t, "agent_end", 20*time.Second), "p1"))["process"].(map[string]any)
	base := "/api/v1/sessions/" + id + "/processes/" + proc["id"].(string)
	var out api.ProcessOutput
	e.Expect(http.StatusOK, "GET", base+"/output", nil).JSON(t, &out)
	for len(out.Stdout) == 0 { // each process_output announces new lines
		st.Until(t, "process_output", 20*time.Second)
		e.Expect(http.StatusOK, "GET", base+"/output", nil).JSON(t, &out)
	}
	var child int
	if _, err := fmtSscan(out.Stdout[0], &child); err != nil {
		t.Fatal(err)
	}
	shell := int(proc["pid"].(float64))
	logDir := filepath.Join(e.DataDir, "processes", id)
	if _, err := os.Stat(logDir); err != nil {
		t.Fatal(err)
	}
	e.Expect(http.StatusNoContent, "DELETE", "/api/v1/sessions/"+id, nil)
	for _, pid := range []int{shell, child} {
		if processAlive(pid) {
			t.Errorf("pid %d survived the session", pid)
		}
	}
	if _, err := os.Stat(logDir); !os.IsNotExist(err) {
		t.Fatalf("logs left behind: %v", err)
	}
}

// TestMinimalUIRefusesStart: under MINIMAL_UI the tool refuses to start.
func TestMinimalUIRefusesStart(t *testing.T) {
	e := newToolsEnv(t, map[string]string{"MINIMAL_UI": "true"},
		toolCall("p1", "process", map[string]any{"action": "start", "name": "x", "command": "true"}), aitest.Text("refused"))
	id := e.session()
	st := e.stream(id)
	e.prompt(id, "start")
	end := toolEnd(t, st.Until(t, "agent_end", 20*time.Second), "p1")
	if end["isError"] != true || !strings.Contains(resultText(end), "MINIMAL_UI") || len(processList(t, e, id)) != 0 {
		t.Fatalf("tool end = %v", end)
	}
}

func fmtSscan(line string, pid *int) (int, error) { return fmt.Sscanf(line, "child %d", pid) }

// processAlive reports whether pid is a live (not zombie) process.
func processAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}
