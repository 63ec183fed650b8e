package session

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

// piRPC is the real pi CLI in RPC mode on one session file.
type piRPC struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []byte
	stderr *os.File
}

// startPiRPC runs `pi --mode rpc --session path` in cwd with agentDir as
// PI_CODING_AGENT_DIR.
func startPiRPC(t *testing.T, agentDir, cwd, path string, extra ...string) *piRPC {
	t.Helper()
	cli := picli.Find(t)
	cmd := cli.Command(append([]string{"--mode", "rpc", "--session", path}, extra...)...)
	cmd.Dir = cwd
	cmd.Env = piEnv(agentDir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.CreateTemp(t.TempDir(), "pi-stderr")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &piRPC{t: t, cmd: cmd, stdin: stdin, lines: make(chan []byte, 64), stderr: stderr}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
		for sc.Scan() {
			p.lines <- append([]byte(nil), sc.Bytes()...)
		}
	}()
	t.Cleanup(func() { p.close() })
	return p
}

func piEnv(agentDir string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + agentDir, "PI_CODING_AGENT_DIR=" + agentDir, "NO_COLOR=1"}
}

// call sends one command and returns the data of its response.
func (p *piRPC) call(cmd map[string]any) json.RawMessage {
	p.t.Helper()
	b, _ := json.Marshal(cmd)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		p.t.Fatalf("write to pi: %v", err)
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("pi exited before answering %s: %s", cmd["type"], p.stderrText())
			}
			var r struct {
				Type    string          `json:"type"`
				Command string          `json:"command"`
				Success bool            `json:"success"`
				Error   string          `json:"error"`
				Data    json.RawMessage `json:"data"`
			}
			if json.Unmarshal(line, &r) != nil || r.Type != "response" || r.Command != cmd["type"] {
				continue // events
			}
			if !r.Success {
				p.t.Fatalf("pi %s failed: %s", cmd["type"], r.Error)
			}
			return r.Data
		case <-timeout:
			p.t.Fatalf("pi did not answer %s in 60 s: %s", cmd["type"], p.stderrText())
		}
	}
}

func (p *piRPC) stderrText() string {
	b, _ := os.ReadFile(p.stderr.Name())
	return string(b)
}

func (p *piRPC) close() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	norm := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	g, w := norm(got), norm(want)
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.MarshalIndent(g, "", " ")
		wb, _ := json.MarshalIndent(w, "", " ")
		t.Errorf("%s differ:\n--- here\n%s\n--- pi\n%s", what, gb, wb)
	}
}

// writeFakeModels gives pi a provider "fake" with a reasoning model
// "fake-model" speaking anthropic-messages to the fake LLM at root.
func writeFakeModels(t *testing.T, agentDir, root string) {
	t.Helper()
	models := fmt.Sprintf(`{"providers":{"fake":{"baseUrl":%q,"api":"anthropic-messages","apiKey":"test-key","models":[{"id":"fake-model","reasoning":true}]}}}`,
		aitest.BaseURL(root, ai.APIAnthropicMessages))
	if err := os.WriteFile(filepath.Join(agentDir, "models.json"), []byte(models), 0o600); err != nil {
		t.Fatal(err)
	}
}

// fakeAssistant is an assistant message from the fake model.
func fakeAssistant(text string, ts int64) ai.Message {
	m := assistantMsg(text, ts)
	m.Provider, m.Model = "fake", "fake-model"
	return m
}

type forkMessage struct {
	EntryID string `json:"entryId"`
	Text    string `json:"text"`
}

// TestInteropWrittenHereOpensInPi writes a branched, labelled, compacted
// session and checks that pi reports the same context, name, thinking level
// and user-message path, and that what pi appends continues our leaf.
func TestInteropWrittenHereOpensInPi(t *testing.T) {
	st := testStore(t)
	cwd := t.TempDir()
	agentDir := t.TempDir()
	writeFakeModels(t, agentDir, "http://127.0.0.1:9") // never called: no prompt is sent
	s := must[*Session](t)(st.Create("p", cwd, CreateOptions{}))
	ok := must[string](t)
	assistantMsg := fakeAssistant
	ok(s.AppendModelChange("fake", "fake-model"))
	ok(s.AppendThinkingLevelChange("medium"))
	u1 := ok(s.AppendMessage(userMsg("List the <files> & \"count\" them ✓", 1748779200100)))
	call := assistantMsg("Let me look.", 1748779200200)
	call.Content = append(call.Content, ai.Content{Type: ai.ContentToolCall, ID: "toolu_1", Name: "bash", Arguments: json.RawMessage(`{"command":"ls | wc -l"}`)})
	call.StopReason = ai.StopReasonToolUse
	ok(s.AppendMessage(call))
	ok(s.AppendMessage(ai.Message{Role: ai.RoleToolResult, ToolCallID: "toolu_1", ToolName: "bash",
		Content: []ai.Content{ai.TextContent("3\n")}, Timestamp: 1748779200300}))
	a1 := ok(s.AppendMessage(assistantMsg("There are 3 files.", 1748779200400)))
	ok(s.AppendMessage(userMsg("abandoned question", 1748779200500)))
	ok(s.AppendMessage(assistantMsg("abandoned answer", 1748779200600)))
	must[NavigateResult](t)(s.Navigate(a1, NavigateOptions{Summary: BranchSummary{Summary: "asked something else"}, Label: "fork point"}))
	ok(s.AppendCustomMessage(ai.Message{CustomType: "note", Content: []ai.Content{ai.TextContent("remember this")}, ContentIsString: true, Display: true}))
	ok(s.AppendMessage(userMsg("second question", 1748779200700)))
	ok(s.AppendMessage(assistantMsg("second answer", 1748779200800)))
	ok(s.AppendCompaction(Compaction{Summary: "The user counted files.", FirstKeptEntryID: a1, TokensBefore: 4321}))
	ok(s.AppendMessage(userMsg("after compaction", 1748779200900)))
	ok(s.AppendMessage(assistantMsg("still here", 1748779201000)))
	ok(s.SetLabel(u1, "start"))
	ok(s.SetName("Interop session"))
	leaf := s.LeafID()
	must[any](t)(nil, s.Close())

	pi := startPiRPC(t, agentDir, cwd, s.Path())
	var state struct {
		SessionID     string `json:"sessionId"`
		SessionName   string `json:"sessionName"`
		ThinkingLevel string `json:"thinkingLevel"`
		MessageCount  int    `json:"messageCount"`
		SessionFile   string `json:"sessionFile"`
	}
	must[any](t)(nil, json.Unmarshal(pi.call(map[string]any{"type": "get_state"}), &state))
	ctx := s.BuildContext()
	if state.SessionID != s.ID() || state.SessionName != "Interop session" || state.ThinkingLevel != ctx.ThinkingLevel ||
		state.MessageCount != len(ctx.Messages) || state.SessionFile != s.Path() {
		t.Errorf("pi state %+v; here id %s, level %s, %d messages", state, s.ID(), ctx.ThinkingLevel, len(ctx.Messages))
	}
	var msgs struct {
		Messages []json.RawMessage `json:"messages"`
	}
	must[any](t)(nil, json.Unmarshal(pi.call(map[string]any{"type": "get_messages"}), &msgs))
	jsonEqual(t, "context messages", ctx.Messages, msgs.Messages)

	var forks struct {
		Messages []forkMessage `json:"messages"`
	}
	must[any](t)(nil, json.Unmarshal(pi.call(map[string]any{"type": "get_fork_messages"}), &forks))
	var ours []forkMessage
	for _, e := range s.Entries() { // pi lists every user message, in file order
		if e.Role() == ai.RoleUser && e.Type == TypeMessage {
			ours = append(ours, forkMessage{e.ID, e.Message.Text()})
		}
	}
	jsonEqual(t, "user messages", ours, forks.Messages)

	// pi names the session; we read what pi appended, under our leaf.
	pi.call(map[string]any{"type": "set_session_name", "name": "Renamed by pi"})
	r := must[*Session](t)(st.Open(s.Path()))
	if r.Name() != "Renamed by pi" {
		t.Errorf("name after pi: %q", r.Name())
	}
	if e, _ := r.Entry(r.LeafID()); e.Type != TypeSessionInfo || e.ParentID != leaf {
		t.Errorf("pi's entry %+v does not continue our leaf %s", e, leaf)
	}
	jsonEqual(t, "context after pi", r.BuildContext().Messages, ctx.Messages)

	// (pi's clone would be the natural check of pi's idea of the path, but
	// pi drops label entries from the copy without re-linking the entries
	// after them, so any label mid-path leaves it an orphaned tree; Fork here
	// re-links them. The context comparison above covers the path.)
	pi.close()
}

// TestInteropWrittenByPiOpensHere lets pi run a prompt with a tool call
// against the fake LLM, then checks that the file pi wrote gives here the
// context pi reports, the same tree, and that an entry appended here is
// seen by pi.
func TestInteropWrittenByPiOpensHere(t *testing.T) {
	srv := aitest.NewServer(t, aitest.Script{Responses: []aitest.Response{
		{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "Counting."}, aitest.ToolCall("toolu_x", "bash", `{"command":"echo three"}`)}},
		aitest.Text("There are three."),
	}})
	agentDir := t.TempDir()
	writeFakeModels(t, agentDir, srv.URL)
	st := testStore(t)
	cwd := t.TempDir()
	dir := filepath.Join(st.opts.SessionDir, "p")
	cli := picli.Find(t)
	runCtx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(runCtx, cli.Node, cli.Script, "-p", "How many files?", "--provider", "fake", "--model", "fake-model",
		"--session-dir", dir, "--tools", "bash")
	cmd.Dir = cwd
	cmd.Env = piEnv(agentDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pi -p: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("pi wrote %d session files", len(files))
	}
	s := must[*Session](t)(st.Open(files[0]))
	ctx := s.BuildContext()
	if got := roles(ctx.Messages); got != "user:How many files? assistant:Counting. toolResult assistant:There are three." {
		t.Errorf("context of pi's session: %s", got)
	}
	if ctx.Model == nil || ctx.Model.Provider != "fake" || ctx.Model.ModelID != "fake-model" {
		t.Errorf("model %+v", ctx.Model)
	}
	es := s.Entries()
	for i, e := range es {
		if len(e.ID) != 8 || (i > 0 && e.ParentID != es[i-1].ID) || (i == 0 && e.ParentID != "") {
			t.Errorf("entry %d: id %q parent %q", i, e.ID, e.ParentID)
		}
	}
	list := must[[]Info](t)(st.List("p"))
	if len(list) != 1 || list[0].ID != s.ID() || list[0].FirstMessage != "How many files?" || list[0].MessageCount != 4 {
		t.Errorf("list of pi's session: %+v", list)
	}

	// What pi reports for the file equals what we build from it.
	pi := startPiRPC(t, agentDir, cwd, files[0])
	var msgs struct {
		Messages []json.RawMessage `json:"messages"`
	}
	must[any](t)(nil, json.Unmarshal(pi.call(map[string]any{"type": "get_messages"}), &msgs))
	jsonEqual(t, "messages of pi's file", ctx.Messages, msgs.Messages)
	pi.close()

	// An entry appended here (after pi's, on a branch) is what pi then sees.
	s = must[*Session](t)(st.Open(files[0]))
	first := s.Entries()
	var u *Entry
	for _, e := range first {
		if e.Role() == ai.RoleUser {
			u = e
			break
		}
	}
	must[NavigateResult](t)(s.Navigate(u.ID, NavigateOptions{}))
	must[string](t)(s.AppendMessage(userMsg("edited question", 1748779300000)))
	must[string](t)(s.AppendMessage(assistantMsg("edited answer", 1748779300100)))
	must[any](t)(nil, s.Close())
	pi = startPiRPC(t, agentDir, cwd, files[0])
	must[any](t)(nil, json.Unmarshal(pi.call(map[string]any{"type": "get_messages"}), &msgs))
	jsonEqual(t, "messages after a branch written here", s.BuildContext().Messages, msgs.Messages)
}
