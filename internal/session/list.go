package session

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// Info describes one session file for the sidebar, read without loading the
// session.
type Info struct {
	ID            string
	ProjectID     string
	Path          string // absolute JSONL path
	Cwd           string
	Name          string
	ParentSession string // header parentSession (forks)
	// ParentSessionID and RunID are set for pi-subagents children, stored
	// under <parent basename>/[<runId>/...]/<child>.jsonl.
	ParentSessionID string
	RunID           string
	CreatedAt       time.Time
	LastActivityAt  time.Time // newest user/assistant message, else CreatedAt, else mtime
	MessageCount    int
	FirstMessage    string // "(no messages)" when there is none, as pi shows it
}

// subagentArtifacts is a pi-subagents directory that holds no sessions.
const subagentArtifacts = "subagent-artifacts"

// maxChildDepth bounds the walk under a parent's sibling directory.
const maxChildDepth = 4

// List returns projectID's sessions, pi-subagents children included, newest
// activity first. A missing project dir is an empty list. Files are
// summarised in parallel and cached by (path, size, mtime), so listing again
// costs a directory read and a stat per file. Concurrent calls for one
// project share the work.
func (st *Store) List(projectID string) ([]Info, error) {
	v, err, shared := st.lists.Do(projectID, func() (any, error) { return st.list(projectID) })
	if err != nil {
		return nil, err
	}
	if shared {
		return slices.Clone(v.([]Info)), nil
	}
	return v.([]Info), nil
}

func (st *Store) list(projectID string) ([]Info, error) {
	dir, err := st.ProjectDir(projectID)
	if err != nil {
		return nil, err
	}
	files, err := projectFiles(dir)
	if err != nil {
		return nil, err
	}
	infos := make([]Info, len(files))
	ok := make([]bool, len(files))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	for i, f := range files {
		g.Go(func() error {
			sum, mtime, err := st.cache.summary(f.path)
			if err != nil || !sum.valid {
				return nil // a vanished or foreign file is not a session
			}
			infos[i], ok[i] = info(projectID, f, sum, mtime), true
			return nil
		})
	}
	_ = g.Wait()
	st.cache.prune(dir, files)
	out := make([]Info, 0, len(files))
	for i := range infos {
		if ok[i] {
			out = append(out, infos[i])
		}
	}
	resolveParents(out)
	slices.SortStableFunc(out, func(a, b Info) int { return b.LastActivityAt.Compare(a.LastActivityAt) })
	return out, nil
}

// sessionFile is a JSONL file found under a project dir.
type sessionFile struct {
	path      string
	parentDir string // for children: the name of the <parent basename> dir
	runID     string
}

// projectFiles lists dir's top-level *.jsonl files and the children under
// each <basename>/ directory (depth <= 4, subagent-artifacts skipped).
func projectFiles(dir string) ([]sessionFile, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session: list %s: %w", dir, err)
	}
	var out []sessionFile
	for _, e := range ents {
		name := e.Name()
		switch {
		case e.Type().IsRegular() && strings.HasSuffix(name, ".jsonl"):
			out = append(out, sessionFile{path: filepath.Join(dir, name)})
		case e.IsDir() && name != subagentArtifacts:
			root := filepath.Join(dir, name)
			walkChildren(root, root, 0, func(p, runID string) {
				out = append(out, sessionFile{path: p, parentDir: name, runID: runID})
			})
		}
	}
	return out, nil
}

func walkChildren(root, dir string, depth int, found func(path, runID string)) {
	if depth > maxChildDepth {
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return // an unreadable child dir must not break the list
	}
	runID, _ := filepath.Rel(root, dir)
	if runID == "." {
		runID = ""
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".jsonl") {
			found(p, filepath.ToSlash(runID))
		} else if e.IsDir() {
			walkChildren(root, p, depth+1, found)
		}
	}
}

func info(projectID string, f sessionFile, s summary, mtime time.Time) Info {
	in := Info{ID: s.id, ProjectID: projectID, Path: f.path, Cwd: s.cwd, Name: s.name, ParentSession: s.parentSession,
		RunID: f.runID, MessageCount: s.messageCount, FirstMessage: cmp.Or(s.firstMessage, "(no messages)")}
	in.ParentSessionID = f.parentDir // resolved to an id by resolveParents
	if t, err := time.Parse(time.RFC3339Nano, s.created); err == nil {
		in.CreatedAt = t
	}
	switch {
	case s.lastActivity > 0:
		in.LastActivityAt = time.UnixMilli(s.lastActivity).UTC()
	case !in.CreatedAt.IsZero():
		in.LastActivityAt = in.CreatedAt
	default:
		in.LastActivityAt = mtime
	}
	return in
}

// resolveParents maps each child's <basename> directory to the id of the
// top-level session with that file name; a dir without one keeps its name.
func resolveParents(infos []Info) {
	byBase := map[string]string{}
	for _, in := range infos {
		if in.ParentSessionID == "" {
			byBase[strings.TrimSuffix(filepath.Base(in.Path), ".jsonl")] = in.ID
		}
	}
	for i := range infos {
		if p := infos[i].ParentSessionID; p != "" {
			infos[i].ParentSessionID = cmp.Or(byBase[p], p)
		}
	}
}

// Location is where a session file lives.
type Location struct {
	ProjectID       string
	Path            string
	ParentSessionID string // set for pi-subagents children
	RunID           string
}

// Locate finds the file of session id in any project dir. Top-level files
// are matched by name (<ts>_<id>.jsonl) first; otherwise headers are read
// (children are named after their run, not their id).
func (st *Store) Locate(id string) (Location, error) {
	projects, err := os.ReadDir(st.opts.SessionDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Location{}, fmt.Errorf("session: locate %s: %w", id, err)
	}
	suffix := "_" + id + ".jsonl"
	var candidates []Location
	for _, p := range projects {
		if !p.IsDir() || !projectIDPattern.MatchString(p.Name()) {
			continue
		}
		files, err := projectFiles(filepath.Join(st.opts.SessionDir, p.Name()))
		if err != nil {
			continue
		}
		for _, f := range files {
			loc := Location{ProjectID: p.Name(), Path: f.path, ParentSessionID: f.parentDir, RunID: f.runID}
			if f.parentDir == "" && strings.HasSuffix(f.path, suffix) && st.headerID(f.path) == id {
				return st.withParentID(loc), nil
			}
			candidates = append(candidates, loc)
		}
	}
	for _, loc := range candidates {
		if st.headerID(loc.Path) == id {
			return st.withParentID(loc), nil
		}
	}
	return Location{}, fmt.Errorf("%w: %s", ErrNotFound, id)
}

// withParentID resolves a child's parent dir name to the parent's id.
func (st *Store) withParentID(loc Location) Location {
	if loc.ParentSessionID == "" {
		return loc
	}
	parent := filepath.Join(st.opts.SessionDir, loc.ProjectID, loc.ParentSessionID+".jsonl")
	if id := st.headerID(parent); id != "" {
		loc.ParentSessionID = id
	}
	return loc
}

// headerID returns the id in the file's header ("" if it has none).
func (st *Store) headerID(path string) string {
	s, _, err := st.cache.summary(path)
	if err != nil || !s.valid {
		return ""
	}
	return s.id
}

// listCache remembers file summaries by path, valid while size and mtime
// stay the same.
type listCache struct {
	mu    sync.Mutex
	files map[string]cachedSummary
	bufs  sync.Pool // *[]byte read buffers
	index listIndex // the copy on disk
}

// buffer returns a pooled buffer of at least n bytes.
func (c *listCache) buffer(n int) *[]byte {
	if b, ok := c.bufs.Get().(*[]byte); ok && cap(*b) >= n {
		return b
	}
	b := make([]byte, n)
	return &b
}

type cachedSummary struct {
	size  int64
	mtime time.Time
	sum   summary
}

// newListCache returns a cache kept in indexPath too ("" for memory only).
func newListCache(indexPath string) *listCache {
	return &listCache{files: map[string]cachedSummary{}, index: listIndex{path: indexPath}}
}

func (c *listCache) summary(path string) (summary, time.Time, error) {
	c.index.load(c)
	c.mu.Lock()
	cs, cached := c.files[path]
	c.mu.Unlock()
	if cached {
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			return summary{}, time.Time{}, &fs.PathError{Op: "stat", Path: path, Err: err}
		}
		if cs.size == st.Size && cs.mtime.Equal(time.Unix(st.Mtim.Unix())) {
			return cs.sum, cs.mtime, nil
		}
	}
	data, mtime, buf, err := c.read(path)
	if err != nil {
		return summary{}, time.Time{}, err
	}
	defer c.bufs.Put(buf)
	sum := summarize(data) // keeps no reference to data
	c.mu.Lock()
	c.files[path] = cachedSummary{size: int64(len(data)), mtime: mtime, sum: sum}
	c.mu.Unlock()
	c.index.changed(c)
	return sum, mtime, nil
}

// read returns a file's bytes in a pooled buffer (put it back when done)
// and its mtime. A cold list reads thousands of small files, so this is
// open, fstat, read, close as raw syscalls: os.Open's poller registration
// and finalizer were a quarter of the cost.
func (c *listCache) read(path string) (data []byte, mtime time.Time, buf *[]byte, err error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, time.Time{}, nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, time.Time{}, nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	buf = c.buffer(int(st.Size))
	data = (*buf)[:st.Size]
	n := 0
	for n < len(data) {
		m, err := unix.Read(fd, data[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			c.bufs.Put(buf)
			return nil, time.Time{}, nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break // the file shrank since fstat
		}
		n += m
	}
	return data[:n], time.Unix(st.Mtim.Unix()), buf, nil
}

// forget drops one file, and everything under its sibling dir.
func (c *listCache) forget(path string) {
	prefix := strings.TrimSuffix(path, ".jsonl") + string(filepath.Separator)
	c.mu.Lock()
	defer c.index.changed(c)
	defer c.mu.Unlock()
	for p := range c.files {
		if p == path || strings.HasPrefix(p, prefix) {
			delete(c.files, p)
		}
	}
}

// prune forgets files under dir that are gone.
func (c *listCache) prune(dir string, present []sessionFile) {
	keep := make(map[string]bool, len(present))
	for _, f := range present {
		keep[f.path] = true
	}
	prefix := dir + string(filepath.Separator)
	gone := 0
	c.mu.Lock()
	for p := range c.files {
		if strings.HasPrefix(p, prefix) && !keep[p] {
			delete(c.files, p)
			gone++
		}
	}
	c.mu.Unlock()
	if gone > 0 {
		c.index.changed(c)
	}
}
