package resources

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// ignoreFileNames are the ignore files pi honours inside resource
// directories.
var ignoreFileNames = []string{".gitignore", ".ignore", ".fdignore"}

// ignoreRules accumulates the ignore patterns found while walking down
// from one root; a pattern applies to paths below the directory that holds
// its file.
type ignoreRules struct {
	root     string
	patterns []gitignore.Pattern
}

func newIgnoreRules(root string) *ignoreRules { return &ignoreRules{root: root} }

// add reads the ignore files among dir's entries.
func (ig *ignoreRules) add(dir string, entries []os.DirEntry) {
	var domain []string
	if rel, err := filepath.Rel(ig.root, dir); err == nil && rel != "." {
		domain = strings.Split(filepath.ToSlash(rel), "/")
	}
	for _, name := range ignoreFileNames {
		if !slices.ContainsFunc(entries, func(e os.DirEntry) bool { return e.Name() == name }) {
			continue
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			t := strings.TrimSpace(line)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			ig.patterns = append(ig.patterns, gitignore.ParsePattern(line, domain))
		}
		f.Close()
	}
}

// ignored reports whether path (below root) is excluded.
func (ig *ignoreRules) ignored(path string, isDir bool) bool {
	if len(ig.patterns) == 0 {
		return false
	}
	rel, err := filepath.Rel(ig.root, path)
	if err != nil || rel == "." {
		return false
	}
	return gitignore.NewMatcher(ig.patterns).Match(strings.Split(filepath.ToSlash(rel), "/"), isDir)
}

// entryKind stats an entry, following a symlink; ok is false for a broken
// link or an unreadable entry.
func entryKind(path string, e os.DirEntry) (isDir, isFile, ok bool) {
	if e.Type()&os.ModeSymlink != 0 {
		st, err := os.Stat(path)
		if err != nil {
			return false, false, false
		}
		return st.IsDir(), st.Mode().IsRegular(), true
	}
	return e.IsDir(), e.Type().IsRegular(), true
}

// skillDirMode says whether root-level *.md files count as skills: they do
// in pi's own skills directories, not in .agents/skills.
type skillDirMode int

const (
	skillModePi skillDirMode = iota
	skillModeAgents
)

// collectSkillFiles lists the skill files below dir as pi does: a
// directory holding SKILL.md is one skill and is not searched further;
// root-level *.md files are skills in pi mode; dot entries and
// node_modules are skipped; ignore files apply.
func collectSkillFiles(dir string, mode skillDirMode) []string {
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	return collectSkillFilesIn(dir, dir, mode, newIgnoreRules(dir))
}

func collectSkillFilesIn(dir, root string, mode skillDirMode, ig *ignoreRules) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	ig.add(dir, entries)
	for _, e := range entries {
		if e.Name() != "SKILL.md" {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if _, isFile, ok := entryKind(p, e); ok && isFile && !ig.ignored(p, false) {
			return []string{p}
		}
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || name == "node_modules" {
			continue
		}
		p := filepath.Join(dir, name)
		isDir, isFile, ok := entryKind(p, e)
		if !ok {
			continue
		}
		if mode == skillModePi && dir == root && isFile && strings.HasSuffix(name, ".md") && !ig.ignored(p, false) {
			out = append(out, p)
			continue
		}
		if !isDir || ig.ignored(p, true) {
			continue
		}
		out = append(out, collectSkillFilesIn(p, root, mode, ig)...)
	}
	return out
}

// collectMarkdownFiles lists *.md files below dir recursively (a prompts
// directory named in settings), skipping dot entries and node_modules and
// honouring ignore files.
func collectMarkdownFiles(dir string) []string {
	return collectMarkdownIn(dir, newIgnoreRules(dir), true)
}

// collectPromptFiles lists the *.md files directly in dir (pi's prompts/
// directories are not searched recursively).
func collectPromptFiles(dir string) []string {
	return collectMarkdownIn(dir, newIgnoreRules(dir), false)
}

func collectMarkdownIn(dir string, ig *ignoreRules, recursive bool) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	ig.add(dir, entries)
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || name == "node_modules" {
			continue
		}
		p := filepath.Join(dir, name)
		isDir, isFile, ok := entryKind(p, e)
		if !ok || ig.ignored(p, isDir) {
			continue
		}
		if isDir && recursive {
			out = append(out, collectMarkdownIn(p, ig, true)...)
		} else if isFile && strings.HasSuffix(name, ".md") {
			out = append(out, p)
		}
	}
	return out
}

// findGitRoot returns the nearest ancestor of dir (itself included) that
// holds .git, or "".
func findGitRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// ancestorAgentsSkillDirs lists <d>/.agents/skills for dir and each
// ancestor up to the git root (or the filesystem root outside a repo).
func ancestorAgentsSkillDirs(dir string) []string {
	git := findGitRoot(dir)
	var out []string
	for d := dir; ; {
		out = append(out, filepath.Join(d, ".agents", "skills"))
		if git != "" && d == git {
			return out
		}
		parent := filepath.Dir(d)
		if parent == d {
			return out
		}
		d = parent
	}
}

// canonical is a path's realpath, or the path itself when it has none.
func canonical(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// realpaths resolves many paths below few directories: each directory's
// realpath is computed once, so a file costs one lstat instead of one per
// path component.
type realpaths map[string]string

func (c realpaths) of(p string) string {
	if r, ok := c[p]; ok {
		return r
	}
	r := p
	if dir := filepath.Dir(p); dir != p {
		fi, err := os.Lstat(p)
		if err == nil && fi.Mode()&os.ModeSymlink != 0 {
			r = canonical(p)
		} else {
			r = filepath.Join(c.of(dir), filepath.Base(p))
		}
	}
	c[p] = r
	return r
}

// expandHome resolves "~", "~/x" and "~x" against home, as pi's path
// settings do.
func expandHome(p, home string) string {
	t := strings.TrimSpace(p)
	switch {
	case t == "~":
		return home
	case strings.HasPrefix(t, "~/"):
		return filepath.Join(home, t[2:])
	case strings.HasPrefix(t, "~"):
		return filepath.Join(home, t[1:])
	}
	return t
}

// resolveFrom makes p absolute against base after expanding "~".
func resolveFrom(p, base, home string) string {
	e := expandHome(p, home)
	if filepath.IsAbs(e) {
		return filepath.Clean(e)
	}
	return filepath.Join(base, e)
}

func statFollow(p string) (os.FileInfo, error) { return os.Stat(p) }
