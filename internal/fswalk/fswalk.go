// Package fswalk walks a directory tree the way ripgrep, fd or pi's
// resource loader do: which ignore files count and how they rank, hidden
// entries, symbolic links.
package fswalk

import (
	"io/fs"
	"os"
)

// Rules are one program's ignore files: their names, how they rank, and
// where they count.
type Rules struct {
	kinds      []fileKind // in the order a folder's files are read
	ranks      int
	exclude    bool // .git/info/exclude counts, ranked last
	requireGit bool // git files count only inside a repository
	parents    bool // the files of the root's parent folders count
	pi         bool // pi's syntax and nesting (see readIgnoreFile)
}

type fileKind struct {
	name string
	rank int  // 0 is the highest
	git  bool // a git file: .gitignore or .git/info/exclude
}

var excludeKind = fileKind{name: "exclude", rank: 3, git: true}

// Ripgrep is ripgrep's rules: .rgignore over .ignore over .gitignore over
// .git/info/exclude, the git files inside a repository only (and not
// those of an enclosing repository), parent folders' files too.
func Ripgrep() Rules {
	return Rules{
		kinds:   []fileKind{{".rgignore", 0, false}, {".ignore", 1, false}, {".gitignore", 2, true}},
		ranks:   4,
		exclude: true, requireGit: true, parents: true,
	}
}

// Fd is fd's rules as pi runs it (--no-require-git): .fdignore over
// .ignore over .gitignore over .git/info/exclude, the git files in or out
// of a repository, parent folders' files too.
func Fd() Rules {
	return Rules{
		kinds:   []fileKind{{".fdignore", 0, false}, {".ignore", 1, false}, {".gitignore", 2, true}},
		ranks:   4,
		exclude: true, parents: true,
	}
}

// PiResources is pi's rules for skill and prompt folders: .gitignore,
// .ignore and .fdignore of the folders below the root, all ranked alike
// (the last matching line wins), a nested folder's lines matching only
// from that folder.
func PiResources() Rules {
	return Rules{
		kinds: []fileKind{{".gitignore", 0, false}, {".ignore", 0, false}, {".fdignore", 0, false}},
		ranks: 1,
		pi:    true,
	}
}

// Options say what a walk lets through. Symbolic links are never walked
// into, unless FollowLinks.
type Options struct {
	// Rules are the ignore files that count; the zero Rules has none.
	Rules Rules
	// Hidden keeps dot entries; without it they are left out unless an
	// ignore file whitelists them, as ripgrep does.
	Hidden bool
	// FollowLinks gives a symbolic link its target's type, so a link to a
	// folder is walked into; a broken link is left out.
	FollowLinks bool
	// Skip, when set, leaves entries out before the ignore files are asked.
	Skip func(e *Entry) bool
}

// Entry is one file or folder a walk lets through.
type Entry struct {
	Name string
	Rel  string      // "/"-separated, from the walk's root
	Abs  string      // the root joined with Rel
	Type fs.FileMode // type bits: of a followed link, its target's
	d    fs.DirEntry
}

// IsDir reports a folder.
func (e *Entry) IsDir() bool { return e.Type.IsDir() }

// IsRegular reports a regular file.
func (e *Entry) IsRegular() bool { return e.Type.IsRegular() }

// Info stats the entry (a followed link: its target).
func (e *Entry) Info() (fs.FileInfo, error) {
	if e.d.Type()&fs.ModeSymlink != 0 && e.Type&fs.ModeSymlink == 0 {
		return os.Stat(e.Abs)
	}
	return e.d.Info()
}
