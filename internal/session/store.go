package session

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"
)

// SyncPolicy says when appends are flushed to stable storage with fsync.
//
// Every append is one write(2) of whole lines on a descriptor opened with
// O_APPEND, and returns only after the kernel accepted it. Data in the page
// cache survives the death of the process (kill -9, OOM kill, panic), so
// with any policy an entry whose append returned is on disk after the server
// restarts. fsync only matters when the machine itself loses power or the
// kernel crashes; the policy trades that window against throughput.
type SyncPolicy int

const (
	// SyncTurn (the default) fsyncs when a session file is created (and its
	// directory) and after every entry that ends or summarises a turn: an
	// assistant message, a compaction or a branch summary. Earlier entries
	// of the turn are flushed by the same fsync. After a power loss at most
	// the tool results of the turn in progress can be missing.
	SyncTurn SyncPolicy = iota
	// SyncAlways fsyncs after every append.
	SyncAlways
	// SyncNever leaves flushing to the kernel.
	SyncNever
)

// Options configures a Store.
type Options struct {
	// SessionDir is ${SESSION_DIR}: session files live in <SessionDir>/<projectId>/.
	SessionDir string
	// DataDir is ${FORGE_DATA_DIR}; archives go to <DataDir>/archived-sessions/.
	DataDir string
	// ListCacheFile keeps the session list's per-file summaries across
	// restarts ("" keeps them in memory only).
	ListCacheFile string
	// Sync is the fsync policy for appends.
	Sync SyncPolicy
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Rand is the source of session and entry ids; nil means crypto/rand.
	// Tests set a seeded reader to get reproducible files.
	Rand io.Reader
}

// Store creates, opens and finds session files under one session dir. It is
// safe for concurrent use. Live sessions must still have a single owner (the
// registry): two Sessions appending to one file would interleave their trees.
type Store struct {
	opts  Options
	cache *listCache
	// lists shares one listing between concurrent List calls of a project
	// (the start-up warm-up and the first sidebar request, say).
	lists singleflight.Group

	randMu sync.Mutex // Rand may be a reader that is not safe for concurrent use
}

// NewStore returns a store over opts.SessionDir.
func NewStore(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	return &Store{opts: opts, cache: newListCache(opts.ListCacheFile)}
}

// FlushListCache writes the list cache to Options.ListCacheFile now if it
// changed (it is otherwise saved a moment after each change). Call it at
// shutdown.
func (st *Store) FlushListCache() error { return st.cache.index.flush(st.cache) }

// Errors callers map to API codes.
var (
	ErrNotFound      = errors.New("session: not found")
	ErrEntryNotFound = errors.New("session: entry not found")
	ErrBadProjectID  = errors.New("session: invalid project id")
)

var projectIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ProjectDir returns <SessionDir>/<projectID>.
func (st *Store) ProjectDir(projectID string) (string, error) {
	if !projectIDPattern.MatchString(projectID) {
		return "", fmt.Errorf("%w: %q", ErrBadProjectID, projectID)
	}
	return filepath.Join(st.opts.SessionDir, projectID), nil
}

// CreateOptions are the optional parts of a new session.
type CreateOptions struct {
	// ParentSession is the absolute path of the session this one came from.
	ParentSession string
}

// Create starts a new session of projectID working in cwd. Nothing is
// written until the session holds an assistant message (pi's lazy write).
func (st *Store) Create(projectID, cwd string, co CreateOptions) (*Session, error) {
	dir, err := st.ProjectDir(projectID)
	if err != nil {
		return nil, err
	}
	return st.newSession(dir, cwd, co.ParentSession), nil
}

func (st *Store) newSession(dir, cwd, parentSession string) *Session {
	now := st.opts.Now()
	id := st.newSessionID(now)
	ts := isoTime(now)
	h := Header{Version: CurrentVersion, ID: id, Timestamp: ts, Cwd: cwd, ParentSession: parentSession}
	h.raw = encodeHeader(&h)
	s := newSessionState(st)
	s.header = h
	s.path = filepath.Join(dir, fileStamp(ts)+"_"+id+".jsonl")
	return s
}

// Open loads the session file at path. A missing file gives a fresh session
// that will be written at exactly that path. Files older than version 3 are
// migrated and rewritten at once, as pi does.
func (st *Store) Open(path string) (*Session, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("session: open %s: %w", path, err)
	}
	s := newSessionState(st)
	s.path = path
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// random fills b from the store's random source.
func (st *Store) random(b []byte) error {
	st.randMu.Lock()
	defer st.randMu.Unlock()
	_, err := io.ReadFull(st.opts.Rand, b)
	return err
}

// newSessionID returns a UUID v7 (time-ordered, as current pi uses) built
// from the store's clock and random source.
func (st *Store) newSessionID(now time.Time) string {
	var u uuid.UUID
	if err := st.random(u[6:]); err != nil {
		return uuid.NewString()
	}
	ms := uint64(now.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// newEntryID returns 8 random hex characters not taken yet, retrying on
// collision like pi (100 tries, then a full UUID).
func (st *Store) newEntryID(taken func(string) bool) string {
	var b [4]byte
	for range 100 {
		if err := st.random(b[:]); err != nil {
			break
		}
		id := hex.EncodeToString(b[:])
		if !taken(id) {
			return id
		}
	}
	return uuid.NewString()
}

// syncDir fsyncs a directory so a file created in it survives power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
