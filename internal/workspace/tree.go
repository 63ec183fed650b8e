package workspace

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// skipDirs are directory names the tree, @-completion, folder downloads
// and search leave out: build output and dependency caches nobody edits.
var skipDirs = map[string]bool{
	"node_modules": true, ".git": true, "dist": true, "build": true,
	"__pycache__": true, ".next": true, ".nuxt": true, "coverage": true,
	".vite": true, ".turbo": true, ".cache": true,
}

// SkipDir reports whether a directory with this name is left out of trees,
// completion, downloads and search.
func SkipDir(name string) bool { return skipDirs[name] }

// SkipDirNames lists the skipped directory names, sorted.
func SkipDirNames() []string {
	names := make([]string, 0, len(skipDirs))
	for n := range skipDirs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Tree depth limits (api-contract §1.7).
const (
	DefaultTreeDepth = 32
	MaxTreeDepth     = 32
)

// Node kinds.
const (
	KindFile      = "file"
	KindDirectory = "directory"
)

// TreeNode is one entry of GET /files/tree. Path is relative to the root
// with the OS separator ("" for the root). Children is set (possibly
// empty, sent as []) on directories that were read and nil on files;
// Truncated marks a directory that was not read (depth cap, unreadable,
// or a symlinked directory already listed).
type TreeNode struct {
	Name      string      `json:"name"`
	Path      string      `json:"path"`
	Type      string      `json:"type"`
	Children  []*TreeNode `json:"children,omitzero"`
	Truncated bool        `json:"truncated,omitempty"`
}

// ClampTreeDepth maps a requested depth to 1..32; 0 means the default.
func ClampTreeDepth(d int) int {
	switch {
	case d == 0:
		return DefaultTreeDepth
	case d < 1:
		return 1
	case d > MaxTreeDepth:
		return MaxTreeDepth
	}
	return d
}

// Tree lists the project, directories first, names sorted
// case-insensitively, down to maxDepth levels (clamped 1..32, 0 = 32).
// Symlinks that resolve inside the root are listed as their target's
// kind; others, and sockets, fifos and devices, are left out.
func (r *Root) Tree(maxDepth int) (*TreeNode, error) {
	if _, err := os.Stat(r.real); err != nil {
		return nil, fsError("tree", r.path, err)
	}
	w := treeWalker{root: r, maxDepth: ClampTreeDepth(maxDepth), linked: map[string]bool{r.real: true}}
	root := &TreeNode{Name: "", Path: "", Type: KindDirectory}
	w.fill(root, r.path, 0)
	return root, nil
}

type treeWalker struct {
	root     *Root
	maxDepth int
	// linked holds the realpaths of directories already expanded through
	// a symlink (and the root): each is expanded through a link at most
	// once, so links can not multiply the tree (two links to an ancestor
	// would otherwise double it at every level).
	linked map[string]bool
}

type treeEntry struct {
	node  *TreeNode
	abs   string
	real  string // realpath, set for directories reached through a link
	lower string
}

func (w *treeWalker) fill(node *TreeNode, dir string, depth int) {
	if depth >= w.maxDepth {
		node.Truncated = true
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		node.Truncated = true
		return
	}
	list := make([]treeEntry, 0, len(ents))
	for _, de := range ents {
		name := de.Name()
		abs := filepath.Join(dir, name)
		child := &TreeNode{Name: name, Path: joinRel(node.Path, name)}
		e := treeEntry{node: child, abs: abs, lower: strings.ToLower(name)}
		switch t := de.Type(); {
		case t.IsDir():
			if skipDirs[name] {
				continue
			}
			child.Type = KindDirectory
		case t.IsRegular():
			child.Type = KindFile
		case t&os.ModeSymlink != 0:
			real, isDir, ok := w.followLink(abs)
			if !ok || isDir && skipDirs[name] {
				continue
			}
			child.Type = KindFile
			if isDir {
				child.Type = KindDirectory
				e.real = real
			}
		default:
			continue
		}
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.node.Type != b.node.Type {
			return a.node.Type == KindDirectory
		}
		if a.lower != b.lower {
			return a.lower < b.lower
		}
		return a.node.Name < b.node.Name
	})
	node.Children = make([]*TreeNode, 0, len(list))
	for _, e := range list {
		node.Children = append(node.Children, e.node)
		if e.node.Type != KindDirectory {
			continue
		}
		if e.real != "" {
			if w.linked[e.real] {
				e.node.Truncated = true
				continue
			}
			w.linked[e.real] = true
		}
		w.fill(e.node, e.abs, depth+1)
	}
}

// followLink resolves a symlink found while listing: ok only when its
// realpath is inside the root and is a file or directory.
func (w *treeWalker) followLink(abs string) (real string, isDir, ok bool) {
	real, err := filepath.EvalSymlinks(abs)
	if err != nil || !within(w.root.real, real) {
		return "", false, false
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", false, false
	}
	switch {
	case st.IsDir():
		return real, true, true
	case st.Mode().IsRegular():
		return real, false, true
	}
	return "", false, false
}

func joinRel(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + string(filepath.Separator) + name
}
