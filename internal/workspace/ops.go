package workspace

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// MaxReadBytes caps GET /files/read; larger files are file_too_large.
const MaxReadBytes = 5 << 20

// binarySniffBytes is how much of a file the NUL-byte test looks at (the
// same window git uses).
const binarySniffBytes = 8000

// ReadResult is GET /files/read. Path is the absolute path as requested;
// a binary file has Binary set and empty Content.
type ReadResult struct {
	Path     string `json:"path"`
	Content  string `json:"content"`
	Size     int64  `json:"size"`
	Language string `json:"language"`
	Binary   bool   `json:"binary"`
}

// LooksBinary reports whether data holds a NUL byte in its first 8000
// bytes.
func LooksBinary(data []byte) bool {
	if len(data) > binarySniffBytes {
		data = data[:binarySniffBytes]
	}
	return bytes.IndexByte(data, 0) >= 0
}

// Read returns a text file's content, up to MaxReadBytes.
func (r *Root) Read(path string) (*ReadResult, error) {
	const op = "read"
	p, err := r.resolve(op, path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p.real)
	if err != nil {
		return nil, fsError(op, p.lex, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fsError(op, p.lex, err)
	}
	if !st.Mode().IsRegular() {
		return nil, newError(CodeNotAFile, op, p.lex, "target is not a regular file")
	}
	if st.Size() > MaxReadBytes {
		return nil, newError(CodeFileTooLarge, op, p.lex, "file is larger than the 5 MiB read limit")
	}
	// Read at most one byte past the cap: the file may grow after Stat.
	data, err := io.ReadAll(io.LimitReader(f, MaxReadBytes+1))
	if err != nil {
		return nil, fsError(op, p.lex, err)
	}
	if len(data) > MaxReadBytes {
		return nil, newError(CodeFileTooLarge, op, p.lex, "file is larger than the 5 MiB read limit")
	}
	res := &ReadResult{Path: p.lex, Size: int64(len(data)), Language: Language(p.lex)}
	if LooksBinary(data) {
		res.Binary = true
	} else {
		res.Content = string(data)
	}
	return res, nil
}

// Write replaces (or creates) a file atomically: missing parents are made,
// the content goes to a temp file in the same directory that is fsynced and
// renamed over the target, and an existing file keeps its mode. Writing
// through a symlink inside the root updates the link's target.
func (r *Root) Write(path string, content []byte) (string, error) {
	const op = "write"
	p, err := r.resolve(op, path)
	if err != nil {
		return "", err
	}
	if p.lex == r.path {
		return "", newError(CodeNotAFile, op, p.lex, "target is a directory, not a file")
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(p.real); err == nil {
		if !st.Mode().IsRegular() {
			return "", newError(CodeNotAFile, op, p.lex, "target is not a regular file")
		}
		perm = st.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
		return "", fsError(op, p.lex, err)
	}
	created, err := mkdirAll(op, filepath.Dir(p.real))
	if err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(p.real, content, perm); err != nil {
		removeDirs(created)
		return "", fsError(op, p.lex, err)
	}
	if err := r.handoff(op, p.real); err != nil {
		return "", err
	}
	return p.lex, nil
}

// Mkdir creates the directory name inside parentPath (made if missing).
// An existing entry of that name is target_exists.
func (r *Root) Mkdir(parentPath, name string) (string, error) {
	const op = "mkdir"
	n, err := validName(op, name)
	if err != nil {
		return "", err
	}
	parent, err := r.resolve(op, parentPath)
	if err != nil {
		return "", err
	}
	target := filepath.Join(parent.real, n)
	if _, err := os.Lstat(target); err == nil {
		return "", newError(CodeTargetExists, op, target, "destination already exists")
	}
	created, err := mkdirAll(op, parent.real)
	if err != nil {
		return "", err
	}
	if err := os.Mkdir(target, 0o755); err != nil {
		removeDirs(created)
		return "", fsError(op, target, err)
	}
	if err := r.handoff(op, target); err != nil {
		_ = os.Remove(target)
		removeDirs(created)
		return "", err
	}
	return filepath.Join(parent.lex, n), nil
}

// Rename gives the entry at path a new name in the same directory. A
// case-only rename works on case-insensitive filesystems too.
func (r *Root) Rename(path, name string) (string, error) {
	const op = "rename"
	n, err := validName(op, name)
	if err != nil {
		return "", err
	}
	src, err := r.resolveEntry(op, path)
	if err != nil {
		return "", err
	}
	srcInfo, err := os.Lstat(src.real)
	if err != nil {
		return "", fsError(op, src.lex, err)
	}
	dest := filepath.Join(filepath.Dir(src.real), n)
	destLex := filepath.Join(filepath.Dir(src.lex), n)
	if dest == src.real {
		return destLex, nil
	}
	if destInfo, err := os.Lstat(dest); err == nil {
		if !os.SameFile(srcInfo, destInfo) {
			return "", newError(CodeTargetExists, op, destLex, "destination already exists")
		}
		// Same inode under another spelling: a case-only rename on a
		// case-insensitive filesystem. Go through a temp name.
		if err := caseRename(src.real, dest); err != nil {
			return "", fsError(op, src.lex, err)
		}
	} else if err := os.Rename(src.real, dest); err != nil {
		return "", fsError(op, src.lex, err)
	}
	if err := r.handoff(op, dest); err != nil {
		return "", err
	}
	return destLex, nil
}

func caseRename(src, dest string) error {
	tmp := src + ".casefix-" + randomSuffix()
	if err := os.Rename(src, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		_ = os.Rename(tmp, src)
		return err
	}
	return nil
}

// Move moves the entry at src to dest (a full path). Moving a directory
// into itself is invalid_name; an existing dest is target_exists.
func (r *Root) Move(srcPath, destPath string) (string, error) {
	const op = "move"
	src, err := r.resolveEntry(op, srcPath)
	if err != nil {
		return "", err
	}
	dest, err := r.resolveEntry(op, destPath)
	if err != nil {
		return "", err
	}
	st, err := os.Lstat(src.real)
	if err != nil {
		return "", fsError(op, src.lex, err)
	}
	if st.IsDir() && (within(src.real, dest.real) || within(src.lex, dest.lex)) {
		return "", newError(CodeInvalidName, op, dest.lex, "can not move a directory into itself")
	}
	if dest.exists {
		return "", newError(CodeTargetExists, op, dest.lex, "destination already exists")
	}
	created, err := mkdirAll(op, filepath.Dir(dest.real))
	if err != nil {
		return "", err
	}
	if err := os.Rename(src.real, dest.real); err != nil {
		removeDirs(created)
		return "", fsError(op, src.lex, err)
	}
	if err := r.handoff(op, dest.real); err != nil {
		return "", err
	}
	return dest.lex, nil
}

// Delete removes a file, a symlink or an empty directory; a non-empty
// directory only when recursive is set. The root itself is refused.
func (r *Root) Delete(path string, recursive bool) error {
	const op = "delete"
	p, err := r.resolveEntry(op, path)
	if err != nil {
		return err
	}
	st, err := os.Lstat(p.real)
	if err != nil {
		return fsError(op, p.lex, err)
	}
	if st.IsDir() && recursive {
		return fsError(op, p.lex, os.RemoveAll(p.real))
	}
	if err := os.Remove(p.real); err != nil {
		if st.IsDir() && (errors.Is(err, fs.ErrExist) || isNotEmpty(err)) {
			return newError(CodeDirectoryNotEmpty, op, p.lex, "directory is not empty; delete recursively to remove it")
		}
		return fsError(op, p.lex, err)
	}
	return nil
}

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
