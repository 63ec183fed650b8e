package terminal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/pi-forge/pi-forge/internal/proc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait in these tests; they end as soon as the
// awaited output or state shows up.
const waitTimeout = 15 * time.Second

// harness is a Manager behind a real HTTP server on loopback. Projects
// p1 and p2 map to two temp directories.
type harness struct {
	t        *testing.T
	m        *Manager
	srv      *httptest.Server
	dirs     map[string]string
	launcher *proc.Launcher
}

type harnessOpts struct {
	idleReap  time.Duration
	keepalive time.Duration
	env       []string // extra server environment
	pass      []string // TERMINAL_PASSTHROUGH_ENV
	toolEnv   map[string]string
	shell     string
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	home := t.TempDir()
	env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}, o.env...)
	var toolEnv func() map[string]string
	if o.toolEnv != nil {
		toolEnv = func() map[string]string { return o.toolEnv }
	}
	launcher, err := proc.New(proc.Config{ServerEnv: env, PassthroughEnv: o.pass, ToolEnv: toolEnv})
	if err != nil {
		t.Fatal(err)
	}
	if o.idleReap == 0 {
		o.idleReap = time.Hour
	}
	if o.shell == "" {
		o.shell = "/bin/bash"
	}
	m, err := New(Options{Launcher: launcher, Shell: o.shell, IdleReap: o.idleReap, Keepalive: o.keepalive})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m, launcher: launcher, dirs: map[string]string{"p1": t.TempDir(), "p2": t.TempDir()}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		q := r.URL.Query()
		m.Serve(conn, Request{ProjectID: q.Get("projectId"), Dir: h.dirs[q.Get("projectId")], TabID: q.Get("tabId")})
	}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		m.Shutdown(ctx)
		h.srv.Close()
		if n := m.Active(); n != 0 {
			t.Errorf("%d terminals alive after shutdown", n)
		}
	})
	return h
}

// session returns the attachable terminal of tab (nil if none).
func (h *harness) session(tab string) *session {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	return h.m.tabs[tab]
}

// term is a test client: a reader goroutine collects every binary frame.
type term struct {
	t    *testing.T
	conn *websocket.Conn

	mu      sync.Mutex
	out     bytes.Buffer
	changed chan struct{}
	done    chan struct{}
	err     error // why reading stopped
	started bool
	pings   chan struct{}
}

// dial opens a socket for project/tab and starts reading it.
func (h *harness) dial(project, tab string) *term {
	tm := h.dialPaused(project, tab)
	tm.startReading()
	return tm
}

// dialPaused opens a socket without reading from it.
func (h *harness) dialPaused(project, tab string) *term {
	h.t.Helper()
	tm := &term{t: h.t, changed: make(chan struct{}, 1), done: make(chan struct{}), pings: make(chan struct{}, 64)}
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/?projectId=" + project
	if tab != "" {
		url += "&tabId=" + tab
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		OnPingReceived: func(context.Context, []byte) bool {
			select {
			case tm.pings <- struct{}{}:
			default:
			}
			return true
		},
	})
	if err != nil {
		h.t.Fatalf("dial %s: %v", url, err)
	}
	conn.SetReadLimit(-1)
	tm.conn = conn
	h.t.Cleanup(func() { _ = conn.CloseNow(); <-tm.doneOrNil() })
	return tm
}

func (tm *term) doneOrNil() <-chan struct{} {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if tm.started {
		return tm.done
	}
	closed := make(chan struct{})
	close(closed)
	return closed
}

func (tm *term) startReading() {
	tm.mu.Lock()
	tm.started = true
	tm.mu.Unlock()
	go func() {
		defer close(tm.done)
		for {
			typ, b, err := tm.conn.Read(context.Background())
			tm.mu.Lock()
			if err != nil {
				tm.err = err
				tm.mu.Unlock()
				notify(tm.changed)
				return
			}
			if typ == websocket.MessageBinary {
				tm.out.Write(b)
			}
			tm.mu.Unlock()
			notify(tm.changed)
		}
	}()
}

func (tm *term) send(v any) {
	tm.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tm.t.Fatal(err)
	}
	tm.sendRaw(websocket.MessageText, b)
}

func (tm *term) sendRaw(typ websocket.MessageType, b []byte) {
	tm.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := tm.conn.Write(ctx, typ, b); err != nil {
		tm.t.Fatalf("write: %v", err)
	}
}

func (tm *term) input(s string) { tm.t.Helper(); tm.send(map[string]any{"type": "input", "data": s}) }

func (tm *term) resize(cols, rows int) {
	tm.t.Helper()
	tm.send(map[string]any{"type": "resize", "cols": cols, "rows": rows})
}

// output is everything received so far.
func (tm *term) output() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// waitMatch waits until the output matches re and returns the submatches.
func (tm *term) waitMatch(re *regexp.Regexp) []string {
	tm.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		tm.mu.Lock()
		m := re.FindStringSubmatch(tm.out.String())
		err := tm.err
		tm.mu.Unlock()
		if m != nil {
			return m
		}
		if err != nil {
			tm.t.Fatalf("socket ended (%v) before %q showed up; output:\n%s", err, re, tm.output())
		}
		select {
		case <-tm.changed:
		case <-deadline:
			tm.t.Fatalf("timed out waiting for %q; output:\n%q", re, tm.output())
		}
	}
}

func (tm *term) waitFor(s string) {
	tm.t.Helper()
	tm.waitMatch(regexp.MustCompile(regexp.QuoteMeta(s)))
}

// closeStatus waits for the socket to end and returns the server's close.
func (tm *term) closeStatus() websocket.CloseError {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(waitTimeout):
		tm.t.Fatalf("socket did not close")
	}
	var ce websocket.CloseError
	if !errors.As(tm.err, &ce) {
		tm.t.Fatalf("socket ended without a close frame: %v", tm.err)
	}
	return ce
}

// close closes the socket from the client side and waits for the end.
func (tm *term) close(code websocket.StatusCode, reason string) {
	tm.t.Helper()
	_ = tm.conn.Close(code, reason)
	<-tm.doneOrNil()
}

// shellPID types a command that prints the shell's pid and returns it.
func (tm *term) shellPID() int {
	tm.t.Helper()
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	tm.input("echo pid-" + tag + "=$$\n")
	m := tm.waitMatch(regexp.MustCompile(`pid-` + tag + `=(\d+)`))
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// eventually polls cond until it holds; used only where no event exists
// (a process disappearing, a counter settling).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processGone reports whether pid has exited (gone or a zombie).
func processGone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}
