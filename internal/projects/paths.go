package projects

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Error is a failure with a stable API code. Match kinds with errors.Is
// against the Err* values.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Is matches errors of the same kind (code).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Kinds of failure.
var (
	ErrNotFound         = &Error{Code: "project_not_found"}
	ErrPathNotAllowed   = &Error{Code: "path_not_allowed"}
	ErrNotADirectory    = &Error{Code: "not_a_directory"}
	ErrInvalidName      = &Error{Code: "invalid_name"}
	ErrInvalidOrder     = &Error{Code: "invalid_project_order"}
	ErrDuplicatePath    = &Error{Code: "duplicate_path"}
	ErrInvalidDirName   = &Error{Code: "invalid_directory_name"}
	ErrAlreadyExists    = &Error{Code: "already_exists"}
	errWorkspaceMissing = errors.New("workspace directory is missing")
)

func newError(kind *Error, format string, args ...any) *Error {
	return &Error{Code: kind.Code, Message: fmt.Sprintf(format, args...)}
}

// workspaceReal is realpath(WORKSPACE_PATH).
func (s *Store) workspaceReal() (string, error) {
	real, err := filepath.EvalSymlinks(s.opts.Workspace)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errWorkspaceMissing, err)
	}
	return real, nil
}

// within reports whether path is dir or below it (both clean, absolute).
func within(dir, path string) bool {
	if path == dir {
		return true
	}
	return strings.HasPrefix(path, dir+string(filepath.Separator)) || dir == string(filepath.Separator)
}

// absolute resolves p against the workspace and cleans it; NUL bytes are
// refused (the OS would cut the path short).
func (s *Store) absolute(p string) (string, error) {
	if strings.IndexByte(p, 0) >= 0 {
		return "", newError(ErrPathNotAllowed, "the path contains a NUL byte")
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.opts.Workspace, p)
	}
	return filepath.Clean(p), nil
}

// projectDir checks a path for a new project: its realpath must be a
// directory strictly inside realpath(workspace). The workspace root itself
// is refused: a project there would contain every other project and the
// session store.
func (s *Store) projectDir(path string) (string, error) {
	abs, err := s.absolute(path)
	if err != nil {
		return "", err
	}
	ws, err := s.workspaceReal()
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if !within(filepath.Clean(s.opts.Workspace), abs) && !within(ws, abs) {
			return "", newError(ErrPathNotAllowed, "%s is outside the workspace %s", abs, s.opts.Workspace)
		}
		return "", newError(ErrNotADirectory, "%s does not exist", abs)
	}
	if !within(ws, real) {
		return "", newError(ErrPathNotAllowed, "%s is outside the workspace %s", real, s.opts.Workspace)
	}
	if real == ws {
		return "", newError(ErrPathNotAllowed, "the workspace root itself cannot be a project; pick or create a folder inside it")
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", newError(ErrNotADirectory, "%s is not a directory", abs)
	}
	return real, nil
}

// pickerDir checks a folder-picker path: lexically inside the workspace
// and, unlike the reference (lexical only), with its realpath inside too,
// so a symlink in the workspace cannot list folders outside it.
func (s *Store) pickerDir(path string) (string, error) {
	if path == "" {
		path = s.opts.Workspace
	}
	abs, err := s.absolute(path)
	if err != nil {
		return "", err
	}
	if !within(filepath.Clean(s.opts.Workspace), abs) {
		return "", newError(ErrPathNotAllowed, "%s is outside the workspace %s", abs, s.opts.Workspace)
	}
	ws, err := s.workspaceReal()
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", newError(ErrNotADirectory, "%s does not exist", abs)
	}
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", abs, err)
	}
	if !within(ws, real) {
		return "", newError(ErrPathNotAllowed, "%s leads outside the workspace", abs)
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", newError(ErrNotADirectory, "%s is not a directory", abs)
	}
	return abs, nil
}

// Listing is one folder-picker page.
type Listing struct {
	Path       string  `json:"path"`
	ParentPath *string `json:"parentPath" doc:"null at the workspace root"`
	Entries    []Entry `json:"entries"`
}

// Entry is one subfolder in a Listing.
type Entry struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	IsGitRepo bool   `json:"isGitRepo"`
}

// Browse lists the non-hidden subfolders of path (default: the
// workspace), sorted by name.
func (s *Store) Browse(path string) (Listing, error) {
	dir, err := s.pickerDir(path)
	if err != nil {
		return Listing{}, err
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return Listing{}, fmt.Errorf("listing %s: %w", dir, err)
	}
	ws, err := s.workspaceReal()
	if err != nil {
		return Listing{}, err
	}
	out := Listing{Path: dir, Entries: []Entry{}}
	if dir != filepath.Clean(s.opts.Workspace) {
		parent := filepath.Dir(dir)
		out.ParentPath = &parent
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		full := filepath.Join(dir, de.Name())
		if !isDirInside(full, ws) {
			continue
		}
		_, gitErr := os.Lstat(filepath.Join(full, ".git"))
		out.Entries = append(out.Entries, Entry{Name: de.Name(), Path: full, IsGitRepo: gitErr == nil})
	}
	sort.Slice(out.Entries, func(i, j int) bool { return out.Entries[i].Name < out.Entries[j].Name })
	return out, nil
}

// isDirInside: a directory, or a symlink to one, that stays in the workspace.
func isDirInside(path, wsReal string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil || !within(wsReal, real) {
		return false
	}
	fi, err := os.Stat(real)
	return err == nil && fi.IsDir()
}

// Mkdir creates the folder name inside parent (both checked like Browse)
// and returns its path.
func (s *Store) Mkdir(parent, name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") {
		return "", newError(ErrInvalidDirName, "a folder name is one path segment without /, \\ or NUL, and not . or ..")
	}
	dir, err := s.pickerDir(parent)
	if err != nil {
		return "", err
	}
	full := filepath.Join(dir, name)
	if err := os.Mkdir(full, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", newError(ErrAlreadyExists, "%s already exists", full)
		}
		return "", fmt.Errorf("creating %s: %w", full, err)
	}
	return full, nil
}
