package fswalk

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Walk visits what o lets through below root, depth-first in name order,
// each folder before its contents. visit returning fs.SkipDir for a folder
// leaves it unentered; fs.SkipAll ends the walk without error; any other
// error ends it with that error, as does ctx ending (ctx.Err()).
// Unreadable folders are passed over, as ripgrep and fd do.
func Walk(ctx context.Context, root string, o Options, visit func(e *Entry) error) error {
	err := Open(root, o).walk(ctx, visit)
	if errors.Is(err, fs.SkipAll) {
		return nil
	}
	return err
}

func (d *Dir) walk(ctx context.Context, visit func(e *Entry) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries := d.Entries()
	for i := range entries {
		e := &entries[i]
		err := visit(e)
		if e.IsDir() && errors.Is(err, fs.SkipDir) {
			continue
		}
		if err != nil {
			return err
		}
		if e.IsDir() {
			if err := d.Sub(e).walk(ctx, visit); err != nil {
				return err
			}
		}
	}
	return nil
}

// Dir is one folder of a walk, with the ignore files that apply in it.
// For walks that decide folder by folder what to enter (pi's skills).
type Dir struct {
	abs, rel string
	o        *Options
	stack    ignoreStack
	inRepo   bool
	loaded   bool // the folder's own ignore files are in stack
}

// Open starts a walk at root, reading the ignore files of its parent
// folders when the rules want them.
func Open(root string, o Options) *Dir {
	d := &Dir{abs: filepath.Clean(root), o: &o}
	if len(o.Rules.kinds) > 0 && o.Rules.parents {
		d.loadParents()
	}
	return d
}

// Sub is the folder e, one of the entries d.Entries returned.
func (d *Dir) Sub(e *Entry) *Dir {
	return &Dir{abs: e.Abs, rel: e.Rel, o: d.o, stack: d.stack, inRepo: d.inRepo}
}

// Entries reads the folder and its ignore files and returns, in name
// order, the entries the options let through; none when it is unreadable.
func (d *Dir) Entries() []Entry {
	des, err := os.ReadDir(d.abs)
	if err != nil {
		return nil
	}
	d.load(des)
	out := make([]Entry, 0, len(des))
	for _, de := range des {
		e := Entry{Name: de.Name(), Type: de.Type(), d: de}
		e.Abs, e.Rel = d.child(e.Name)
		if d.o.FollowLinks && e.Type&fs.ModeSymlink != 0 {
			fi, err := os.Stat(e.Abs)
			if err != nil {
				continue
			}
			e.Type = fi.Mode().Type()
		}
		if d.o.Skip != nil && d.o.Skip(&e) || !d.visible(&e) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func (d *Dir) child(name string) (abs, rel string) {
	rel = name
	if d.rel != "" {
		rel = d.rel + "/" + name
	}
	if strings.HasSuffix(d.abs, string(filepath.Separator)) {
		return d.abs + name, rel
	}
	return d.abs + string(filepath.Separator) + name, rel
}

// visible applies the ignore files, then the hidden rule (a whitelist
// entry un-hides).
func (d *Dir) visible(e *Entry) bool {
	if len(d.stack.files) > 0 {
		switch d.stack.decide(e.Rel, e.IsDir(), d.o.Rules.ranks) {
		case 1:
			return false
		case -1:
			return true
		}
	}
	return d.o.Hidden || !strings.HasPrefix(e.Name, ".")
}

// load reads the ignore files among the folder's entries.
func (d *Dir) load(des []fs.DirEntry) {
	if len(d.o.Rules.kinds) == 0 || d.loaded {
		return
	}
	d.loaded = true
	has := func(name string) bool {
		i := sort.Search(len(des), func(i int) bool { return des[i].Name() >= name })
		return i < len(des) && des[i].Name() == name
	}
	shared := true // d.stack's files are its parent's
	d.read(d.abs, has, d.rel, "", &shared)
}

// loadParents reads the ignore files of root's parent folders, outermost
// first, and notes whether root is inside a repository.
func (d *Dir) loadParents() {
	var parents []string // nearest first
	for dir := filepath.Dir(d.abs); ; dir = filepath.Dir(dir) {
		parents = append(parents, dir)
		if filepath.Dir(dir) == dir {
			break
		}
	}
	shared := false // d.stack starts empty
	for i := len(parents) - 1; i >= 0; i-- {
		dir := parents[i]
		prefix, err := filepath.Rel(dir, d.abs)
		if err != nil {
			continue
		}
		exists := func(name string) bool {
			_, err := os.Lstat(filepath.Join(dir, name))
			return err == nil
		}
		d.read(dir, exists, "", filepath.ToSlash(prefix), &shared)
	}
}

// read pushes the ignore files of dir (the walk's folder at strip, or a
// parent of the root by prefix) that exist, in reading order; a folder
// holding .git starts a repository.
func (d *Dir) read(dir string, exists func(name string) bool, strip, prefix string, shared *bool) {
	r := &d.o.Rules
	hasGit := exists(".git")
	d.inRepo = d.inRepo || hasGit
	if hasGit && r.requireGit {
		d.stack.gitFloor = len(d.stack.files)
	}
	for _, k := range r.kinds {
		if k.git && r.requireGit && !d.inRepo || !exists(k.name) {
			continue
		}
		d.stack.push(readIgnoreFile(filepath.Join(dir, k.name), k, r.pi, strip, prefix), shared)
	}
	if r.exclude && hasGit {
		d.stack.push(readIgnoreFile(filepath.Join(dir, ".git", "info", "exclude"), excludeKind, r.pi, strip, prefix), shared)
	}
}
