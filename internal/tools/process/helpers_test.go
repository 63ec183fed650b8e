package process

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/proc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// delivery is one Deliver call.
type delivery struct {
	msg     ai.Message
	trigger bool
}

// fakeHost records what a manager reports. Waiters block on the channels.
type fakeHost struct {
	mu       sync.Mutex
	events   []string // event types in order (published and kept)
	lists    [][]Info // every process_update list
	outputs  chan string
	watches  chan Match
	updates  chan []Info
	delivers chan delivery
}

func newHost() *fakeHost {
	return &fakeHost{outputs: make(chan string, 4096), watches: make(chan Match, 64), updates: make(chan []Info, 256),
		delivers: make(chan delivery, 64)}
}

func (h *fakeHost) Publish(v any) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch e := v.(type) {
	case outputEvent:
		h.events = append(h.events, e.Type)
		h.outputs <- e.ID
	case watchEvent:
		h.events = append(h.events, e.Type)
		h.watches <- e.Match
	}
	return nil
}

func (h *fakeHost) PublishKept(key string, v any) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := v.(updateEvent)
	if key != UpdateFrameKey || e.Type != EventUpdate {
		panic("unexpected kept frame " + key)
	}
	h.events = append(h.events, e.Type)
	h.lists = append(h.lists, e.Processes)
	h.updates <- e.Processes
	return nil
}

func (h *fakeHost) Deliver(m ai.Message, trigger bool) error {
	h.delivers <- delivery{m, trigger}
	return nil
}

const waitLimit = 20 * time.Second

// waitStatus waits for a process_update where process id has status s.
func (h *fakeHost) waitStatus(t *testing.T, id string, s Status) Info {
	t.Helper()
	timeout := time.After(waitLimit)
	for {
		select {
		case list := <-h.updates:
			for _, p := range list {
				if p.ID == id && p.Status == s {
					return p
				}
			}
		case <-timeout:
			t.Fatalf("process %s never reached %s", id, s)
		}
	}
}

func (h *fakeHost) waitDelivery(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-h.delivers:
		return d
	case <-time.After(waitLimit):
		t.Fatal("no alert delivered")
		return delivery{}
	}
}

func (h *fakeHost) noDelivery(t *testing.T) {
	t.Helper()
	select {
	case d := <-h.delivers:
		t.Fatalf("unexpected alert %s: %s", d.msg.CustomType, d.msg.Text())
	default:
	}
}

func newLauncher(t *testing.T) *proc.Launcher {
	t.Helper()
	l, err := proc.New(proc.Config{ServerEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// newManager returns a manager over a temp project and log dir; it is
// disposed when the test ends.
func newManager(t *testing.T, tune func(*Options)) (*Manager, *fakeHost) {
	t.Helper()
	root := t.TempDir()
	h := newHost()
	o := Options{SessionID: "s1", Cwd: root, LogDir: filepath.Join(root, "logs", "s1"), Launcher: newLauncher(t), Host: h,
		Grace: 300 * time.Millisecond, DisposeGrace: 300 * time.Millisecond, OutputInterval: 20 * time.Millisecond}
	if tune != nil {
		tune(&o)
	}
	m := New(o)
	t.Cleanup(m.Dispose)
	return m, h
}

func start(t *testing.T, m *Manager, command string, so StartOptions) Info {
	t.Helper()
	info, err := m.Start("job", command, so)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// alive reports whether pid names a running (not zombie) process.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// waitGone polls until pid is gone: there is no event for the death of a
// process that is not our child.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d survived", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLine waits, announcement by announcement, until stdout holds a line
// containing want.
func (h *fakeHost) waitLine(t *testing.T, m *Manager, id, want string) []string {
	t.Helper()
	timeout := time.After(waitLimit)
	for {
		out, err := m.Output(id, -1)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range out.Stdout {
			if strings.Contains(l, want) {
				return out.Stdout
			}
		}
		select {
		case <-h.outputs:
		case <-timeout:
			t.Fatalf("stdout never showed %q: %q", want, out.Stdout)
		}
	}
}

func details(t *testing.T, m ai.Message, v any) {
	t.Helper()
	if err := json.Unmarshal(m.Details, v); err != nil {
		t.Fatal(err)
	}
}
