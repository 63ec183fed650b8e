package tools

import (
	"bufio"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// walkRules say which ignore files a walk honours, to mimic ripgrep (grep)
// or fd (find) when those programs are not used.
type walkRules struct {
	// gitignoreNeedsRepo applies .gitignore only inside a git repository,
	// as ripgrep does; fd as pi runs it (--no-require-git) applies it always.
	gitignoreNeedsRepo bool
	// ignoreFiles are the tool's own ignore files (".ignore", ".rgignore").
	ignoreFiles []string
	// skipGitDirs leaves .git directories out.
	skipGitDirs bool
}

var errStopWalk = errors.New("stop walk")

// walkTree visits every entry below root in name order, hidden entries
// included, skipping what the ignore files exclude and never following
// symlinks. visit returning errStopWalk ends the walk without error.
func walkTree(ctx context.Context, root string, rules walkRules, visit func(abs string, d fs.DirEntry) error) error {
	root = filepath.Clean(root)
	inRepo, patterns := ancestorPatterns(root, rules)
	err := walkDir(ctx, root, inRepo, patterns, rules, visit)
	if errors.Is(err, errStopWalk) {
		return nil
	}
	return err
}

func walkDir(ctx context.Context, dir string, inRepo bool, patterns []gitignore.Pattern, rules walkRules, visit func(string, fs.DirEntry) error) error {
	if ctx.Err() != nil {
		return errAborted
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // unreadable directories are skipped, as rg and fd do
	}
	if !inRepo && hasGitDir(dir) {
		inRepo = true
	}
	patterns = append(patterns[:len(patterns):len(patterns)], dirPatterns(dir, inRepo, rules)...)
	matcher := gitignore.NewMatcher(patterns)
	for _, e := range entries {
		abs := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if isDir && rules.skipGitDirs && e.Name() == ".git" {
			continue
		}
		if len(patterns) > 0 && matcher.Match(splitPath(abs), isDir) {
			continue
		}
		if err := visit(abs, e); err != nil {
			return err
		}
		if isDir {
			if err := walkDir(ctx, abs, inRepo, patterns, rules, visit); err != nil {
				return err
			}
		}
	}
	return nil
}

// ancestorPatterns loads the ignore files of root's ancestors (outermost
// first) and reports whether root lies in a git repository.
func ancestorPatterns(root string, rules walkRules) (bool, []gitignore.Pattern) {
	var dirs []string
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	inRepo := hasGitDir(root)
	for _, d := range dirs {
		inRepo = inRepo || hasGitDir(d)
	}
	var out []gitignore.Pattern
	for i := len(dirs) - 1; i >= 0; i-- {
		out = append(out, dirPatterns(dirs[i], inRepo, rules)...)
	}
	return inRepo, out
}

// dirPatterns reads one directory's ignore files in rising precedence:
// .git/info/exclude, .gitignore, then the tool's own files.
func dirPatterns(dir string, inRepo bool, rules walkRules) []gitignore.Pattern {
	var out []gitignore.Pattern
	domain := splitPath(dir)
	if inRepo || !rules.gitignoreNeedsRepo {
		if hasGitDir(dir) {
			out = append(out, readPatterns(filepath.Join(dir, ".git", "info", "exclude"), domain)...)
		}
		out = append(out, readPatterns(filepath.Join(dir, ".gitignore"), domain)...)
	}
	for _, name := range rules.ignoreFiles {
		out = append(out, readPatterns(filepath.Join(dir, name), domain)...)
	}
	return out
}

func readPatterns(path string, domain []string) []gitignore.Pattern {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []gitignore.Pattern
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, gitignore.ParsePattern(line, domain))
	}
	return out
}

func hasGitDir(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}

// splitPath turns an absolute path into components for gitignore matching.
func splitPath(p string) []string {
	p = strings.TrimPrefix(filepath.ToSlash(p), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
