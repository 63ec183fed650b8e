package workspace

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxCloneFolderName bounds the folderName of POST /projects/clone.
const MaxCloneFolderName = 100

// CloneTarget checks where POST /projects/clone may put a repository: r is
// the workspace root, parentPath an existing directory inside it and
// folderName a single segment. The target must be absent or an empty
// directory. It returns the target under realpath(parent), the form
// projects are stored in.
func (r *Root) CloneTarget(parentPath, folderName string) (string, error) {
	const op = "clone"
	name := strings.TrimSpace(folderName)
	if _, err := validName(op, name); err != nil || len(name) > MaxCloneFolderName {
		return "", newError(CodeInvalidDirectoryName, op, folderName, "folder name must be one path segment of at most 100 characters")
	}
	parent, err := r.resolve(op, parentPath)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(parent.real); err != nil || !st.IsDir() {
		return "", newError(CodeTargetNotADirectory, op, parent.lex, "parent path is not an existing directory")
	}
	target, err := r.resolveLex(op, filepath.Join(parent.lex, name))
	if err != nil {
		return "", err
	}
	st, err := os.Stat(target.real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return filepath.Join(parent.real, name), nil
	case err != nil:
		return "", fsError(op, target.lex, err)
	case !st.IsDir():
		return "", newError(CodeTargetNotADirectory, op, target.lex, "target exists and is not a directory")
	}
	empty, err := isEmptyDir(target.real)
	if err != nil {
		return "", fsError(op, target.lex, err)
	}
	if !empty {
		return "", newError(CodeTargetNotEmpty, op, target.lex, "target directory is not empty")
	}
	return target.real, nil
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	return false, err
}

// Contains reports whether path (absolute) is the root or inside it, by
// realpath of its deepest existing ancestor: the check for a project path
// or a clone target against WORKSPACE_PATH.
func (r *Root) Contains(path string) bool {
	_, err := r.resolve("contains", path)
	return err == nil
}

// Handoff runs the ownership hook for a path created outside the file
// API (a fresh clone), after checking it is inside the root.
func (r *Root) Handoff(path string) error {
	p, err := r.resolve("handoff", path)
	if err != nil {
		return err
	}
	return r.handoff("handoff", p.real)
}
