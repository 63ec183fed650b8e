package resources

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pi-forge/pi-forge/internal/fswalk"
)

// piWalk is how pi's loader walks a resource folder: its ignore files
// (.gitignore, .ignore, .fdignore below the folder), dot entries and
// node_modules left out, symbolic links followed.
func piWalk() fswalk.Options {
	return fswalk.Options{
		Rules:       fswalk.PiResources(),
		Hidden:      true,
		FollowLinks: true,
		Skip: func(e *fswalk.Entry) bool {
			return strings.HasPrefix(e.Name, ".") || e.Name == "node_modules"
		},
	}
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
	return collectSkillFilesIn(fswalk.Open(dir, piWalk()), mode, true)
}

func collectSkillFilesIn(d *fswalk.Dir, mode skillDirMode, atRoot bool) []string {
	entries := d.Entries()
	for i := range entries {
		if e := &entries[i]; e.Name == "SKILL.md" && e.IsRegular() {
			return []string{e.Abs}
		}
	}
	var out []string
	for i := range entries {
		e := &entries[i]
		switch {
		case e.IsDir():
			out = append(out, collectSkillFilesIn(d.Sub(e), mode, false)...)
		case mode == skillModePi && atRoot && e.IsRegular() && strings.HasSuffix(e.Name, ".md"):
			out = append(out, e.Abs)
		}
	}
	return out
}

// collectMarkdownFiles lists *.md files below dir recursively (a prompts
// directory named in settings), skipping dot entries and node_modules and
// honouring ignore files.
func collectMarkdownFiles(dir string) []string { return collectMarkdown(dir, true) }

// collectPromptFiles lists the *.md files directly in dir (pi's prompts/
// directories are not searched recursively).
func collectPromptFiles(dir string) []string { return collectMarkdown(dir, false) }

func collectMarkdown(dir string, recursive bool) []string {
	var out []string
	_ = fswalk.Walk(context.Background(), dir, piWalk(), func(e *fswalk.Entry) error {
		if e.IsDir() && !recursive {
			return fs.SkipDir
		}
		if e.IsRegular() && strings.HasSuffix(e.Name, ".md") {
			out = append(out, e.Abs)
		}
		return nil
	})
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
