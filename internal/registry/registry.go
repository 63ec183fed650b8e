// Package registry owns every live agent session: it creates, resumes and
// disposes them, persists what their agents do to the session files, and
// fans their events out to stream subscribers. Nothing else may run an
// agent on a session file, so two callers can never append to one file.
package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/piconfig"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/session"
	"github.com/pi-forge/pi-forge/internal/stream"
)

// Projects looks projects up (*projects.Store implements it).
type Projects interface {
	Get(id string) (projects.Project, error)
	List() ([]projects.Project, error)
}

// GitDiffFunc returns `git diff HEAD -- path` run in dir ("" when dir is
// not a repository or the file has no changes).
type GitDiffFunc func(ctx context.Context, dir, path string) (string, error)

// DefaultTombstone is how long a disposed session refuses to be resumed.
const DefaultTombstone = 1500 * time.Millisecond

// Options are a Registry's dependencies.
type Options struct {
	Store    *session.Store
	Projects Projects
	// Config is pi's configuration: models, credentials, settings.
	Config *piconfig.Config
	// Provider streams LLM responses (the dispatcher over all adapters).
	Provider ai.Provider
	// Toolbox gives each session its tools and system prompt; nil means
	// no tools and a plain system prompt.
	Toolbox Toolbox
	// Launcher runs `!` commands (exec); nil refuses them.
	Launcher *proc.Launcher
	// GitDiff is used by the turn diff for files without a tool diff; nil
	// skips straight to a pure-addition diff.
	GitDiff GitDiffFunc
	// Stream bounds each session's replay log and subscriber queues.
	Stream stream.Limits
	// Tombstone is how long a deleted session answers 410; 0 = 1.5 s.
	Tombstone time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// Registry is the set of live sessions.
type Registry struct {
	opts Options
	log  *slog.Logger

	loads singleflight.Group

	mu         sync.Mutex
	sessions   map[string]*Session
	tombstones map[string]time.Time
	closed     bool
}

// New returns an empty registry.
func New(opts Options) *Registry {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tombstone == 0 {
		opts.Tombstone = DefaultTombstone
	}
	if opts.Stream == (stream.Limits{}) {
		opts.Stream = stream.DefaultLimits
	}
	if opts.Toolbox == nil {
		opts.Toolbox = NoTools{}
	}
	return &Registry{opts: opts, log: opts.Logger, sessions: map[string]*Session{}, tombstones: map[string]time.Time{}}
}

// Count is the number of live sessions (/health activeSessions).
func (r *Registry) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sessions)
}

// Get returns the live session id, or ErrSessionNotFound.
func (r *Registry) Get(id string) (*Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.sessions[id]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrSessionNotFound, id)
}

// Live returns every live session.
func (r *Registry) Live() []*Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Session, 0, len(r.sessions))
	for _, s := range r.sessions {
		out = append(out, s)
	}
	return out
}

// Resume returns the live session id, loading it from its file when it is
// not live. Concurrent resumes of one id share a single load. A session
// disposed less than the tombstone time ago gives ErrTombstoned.
func (r *Registry) Resume(ctx context.Context, id string) (*Session, error) {
	if s, err := r.Get(id); err == nil {
		return s, nil
	}
	if err := r.checkTombstone(id); err != nil {
		return nil, err
	}
	v, err, _ := r.loads.Do(id, func() (any, error) {
		if s, err := r.Get(id); err == nil {
			return s, nil
		}
		return r.load(context.WithoutCancel(ctx), id)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Session), nil
}

// load opens session id from disk and makes it live.
func (r *Registry) load(ctx context.Context, id string) (*Session, error) {
	loc, err := r.opts.Store.Locate(id)
	if errors.Is(err, session.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrSessionNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: resume %s: %w", id, err)
	}
	file, err := r.opts.Store.Open(loc.Path)
	if err != nil {
		return nil, fmt.Errorf("registry: resume %s: %w", id, err)
	}
	if file.ID() != id {
		_ = file.Close()
		return nil, fmt.Errorf("%w: %s", ErrSessionNotFound, id)
	}
	cwd := file.Header().Cwd
	if p, err := r.opts.Projects.Get(loc.ProjectID); err == nil {
		cwd = p.Path
	}
	s, err := r.start(ctx, startSpec{file: file, projectID: loc.ProjectID, cwd: cwd, loc: loc, resumed: true})
	if err != nil {
		_ = file.Close()
		return nil, err
	}
	return s, nil
}

// Create starts a new session in a project. Its file is written when the
// first assistant message arrives.
func (r *Registry) Create(ctx context.Context, projectID string) (*Session, error) {
	p, err := r.opts.Projects.Get(projectID)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrProjectNotFound, projectID)
	}
	file, err := r.opts.Store.Create(p.ID, p.Path, session.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("registry: create session: %w", err)
	}
	name := r.genericName(p.ID)
	return r.start(ctx, startSpec{file: file, projectID: p.ID, cwd: p.Path, name: name,
		loc: session.Location{ProjectID: p.ID, Path: file.Path()}})
}

// genericNamePattern matches the placeholder names of untitled sessions.
var genericNamePattern = regexp.MustCompile(`^New session( \([0-9]+\))?$`)

// IsGenericName reports whether name is a placeholder ("" included) that
// the first prompt may replace with a title.
func IsGenericName(name string) bool { return name == "" || genericNamePattern.MatchString(name) }

// genericName is "New session", or "New session (N)" with the smallest N
// not used by a session of the project, live or on disk.
func (r *Registry) genericName(projectID string) string {
	used := map[string]bool{}
	if infos, err := r.opts.Store.List(projectID); err == nil {
		for _, in := range infos {
			used[in.Name] = true
		}
	}
	for _, s := range r.Live() {
		if s.projectID == projectID {
			used[s.Name()] = true
		}
	}
	if !used["New session"] {
		return "New session"
	}
	for n := 2; ; n++ {
		if name := "New session (" + strconv.Itoa(n) + ")"; !used[name] {
			return name
		}
	}
}

// add makes s live, unless the registry was shut down meanwhile.
func (r *Registry) add(s *Session) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if _, ok := r.sessions[s.id]; ok {
		return fmt.Errorf("registry: session %s is already live", s.id)
	}
	r.sessions[s.id] = s
	return nil
}

func (r *Registry) checkTombstone(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	until, ok := r.tombstones[id]
	if !ok {
		return nil
	}
	if r.opts.Now().Before(until) {
		return fmt.Errorf("%w: %s", ErrTombstoned, id)
	}
	delete(r.tombstones, id)
	return nil
}

// Dispose ends a live session: its run is aborted (what it produced is
// persisted), its stream subscribers are closed, and for the tombstone
// time it cannot be resumed. It reports whether the session was live.
func (r *Registry) Dispose(id string) bool {
	r.mu.Lock()
	s, ok := r.sessions[id]
	if ok {
		delete(r.sessions, id)
		r.tombstoneLocked(id)
	}
	r.mu.Unlock()
	if ok {
		s.close()
	}
	return ok
}

// tombstoneLocked refuses resumes of id for the tombstone time.
func (r *Registry) tombstoneLocked(id string) {
	now := r.opts.Now()
	for other, until := range r.tombstones {
		if now.After(until) {
			delete(r.tombstones, other)
		}
	}
	r.tombstones[id] = now.Add(r.opts.Tombstone)
}

// Delete disposes session id if it is live and moves its file to the
// archive. ErrSessionNotFound when it is neither live nor on disk.
func (r *Registry) Delete(id string) (wasLive bool, err error) {
	var loc session.Location
	persisted := false
	if s, err := r.Get(id); err == nil {
		loc, persisted = s.loc, s.file.Persisted()
		loc.Path = s.file.Path()
	} else if l, err := r.opts.Store.Locate(id); err == nil {
		loc, persisted = l, true
	} else if !errors.Is(err, session.ErrNotFound) {
		return false, fmt.Errorf("registry: delete %s: %w", id, err)
	}
	wasLive = r.Dispose(id)
	if !wasLive && !persisted {
		return false, fmt.Errorf("%w: %s", ErrSessionNotFound, id)
	}
	if !wasLive {
		r.mu.Lock()
		r.tombstoneLocked(id) // no resume may reopen the file while it moves
		r.mu.Unlock()
	}
	if persisted {
		if _, err := r.opts.Store.Archive(loc, id); err != nil {
			return wasLive, fmt.Errorf("%w: %w", ErrDeleteFailed, err)
		}
	}
	return wasLive, nil
}

// DisposeProject disposes every live session of a deleted project.
func (r *Registry) DisposeProject(projectID string) {
	for _, s := range r.Live() {
		if s.projectID == projectID {
			r.Dispose(s.id)
		}
	}
}

// Shutdown disposes every session (their runs are aborted, which persists
// what they produced) and refuses new ones. It returns when all are closed
// or ctx ends.
func (r *Registry) Shutdown(ctx context.Context) {
	r.mu.Lock()
	r.closed = true
	all := make([]*Session, 0, len(r.sessions))
	for id, s := range r.sessions {
		all = append(all, s)
		delete(r.sessions, id)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for _, s := range all {
			wg.Go(s.close)
		}
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		r.log.Warn("registry: shutdown timed out before every session closed")
	}
}

// liveByProject returns the live sessions, by project when projectID is set.
func (r *Registry) liveByProject(projectID string) []*Session {
	out := r.Live()
	if projectID != "" {
		out = slices.DeleteFunc(out, func(s *Session) bool { return s.projectID != projectID })
	}
	return out
}
