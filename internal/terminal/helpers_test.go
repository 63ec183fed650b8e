package terminal

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/terminal/termtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitTimeout = termtest.Timeout

// harness is a Manager behind a real HTTP server on loopback. Projects
// p1 and p2 map to two temp directories.
type harness struct {
	t        testing.TB
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
	sandbox   *proc.Identity // tool identity; the project dirs are made world-enterable
	warnings  bool           // the test expects warnings in the log
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	home := t.TempDir()
	env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}, o.env...)
	var toolEnv func() map[string]string
	if o.toolEnv != nil {
		toolEnv = func() map[string]string { return o.toolEnv }
	}
	launcher, err := proc.New(proc.Config{ServerEnv: env, PassthroughEnv: o.pass, ToolEnv: toolEnv, Sandbox: o.sandbox})
	if err != nil {
		t.Fatal(err)
	}
	if o.idleReap == 0 {
		o.idleReap = time.Hour
	}
	if o.shell == "" {
		o.shell = "/bin/bash"
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m, err := New(Options{Launcher: launcher, Shell: o.shell, IdleReap: o.idleReap, Keepalive: o.keepalive, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, m: m, launcher: launcher, dirs: map[string]string{"p1": t.TempDir(), "p2": t.TempDir()}}
	if o.sandbox != nil {
		for _, d := range h.dirs {
			worldEnterable(t, d)
		}
	}
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
		if w := logs.String(); w != "" && !o.warnings {
			t.Errorf("unexpected warnings:\n%s", w)
		}
	})
	return h
}

// worldEnterable opens dir and its parent (both 0700 temp dirs) to
// other users, so a sandboxed shell can start in it.
func worldEnterable(t testing.TB, dir string) {
	t.Helper()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// session returns the attachable terminal of tab (nil if none).
func (h *harness) session(tab string) *session {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	return h.m.tabs[tab]
}

// dial opens a socket for project/tab and starts reading it.
func (h *harness) dial(project, tab string) *termtest.Client {
	h.t.Helper()
	return termtest.Dial(h.t, h.url(project, tab), nil)
}

// dialPaused opens a socket without reading from it.
func (h *harness) dialPaused(project, tab string) *termtest.Client {
	h.t.Helper()
	return termtest.DialPaused(h.t, h.url(project, tab), nil)
}

func (h *harness) url(project, tab string) string {
	u := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/?projectId=" + project
	if tab != "" {
		u += "&tabId=" + tab
	}
	return u
}

var (
	eventually  = termtest.Eventually
	processGone = termtest.ProcessGone
)
