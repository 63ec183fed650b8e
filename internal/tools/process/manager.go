package process

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/proc"
)

// Status is a process's state.
type Status string

// Statuses. The first three are live.
const (
	Running          Status = "running"
	Terminating      Status = "terminating"
	TerminateTimeout Status = "terminate_timeout"
	Exited           Status = "exited"
	Killed           Status = "killed"
)

// Live reports whether s is a status of a process that has not ended.
func (s Status) Live() bool { return s == Running || s == Terminating || s == TerminateTimeout }

// Errors. Their texts are the reason codes of the stdin and kill routes.
var (
	ErrNotFound    = errors.New("not_found")
	ErrExited      = errors.New("process_exited")
	ErrStdinClosed = errors.New("stdin_closed")
	ErrWrite       = errors.New("write_error")
	ErrMinimalUI   = errors.New("process start is disabled on this server (MINIMAL_UI)")
	ErrDisposed    = errors.New("the session is closing")
)

// Info describes a process (ProcessInfo on the wire).
type Info struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	PID            int    `json:"pid"`
	Command        string `json:"command"`
	Cwd            string `json:"cwd"`
	StartTime      int64  `json:"startTime"`
	EndTime        *int64 `json:"endTime"`
	Status         Status `json:"status"`
	ExitCode       *int   `json:"exitCode"`
	Success        *bool  `json:"success"`
	StdoutFile     string `json:"stdoutFile"`
	StderrFile     string `json:"stderrFile"`
	AlertOnSuccess bool   `json:"alertOnSuccess"`
	AlertOnFailure bool   `json:"alertOnFailure"`
	AlertOnKill    bool   `json:"alertOnKill"`
}

// Output is a process's in-memory tail.
type Output struct {
	Stdout []string `json:"stdout"`
	Stderr []string `json:"stderr"`
	Status Status   `json:"status"`
}

// StartOptions are start's optional arguments.
type StartOptions struct {
	AlertOnSuccess bool
	AlertOnFailure bool
	AlertOnKill    bool
	Watches        []Watch
}

// Host is the live session the manager reports to (registry.Session).
type Host interface {
	// Publish sends a stream event (process_output, process_watch).
	Publish(v any) error
	// PublishKept sends a stream event and keeps it as the frame key that
	// connecting clients get after their snapshot (process_update).
	PublishKept(key string, v any) error
	// Deliver adds a custom message to the session: steered into a run in
	// progress, else starting a run when trigger is set, else appended.
	Deliver(m ai.Message, trigger bool) error
}

// Alert is a lifecycle or watch alert, for webhooks (process_alert).
type Alert struct {
	Reason string // success, failure, killed, watch
	Info   Info
	Match  *Match // reason watch only
}

// Options configure one session's manager.
type Options struct {
	SessionID string
	Cwd       string
	// LogDir is FORGE_DATA_DIR/processes/<sessionId>; removed on Dispose.
	LogDir   string
	Launcher *proc.Launcher
	Host     Host // nil publishes nothing (tests)
	// MinimalUI refuses start.
	MinimalUI bool
	// Grace is the time between SIGTERM and SIGKILL on kill (5 s);
	// DisposeGrace on session dispose (2 s).
	Grace        time.Duration
	DisposeGrace time.Duration
	// OutputInterval is the least time between two process_output events
	// of one process (250 ms).
	OutputInterval time.Duration
	// OnAlert, when set, hears every alert (webhooks).
	OnAlert func(Alert)
	Logger  *slog.Logger
	Now     func() time.Time
}

// Defaults.
const (
	DefaultGrace          = 5 * time.Second
	DefaultDisposeGrace   = 2 * time.Second
	DefaultOutputInterval = 250 * time.Millisecond
	// killWait is what proc gives a SIGKILLed tree to disappear.
	killWait = 2 * time.Second
	// waitDelay is how long output is still read after the shell exited
	// while something it left behind holds the pipes.
	waitDelay = time.Second
	// stdinTimeout bounds one write to a child that does not read.
	stdinTimeout = 10 * time.Second
)

// Manager owns one session's background processes. Records live in memory
// only; log files live under LogDir until Dispose.
type Manager struct {
	o   Options
	log *slog.Logger

	mu       sync.Mutex
	procs    map[string]*managed
	seq      int
	polls    map[string]pollMark
	disposed bool
	closing  atomic.Bool // disposed, readable without mu

	work sync.WaitGroup // waiters and alert deliveries
}

type managed struct {
	m                 *Manager
	id, name, command string // never change; readable without a lock
	info              Info   // guarded by m.mu
	seq               int
	cmd               *exec.Cmd
	stop              context.CancelFunc // SIGTERM, grace, SIGKILL (proc)
	done              chan struct{}      // closed once the process was waited for
	ours              bool               // we asked it to stop: no alert, status killed
	grace             *time.Timer

	outMu  sync.Mutex // guards the streams and watches
	stdout *stream
	stderr *stream
	wlist  []*watch

	stdinMu     sync.Mutex
	stdin       *os.File
	stdinClosed bool

	emitMu   sync.Mutex // process_output throttle
	lastEmit time.Time
	timer    *time.Timer
}

type stream struct {
	name string
	ring *ring
	log  *logFile
}

// New returns an empty manager.
func New(o Options) *Manager {
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.DisposeGrace <= 0 {
		o.DisposeGrace = DefaultDisposeGrace
	}
	if o.OutputInterval <= 0 {
		o.OutputInterval = DefaultOutputInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Manager{o: o, log: o.Logger.With("session", o.SessionID), procs: map[string]*managed{}, polls: map[string]pollMark{}}
}

// Start runs command with /bin/sh -c in the project directory, in its own
// process group with the scrubbed environment and the sandbox identity.
func (m *Manager) Start(name, command string, so StartOptions) (Info, error) {
	if m.o.MinimalUI {
		return Info{}, ErrMinimalUI
	}
	ws, err := CompileWatches(so.Watches)
	if err != nil {
		return Info{}, err
	}
	m.mu.Lock()
	if m.disposed {
		m.mu.Unlock()
		return Info{}, ErrDisposed
	}
	id := m.newIDLocked()
	m.seq++
	seq := m.seq
	m.mu.Unlock()

	p, err := m.spawn(id, name, command, so, ws)
	if err != nil {
		return Info{}, err
	}
	p.seq = seq
	m.mu.Lock()
	if m.disposed { // disposed while spawning: this one goes too
		p.ours = true
		m.mu.Unlock()
		p.stop()
		<-p.done
		return Info{}, ErrDisposed
	}
	m.procs[id] = p
	info := p.info
	m.publishListLocked()
	m.mu.Unlock()
	return info, nil
}

func (m *Manager) newIDLocked() string {
	for {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		if id := hex.EncodeToString(b); m.procs[id] == nil {
			return id
		}
	}
}

// spawn starts the child and its waiter.
func (m *Manager) spawn(id, name, command string, so StartOptions, ws []*watch) (*managed, error) {
	dir := filepath.Join(m.o.LogDir, id)
	outPath, errPath := logPaths(dir)
	p := &managed{m: m, id: id, name: name, command: command, done: make(chan struct{}), wlist: ws,
		stdout: &stream{name: Stdout, ring: newRing()}, stderr: &stream{name: Stderr, ring: newRing()}}
	fail := func(err error) (*managed, error) {
		p.stdout.log.close()
		p.stderr.log.close()
		if p.stdin != nil {
			p.stdin.Close()
		}
		if p.stop != nil {
			p.stop()
		}
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("failed to start: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	var err error
	if p.stdout.log, err = openLog(outPath); err != nil {
		return fail(err)
	}
	if p.stderr.log, err = openLog(errPath); err != nil {
		return fail(err)
	}
	var ctx context.Context
	ctx, p.stop = context.WithCancel(context.Background())
	p.cmd, err = m.o.Launcher.Command(ctx, proc.Spec{Kind: proc.KindShell, Path: "/bin/sh", Args: []string{"-c", command},
		Dir: m.o.Cwd, KillGrace: m.o.Grace, WaitDelay: waitDelay})
	if err != nil {
		return fail(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	p.stdin = w
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = r, output{p.stdout, p}, output{p.stderr, p}
	err = p.cmd.Start()
	r.Close() // the child has its copy
	if err != nil {
		return fail(err)
	}
	p.info = Info{ID: id, Name: name, PID: p.cmd.Process.Pid, Command: command, Cwd: m.o.Cwd,
		StartTime: m.o.Now().UnixMilli(), Status: Running, StdoutFile: outPath, StderrFile: errPath,
		AlertOnSuccess: so.AlertOnSuccess, AlertOnFailure: so.AlertOnFailure, AlertOnKill: so.AlertOnKill}
	m.work.Add(1)
	go p.wait()
	return p, nil
}

// output receives one stream's bytes (exec copies each stream in its own
// goroutine).
type output struct {
	s *stream
	p *managed
}

func (w output) Write(b []byte) (int, error) {
	w.p.receive(w.s, b, false)
	return len(b), nil
}

// receive keeps bytes in the ring and the log, runs the watches over the
// lines they complete and announces new output.
func (p *managed) receive(s *stream, b []byte, eof bool) {
	p.outMu.Lock()
	var lines []string
	if eof {
		lines = s.ring.flush()
	} else {
		lines = s.ring.write(b)
		s.log.write(b)
	}
	var matches []Match
	now := p.m.o.Now()
	for _, line := range lines {
		for _, w := range hits(p.wlist, s.name, line, now) {
			matches = append(matches, Match{ProcessID: p.id, ProcessName: p.name, ProcessCommand: p.command,
				Source: s.name, Line: clip(line, maxMatchLine), Watch: w})
		}
	}
	p.outMu.Unlock()
	for i := range matches {
		p.m.watchMatched(matches[i])
	}
	if !eof {
		p.announceOutput()
	}
}

// announceOutput sends process_output at most once per OutputInterval per
// process: at once when the last one is older, else once when the interval
// ends (so the final bytes of a burst are always announced).
func (p *managed) announceOutput() {
	p.emitMu.Lock()
	defer p.emitMu.Unlock()
	if p.timer != nil || p.m.closing.Load() {
		return
	}
	wait := p.m.o.OutputInterval - p.m.o.Now().Sub(p.lastEmit)
	if wait <= 0 {
		p.lastEmit = p.m.o.Now()
		p.m.publish(outputEvent{Type: EventOutput, SessionID: p.m.o.SessionID, ID: p.id})
		return
	}
	p.timer = time.AfterFunc(wait, func() {
		p.emitMu.Lock()
		defer p.emitMu.Unlock()
		if p.timer == nil || p.m.closing.Load() { // stopped by dispose
			p.timer = nil
			return
		}
		p.timer = nil
		p.lastEmit = p.m.o.Now()
		p.m.publish(outputEvent{Type: EventOutput, SessionID: p.m.o.SessionID, ID: p.id})
	})
}

func (p *managed) stopTimer() {
	p.emitMu.Lock()
	defer p.emitMu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// wait waits for the child, records how it ended and raises its alert.
func (p *managed) wait() {
	m := p.m
	defer m.work.Done()
	_ = p.cmd.Wait()
	p.receive(p.stdout, nil, true)
	p.receive(p.stderr, nil, true)
	p.outMu.Lock()
	p.stdout.log.close()
	p.stderr.log.close()
	p.outMu.Unlock()
	p.stdinMu.Lock()
	if !p.stdinClosed {
		p.stdin.Close()
		p.stdinClosed = true
	}
	p.stdinMu.Unlock()
	// Whatever the shell left running (background jobs) ends with it.
	m.o.Launcher.Kill(p.cmd)
	p.stop()

	m.mu.Lock()
	if p.grace != nil {
		p.grace.Stop()
	}
	end := m.o.Now().UnixMilli()
	p.info.EndTime = &end
	signaled := false
	if ps := p.cmd.ProcessState; ps != nil {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			signaled = true
		} else if code := ps.ExitCode(); code >= 0 {
			p.info.ExitCode = &code
		}
	}
	killed := p.ours || signaled
	success := !killed && p.info.ExitCode != nil && *p.info.ExitCode == 0
	p.info.Success = &success
	p.info.Status = Exited
	if killed {
		p.info.Status = Killed
	}
	reason := ""
	switch {
	case m.disposed || p.ours:
	case signaled && p.info.AlertOnKill:
		reason = ReasonKilled
	case !signaled && success && p.info.AlertOnSuccess:
		reason = ReasonSuccess
	case !signaled && !success && p.info.AlertOnFailure:
		reason = ReasonFailure
	}
	info := p.info
	m.publishListLocked()
	m.mu.Unlock()
	close(p.done)
	if reason != "" {
		m.lifecycleAlert(p, info, reason)
	}
}

// Kill asks a process to stop: SIGTERM to its group and every descendant,
// SIGKILL after the grace. It returns at once; the status becomes
// terminating, terminate_timeout if the grace passes, then killed.
func (m *Manager) Kill(id string) (Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.procs[id]
	if p == nil {
		return Info{}, ErrNotFound
	}
	if !p.info.Status.Live() || p.ours {
		return p.info, nil
	}
	p.ours = true
	p.info.Status = Terminating
	// Armed before the signal, so it fires no later than proc's SIGKILL.
	p.grace = time.AfterFunc(m.o.Grace, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if p.info.Status == Terminating {
			p.info.Status = TerminateTimeout
			m.publishListLocked()
		}
	})
	p.stop()
	m.publishListLocked()
	return p.info, nil
}

// Write sends input to a process's stdin; end closes it afterwards.
func (m *Manager) Write(id, input string, end bool) error {
	m.mu.Lock()
	p := m.procs[id]
	live := p != nil && p.info.Status.Live()
	m.mu.Unlock()
	switch {
	case p == nil:
		return ErrNotFound
	case !live:
		return ErrExited
	}
	p.stdinMu.Lock()
	defer p.stdinMu.Unlock()
	if p.stdinClosed {
		return ErrStdinClosed
	}
	_ = p.stdin.SetWriteDeadline(time.Now().Add(stdinTimeout))
	if _, err := p.stdin.Write([]byte(input)); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if end {
		p.stdinClosed = true
		if err := p.stdin.Close(); err != nil {
			return fmt.Errorf("%w: %w", ErrWrite, err)
		}
	}
	return nil
}

// List returns every process, newest first.
func (m *Manager) List() []Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.listLocked()
}

func (m *Manager) listLocked() []Info {
	ps := make([]*managed, 0, len(m.procs))
	for _, p := range m.procs {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *managed) int { return b.seq - a.seq })
	out := make([]Info, len(ps))
	for i, p := range ps {
		out[i] = p.info
	}
	return out
}

// Get returns one process.
func (m *Manager) Get(id string) (Info, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.procs[id]
	if p == nil {
		return Info{}, false
	}
	return p.info, true
}

// Output returns the last tail lines of each stream (negative: all kept).
func (m *Manager) Output(id string, tail int) (Output, error) {
	var out Output
	if !m.withOutput(id, func(p *managed, status Status) {
		out = Output{Stdout: p.stdout.ring.tail(tail), Stderr: p.stderr.ring.tail(tail), Status: status}
	}) {
		return Output{}, ErrNotFound
	}
	return out, nil
}

// outputSignature changes whenever a process gets output or changes state.
func (m *Manager) outputSignature(id string) string {
	var sig string
	m.withOutput(id, func(p *managed, status Status) {
		sig = fmt.Sprintf("%s:%d:%d", status, p.stdout.ring.total, p.stderr.ring.total)
	})
	return sig
}

// withOutput calls read with process id and its status, holding the
// process's output lock (not the manager's); false when there is no such
// process.
func (m *Manager) withOutput(id string, read func(p *managed, status Status)) bool {
	m.mu.Lock()
	p := m.procs[id]
	var status Status
	if p != nil {
		status = p.info.Status
	}
	m.mu.Unlock()
	if p == nil {
		return false
	}
	p.outMu.Lock()
	defer p.outMu.Unlock()
	read(p, status)
	return true
}

// Clear drops the finished processes and returns how many.
func (m *Manager) Clear() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, p := range m.procs {
		if !p.info.Status.Live() {
			delete(m.procs, id)
			n++
		}
	}
	if n > 0 {
		m.publishListLocked()
	}
	return n
}

// Running counts the live processes.
func (m *Manager) Running() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, p := range m.procs {
		if p.info.Status.Live() {
			n++
		}
	}
	return n
}

// Dispose ends every process (SIGTERM, DisposeGrace, SIGKILL), waits for
// them and removes the log directory. No alert is raised.
func (m *Manager) Dispose() {
	m.mu.Lock()
	if m.disposed {
		m.mu.Unlock()
		return
	}
	m.disposed = true
	m.closing.Store(true)
	var all, live []*managed
	for _, p := range m.procs {
		all = append(all, p)
		if p.info.Status.Live() {
			p.ours = true
			live = append(live, p)
		}
	}
	m.mu.Unlock()
	for _, p := range live {
		p.stop()
	}
	if m.waitAll(live) {
		m.work.Wait()
	}
	for _, p := range all {
		p.stopTimer()
	}
	if err := os.RemoveAll(m.o.LogDir); err != nil {
		m.log.Warn("process: removing the log directory failed", "error", err)
	}
}

// waitAll waits for ps to end: DisposeGrace after SIGTERM, then SIGKILL
// and what proc gives a killed tree. False when one would not die.
func (m *Manager) waitAll(ps []*managed) bool {
	deadline := time.NewTimer(m.o.DisposeGrace)
	defer deadline.Stop()
	killed := false
	for _, p := range ps {
		for waiting := true; waiting; {
			select {
			case <-p.done:
				waiting = false
			case <-deadline.C:
				if killed {
					m.log.Warn("process: a background process survived SIGKILL", "pid", p.info.PID)
					return false
				}
				killed = true
				for _, q := range ps {
					m.o.Launcher.Kill(q.cmd)
				}
				deadline.Reset(killWait + waitDelay)
			}
		}
	}
	return true
}
