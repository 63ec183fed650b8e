package tools

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
)

func TestBashStreamsAccumulatedTailAndSpills(t *testing.T) {
	dir := t.TempDir()
	tmp := t.TempDir()
	tools := testTools(t, dir, func(o *Options) { o.TempDir = tmp })
	var mu sync.Mutex
	var updates []agent.ToolResult
	args, _ := json.Marshal(map[string]any{"command": "for i in $(seq 1 3000); do echo line $i; done; sleep 0.2; echo done"})
	res, err := tools["bash"].Execute(context.Background(), agent.ToolCall{Name: "bash", Args: args}, func(r agent.ToolResult) {
		mu.Lock()
		updates = append(updates, r)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(updates) < 2 || len(updates[0].Content) != 0 {
		t.Fatalf("want an empty first update and streamed ones, got %d", len(updates))
	}
	last := updates[len(updates)-1]
	if got := text(last); !strings.HasSuffix(got, "line 3000\ndone\n") || !strings.HasPrefix(got, "line 1003\n") {
		t.Errorf("last update is not the accumulated tail: %q...", got[:40])
	}
	d := res.Details.(BashDetails)
	if d.Truncation == nil || d.FullOutputPath == "" || filepath.Dir(d.FullOutputPath) != tmp {
		t.Fatalf("details: %+v", d)
	}
	full, err := os.ReadFile(d.FullOutputPath)
	if err != nil || !strings.HasPrefix(string(full), "line 1\nline 2\n") || !strings.HasSuffix(string(full), "done\n") {
		t.Errorf("spill file incomplete (%d bytes, %v)", len(full), err)
	}
	if !strings.HasSuffix(text(res), "[Showing lines 1003-3002 of 3002. Full output: "+d.FullOutputPath+"]") {
		t.Errorf("notice: %q", text(res)[len(text(res))-100:])
	}
}

func TestBashAbortKillsForkedDaemon(t *testing.T) {
	dir := t.TempDir()
	tools := testTools(t, dir, nil)
	ctx, cancel := context.WithCancel(context.Background())
	script := `( setsid sh -c 'echo $$ > daemon.pid; exec sleep 300' & ); sleep 300 & echo $! > bg.pid; ` +
		`while [ ! -s daemon.pid ]; do sleep 0.01; done; echo started; wait`
	args, _ := json.Marshal(map[string]any{"command": script})
	started := make(chan struct{})
	var once sync.Once
	errc := make(chan error, 1)
	go func() {
		_, err := tools["bash"].Execute(ctx, agent.ToolCall{Name: "bash", Args: args}, func(r agent.ToolResult) {
			if strings.Contains(text(r), "started") {
				once.Do(func() { close(started) })
			}
		})
		errc <- err
	}()
	select {
	case <-started:
	case err := <-errc:
		t.Fatalf("bash ended early: %v", err)
	}
	cancel()
	err := <-errc
	if err == nil || err.Error() != "started\n\n\nCommand aborted" {
		t.Errorf("got %v, want the output and Command aborted", err)
	}
	for _, f := range []string{"daemon.pid", "bg.pid"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if pid == 0 || processAlive(pid) {
			t.Errorf("%s (%d) survived the abort", f, pid)
		}
	}
}

// processAlive reports whether pid runs (zombies count as dead).
func processAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

func TestBashTimeoutAndErrors(t *testing.T) {
	dir := t.TempDir()
	tools := testTools(t, dir, func(o *Options) {
		o.ShellCommandPrefix = "shopt -s expand_aliases; alias hi='echo prefixed'"
		o.BinDir = "/opt/pi-agent-bin"
	})
	start := time.Now()
	_, err := run(t, tools, "bash", map[string]any{"command": "echo before; sleep 30", "timeout": 0.2})
	if err == nil || err.Error() != "before\n\n\nCommand timed out after 0.2 seconds" {
		t.Errorf("timeout: %v", err)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("timeout did not stop the command")
	}
	res, err := run(t, tools, "bash", map[string]any{"command": "hi; echo $PATH"})
	if err != nil || !strings.HasPrefix(text(res), "prefixed\n/opt/pi-agent-bin:") {
		t.Errorf("prefix/bin dir: %q %v", text(res), err)
	}
	_, err = run(t, tools, "bash", map[string]any{"command": "exit 7"})
	if err == nil || err.Error() != "(no output)\n\nCommand exited with code 7" {
		t.Errorf("exit code: %v", err)
	}
	gone := testTools(t, filepath.Join(dir, "missing"), nil)
	_, err = run(t, gone, "bash", map[string]any{"command": "true"})
	if err == nil || err.Error() != "Working directory does not exist: "+filepath.Join(dir, "missing")+"\nCannot execute bash commands." {
		t.Errorf("missing cwd: %v", err)
	}
	badShell := testTools(t, dir, func(o *Options) { o.ShellPath = "/no/such/shell" })
	_, err = run(t, badShell, "bash", map[string]any{"command": "true"})
	if err == nil || err.Error() != "Custom shell path not found: /no/such/shell" {
		t.Errorf("shell path: %v", err)
	}
}

func TestBashBackgroundJobDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	tools := testTools(t, dir, nil)
	// Like pi, a job left running keeps its pipe open; the call still
	// returns once the shell exits.
	res, err := run(t, tools, "bash", map[string]any{"command": "sleep 300 & echo $! > bg.pid; echo ok"})
	if err != nil || text(res) != "ok\n" {
		t.Fatalf("%q %v", text(res), err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "bg.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !processAlive(pid) {
		t.Fatalf("background job %d did not survive a normal exit", pid)
	}
	p, _ := os.FindProcess(pid)
	_ = p.Kill()
}
