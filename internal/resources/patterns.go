package resources

import (
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Resource patterns are the entries of settings.json "skills" and
// "prompts" (pi's settings.md): a plain entry is a path to load from, an
// entry with * or ? is an include glob, "!glob" excludes, "+path"
// force-includes and "-path" force-excludes an exact path. Globs are
// matched (with doublestar, the closest Go match for pi's minimatch)
// against the path relative to the settings' base directory, the file name
// and the absolute path; for a SKILL.md also against its directory in the
// same three forms. pi-forge adds one candidate pi does not have: the
// resource's name, so that "!name" written by the skills/prompts toggle
// switches a skill off wherever it lives.

func isPatternEntry(s string) bool {
	return strings.HasPrefix(s, "!") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") ||
		strings.ContainsAny(s, "*?")
}

func isOverrideEntry(s string) bool {
	return strings.HasPrefix(s, "!") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-")
}

// splitEntries separates plain path entries from pattern entries.
func splitEntries(entries []string) (plain, patterns []string) {
	for _, e := range entries {
		if isPatternEntry(e) {
			patterns = append(patterns, e)
		} else {
			plain = append(plain, e)
		}
	}
	return plain, patterns
}

// candidates are the forms of one resource a pattern may name.
type candidates struct {
	rel, base, abs          string
	skillRel, skillDir, dir string // set for SKILL.md files only
	name                    string // the resource's name, "" before it is known
}

func newCandidates(path, baseDir, name string) candidates {
	c := candidates{abs: filepath.ToSlash(path), base: filepath.Base(path), name: name}
	if rel, err := filepath.Rel(baseDir, path); err == nil {
		c.rel = filepath.ToSlash(rel)
	}
	if c.base == "SKILL.md" {
		d := filepath.Dir(path)
		c.dir, c.skillDir = filepath.ToSlash(d), filepath.Base(d)
		if rel, err := filepath.Rel(baseDir, d); err == nil {
			c.skillRel = filepath.ToSlash(rel)
		}
	}
	return c
}

func globMatch(pattern, s string) bool {
	if s == "" {
		return false
	}
	ok, err := doublestar.Match(pattern, s)
	return err == nil && ok
}

// matchesGlob is pi's matchesAnyPattern for one pattern, plus the name.
func (c candidates) matchesGlob(pattern string) bool {
	p := filepath.ToSlash(pattern)
	for _, s := range []string{c.rel, c.base, c.abs, c.skillRel, c.skillDir, c.dir} {
		if globMatch(p, s) {
			return true
		}
	}
	return c.name != "" && p == c.name
}

// matchesExact is pi's matchesAnyExactPattern for one pattern, plus the name.
func (c candidates) matchesExact(pattern string) bool {
	p := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(pattern, "./"), ".\\"))
	if p == c.rel || p == c.abs {
		return true
	}
	if c.dir != "" && (p == c.skillRel || p == c.dir) {
		return true
	}
	return c.name != "" && p == c.name
}

func anyGlob(c candidates, patterns []string) bool {
	for _, p := range patterns {
		if c.matchesGlob(p) {
			return true
		}
	}
	return false
}

func anyExact(c candidates, patterns []string) bool {
	for _, p := range patterns {
		if c.matchesExact(p) {
			return true
		}
	}
	return false
}

type patternSet struct{ includes, excludes, forceIn, forceOut []string }

func parsePatterns(entries []string) patternSet {
	var s patternSet
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e, "+"):
			s.forceIn = append(s.forceIn, e[1:])
		case strings.HasPrefix(e, "-"):
			s.forceOut = append(s.forceOut, e[1:])
		case strings.HasPrefix(e, "!"):
			s.excludes = append(s.excludes, e[1:])
		case isPatternEntry(e):
			s.includes = append(s.includes, e)
		}
	}
	return s
}

// enabled decides one resource. withIncludes applies include globs (a
// settings entry's own list, pi's applyPatterns); without it only the
// override prefixes count (auto-discovered resources, pi's
// isEnabledByOverrides).
func (s patternSet) enabled(c candidates, withIncludes bool) bool {
	on := true
	if withIncludes && len(s.includes) > 0 {
		on = anyGlob(c, s.includes)
	}
	if on && anyGlob(c, s.excludes) {
		on = false
	}
	if !on && anyExact(c, s.forceIn) {
		on = true
	}
	if on && anyExact(c, s.forceOut) {
		on = false
	}
	return on
}

// nameOverride applies only the name-valued override entries of a pattern
// list ("!name", "+name", "-name"), on top of a decision already made.
func nameOverride(entries []string, name string, on bool) bool {
	has := func(prefix string) bool {
		for _, e := range entries {
			if e == prefix+name {
				return true
			}
		}
		return false
	}
	if has("!") {
		on = false
	}
	if has("+") {
		on = true
	}
	if has("-") {
		on = false
	}
	return on
}
