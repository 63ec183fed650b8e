package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// within reports whether p equals dir or lies below it. Both are clean
// absolute paths.
func within(dir, p string) bool {
	if p == dir {
		return true
	}
	if dir == string(filepath.Separator) {
		return strings.HasPrefix(p, dir)
	}
	return strings.HasPrefix(p, dir+string(filepath.Separator))
}

// lexical turns a request path into a clean absolute path inside the root,
// without touching the disk. "" is the root.
func (r *Root) lexical(op, p string) (string, error) {
	if strings.IndexByte(p, 0) >= 0 {
		return "", newError(CodePathNotAllowed, op, "", "path contains a NUL byte")
	}
	var abs string
	if filepath.IsAbs(p) {
		abs = filepath.Clean(p)
	} else {
		abs = filepath.Join(r.path, p)
	}
	if !within(r.path, abs) {
		return "", newError(CodePathNotAllowed, op, p, "path is outside the project root")
	}
	return abs, nil
}

// resolved is a request path that passed the policy.
type resolved struct {
	lex    string // clean absolute path as requested (links not followed)
	real   string // realpath of the target, or of its deepest existing ancestor joined with the rest
	exists bool   // the full path exists (following links)
}

// resolve applies the full policy to p: lexical check, then the realpath
// of the deepest existing ancestor must be inside realpath(root). The
// final component is followed when it is a symlink.
func (r *Root) resolve(op, p string) (resolved, error) {
	lex, err := r.lexical(op, p)
	if err != nil {
		return resolved{}, err
	}
	return r.resolveLex(op, lex)
}

func (r *Root) resolveLex(op, lex string) (resolved, error) {
	cur := lex
	var rest []string // components below cur, innermost last
	for {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			if !within(r.real, real) {
				return resolved{}, newError(CodePathNotAllowed, op, lex, "path resolves outside the project root")
			}
			full := real
			for i := len(rest) - 1; i >= 0; i-- {
				full = filepath.Join(full, rest[i])
			}
			return resolved{lex: lex, real: full, exists: len(rest) == 0}, nil
		}
		if cur == r.path || !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return resolved{}, fsError(op, lex, err)
		}
		parent := filepath.Dir(cur)
		rest = append(rest, filepath.Base(cur))
		cur = parent
	}
}

// resolveEntry checks p for an operation on the entry itself (rename,
// move, delete): the parent must pass the full policy, the final
// component is not followed. It returns the entry's lexical path and its
// path under the parent's realpath.
func (r *Root) resolveEntry(op, p string) (resolved, error) {
	lex, err := r.lexical(op, p)
	if err != nil {
		return resolved{}, err
	}
	if lex == r.path {
		return resolved{}, newError(CodePathNotAllowed, op, lex, "the project root itself can not be changed")
	}
	parent, err := r.resolveLex(op, filepath.Dir(lex))
	if err != nil {
		return resolved{}, err
	}
	real := filepath.Join(parent.real, filepath.Base(lex))
	_, statErr := os.Lstat(real)
	return resolved{lex: lex, real: real, exists: statErr == nil}, nil
}

// validName checks a single path segment from the client (new file or
// folder name). Surrounding whitespace is trimmed, as the reference does.
func validName(op, name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\\\x00") {
		return "", newError(CodeInvalidName, op, name, "a name must be a single path segment")
	}
	if len(n) > 255 {
		return "", newError(CodeInvalidName, op, name, "name too long")
	}
	return n, nil
}

// splitRelative splits a client-supplied relative path (folder uploads)
// into validated segments. Absolute paths, NUL and ".." are traversal.
func splitRelative(op, rel string) ([]string, error) {
	if strings.IndexByte(rel, 0) >= 0 || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, "\\") || filepath.IsAbs(rel) {
		return nil, newError(CodePathNotAllowed, op, rel, "relative path escapes the target folder")
	}
	var parts []string
	for _, seg := range strings.FieldsFunc(rel, func(c rune) bool { return c == '/' || c == '\\' }) {
		if seg == ".." {
			return nil, newError(CodePathNotAllowed, op, rel, "relative path escapes the target folder")
		}
		if seg == "." {
			continue
		}
		n, err := validName(op, seg)
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	if len(parts) == 0 {
		return nil, newError(CodeInvalidName, op, rel, "empty relative path")
	}
	return parts, nil
}

// mkdirAll creates dir and its missing parents (all inside the root, as
// checked by the caller) and returns the directories it created, outermost
// first, so a failed request can remove them again.
func mkdirAll(op, dir string) ([]string, error) {
	var missing []string
	cur := dir
	for {
		st, err := os.Stat(cur)
		if err == nil {
			if !st.IsDir() {
				return nil, newError(CodeNotADirectory, op, cur, "a parent of the target is a file, not a directory")
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fsError(op, cur, err)
		}
		missing = append(missing, cur)
		parent := filepath.Dir(cur)
		if parent == cur {
			break
		}
		cur = parent
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		err := os.Mkdir(missing[i], 0o755)
		if err == nil {
			created = append(created, missing[i])
			continue
		}
		// EEXIST: made concurrently (fine if it is a directory) or a
		// dangling symlink (never create through one).
		if st, statErr := os.Lstat(missing[i]); errors.Is(err, fs.ErrExist) && statErr == nil && st.IsDir() {
			continue
		}
		removeDirs(created)
		if errors.Is(err, fs.ErrExist) {
			return nil, newError(CodePathNotAllowed, op, missing[i], "a parent of the target is a dangling link")
		}
		return nil, fsError(op, missing[i], err)
	}
	return created, nil
}

// removeDirs removes directories made by mkdirAll, innermost first, if
// they are still empty.
func removeDirs(created []string) {
	for i := len(created) - 1; i >= 0; i-- {
		_ = os.Remove(created[i])
	}
}
