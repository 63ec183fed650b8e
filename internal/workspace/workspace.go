// Package workspace is the only code that touches project files: every path
// is checked against the project root (lexically, then by realpath) before
// any read, write, listing, upload or download.
//
// Path policy (api-contract §5.2): a path is resolved against the root
// (absolute paths as given, relative ones against the root), must stay
// inside it lexically, and the realpath of its deepest existing ancestor
// must be inside realpath(root). NUL bytes, traversal and symlink escapes
// fail with path_not_allowed. Operations on an entry itself (rename, move,
// delete) check its parent that way and do not follow the final symlink, so
// a link pointing outside the project can be removed but never read
// through.
//
// Files are never opened with O_CREATE unless O_EXCL is also set, so a
// dangling symlink can not redirect a create outside the root. The check
// and the use are separate system calls (a TOCTOU window an attacker with
// shell access to the project could race); pi-forge is single-tenant and
// that attacker can already run commands, so we accept it, as the
// reference does. os.Root would close the window but refuses absolute
// symlinks even when they point inside the project, which real projects
// have.
package workspace

import (
	"os"
	"path/filepath"
	"strings"
)

// Handoff gives a path the workspace just created or rewrote to the agent
// tool identity (sandbox mode, features §3 "Write handoff"): the hook owns
// the chown/chmod order and the parent chain from root down to path. It is
// nil in normal mode.
type Handoff func(root, path string) error

// Options configure an FS. The zero value is usable.
type Options struct {
	Handoff Handoff
	Upload  UploadLimits // zero fields take the contract's defaults
}

// FS hands out project roots. It is safe for concurrent use.
type FS struct {
	handoff Handoff
	upload  UploadLimits
}

// New returns an FS with the given options.
func New(opts Options) *FS {
	return &FS{handoff: opts.Handoff, upload: opts.Upload.withDefaults()}
}

// Root is one project directory, the boundary of every operation made
// through it. Make one per request: it captures realpath(root) once.
type Root struct {
	fs   *FS
	path string // absolute, clean (the stored project path)
	real string // realpath(path)
}

// Root opens the project directory at path (absolute). A missing root is
// not_found; a file is not_a_directory.
func (w *FS) Root(path string) (*Root, error) {
	const op = "root"
	if strings.IndexByte(path, 0) >= 0 || !filepath.IsAbs(path) {
		return nil, newError(CodePathNotAllowed, op, path, "project root must be an absolute path")
	}
	clean := filepath.Clean(path)
	real, err := filepath.EvalSymlinks(clean)
	if err != nil {
		return nil, fsError(op, clean, err)
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, fsError(op, clean, err)
	}
	if !st.IsDir() {
		return nil, newError(CodeNotADirectory, op, clean, "project root is not a directory")
	}
	return &Root{fs: w, path: clean, real: real}, nil
}

// Path is the root's absolute path as opened.
func (r *Root) Path() string { return r.path }

// handoff runs the ownership hook for p, if one is set.
func (r *Root) handoff(op, p string) error {
	if r.fs.handoff == nil {
		return nil
	}
	if err := r.fs.handoff(r.path, p); err != nil {
		return wrapf(op, p, "ownership handoff: %w", err)
	}
	return nil
}

// Rel returns p (absolute, inside the root) relative to the root with the
// OS separator, "" for the root itself.
func (r *Root) Rel(p string) string {
	rel, err := filepath.Rel(r.path, p)
	if err != nil || rel == "." {
		return ""
	}
	return rel
}
