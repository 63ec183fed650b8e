package mcp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a Manager.
type Options struct {
	DataDir  string   // FORGE_DATA_DIR: mcp.json, mcp-stdio-trust.json
	Launcher Launcher // spawns stdio servers
	Log      *slog.Logger
	// ServerCwd is the working directory of global stdio servers without a
	// cwd; empty means the server's own.
	ServerCwd string
	// ConnectTimeout bounds one connect (handshake and tool list); 0 = 30s.
	ConnectTimeout time.Duration
	// SessionWait bounds how long a new session waits for connects in
	// progress before it starts without those servers; 0 = 10s.
	SessionWait time.Duration
	// RetryAfter: a server in error is tried again by the next new session
	// once this long has passed since it failed; 0 = 30s.
	RetryAfter time.Duration
	// HTTPTransport is the base transport of remote servers; nil means a
	// clone of http.DefaultTransport per server.
	HTTPTransport http.RoundTripper
	Now           func() time.Time
}

// Manager owns every MCP connection: the global servers of mcp.json
// (connected at Start) and each project's .mcp.json servers (loaded on the
// project's first session). It is safe for concurrent use.
type Manager struct {
	opts   Options
	log    *slog.Logger
	config *ConfigStore
	trust  *TrustStore

	ctx    context.Context // every connection lives within it
	cancel context.CancelFunc

	lifeMu sync.Mutex // guards closed and wg.Add
	closed bool
	wg     sync.WaitGroup

	mu       sync.Mutex
	applied  Config
	stamp    stamp
	loaded   bool
	global   map[string]*entry
	projects map[string]*projectPool
}

// projectPool is one project's own servers.
type projectPool struct {
	path    string
	entries map[string]*entry
}

// New returns a Manager; nothing connects before Start.
func New(opts Options) *Manager {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 30 * time.Second
	}
	if opts.SessionWait <= 0 {
		opts.SessionWait = 10 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ServerCwd == "" {
		opts.ServerCwd, _ = os.Getwd()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{
		opts: opts, log: opts.Log,
		config: NewConfigStore(opts.DataDir), trust: NewTrustStore(opts.DataDir, opts.Now),
		ctx: ctx, cancel: cancel,
		applied: DefaultConfig(), global: map[string]*entry{}, projects: map[string]*projectPool{},
	}
}

// Start reads mcp.json and connects every enabled global server in the
// background. Failures leave a server in state error; they never stop
// pi-forge.
func (m *Manager) Start() { m.refresh() }

// spawn runs f on a goroutine the manager waits for at Shutdown; false
// when the manager is shutting down.
func (m *Manager) spawn(f func()) bool {
	m.lifeMu.Lock()
	defer m.lifeMu.Unlock()
	if m.closed {
		return false
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		f()
	}()
	return true
}

// Shutdown closes every connection (stdio servers get their stdin closed,
// then signals) and waits for the manager's goroutines.
func (m *Manager) Shutdown(ctx context.Context) {
	m.lifeMu.Lock()
	m.closed = true
	m.lifeMu.Unlock()
	m.mu.Lock()
	var all []*entry
	for _, e := range m.global {
		all = append(all, e)
	}
	for _, p := range m.projects {
		for _, e := range p.entries {
			all = append(all, e)
		}
	}
	m.global, m.projects = map[string]*entry{}, map[string]*projectPool{}
	m.mu.Unlock()
	var closing sync.WaitGroup
	for _, e := range all {
		if l := e.remove(); l != nil {
			closing.Add(1)
			go func() {
				defer closing.Done()
				l.close()
			}()
		}
	}
	done := make(chan struct{})
	go func() {
		closing.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	m.cancel() // kills what did not close in time and ends connects in progress
	<-done
	m.wg.Wait()
}

// refresh applies mcp.json when it changed on disk since it was last read
// or written (a config import, a hand edit).
func (m *Manager) refresh() {
	st := statStamp(m.config.Path())
	m.mu.Lock()
	same := m.loaded && st == m.stamp
	m.mu.Unlock()
	if same {
		return
	}
	c, st, err := m.config.Load()
	if err != nil {
		m.log.Error("mcp.json is unreadable; keeping the servers as they were", "error", err.Error())
		m.mu.Lock()
		m.loaded, m.stamp = true, st
		m.mu.Unlock()
		return
	}
	m.apply(c, st)
}

// apply makes the global pool match c: entries whose connection fields or
// enabled flag changed are replaced (and reconnected), removed ones
// closed, new enabled ones connected; the rest keep their connection.
func (m *Manager) apply(c Config, st stamp) {
	m.mu.Lock()
	old := m.global
	next := make(map[string]*entry, len(c.Servers))
	var start []*entry
	for name, cfg := range c.Servers {
		if e, ok := old[name]; ok && sameConnection(e.cfg, cfg) && e.cfg.IsEnabled() == cfg.IsEnabled() {
			next[name] = e
			continue
		}
		if e, ok := old[name]; ok {
			m.retire(e)
		}
		e := m.newEntry(name, ScopeGlobal, "", cfg, m.opts.ServerCwd)
		next[name] = e
		if cfg.IsEnabled() {
			start = append(start, e)
		}
	}
	for name, e := range old {
		if _, ok := next[name]; !ok {
			m.retire(e)
		}
	}
	m.global, m.applied, m.stamp, m.loaded = next, c, st, true
	m.mu.Unlock()
	for _, e := range start {
		e.startConnect(-1, m.spawn)
	}
}

// newEntry builds an entry in its first state: disabled, or idle until
// something connects it.
func (m *Manager) newEntry(name, scope, projectID string, cfg ServerCfg, defaultCwd string) *entry {
	cwd := cfg.Cwd
	switch {
	case cwd == "":
		cwd = defaultCwd
	case !filepath.IsAbs(cwd) && scope == ScopeProject:
		cwd = filepath.Join(defaultCwd, cwd)
	}
	e := &entry{name: name, scope: scope, projectID: projectID, cfg: cfg, state: StateIdle, now: m.opts.Now,
		dialer: dialer{parent: m.ctx, name: name, cfg: cfg, cwd: cwd, launcher: m.opts.Launcher, log: m.log,
			timeout: m.opts.ConnectTimeout, base: m.opts.HTTPTransport}}
	if !cfg.IsEnabled() {
		e.state = StateDisabled
	}
	return e
}

// retire takes e out of service and closes its connection in the
// background.
func (m *Manager) retire(e *entry) {
	if l := e.remove(); l != nil {
		if !m.spawn(l.close) {
			l.close()
		}
	}
}

// poolLocked returns p's pool, reading its .mcp.json on first use. Stdio
// entries of an untrusted project wait in trust_required. m.mu is held.
func (m *Manager) poolLocked(p Project) *projectPool {
	if pp, ok := m.projects[p.ID]; ok {
		return pp
	}
	pp := &projectPool{path: p.Path, entries: map[string]*entry{}}
	m.fillPoolLocked(pp, p)
	m.projects[p.ID] = pp
	return pp
}

// fillPoolLocked (re)reads p's .mcp.json into pp, keeping the entries
// whose config did not change.
func (m *Manager) fillPoolLocked(pp *projectPool, p Project) {
	servers, problems := LoadProjectServers(p.Path)
	for _, msg := range problems {
		m.log.Warn("project MCP config", "project", p.ID, "problem", msg)
	}
	trusted := m.trust.Trusted(p.ID)
	old := pp.entries
	pp.entries = make(map[string]*entry, len(servers))
	for name, cfg := range servers {
		if e, ok := old[name]; ok && sameConnection(e.cfg, cfg) && e.cfg.IsEnabled() == cfg.IsEnabled() {
			pp.entries[name] = e
			continue
		}
		if e, ok := old[name]; ok {
			m.retire(e)
		}
		e := m.newEntry(name, ScopeProject, p.ID, cfg, p.Path)
		if cfg.IsEnabled() && cfg.Kind() == KindStdio && !trusted {
			e.state = StateTrustRequired
		}
		pp.entries[name] = e
	}
	for name, e := range old {
		if _, ok := pp.entries[name]; !ok {
			m.retire(e)
		}
	}
}

// dropPool tears a project's whole pool down (trust revoked, project
// deleted); the next session reads .mcp.json afresh.
func (m *Manager) dropPool(projectID string) {
	m.mu.Lock()
	pp := m.projects[projectID]
	delete(m.projects, projectID)
	m.mu.Unlock()
	if pp == nil {
		return
	}
	for _, e := range pp.entries {
		m.retire(e)
	}
}

// mergedLocked is the servers a session of the project sees: the global
// ones, each replaced whole by a project server of the same name, sorted
// by name. pp may be nil (no project).
func (m *Manager) mergedLocked(pp *projectPool) []*entry {
	byName := make(map[string]*entry, len(m.global))
	for n, e := range m.global {
		byName[n] = e
	}
	if pp != nil {
		for n, e := range pp.entries {
			byName[n] = e
		}
	}
	out := make([]*entry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *entry) int { return strings.Compare(a.name, b.name) })
	return out
}

// listLocked is every server for the status views: the global ones, then
// the project's (when pp is set), each sorted by name.
func (m *Manager) listLocked(pp *projectPool) []*entry {
	var out []*entry
	for _, set := range []map[string]*entry{m.global, poolEntries(pp)} {
		start := len(out)
		for _, e := range set {
			out = append(out, e)
		}
		slices.SortFunc(out[start:], func(a, b *entry) int { return strings.Compare(a.name, b.name) })
	}
	return out
}

func poolEntries(pp *projectPool) map[string]*entry {
	if pp == nil {
		return nil
	}
	return pp.entries
}

// connectPending starts a connect for each entry that is idle, or in
// error for longer than RetryAfter, and waits (within ctx and
// SessionWait) for those and for connects already in progress.
func (m *Manager) connectPending(ctx context.Context, entries []*entry) {
	var ops []*connectOp
	now := m.opts.Now()
	for _, e := range entries {
		e.mu.Lock()
		st, failed, op := e.state, e.failedAt, e.inflight
		e.mu.Unlock()
		switch {
		case op != nil:
			ops = append(ops, op)
		case st == StateIdle, st == StateError && now.Sub(failed) >= m.opts.RetryAfter:
			ops = append(ops, e.startConnect(-1, m.spawn))
		}
	}
	if len(ops) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, m.opts.SessionWait)
	defer cancel()
	for _, op := range ops {
		if err := wait(ctx, op); errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return
		}
	}
}

// lookup finds the entry a bridged tool belongs to.
func (m *Manager) lookup(scope, projectID, name string) *entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	if scope == ScopeGlobal {
		return m.global[name]
	}
	if pp := m.projects[projectID]; pp != nil {
		return pp.entries[name]
	}
	return nil
}

// truncation is the current result truncation setting.
func (m *Manager) truncation() ResultTruncation {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applied.Truncation
}
