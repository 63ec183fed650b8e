// Package projects keeps the project registry, ${FORGE_DATA_DIR}/projects.json,
// and enforces the workspace boundary for creating projects and for the
// folder picker.
//
// Other areas look projects up through a *Store:
//
//	p, err := store.Get(id) // errors.Is(err, projects.ErrNotFound) for unknown ids
//	root := p.Path          // realpath of the project folder, inside the workspace
//
// and can register cleanup for deleted projects with OnDelete.
//
// projects.json is the reference's format: a 2-space indented JSON array
// of {id, name, path, createdAt}, array order = display order. An existing
// file is read as it is (missing or not an array → no projects; malformed
// entries are skipped) and only rewritten by a change. The file is loaded
// lazily on first use; every change is written atomically under one mutex.
package projects

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// Project is one registered folder.
type Project struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Path      string `json:"path"`
	CreatedAt string `json:"createdAt"` // ISO-8601, kept as stored
}

// Options configure a Store.
type Options struct {
	File       string // projects.json
	Workspace  string // WORKSPACE_PATH: every project lives below it
	SessionDir string // SESSION_DIR: <SessionDir>/<id>/ goes when a project is deleted
	Logger     *slog.Logger
	Now        func() time.Time // nil = time.Now
}

// Store is the project registry. It is safe for concurrent use.
type Store struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	loaded   bool
	list     []Project
	onDelete []func(context.Context, Project)
}

// New returns a store; the file is read on first use.
func New(opts Options) *Store {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{opts: opts, log: opts.Logger}
}

// OnDelete registers f to run after a project is removed (per-project
// overrides, trust lists and the like). f must not call back into the
// store.
func (s *Store) OnDelete(f func(context.Context, Project)) {
	s.mu.Lock()
	s.onDelete = append(s.onDelete, f)
	s.mu.Unlock()
}

// List returns every project in display order.
func (s *Store) List() ([]Project, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return nil, err
	}
	return append([]Project(nil), s.list...), nil
}

// Get returns the project with id, or an error matching ErrNotFound.
func (s *Store) Get(id string) (Project, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return Project{}, err
	}
	if i := s.index(id); i >= 0 {
		return s.list[i], nil
	}
	return Project{}, newError(ErrNotFound, "no project with id %q", id)
}

// Create registers the directory at path (absolute, or relative to the
// workspace) under name. The stored path is its realpath, which must lie
// strictly inside the workspace.
func (s *Store) Create(name, path string) (Project, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Project{}, newError(ErrInvalidName, "the project name is blank")
	}
	real, err := s.projectDir(path)
	if err != nil {
		return Project{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return Project{}, err
	}
	for _, p := range s.list {
		if p.Path == real {
			return Project{}, newError(ErrDuplicatePath, "%s is already the project %q", real, p.Name)
		}
	}
	p := Project{ID: uuid.NewString(), Name: name, Path: real, CreatedAt: isoTime(s.opts.Now())}
	next := append(append([]Project(nil), s.list...), p)
	if err := s.save(next); err != nil {
		return Project{}, err
	}
	return p, nil
}

// Rename changes a project's display name (the folder stays).
func (s *Store) Rename(id, name string) (Project, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Project{}, newError(ErrInvalidName, "the project name is blank")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return Project{}, err
	}
	i := s.index(id)
	if i < 0 {
		return Project{}, newError(ErrNotFound, "no project with id %q", id)
	}
	next := append([]Project(nil), s.list...)
	next[i].Name = name
	if err := s.save(next); err != nil {
		return Project{}, err
	}
	return next[i], nil
}

// Reorder sets the display order; ids must name every project once.
func (s *Store) Reorder(ids []string) ([]Project, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(); err != nil {
		return nil, err
	}
	if len(ids) != len(s.list) {
		return nil, newError(ErrInvalidOrder, "ids must list all %d projects exactly once", len(s.list))
	}
	seen := make(map[string]bool, len(ids))
	next := make([]Project, 0, len(ids))
	for _, id := range ids {
		i := s.index(id)
		if i < 0 || seen[id] {
			return nil, newError(ErrInvalidOrder, "ids must list all %d projects exactly once", len(s.list))
		}
		seen[id] = true
		next = append(next, s.list[i])
	}
	if err := s.save(next); err != nil {
		return nil, err
	}
	return append([]Project(nil), next...), nil
}

// Delete unregisters a project and removes its session directory
// (${SESSION_DIR}/<id>/). The project folder itself is never touched.
// cascaded reports whether a session directory was removed.
func (s *Store) Delete(ctx context.Context, id string) (cascaded bool, err error) {
	s.mu.Lock()
	if err := s.load(); err != nil {
		s.mu.Unlock()
		return false, err
	}
	i := s.index(id)
	if i < 0 {
		s.mu.Unlock()
		return false, newError(ErrNotFound, "no project with id %q", id)
	}
	p := s.list[i]
	next := append(append([]Project(nil), s.list[:i]...), s.list[i+1:]...)
	if err := s.save(next); err != nil {
		s.mu.Unlock()
		return false, err
	}
	hooks := append([]func(context.Context, Project){}, s.onDelete...)
	s.mu.Unlock()

	cascaded = s.removeSessions(p.ID)
	for _, f := range hooks {
		f(ctx, p)
	}
	return cascaded, nil
}

// removeSessions deletes ${SESSION_DIR}/<id>/ when id is a UUID (ids from
// a hand-edited file could otherwise name "..", or the sessions root).
// Best effort, as in the reference: the project is gone either way.
func (s *Store) removeSessions(id string) bool {
	if s.opts.SessionDir == "" {
		return false
	}
	if _, err := uuid.Parse(id); err != nil || strings.ContainsAny(id, `/\.`) {
		return false
	}
	dir := filepath.Join(s.opts.SessionDir, id)
	if _, err := os.Lstat(dir); err != nil {
		return false
	}
	if err := os.RemoveAll(dir); err != nil {
		s.log.Warn("removing project sessions failed", "dir", dir, "error", err.Error())
		return false
	}
	return true
}

func (s *Store) index(id string) int {
	for i, p := range s.list {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// load reads projects.json once. Callers hold s.mu.
func (s *Store) load() error {
	if s.loaded {
		return nil
	}
	data, err := os.ReadFile(s.opts.File)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", s.opts.File, err)
	}
	s.list = parseFile(data)
	s.loaded = true
	return nil
}

// parseFile accepts whatever the reference accepts: a JSON array whose
// well-formed entries are projects. Anything else counts as no projects.
func parseFile(data []byte) []Project {
	var raw []json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	list := make([]Project, 0, len(raw))
	for _, r := range raw {
		var e struct {
			ID, Name, Path, CreatedAt *string
		}
		if json.Unmarshal(r, &e) != nil || e.ID == nil || e.Name == nil || e.Path == nil || e.CreatedAt == nil ||
			*e.ID == "" || *e.Path == "" {
			continue
		}
		list = append(list, Project{ID: *e.ID, Name: *e.Name, Path: *e.Path, CreatedAt: *e.CreatedAt})
	}
	return list
}

// save writes next and makes it current. Callers hold s.mu.
func (s *Store) save(next []Project) error {
	if next == nil {
		next = []Project{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // JSON.stringify does not escape <, >, &
	enc.SetIndent("", "  ")
	if err := enc.Encode(next); err != nil {
		return fmt.Errorf("encoding projects: %w", err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err := atomicfile.WriteFile(s.opts.File, data, 0o644); err != nil {
		return fmt.Errorf("saving projects: %w", err)
	}
	s.list = next
	return nil
}

// isoTime formats like JavaScript's Date.toISOString.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
