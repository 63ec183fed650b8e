// Package terminal runs the integrated terminal: one shell on a PTY per
// browser tab, spoken to over the WebSocket protocol of api-contract §3,
// kept running across disconnects with a bounded replay buffer, and ended
// when its tab closes, when it has been idle too long, or at shutdown.
//
// Each terminal has its own goroutines (PTY reader, process waiter, and per
// attached socket a frame reader, a writer and a pinger), and no lock is
// held while a socket is written, so one busy or stuck terminal never holds
// up another or the rest of the server. Output flows PTY → ring buffer →
// the attached socket's pending bytes → one binary frame per write; when a
// socket falls behind by more than highWater bytes the reader stops
// reading the PTY, and the kernel's PTY buffer then blocks the producer.
package terminal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/pi-forge/pi-forge/internal/proc"
)

// Launcher starts and kills child processes; *proc.Launcher is the one
// production implementation (scrubbed environment, sandbox identity).
type Launcher interface {
	Command(ctx context.Context, spec proc.Spec) (*exec.Cmd, error)
	Kill(cmd *exec.Cmd)
}

// Options configure a Manager.
type Options struct {
	Launcher Launcher
	// Shell is the program every terminal runs ($SHELL); "" means /bin/sh.
	Shell string
	// IdleReap is how long a terminal with no socket attached keeps
	// running (PTY_IDLE_REAP_MS); zero ends it as soon as its socket goes.
	IdleReap time.Duration
	// Keepalive is the WebSocket ping interval (TERMINAL_WS_KEEPALIVE_MS);
	// zero sends no pings.
	Keepalive time.Duration
	// RingSize is the replay buffer of each terminal; zero means 256 KiB.
	RingSize int
	// KillGrace is the time between SIGTERM and SIGKILL when a terminal is
	// ended; zero means 2 s.
	KillGrace time.Duration
	Logger    *slog.Logger
}

// Request says which terminal a socket wants.
type Request struct {
	ProjectID string
	Dir       string // the project's directory: the shell's working directory
	// TabID names the terminal; a socket with the same TabID and ProjectID
	// reattaches to it. "" lets the server pick an id (srv-<base36 ms>).
	TabID string
}

const (
	defaultRingSize  = 256 << 10
	defaultKillGrace = 2 * time.Second
)

// Manager owns every terminal.
type Manager struct {
	opts  Options
	shell string
	log   *slog.Logger

	mu      sync.Mutex
	tabs    map[string]*session // attachable terminals by tab id
	live    map[*session]struct{}
	clients map[*client]struct{}
	closed  bool
	wg      sync.WaitGroup // every session and client goroutine

	active atomic.Int64 // terminals whose shell has not been reaped yet
}

// New returns a Manager.
func New(opts Options) (*Manager, error) {
	if opts.Launcher == nil {
		return nil, errors.New("terminal: no launcher")
	}
	if opts.RingSize <= 0 {
		opts.RingSize = defaultRingSize
	}
	if opts.KillGrace <= 0 {
		opts.KillGrace = defaultKillGrace
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	shell := opts.Shell
	if shell == "" {
		shell = "/bin/sh"
	}
	return &Manager{
		opts: opts, shell: shell, log: opts.Logger,
		tabs: map[string]*session{}, live: map[*session]struct{}{}, clients: map[*client]struct{}{},
	}, nil
}

// Active is the number of terminals alive, attached or detached; a
// terminal stops counting once its shell and PTY are gone.
func (m *Manager) Active() int { return int(m.active.Load()) }

// errClosed: the manager is shutting down.
var errClosed = errors.New("terminal: shutting down")

// Serve runs the terminal protocol on an accepted socket until the socket
// ends: it attaches to the tab's terminal (spawning it when needed, before
// reading anything from the socket, so early input reaches the shell),
// replays its buffer, then relays input, resizes and output.
func (m *Manager) Serve(conn *websocket.Conn, req Request) {
	c := newClient(conn, m.opts.Keepalive)
	if !m.addClient(c) {
		_ = conn.Close(websocket.StatusGoingAway, ReasonShutdown)
		return
	}
	defer m.removeClient(c)
	s, err := m.attach(req, c)
	if err != nil {
		reason := ReasonSpawnFailed
		code := CodeInternal
		if errors.Is(err, errClosed) {
			code, reason = websocket.StatusGoingAway, ReasonShutdown
		} else {
			m.log.Warn("terminal spawn failed", "projectId", req.ProjectID, "error", err)
		}
		_ = conn.Close(code, reason)
		return
	}
	c.run(s)
}

func (m *Manager) addClient(c *client) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.clients[c] = struct{}{}
	m.wg.Add(1)
	return true
}

func (m *Manager) removeClient(c *client) {
	m.mu.Lock()
	delete(m.clients, c)
	m.mu.Unlock()
	m.wg.Done()
}

// attach finds or spawns the terminal for req and attaches c to it.
func (m *Manager) attach(req Request, c *client) (*session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	tab := req.TabID
	if tab == "" {
		tab = m.newTabID()
	}
	if s := m.tabs[tab]; s != nil {
		if s.projectID == req.ProjectID {
			s.attach(c)
			return s, nil
		}
		// A tab id never reattaches across projects: the old terminal
		// makes way for a fresh one in the new project.
		delete(m.tabs, tab)
		s.end(CodeReplaced, ReasonReplaced)
	}
	s, err := m.spawn(tab, req)
	if err != nil {
		return nil, err
	}
	m.tabs[tab] = s
	s.attach(c)
	return s, nil
}

// newTabID is the reference's server-assigned id, made unique.
func (m *Manager) newTabID() string {
	for t := time.Now().UnixMilli(); ; t++ {
		id := "srv-" + strconv.FormatInt(t, 36)
		if m.tabs[id] == nil {
			return id
		}
	}
}

// forget makes s unattachable (it is ending); later sockets for its tab
// get a fresh terminal.
func (m *Manager) forget(s *session) {
	m.mu.Lock()
	if m.tabs[s.tabID] == s {
		delete(m.tabs, s.tabID)
	}
	m.mu.Unlock()
}

// retire drops a session whose shell and PTY are gone.
func (m *Manager) retire(s *session) {
	m.mu.Lock()
	delete(m.live, s)
	m.mu.Unlock()
	m.active.Add(-1)
}

// Shutdown ends every terminal (sockets get 1001 server_shutdown) and
// waits, until ctx ends, for their processes and goroutines to finish.
// New sockets are refused from the start.
func (m *Manager) Shutdown(ctx context.Context) {
	m.mu.Lock()
	m.closed = true
	sessions := make([]*session, 0, len(m.live))
	for s := range m.live {
		sessions = append(sessions, s)
	}
	clear(m.tabs)
	m.mu.Unlock()
	for _, s := range sessions {
		s.end(websocket.StatusGoingAway, ReasonShutdown)
	}
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	// Sockets that would not finish their close handshake in time.
	m.mu.Lock()
	for c := range m.clients {
		c.cancel()
	}
	m.mu.Unlock()
	m.log.Warn("terminal shutdown: gave up waiting", "error", fmt.Errorf("terminal: shutdown: %w", ctx.Err()))
}
