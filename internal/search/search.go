// Package search finds text in a project's files for GET /files/search:
// ripgrep (--json) when it is installed, else a Go walk that gives the same
// results under the same rules and limits.
//
// Rules shared by both engines:
//   - .gitignore (inside a git repository), .ignore and .rgignore files are
//     honoured, including those of parent folders up to the repository
//     root, as is .git/info/exclude; hidden files and folders are skipped;
//     so are the workspace's skipped folders (node_modules, dist, ...).
//     includeGitignored lifts all of that (ripgrep -uu). .git is never
//     searched, symlinks are never followed.
//   - include and exclude are single globs with gitignore meaning (no "/":
//     the file name at any depth; with "/": a path from the project root).
//     They narrow what the rules above let through; unlike ripgrep's own
//     --glob, an include never brings back an ignored or hidden file.
//   - Files over 5 MiB, and files holding a NUL byte, are skipped.
//   - Matching is per line; every match on a line is its own result.
//     Patterns that could only match across lines are refused, as ripgrep
//     refuses them.
//   - line and column are 1-based; column and length count UTF-16 code
//     units, the unit of the browser's editor. (ripgrep reports byte
//     offsets; the reference passed them on unchanged as columns, which
//     was wrong for any line with non-ASCII text before the match.)
//   - Results are sorted by path, line and column. At most limit results
//     come back; truncated says more existed or the 30 s budget ran out.
//
// The fallback reports engine "node", the reference's name for its
// in-process fallback, so existing clients keep showing their badge. Go's
// regexp (RE2) runs in linear time, so unlike the reference the fallback
// supports regex searches too. Known differences: the fallback's \w, \d,
// \s and \b are ASCII-only where ripgrep's are Unicode-aware, and ripgrep
// may still report matches that precede a NUL byte far into a large file.
package search

import (
	"context"
	"net/http"
	"os/exec"
	"sort"
	"time"

	"github.com/pi-forge/pi-forge/internal/proc"
)

// Engines, as reported in Result.Engine.
const (
	EngineRipgrep = "ripgrep"
	EngineGo      = "node" // wire name kept from the reference's fallback
)

// Limits (api-contract §1.7).
const (
	DefaultLimit    = 200
	MaxLimit        = 1000
	MaxPatternBytes = 1024
	MaxGlobBytes    = 256
	MaxFileBytes    = 5 << 20
	DefaultTimeout  = 30 * time.Second
	maxSnippetBytes = 2000
)

// Query is one search request.
type Query struct {
	Pattern           string
	Regex             bool
	CaseSensitive     bool
	IncludeGitignored bool
	Include, Exclude  string
	Limit             int // clamped 1..1000; 0 is 200
}

// Match is one hit.
type Match struct {
	Path        string `json:"path"` // relative to the root, "/"-separated
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Length      int    `json:"length"`
	LineSnippet string `json:"lineSnippet"` // the line, cut at 2000 bytes
}

// Result is the GET /files/search response.
type Result struct {
	Engine    string  `json:"engine"`
	Truncated bool    `json:"truncated"`
	Matches   []Match `json:"matches"`
}

// Options configure a Searcher.
type Options struct {
	Ripgrep        string        // path to rg; "" looks it up in PATH
	DisableRipgrep bool          // always use the Go engine
	Timeout        time.Duration // default 30 s
	Workers        int           // Go engine file readers; default 16
}

// Searcher runs searches. It is safe for concurrent use.
type Searcher struct {
	launcher *proc.Launcher
	rg       string // "" when ripgrep is not used
	timeout  time.Duration
	workers  int
}

// New returns a Searcher that starts ripgrep through l (as a server
// helper: it runs no code of the project's choosing, --no-config keeps
// RIPGREP_CONFIG_PATH out); it uses ripgrep when it can find it.
func New(l *proc.Launcher, opts Options) *Searcher {
	s := &Searcher{launcher: l, timeout: opts.Timeout, workers: opts.Workers}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.workers <= 0 {
		s.workers = 16
	}
	if !opts.DisableRipgrep {
		name := opts.Ripgrep
		if name == "" {
			name = "rg"
		}
		if p, err := exec.LookPath(name); err == nil {
			s.rg = p
		}
	}
	return s
}

// Engine names the engine searches will use.
func (s *Searcher) Engine() string {
	if s.rg != "" {
		return EngineRipgrep
	}
	return EngineGo
}

// Code is a stable error code.
type Code string

// Search error codes.
const (
	CodeInvalidQuery Code = "invalid_query" // 400: empty or too long pattern or glob, a pattern spanning lines
	CodeInvalidRegex Code = "invalid_regex" // 400
	CodeInvalidGlob  Code = "invalid_glob"  // 400
	CodeFailed       Code = "search_failed" // 500
)

// Error is a search failure with a message safe for the client.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := "search: " + string(e.Code) + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status for the error.
func (e *Error) Status() int {
	if e.Code == CodeFailed {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// APIError is what a handler sends: status, stable code, client-safe
// message (see workspace.Error.APIError).
func (e *Error) APIError() (status int, code, message string) {
	return e.Status(), string(e.Code), e.Message
}

// Search searches the project at root (an absolute directory the caller
// has already checked).
func (s *Searcher) Search(ctx context.Context, root string, q Query) (Result, error) {
	plan, err := compile(q)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var res Result
	if s.rg != "" {
		res, err = s.ripgrep(ctx, root, plan)
	} else {
		res, err = s.walk(ctx, root, plan)
	}
	if err != nil {
		return Result{}, err
	}
	sort.Slice(res.Matches, func(i, j int) bool {
		a, b := res.Matches[i], res.Matches[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	if res.Matches == nil {
		res.Matches = []Match{}
	}
	return res, nil
}

// collector gathers matches up to the limit, from any goroutine.
type collector struct {
	limit     int
	matches   []Match
	truncated bool
}

// add keeps m if there is room; it returns false once the limit is
// exceeded (the search can stop).
func (c *collector) add(m Match) bool {
	if len(c.matches) >= c.limit {
		c.truncated = true
		return false
	}
	c.matches = append(c.matches, m)
	return true
}
