package process

import (
	"bytes"
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

func call(t *testing.T, tool *Tool, args string) (string, *Details, error) {
	t.Helper()
	res, err := tool.Execute(context.Background(), agent.ToolCall{ID: "c", Name: Name, Args: json.RawMessage(args)}, func(agent.ToolResult) {})
	if err != nil {
		return err.Error(), nil, err
	}
	d := res.Details.(Details)
	return res.Content[0].Text, &d, nil
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestToolActions(t *testing.T) {
	m, h := newManager(t, nil)
	tool := NewTool(m, false)
	errCases := []struct{ args, want string }{
		{`{"action":"start","command":"true"}`, "start needs a name"},
		{`{"action":"start","name":"x"}`, "start needs a command"},
		{`{"action":"start","name":"x","command":"true","logWatches":[{"pattern":"("}]}`, "invalid logWatches[0].pattern"},
		{`{"action":"output"}`, "output needs an id"},
		{`{"action":"output","id":"nope"}`, `no process with id "nope"`},
		{`{"action":"logs","id":"nope"}`, `no process with id "nope"`},
		{`{"action":"kill","id":"nope"}`, `no process with id "nope"`},
		{`{"action":"write","id":"nope","input":"x"}`, `no process with id "nope"`},
		{`{"action":"write","id":"nope"}`, "write needs input"},
	}
	for _, c := range errCases {
		if text, _, err := call(t, tool, c.args); err == nil || !strings.Contains(text, c.want) {
			t.Errorf("%s: %q, %v", c.args, text, err)
		}
	}
	text, d, err := call(t, tool, `{"action":"start","name":"build","command":"echo built","alertOnSuccess":true}`)
	if err != nil || d.Process == nil || !d.Success || d.Action != "start" || !d.Process.AlertOnSuccess || !d.Process.AlertOnFailure || d.Process.AlertOnKill {
		t.Fatalf("start: %q %+v %v", text, d, err)
	}
	id := d.Process.ID
	h.waitStatus(t, id, Exited)
	if text, d, _ = call(t, tool, `{"action":"output","id":"`+id+`"}`); !strings.Contains(text, "Status: exited\n--- stdout ---\nbuilt") || d.Output == nil {
		t.Fatalf("output: %q", text)
	}
	if text, d, _ = call(t, tool, `{"action":"logs","id":"`+id+`"}`); d.LogFiles == nil || !strings.Contains(text, d.LogFiles.StdoutFile) {
		t.Fatalf("logs: %q", text)
	}
	if text, d, _ = call(t, tool, `{"action":"list"}`); len(d.Processes) != 1 || !strings.Contains(text, id+` "build" (exited, exit code 0`) {
		t.Fatalf("list: %q", text)
	}
	if text, d, _ = call(t, tool, `{"action":"kill","id":"`+id+`"}`); !strings.Contains(text, "had already ended") || d.Process.Status != Exited {
		t.Fatalf("kill of a finished process: %q", text)
	}
	if text, d, _ = call(t, tool, `{"action":"clear"}`); *d.Cleared != 1 || text != "Cleared 1 finished process(es)" {
		t.Fatalf("clear: %q", text)
	}
	if text, _, _ = call(t, tool, `{"action":"list"}`); text != "No background processes." {
		t.Fatalf("empty list: %q", text)
	}
	d2 := h.waitDelivery(t)
	if d2.trigger || d2.msg.CustomType != CustomNotify {
		t.Fatalf("success card: %+v", d2)
	}
}

func TestPollSuppression(t *testing.T) {
	c := &clock{now: time.Unix(1_000_000, 0)}
	m, h := newManager(t, func(o *Options) { o.Now = c.Now })
	tool := NewTool(m, false)
	_, d, _ := call(t, tool, `{"action":"start","name":"srv","command":"echo up; exec sleep 1000"}`)
	id := d.Process.ID
	h.waitLine(t, m, id, "up")
	if _, _, err := call(t, tool, `{"action":"list"}`); err != nil {
		t.Fatal(err)
	}
	text, _, err := call(t, tool, `{"action":"list"}`)
	if err == nil || !strings.HasPrefix(text, "Polling suppressed") {
		t.Fatalf("second list: %q %v", text, err)
	}
	if _, _, err := call(t, tool, `{"action":"output","id":"`+id+`"}`); err != nil {
		t.Fatal(err)
	}
	if text, _, err := call(t, tool, `{"action":"output","id":"`+id+`"}`); err == nil || !strings.HasPrefix(text, "Polling suppressed") {
		t.Fatalf("second output: %q", text)
	}
	c.add(pollWindow)
	if _, _, err := call(t, tool, `{"action":"output","id":"`+id+`"}`); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if _, err := m.Kill(id); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(t, id, Killed)
	for range 2 { // nothing live: never suppressed
		if _, _, err := call(t, tool, `{"action":"list"}`); err != nil {
			t.Fatal(err)
		}
		if _, _, err := call(t, tool, `{"action":"output","id":"`+id+`"}`); err != nil {
			t.Fatal(err)
		}
	}
}

func TestToolWriteAndSandboxNote(t *testing.T) {
	m, h := newManager(t, nil)
	tool := NewTool(m, true)
	_, d, _ := call(t, tool, `{"action":"start","name":"cat","command":"cat"}`)
	id := d.Process.ID
	if text, _, err := call(t, tool, `{"action":"write","id":"`+id+`","input":"hi\n","end":true}`); err != nil || text != "Wrote to "+id+" and closed its stdin" {
		t.Fatalf("write: %q %v", text, err)
	}
	h.waitStatus(t, id, Exited)
	if text, _, err := call(t, tool, `{"action":"write","id":"`+id+`","input":"x"}`); err == nil || !strings.Contains(text, "already exited") {
		t.Fatalf("write after exit: %q", text)
	}
	if text, _, _ := call(t, tool, `{"action":"logs","id":"`+id+`"}`); !strings.Contains(text, "sandboxed") {
		t.Fatalf("logs without the sandbox note: %q", text)
	}
}

func TestRingLimits(t *testing.T) {
	r := newRing()
	for i := range RingLines + 50 {
		r.write([]byte(strconv.Itoa(i) + "\n"))
	}
	tail := r.tail(-1)
	if len(tail) != RingLines || tail[0] != "50" || tail[len(tail)-1] != strconv.Itoa(RingLines+49) {
		t.Fatalf("line limit: %d lines from %s", len(tail), tail[0])
	}
	r = newRing()
	long := strings.Repeat("x", 1000)
	for range 100 {
		r.write([]byte(long + "\n"))
	}
	if got := len(r.tail(-1)); got != RingBytes/1000 {
		t.Fatalf("byte limit kept %d lines", got)
	}
	r = newRing()
	if done := r.write([]byte("a\r\nb")); len(done) != 1 || done[0] != "a" {
		t.Fatalf("completed = %q", done)
	}
	if got := r.tail(5); strings.Join(got, "|") != "a|b" {
		t.Fatalf("tail with partial = %q", got)
	}
	if done := r.write([]byte("c\n")); done[0] != "bc" {
		t.Fatalf("joined partial = %q", done)
	}
	r.write(bytes.Repeat([]byte("y"), RingBytes+10))
	if got := r.tail(1); len(got[0]) != RingBytes {
		t.Fatalf("endless line kept %d bytes", len(got[0]))
	}
}

func TestLogRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout.log")
	l, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("z"), 1<<20)
	for range 10 {
		l.write(chunk)
	}
	l.write([]byte("next"))
	l.write([]byte(" more"))
	l.close()
	old, _ := os.Stat(path + ".1")
	cur, _ := os.ReadFile(path)
	if old == nil || old.Size() != LogRotateBytes || string(cur) != "next more" {
		t.Fatalf("after rotation: old %v, current %q", old, cur)
	}
}
