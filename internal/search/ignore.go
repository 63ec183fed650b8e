package search

// Ignore files for the Go engine, with ripgrep's meaning. Written here
// rather than taken from a library because the rules that matter are
// ripgrep's, not git's alone: which files count (.rgignore over .ignore
// over .gitignore over .git/info/exclude), .gitignore only inside a
// repository, parent folders' files, and a whitelist un-hiding a dotfile.
// The one maintained Go gitignore matcher (go-git's) would bring go-git's
// whole module graph for the pattern syntax, which doublestar covers.

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Ignore file kinds, highest precedence first.
const (
	kindRg = iota
	kindDot
	kindGit
	kindExclude
	numKinds
)

var ignoreNames = [...]string{kindRg: ".rgignore", kindDot: ".ignore", kindGit: ".gitignore"}

type ignoreRule struct {
	pattern  string
	negate   bool
	dirOnly  bool
	anchored bool
}

// ignoreFile is the rules of one file. Paths are matched relative to the
// folder that holds it: a path relative to the search root loses strip
// (the folder, when it is inside the root) or gains prefix (the way from
// the folder down to the root, when it is a parent).
type ignoreFile struct {
	kind   int
	strip  string
	prefix string
	rules  []ignoreRule
}

// parseIgnore reads gitignore syntax; nil when the file is missing or has
// no rules.
func parseIgnore(file string, kind int, strip, prefix string) *ignoreFile {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := &ignoreFile{kind: kind, strip: strip, prefix: prefix}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if r, ok := parseIgnoreLine(sc.Text()); ok {
			out.rules = append(out.rules, r)
		}
	}
	if len(out.rules) == 0 {
		return nil
	}
	return out
}

func parseIgnoreLine(line string) (ignoreRule, bool) {
	line = strings.TrimSuffix(line, "\r")
	// Trailing spaces go unless escaped with a backslash.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return ignoreRule{}, false
	}
	var r ignoreRule
	if strings.HasPrefix(line, "!") {
		r.negate = true
		line = line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if strings.HasPrefix(line, "/") {
		r.anchored = true
		line = strings.TrimLeft(line, "/")
	}
	if strings.Contains(line, "/") {
		r.anchored = true
	}
	// Braces are literal in ignore files but alternation to doublestar.
	line = strings.NewReplacer("{", `\{`, "}", `\}`).Replace(line)
	if line == "" || !doublestar.ValidatePattern(line) {
		return ignoreRule{}, false
	}
	r.pattern = line
	return r, true
}

// decide returns +1 (ignored), -1 (whitelisted) or 0 (no rule matched)
// for a path relative to the search root; the last matching rule wins.
func (f *ignoreFile) decide(rel string, isDir bool) int {
	p := rel
	if f.strip != "" {
		p = strings.TrimPrefix(rel, f.strip+"/")
	}
	if f.prefix != "" {
		p = f.prefix + "/" + p
	}
	base := path.Base(p)
	for i := len(f.rules) - 1; i >= 0; i-- {
		r := f.rules[i]
		if r.dirOnly && !isDir {
			continue
		}
		target := base
		if r.anchored {
			target = p
		}
		if ok, _ := doublestar.Match(r.pattern, target); ok {
			if r.negate {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ignoreStack holds the ignore files that apply in one folder, outermost
// first.
type ignoreStack []*ignoreFile

// decide applies ripgrep's precedence: kinds in order, and within a kind
// the deepest folder's file first.
func (s ignoreStack) decide(rel string, isDir bool) int {
	for kind := 0; kind < numKinds; kind++ {
		for i := len(s) - 1; i >= 0; i-- {
			if s[i].kind != kind {
				continue
			}
			if d := s[i].decide(rel, isDir); d != 0 {
				return d
			}
		}
	}
	return 0
}

// with returns the stack plus the ignore files of the folder abs (rel to
// the search root). inRepo says whether .gitignore counts there.
func (s ignoreStack) with(abs, rel string, inRepo bool) ignoreStack {
	out := s
	for kind, name := range ignoreNames {
		if kind == kindGit && !inRepo {
			continue
		}
		if f := parseIgnore(filepath.Join(abs, name), kind, rel, ""); f != nil {
			if len(out) == len(s) {
				out = append(ignoreStack(nil), s...)
			}
			out = append(out, f)
		}
	}
	return out
}

// rootStack finds the ignore files that apply from above the search root:
// .ignore and .rgignore of every parent, and, when the root is inside a
// git repository, .gitignore of the parents up to the repository root and
// its .git/info/exclude. It also reports whether the root is in a
// repository.
func rootStack(root string) (ignoreStack, bool) {
	var parents []string // nearest first
	repo := ""
	if isRepoDir(root) {
		repo = root
	}
	for dir := filepath.Dir(root); ; dir = filepath.Dir(dir) {
		parents = append(parents, dir)
		if repo == "" && isRepoDir(dir) {
			repo = dir
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	var stack ignoreStack
	for i := len(parents) - 1; i >= 0; i-- { // outermost first
		dir := parents[i]
		prefix, err := filepath.Rel(dir, root)
		if err != nil {
			continue
		}
		prefix = filepath.ToSlash(prefix)
		inRepo := repo != "" && (dir == repo || strings.HasPrefix(dir, repo+string(filepath.Separator)))
		if inRepo && dir == repo {
			if f := parseIgnore(filepath.Join(repo, ".git", "info", "exclude"), kindExclude, "", prefix); f != nil {
				stack = append(stack, f)
			}
		}
		for kind, name := range ignoreNames {
			if kind == kindGit && !inRepo {
				continue
			}
			if f := parseIgnore(filepath.Join(dir, name), kind, "", prefix); f != nil {
				stack = append(stack, f)
			}
		}
	}
	if repo == root {
		if f := parseIgnore(filepath.Join(root, ".git", "info", "exclude"), kindExclude, "", ""); f != nil {
			stack = append(stack, f)
		}
	}
	return stack, repo != ""
}

// isRepoDir reports a .git folder or file (worktrees, submodules).
func isRepoDir(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}
