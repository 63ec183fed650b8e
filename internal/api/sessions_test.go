package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
)

// TestPromptToolCallReplyCycle: a prompt whose reply calls the read tool and
// then answers streams pi's event sequence, snapshot first, and leaves the
// session listed, readable and on disk.
func TestPromptToolCallReplyCycle(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "Let me look."}, aitest.ToolCall("call_1", "read", `{"path":"hello.txt"}`)}},
		aitest.Text("It says hello world."),
	}}, sessOptions{})
	if err := os.WriteFile(filepath.Join(e.Project.Path, "hello.txt"), []byte("hello world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := e.createSession()
	st := e.stream(id)
	if h := st.Resp.Header; h.Get("Content-Type") != "text/event-stream" || h.Get("Cache-Control") != "no-cache, no-transform" ||
		h.Get("X-Accel-Buffering") != "no" || h.Get("Connection") != "keep-alive" {
		t.Errorf("headers %v", h)
	}
	acc := e.prompt(id, "What does hello.txt say?")
	if !acc.Accepted || acc.SessionName != "What Does Hello.txt Say" {
		t.Errorf("prompt answer %+v", acc)
	}
	evs := st.Until(t, "agent_end", 20*time.Second)
	want := []string{"snapshot", "session_renamed", "agent_start", "turn_start", "message_start", "message_end",
		"message_start", "message_end", "tool_execution_start", "tool_execution_end", "message_start", "message_end", "turn_end",
		"turn_start", "message_start", "message_end", "turn_end", "agent_end"}
	if got := withoutUpdates(types(evs)); !slices.Equal(got, want) {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
	ids := map[string]bool{}
	for _, ev := range evs {
		if ev.ID == "" || ids[ev.ID] {
			t.Fatalf("event %s has id %q (dup %v)", ev.Type(), ev.ID, ids[ev.ID])
		}
		ids[ev.ID] = true
	}
	snap := evs[0].Map()
	if snap["sessionId"] != id || snap["projectId"] != e.Project.ID || snap["isStreaming"] != false || snap["name"] != "New session" {
		t.Errorf("snapshot %v", snap)
	}
	for _, ev := range evs {
		if ev.Type() == "tool_execution_end" {
			res := ev.Map()["result"].(map[string]any)["content"].([]any)[0].(map[string]any)
			if res["text"] != "hello world\n" {
				t.Errorf("tool result %v", res)
			}
		}
		if ev.Type() == "message_update" && strings.Contains(ev.Data, `"partial"`) {
			t.Fatalf("compact framing carries the partial message: %s", ev.Data)
		}
	}
	e.waitIdle(id)

	var msgs struct{ Messages []map[string]any }
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/messages", nil).JSON(t, &msgs)
	var roles []string
	for _, m := range msgs.Messages {
		roles = append(roles, m["role"].(string))
	}
	if !slices.Equal(roles, []string{"user", "assistant", "toolResult", "assistant"}) {
		t.Errorf("messages %v", roles)
	}
	var list api.SessionList
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions?projectId="+e.Project.ID, nil).JSON(t, &list)
	if len(list.Sessions) != 1 || list.Sessions[0].SessionID != id || !list.Sessions[0].IsLive || list.Sessions[0].MessageCount != 4 ||
		list.Sessions[0].Name != acc.SessionName || list.Sessions[0].FirstMessage != "What does hello.txt say?" || list.Sessions[0].Path == "" {
		t.Errorf("list %+v", list)
	}
	var tree api.SessionTree
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/tree", nil).JSON(t, &tree)
	if len(tree.Entries) != 7 || tree.LeafID == nil || len(tree.BranchIDs) != 7 {
		t.Errorf("tree %+v", tree)
	}
	var ctx api.SessionContext
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id+"/context", nil).JSON(t, &ctx)
	if len(ctx.Turns) != 2 || ctx.Turns[1].Index != 3 || ctx.TotalTokens == 0 || ctx.TotalCost <= 0 ||
		ctx.ContextUsage.ContextWindow != 200000 || ctx.ContextUsage.Tokens == nil || *ctx.ContextUsage.Tokens == 0 {
		t.Errorf("context %+v", ctx)
	}
	var sum api.LiveSummary
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id, nil).JSON(t, &sum)
	if !sum.IsLive || sum.IsStreaming || sum.MessageCount != 4 || sum.ModelID != "fake-model" || sum.ThinkingLevel != "medium" {
		t.Errorf("summary %+v", sum)
	}
	data, err := os.ReadFile(list.Sessions[0].Path)
	if err != nil || strings.Count(string(data), "\n") != 8 {
		t.Errorf("session file (%v):\n%s", err, data)
	}
}

// TestSessionsListAndNames: new sessions get distinct placeholder names, an
// unwritten session is listed from memory, a rename is saved and streamed,
// and a cold session is described from its file.
func TestSessionsListAndNames(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{aitest.Text("ok")}}, sessOptions{})
	a := e.createSession()
	b := e.createSession()
	var list api.SessionList
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions", nil).JSON(t, &list)
	names := map[string]string{}
	for _, s := range list.Sessions {
		names[s.SessionID] = s.Name
		if s.FirstMessage != "(no messages)" || s.MessageCount != 0 || !s.IsLive {
			t.Errorf("unwritten session %+v", s)
		}
	}
	if names[a] != "New session" || names[b] != "New session (2)" {
		t.Errorf("names %v", names)
	}
	st := e.stream(a)
	st.Until(t, "snapshot", 5*time.Second)
	var sum api.LiveSummary
	e.Expect(http.StatusOK, "POST", "/api/v1/sessions/"+a+"/name", map[string]string{"name": "  Refactor  "}).JSON(t, &sum)
	if sum.Name != "Refactor" {
		t.Errorf("renamed %+v", sum)
	}
	if ev := st.Until(t, "session_renamed", 5*time.Second); ev[len(ev)-1].Map()["name"] != "Refactor" {
		t.Errorf("renamed event %v", ev)
	}
	if st.Comments() == 0 {
		t.Error("no padding after session_renamed")
	}
	acc := e.prompt(a, "do something")
	if acc.SessionName != "" {
		t.Errorf("a named session was retitled: %q", acc.SessionName)
	}
	e.waitIdle(a)
	e.Reg.Dispose(a)
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+a, nil).JSON(t, &sum)
	if sum.IsLive || sum.IsStreaming || sum.Name != "Refactor" || sum.MessageCount != 2 {
		t.Errorf("cold summary %+v", sum)
	}
	e.Expect(http.StatusNotFound, "GET", "/api/v1/sessions?projectId=nope", nil)
	e.Expect(http.StatusNotFound, "POST", "/api/v1/sessions", map[string]string{"projectId": "nope"})
	e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions", map[string]string{})
	e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions/"+b+"/name", map[string]string{"name": strings.Repeat("x", 201)})
}

// TestSessionRoutesNotFound: every route answers 404 session_not_found for
// an unknown id; LIVE routes do for a session on disk that is not live.
func TestSessionRoutesNotFound(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{aitest.Text("ok")}}, sessOptions{})
	cold := e.createSession()
	e.prompt(cold, "hello")
	e.waitIdle(cold)
	e.Reg.Dispose(cold)
	time.Sleep(registryTombstone) // the tombstone would answer 410
	for _, r := range []struct{ method, path string }{
		{"GET", "/sessions/%s"}, {"GET", "/sessions/%s/messages"}, {"GET", "/sessions/%s/compactions"},
		{"GET", "/sessions/%s/turn-diff"}, {"GET", "/sessions/%s/tree"}, {"GET", "/sessions/%s/context"},
		{"POST", "/sessions/%s/name"}, {"DELETE", "/sessions/%s"}, {"GET", "/sessions/%s/export?format=jsonl"},
		{"POST", "/sessions/%s/prompt"}, {"POST", "/sessions/%s/steer"}, {"POST", "/sessions/%s/abort"},
		{"POST", "/sessions/%s/fork"}, {"POST", "/sessions/%s/navigate"}, {"POST", "/sessions/%s/compact"},
		{"POST", "/sessions/%s/model"}, {"POST", "/sessions/%s/thinking-level"}, {"POST", "/sessions/%s/exec"},
		{"GET", "/sessions/%s/stream"},
	} {
		body := map[string]any{"name": "x", "text": "x", "entryId": "x", "provider": "p", "modelId": "m", "level": "low", "command": "true"}
		r2 := e.Do(r.method, "/api/v1"+strings.ReplaceAll(r.path, "%s", "no-such-session"), body)
		if r2.StatusCode != http.StatusNotFound || !strings.Contains(string(r2.Body), "session_not_found") {
			t.Errorf("%s %s: %d %s", r.method, r.path, r2.StatusCode, r2.Body)
		}
		live := strings.Contains(r.path, "/messages") || strings.Contains(r.path, "/compactions") || strings.Contains(r.path, "/turn-diff") ||
			r.method == "POST"
		if !live {
			continue
		}
		r3 := e.Do(r.method, "/api/v1"+strings.ReplaceAll(r.path, "%s", cold), body)
		if r3.StatusCode != http.StatusNotFound {
			t.Errorf("cold %s %s: %d %s", r.method, r.path, r3.StatusCode, r3.Body)
		}
	}
}

// registryTombstone outlasts the registry's tombstone.
const registryTombstone = 1600 * time.Millisecond

// TestDeleteTombstone: DELETE disposes and archives the session; its
// stream ends, and a new stream is refused with 410 for the tombstone time,
// then 404.
func TestDeleteTombstone(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{aitest.Text("ok")}}, sessOptions{})
	id := e.createSession()
	st := e.stream(id)
	e.prompt(id, "hello")
	st.Until(t, "agent_end", 10*time.Second)
	e.Expect(http.StatusNoContent, "DELETE", "/api/v1/sessions/"+id, nil)
	select {
	case <-st.Ended():
	case <-time.After(5 * time.Second):
		t.Fatal("stream still open after delete")
	}
	_, r := apitest.OpenStream(t, e.URL+"/api/v1/sessions/"+id+"/stream", "")
	if r == nil || r.StatusCode != http.StatusGone || !strings.Contains(string(r.Body), "session_tombstoned") {
		t.Fatalf("stream after delete: %v", r)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, r = apitest.OpenStream(t, e.URL+"/api/v1/sessions/"+id+"/stream", "")
		if r != nil && r.StatusCode == http.StatusNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream after the tombstone: %v", r)
		}
		time.Sleep(50 * time.Millisecond) // the tombstone expires by the clock; no event marks it
	}
	matches, _ := filepath.Glob(filepath.Join(e.DataDir, "archived-sessions", "*", "metadata.json"))
	if len(matches) != 1 {
		t.Errorf("archives %v", matches)
	}
	e.Expect(http.StatusNotFound, "DELETE", "/api/v1/sessions/"+id, nil)
}

// TestSessionHostileInput: odd ids are unknown sessions, never errors or
// file access; an oversized prompt is refused.
func TestSessionHostileInput(t *testing.T) {
	e := newSessEnv(t, aitest.Script{}, sessOptions{})
	for _, id := range []string{"..", "..%2F..%2Fetc%2Fpasswd", "%00", "a%00b", strings.Repeat("x", 5000), "*"} {
		for _, path := range []string{"/api/v1/sessions/" + id, "/api/v1/sessions/" + id + "/stream", "/api/v1/sessions/" + id + "/tree",
			"/api/v1/sessions/" + id + "/export?format=jsonl"} {
			r := e.Do("GET", path, nil)
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d %s", path, r.StatusCode, r.Body)
			}
		}
	}
	id := e.createSession()
	huge := `{"text":"` + strings.Repeat("a", 21<<20) + `"}`
	if r := e.Do("POST", "/api/v1/sessions/"+id+"/prompt", huge); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge prompt: %d %.200s", r.StatusCode, r.Body)
	}
	if len(e.Fake.Requests()) != 0 {
		t.Error("the model was called")
	}
}
