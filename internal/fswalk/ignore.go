package fswalk

// Ignore files, written here rather than taken from a library because what
// matters is how ripgrep, fd and pi's resource loader use them, not git's
// rules alone: which files count and how they rank, .gitignore only inside
// a repository (ripgrep), parent folders' files, whitelists un-hiding a
// dotfile. The maintained Go gitignore matcher (go-git's) brings go-git's
// whole module graph for the pattern syntax, which doublestar covers.

import (
	"bufio"
	"os"
	"strings"
)

// ignoreFile is the rules of one file. Paths are matched relative to the
// folder that holds it: a path relative to the walk's root loses strip
// (the folder, when it is inside the root) or gains prefix (the way from
// the folder down to the root, when it is a parent).
type ignoreFile struct {
	rank   int
	git    bool // a .gitignore or .git/info/exclude
	strip  string
	prefix string
	rules  []Pattern
}

// readIgnoreFile reads gitignore syntax; nil when the file is missing or
// has no rules.
// With pi's syntax, an indented "#" starts a comment too, and a nested
// folder's lines match from that folder only (pi prefixes them with it).
func readIgnoreFile(file string, kind fileKind, pi bool, strip, prefix string) *ignoreFile {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := &ignoreFile{rank: kind.rank, git: kind.git, strip: strip, prefix: prefix}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if pi && strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if r, ok := parseIgnoreLine(line); ok {
			r.anchored = r.anchored || pi && strip != ""
			out.rules = append(out.rules, r)
		}
	}
	if len(out.rules) == 0 {
		return nil
	}
	return out
}

// parseIgnoreLine reads one line of an ignore file.
func parseIgnoreLine(line string) (Pattern, bool) {
	// Trailing spaces go unless escaped with a backslash.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return Pattern{}, false
	}
	negate := false
	if strings.HasPrefix(line, "!") {
		negate = true
		line = line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	// Braces are literal in ignore files but alternation to doublestar.
	line = strings.NewReplacer("{", `\{`, "}", `\}`).Replace(line)
	p, ok := parsePattern(line)
	if !ok {
		return Pattern{}, false
	}
	p.negate = negate
	return p, true
}

// decide returns +1 (ignored), -1 (whitelisted) or 0 (no rule matched)
// for a path relative to the walk's root; the last matching rule wins.
func (f *ignoreFile) decide(rel string, isDir bool) int {
	p := rel
	if f.strip != "" {
		p = strings.TrimPrefix(rel, f.strip+"/")
	}
	if f.prefix != "" {
		p = f.prefix + "/" + p
	}
	for i := len(f.rules) - 1; i >= 0; i-- {
		r := f.rules[i]
		if r.Match(p, isDir) {
			if r.negate {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ignoreStack holds the ignore files that apply in one folder, outermost
// first. Git files below gitFloor belong to a repository that encloses the
// current one and no longer count (ripgrep).
type ignoreStack struct {
	files    []*ignoreFile
	gitFloor int
}

// decide ranks the files: by rank first, then within a rank the deepest
// folder's file (the last one read) first.
func (s *ignoreStack) decide(rel string, isDir bool, ranks int) int {
	for rank := range ranks {
		for i := len(s.files) - 1; i >= 0; i-- {
			f := s.files[i]
			if f.rank != rank || f.git && i < s.gitFloor {
				continue
			}
			if d := f.decide(rel, isDir); d != 0 {
				return d
			}
		}
	}
	return 0
}

// push adds f, copying the files so that sibling folders do not share
// what one of them appends.
func (s *ignoreStack) push(f *ignoreFile, shared *bool) {
	if f == nil {
		return
	}
	if *shared {
		s.files = append([]*ignoreFile(nil), s.files...)
		*shared = false
	}
	s.files = append(s.files, f)
}
