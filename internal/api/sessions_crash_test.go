package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/session"
)

// binary builds cmd/pi-forge once per test run.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pi-forge")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/pi-forge")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is a running pi-forge binary.
type forgeProc struct {
	cmd *exec.Cmd
	url string
}

func startForge(t *testing.T, bin string, env []string) *forgeProc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", fmt.Sprint(port))
	cmd.Env = append(env, "LOG_LEVEL=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &forgeProc{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.url + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("pi-forge did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond) // polling a starting process: no event to wait for
	}
}

// TestCrashMidStream: the real binary is killed with SIGKILL while a run
// streams; after a restart the session resumes with every entry that was
// complete before the kill, and the file reads cleanly.
func TestCrashMidStream(t *testing.T) {
	bin := binary(t)
	var responses []aitest.Response
	for i := range 5 {
		responses = append(responses, aitest.Response{Blocks: []aitest.Block{
			{Type: aitest.BlockText, Text: fmt.Sprintf("step %d", i)},
			aitest.ToolCall(fmt.Sprintf("c%d", i), "ls", `{"path":"."}`),
		}, DelayMS: 15})
	}
	responses = append(responses, aitest.Response{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(400)}}, DelayMS: 15})
	fake := aitest.NewServer(t, aitest.Script{Responses: responses})
	home := t.TempDir()
	piDir := filepath.Join(home, "pi")
	ws := filepath.Join(home, "ws")
	mkdirs(t, home, "pi", "ws/proj")
	writeFile(t, filepath.Join(piDir, "models.json"), map[string]any{"providers": map[string]any{"fake": map[string]any{
		"baseUrl": aitest.BaseURL(fake.URL, ai.APIOpenAICompletions), "api": ai.APIOpenAICompletions, "apiKey": "k",
		"models": []map[string]any{{"id": "fake-model"}}}}})
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "WORKSPACE_PATH=" + ws, "PI_CONFIG_DIR=" + piDir,
		"FORGE_DATA_DIR=" + filepath.Join(home, "forge")}

	p := startForge(t, bin, env)
	e := &apitest.Env{T: t, URL: p.url}
	proj := createProject(t, e, "proj", filepath.Join(ws, "proj"))
	var s api.LiveSummary
	e.Expect(http.StatusCreated, "POST", "/api/v1/sessions", map[string]string{"projectId": proj.ID}).JSON(t, &s)
	st := e.Stream("/api/v1/sessions/" + s.SessionID + "/stream")
	e.Expect(http.StatusAccepted, "POST", "/api/v1/sessions/"+s.SessionID+"/prompt", map[string]string{"text": "walk the tree"})
	// Wait until the last reply streams: ten messages have ended by then.
	var ended []string
	for len(ended) < 11 {
		ev, err := st.Next(20 * time.Second)
		if err != nil {
			t.Fatalf("after %d message_end: %v", len(ended), err)
		}
		if ev.Type() == "message_end" {
			ended = append(ended, ev.Data)
		}
	}
	for n := 0; n < 30; {
		ev, err := st.Next(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type() == "message_update" {
			n++
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()

	files, _ := filepath.Glob(filepath.Join(ws, ".pi", "sessions", proj.ID, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("session files %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("torn line in the file after kill -9: %q", sc.Text())
		}
	}

	p2 := startForge(t, bin, env)
	e2 := &apitest.Env{T: t, URL: p2.url}
	st2 := e2.Stream("/api/v1/sessions/" + s.SessionID + "/stream")
	ev, err := st2.Next(10 * time.Second)
	if err != nil || ev.Type() != "snapshot" {
		t.Fatalf("first frame after restart: %v %v", ev, err)
	}
	var snap struct {
		Messages    []json.RawMessage `json:"messages"`
		IsStreaming bool              `json:"isStreaming"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &snap); err != nil {
		t.Fatal(err)
	}
	if snap.IsStreaming || len(snap.Messages) < len(ended) {
		t.Fatalf("resumed with %d messages (streaming %v); %d had ended before the kill", len(snap.Messages), snap.IsStreaming, len(ended))
	}
	for i, m := range ended {
		var end struct{ Message json.RawMessage }
		_ = json.Unmarshal([]byte(m), &end)
		if string(snap.Messages[i]) != string(end.Message) {
			t.Fatalf("message %d after restart:\n%s\nbefore the kill:\n%s", i, snap.Messages[i], end.Message)
		}
	}
	f, err := session.NewStore(session.Options{SessionDir: filepath.Join(ws, ".pi", "sessions")}).Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n := len(f.ActivePath()); n < len(ended) {
		t.Errorf("active path of %d entries", n)
	}
	if !strings.Contains(string(data), `"step 4"`) {
		t.Error("the last completed tool round is missing")
	}
}
