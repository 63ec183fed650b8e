package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/server"
)

// TestPromptErrors: the prompt route's 4xx answers.
func TestPromptErrors(t *testing.T) {
	t.Run("no model", func(t *testing.T) {
		e := newSessEnv(t, aitest.Script{}, sessOptions{noModels: true})
		id := e.createSession()
		r := e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions/"+id+"/prompt", map[string]string{"text": "hi"})
		if errorCode(t, r) != "no_model_configured" {
			t.Errorf("%s", r.Body)
		}
	})
	t.Run("no key", func(t *testing.T) {
		// A built-in provider with no key in auth.json or the environment.
		e := newSessEnv(t, aitest.Script{}, sessOptions{settingsObj: map[string]any{"defaultProvider": "anthropic", "defaultModel": "claude-opus-4-7"}})
		id := e.createSession()
		r := e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions/"+id+"/prompt", map[string]string{"text": "hi"})
		if errorCode(t, r) != "no_api_key" || !strings.Contains(string(r.Body), "PUT /api/v1/config/auth/anthropic") {
			t.Errorf("%s", r.Body)
		}
		if len(e.Fake.Requests()) != 0 {
			t.Error("the model was called")
		}
	})
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(40)}}, DelayMS: 10}, aitest.Text("later")}},
		sessOptions{api: func(d *api.Sessions) { d.PromptLimit = server.RateLimit{Max: 7, Window: time.Minute} }})
	id := e.createSession()
	path := "/api/v1/sessions/" + id + "/prompt"
	for _, tc := range []struct {
		body string
		code string
	}{
		{`{`, "invalid_body"},
		{`[]`, "invalid_body"},
		{`{"streamingBehavior":"steer"}`, "missing_text"},
		{`{"text":""}`, "invalid_body"},
		{`{"text":"x","streamingBehavior":"later"}`, "invalid_body"},
	} {
		r := e.Do("POST", path, tc.body)
		if r.StatusCode != http.StatusBadRequest || errorCode(t, r) != tc.code {
			t.Errorf("%s: %d %s", tc.body, r.StatusCode, r.Body)
		}
	}
	st := e.stream(id)
	e.prompt(id, "first")
	st.Until(t, "message_update", 10*time.Second)
	if r := e.Do("POST", path, map[string]string{"text": "second"}); r.StatusCode != http.StatusConflict || errorCode(t, r) != "agent_busy" {
		t.Errorf("busy: %d %s", r.StatusCode, r.Body)
	}
	// The eighth prompt in the window is refused.
	if r := e.Do("POST", path, map[string]string{"text": "third"}); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("rate limit: %d %s", r.StatusCode, r.Body)
	}
}

// TestSteerAbortQueue: steering and follow-up messages queue while the
// agent works; abort stops the run and waits for it, and is idempotent.
func TestSteerAbortQueue(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(200)}}, DelayMS: 5},
		aitest.Text("after the steer"),
	}}, sessOptions{})
	id := e.createSession()
	st := e.stream(id)
	e.prompt(id, "long answer please")
	st.Until(t, "message_update", 10*time.Second)
	var acc api.SteerAccepted
	e.Expect(http.StatusAccepted, "POST", "/api/v1/sessions/"+id+"/steer", map[string]string{"text": "stop and say hi", "mode": "followUp"}).JSON(t, &acc)
	if !acc.Accepted {
		t.Error("not accepted")
	}
	q := st.Until(t, "queue_update", 10*time.Second)
	if fu := q[len(q)-1].Map()["followUp"].([]any); len(fu) != 1 || fu[0] != "stop and say hi" {
		t.Errorf("queue %v", q[len(q)-1].Data)
	}
	e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions/"+id+"/steer", map[string]string{"text": ""})
	e.Expect(http.StatusBadRequest, "POST", "/api/v1/sessions/"+id+"/steer", map[string]string{"text": "x", "mode": "later"})
	e.Expect(http.StatusNoContent, "POST", "/api/v1/sessions/"+id+"/abort", nil)
	var sum api.LiveSummary
	e.Expect(http.StatusOK, "GET", "/api/v1/sessions/"+id, nil).JSON(t, &sum)
	if sum.IsStreaming {
		t.Error("still streaming after abort returned")
	}
	evs := st.Until(t, "agent_end", 10*time.Second)
	end := evs[len(evs)-1].Map()
	if !strings.Contains(end["errorMessage"].(string), "abort") {
		t.Errorf("agent_end %v", end["errorMessage"])
	}
	e.Expect(http.StatusNoContent, "POST", "/api/v1/sessions/"+id+"/abort", nil)
}

// TestModelAndThinkingLevel: per-session model and level, with the
// contract's errors.
func TestModelAndThinkingLevel(t *testing.T) {
	e := newSessEnv(t, aitest.Script{}, sessOptions{})
	id := e.createSession()
	base := "/api/v1/sessions/" + id
	var level api.ThinkingLevel
	e.Expect(http.StatusOK, "POST", base+"/thinking-level", map[string]string{"level": "high"}).JSON(t, &level)
	if level.Level != "high" {
		t.Errorf("level %v", level)
	}
	e.Expect(http.StatusBadRequest, "POST", base+"/thinking-level", map[string]string{"level": "max"})
	var m api.ModelChoice
	e.Expect(http.StatusOK, "POST", base+"/model", map[string]string{"provider": "fake", "modelId": "other-model"}).JSON(t, &m)
	if m.Provider != "fake" || m.ModelID != "other-model" {
		t.Errorf("model %+v", m)
	}
	// other-model does not reason: the level is clamped to off.
	e.Expect(http.StatusOK, "POST", base+"/thinking-level", map[string]string{"level": "high"}).JSON(t, &level)
	if level.Level != "off" {
		t.Errorf("clamped level %v", level)
	}
	for body, code := range map[string]string{
		`{"provider":"nope","modelId":"x"}`:       "unknown_provider",
		`{"provider":"fake","modelId":"missing"}`: "unknown_model",
		`{"provider":"","modelId":"fake-model"}`:  "invalid_body",
		`{"provider":"fake"}`:                     "invalid_body",
	} {
		r := e.Do("POST", base+"/model", body)
		if r.StatusCode != http.StatusBadRequest || errorCode(t, r) != code {
			t.Errorf("%s: %d %s", body, r.StatusCode, r.Body)
		}
	}
}

// TestForkNavigateCompactRoutes: fork (201, new live session), navigate
// (editor text, branch summary), compact and their errors.
func TestForkNavigateCompactRoutes(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{
		aitest.Text("answer one"), aitest.Text("answer two"),
		aitest.Text("## Goal\ncompacted"), aitest.Text("## Goal\ncompacted"),
		aitest.Text("summary of the branch"),
	}}, sessOptions{settingsObj: map[string]any{"compaction": map[string]any{"keepRecentTokens": 1}}})
	id := e.createSession()
	base := "/api/v1/sessions/" + id
	r := e.Do("POST", base+"/compact", nil)
	if r.StatusCode != http.StatusBadRequest || errorCode(t, r) != "nothing_to_compact" {
		t.Errorf("empty session compact: %d %s", r.StatusCode, r.Body)
	}
	for _, p := range []string{"question one", "question two"} {
		e.prompt(id, p)
		e.waitIdle(id)
	}
	var tree api.SessionTree
	e.Expect(http.StatusOK, "GET", base+"/tree", nil).JSON(t, &tree)
	var firstUser, firstAnswer string
	for _, en := range tree.Entries {
		if en.Role == "user" && firstUser == "" {
			firstUser = en.ID
		}
		if en.Role == "assistant" && firstAnswer == "" {
			firstAnswer = en.ID
		}
	}
	var fork api.LiveSummary
	e.Expect(http.StatusCreated, "POST", base+"/fork", map[string]string{"entryId": firstAnswer}).JSON(t, &fork)
	if fork.SessionID == id || !fork.IsLive || fork.MessageCount != 2 || fork.Name != "Question One (fork)" || fork.ModelID != "fake-model" {
		t.Errorf("fork %+v", fork)
	}
	if r := e.Do("POST", base+"/fork", map[string]string{"entryId": "nope"}); r.StatusCode != http.StatusBadRequest || errorCode(t, r) != "entry_not_found" {
		t.Errorf("fork at unknown entry: %d %s", r.StatusCode, r.Body)
	}

	var comp api.CompactResult
	e.Expect(http.StatusOK, "POST", base+"/compact", map[string]string{"customInstructions": "focus on answers"}).JSON(t, &comp)
	if !strings.Contains(comp.Summary, "compacted") || comp.TokensBefore == 0 || comp.TokensAfter == 0 {
		t.Errorf("compact %+v", comp)
	}
	if r := e.Do("POST", base+"/compact", nil); r.StatusCode != http.StatusBadRequest || errorCode(t, r) != "already_compacted" {
		t.Errorf("second compact: %d %s", r.StatusCode, r.Body)
	}
	var comps api.CompactionList
	e.Expect(http.StatusOK, "GET", base+"/compactions", nil).JSON(t, &comps)
	if len(comps.Compactions) != 1 || len(comps.Compactions[0].ArchivedMessages) == 0 {
		t.Errorf("compactions %+v", comps)
	}

	var nav api.NavigateResult
	e.Expect(http.StatusOK, "POST", base+"/navigate", api.NavigateBody{EntryID: firstUser, Summarize: true, Label: "retry here"}).JSON(t, &nav)
	if nav.Cancelled || nav.Aborted || nav.EditorText == nil || *nav.EditorText != "question one" {
		t.Errorf("navigate %+v", nav)
	}
	e.Expect(http.StatusOK, "GET", base+"/tree", nil).JSON(t, &tree)
	labelled := false
	for _, en := range tree.Entries {
		labelled = labelled || (en.Type == "branch_summary" && en.Label == "retry here")
	}
	if !labelled {
		t.Errorf("no labelled branch summary in %+v", tree.Entries)
	}
	if r := e.Do("POST", base+"/navigate", map[string]string{"entryId": "nope"}); r.StatusCode != http.StatusBadRequest || errorCode(t, r) != "entry_not_found" {
		t.Errorf("navigate to unknown entry: %d %s", r.StatusCode, r.Body)
	}
	e.Expect(http.StatusBadRequest, "POST", base+"/navigate", map[string]string{})
}

// TestCompactCancelled: aborting while a compaction waits for the model
// answers the compact request with 409 compaction_cancelled.
func TestCompactCancelled(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{
		aitest.Text("answer one"), aitest.Text("answer two"),
		{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(200)}}, DelayMS: 20},
		{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(200)}}, DelayMS: 20},
	}}, sessOptions{settingsObj: map[string]any{"compaction": map[string]any{"keepRecentTokens": 1}}})
	id := e.createSession()
	for _, p := range []string{"one", "two"} {
		e.prompt(id, p)
		e.waitIdle(id)
	}
	st := e.stream(id)
	var wg sync.WaitGroup
	var r *struct{ status int }
	wg.Go(func() {
		resp := e.Do("POST", "/api/v1/sessions/"+id+"/compact", nil)
		r = &struct{ status int }{resp.StatusCode}
		if errorCode(t, resp) != "compaction_cancelled" {
			t.Errorf("compact: %d %s", resp.StatusCode, resp.Body)
		}
	})
	st.Until(t, "compaction_start", 10*time.Second)
	e.Expect(http.StatusNoContent, "POST", "/api/v1/sessions/"+id+"/abort", nil)
	wg.Wait()
	if r.status != http.StatusConflict {
		t.Errorf("status %d", r.status)
	}
	if ev := st.Until(t, "compaction_end", 10*time.Second); ev[len(ev)-1].Map()["aborted"] != true {
		t.Errorf("compaction_end %s", ev[len(ev)-1].Data)
	}
}

// TestExecRoute: `!` commands run in the project with a scrubbed
// environment and land in the session as bashExecution messages.
func TestExecRoute(t *testing.T) {
	t.Setenv("PI_FORGE_TEST_SECRET", "s3cret")
	e := newSessEnv(t, aitest.Script{}, sessOptions{})
	if err := os.WriteFile(filepath.Join(e.Project.Path, "f.txt"), []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := e.createSession()
	base := "/api/v1/sessions/" + id
	var res api.ExecResult
	e.Expect(http.StatusOK, "POST", base+"/exec", api.ExecBody{Command: "!cat f.txt; echo; echo ${PI_FORGE_TEST_SECRET:-unset}"}).JSON(t, &res)
	if res.ExitCode == nil || *res.ExitCode != 0 || res.Output != "content\nunset\n" || res.Cancelled || res.Truncated {
		t.Errorf("exec %+v", res)
	}
	e.Expect(http.StatusOK, "POST", base+"/exec", api.ExecBody{Command: "!!exit 4"}).JSON(t, &res)
	if res.ExitCode == nil || *res.ExitCode != 4 {
		t.Errorf("exit code %+v", res)
	}
	e.Expect(http.StatusOK, "POST", base+"/exec", api.ExecBody{Command: "seq 1 5000"}).JSON(t, &res)
	if !res.Truncated || !strings.HasSuffix(res.Output, "\n5000\n") || strings.HasPrefix(res.Output, "1\n") {
		t.Errorf("long output: truncated %v, %d bytes", res.Truncated, len(res.Output))
	}
	var msgs struct{ Messages []map[string]any }
	e.Expect(http.StatusOK, "GET", base+"/messages", nil).JSON(t, &msgs)
	if len(msgs.Messages) != 3 || msgs.Messages[0]["role"] != "bashExecution" || msgs.Messages[0]["command"] != "cat f.txt; echo; echo ${PI_FORGE_TEST_SECRET:-unset}" ||
		msgs.Messages[1]["excludeFromContext"] != true {
		t.Errorf("messages %v", msgs.Messages)
	}
	e.Expect(http.StatusBadRequest, "POST", base+"/exec", api.ExecBody{Command: ""})
	e.Expect(http.StatusBadRequest, "POST", base+"/exec", api.ExecBody{Command: strings.Repeat("x", 4097)})
}

// TestTurnDiffAndExportRoutes: the last run's writes per file, and the
// session exported as JSONL and Markdown.
func TestTurnDiffAndExportRoutes(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{aitest.ToolCall("w1", "write", `{"path":"src/new.txt","content":"alpha\nbeta\n"}`)}},
		aitest.Text("Wrote it."),
	}}, sessOptions{})
	id := e.createSession()
	base := "/api/v1/sessions/" + id
	var diff api.TurnDiff
	e.Expect(http.StatusOK, "GET", base+"/turn-diff", nil).JSON(t, &diff)
	if len(diff.Entries) != 0 {
		t.Errorf("fresh session diff %+v", diff)
	}
	e.prompt(id, "write a file")
	e.waitIdle(id)
	e.Expect(http.StatusOK, "GET", base+"/turn-diff", nil).JSON(t, &diff)
	if len(diff.Entries) != 1 || diff.Entries[0].File != "src/new.txt" || !diff.Entries[0].IsPureAddition || diff.Entries[0].Additions != 2 {
		t.Errorf("diff %+v", diff)
	}
	r := e.Expect(http.StatusOK, "GET", base+"/export?format=jsonl", nil)
	if r.Header.Get("Content-Type") != "application/x-ndjson" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="write-file-`) ||
		strings.Count(string(r.Body), "\n") < 6 {
		t.Errorf("jsonl export %v\n%s", r.Header, r.Body)
	}
	r = e.Expect(http.StatusOK, "GET", base+"/export?format=markdown", nil)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(string(r.Body), "Wrote it.") {
		t.Errorf("markdown export %v\n%s", r.Header, r.Body)
	}
	e.Expect(http.StatusBadRequest, "GET", base+"/export?format=html", nil)
	e.Expect(http.StatusBadRequest, "GET", base+"/export", nil)
}

// TestSessionSearchRoute: the search finds prompt and reply text across
// sessions and reports its engine.
func TestSessionSearchRoute(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{aitest.Text("The zebra crossing is blue.")}}, sessOptions{
		api: func(d *api.Sessions) { d.SearchLimit = server.RateLimit{Max: 3, Window: time.Minute} }})
	id := e.createSession()
	e.prompt(id, "tell me about zebras")
	e.waitIdle(id)
	var res api.SessionSearch
	e.Expect(http.StatusOK, "GET", "/api/v1/search/sessions?q=ZEBRA", nil).JSON(t, &res)
	if res.Engine != "go" || len(res.Results) != 1 || res.Results[0].SessionID != id || res.Results[0].ProjectName != "demo" ||
		len(res.Results[0].Matches) != 2 {
		t.Errorf("search %+v", res)
	}
	e.Expect(http.StatusBadRequest, "GET", "/api/v1/search/sessions?q=", nil)
	e.Expect(http.StatusBadRequest, "GET", "/api/v1/search/sessions?q="+strings.Repeat("x", 257), nil)
	deadline := 5
	for e.Do("GET", "/api/v1/search/sessions?q=x", nil).StatusCode != http.StatusTooManyRequests {
		if deadline--; deadline == 0 {
			t.Fatal("search is not rate-limited")
		}
	}
}
