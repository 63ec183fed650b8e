package gitx

import (
	"context"
	"path/filepath"
	"strings"
)

// notRepo reports whether a failed call failed because dir is not inside
// a work tree.
func notRepo(res result) bool {
	s := string(res.stderr)
	return res.exit == 128 && (strings.Contains(s, "not a git repository") || strings.Contains(s, "must be run in a work tree"))
}

// toplevel returns the work tree root containing dir, or ok=false when dir
// is not in a work tree.
func (g *Git) toplevel(ctx context.Context, dir string) (top string, ok bool, err error) {
	res, err := g.run(ctx, call{dir: dir, args: []string{"rev-parse", "--show-toplevel"}})
	if err != nil {
		return "", false, err
	}
	if res.exit != 0 {
		if notRepo(res) {
			return "", false, nil
		}
		return "", false, failure("git rev-parse", res, nil)
	}
	return strings.TrimRight(string(res.stdout), "\n"), true, nil
}

// IsRepo reports whether dir is inside a git work tree.
func (g *Git) IsRepo(ctx context.Context, dir string) (bool, error) {
	_, ok, err := g.toplevel(ctx, dir)
	return ok, err
}

// InitResult is POST /git/init.
type InitResult struct {
	AlreadyInitialised bool `json:"alreadyInitialised"`
	IsGitRepo          bool `json:"isGitRepo"`
}

// Init makes dir a repository with "main" as its first branch; a
// directory already inside a work tree is left alone.
func (g *Git) Init(ctx context.Context, dir string) (InitResult, error) {
	ok, err := g.IsRepo(ctx, dir)
	if err != nil {
		return InitResult{}, err
	}
	if ok {
		return InitResult{AlreadyInitialised: true, IsGitRepo: true}, nil
	}
	if _, err := g.out(ctx, dir, "init", "--initial-branch=main"); err != nil {
		return InitResult{}, err
	}
	return InitResult{IsGitRepo: true}, nil
}

// pathspecs turns request paths into literal pathspecs from the top of
// the work tree. Relative paths are repo-relative (what Status returns);
// absolute ones must be inside dir. Either way the path must lie inside
// dir, the project or worktree the request is scoped to.
func pathspecs(dir, top string, paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if p == "" || strings.IndexByte(p, 0) >= 0 {
			return nil, &Error{Code: CodePathNotAllowed, Op: "git", Message: "invalid path"}
		}
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(top, p)
		}
		abs = filepath.Clean(abs)
		if !inside(filepath.Clean(dir), abs) && !inside(canonical(dir), abs) {
			return nil, &Error{Code: CodePathNotAllowed, Op: "git", Message: "path is outside the project: " + p}
		}
		// git's top is a realpath; an absolute path may reach it through a
		// symlinked project folder, so resolve first and fall back to the
		// lexical form.
		rel, err := filepath.Rel(canonical(top), canonicalParent(abs))
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			rel, err = filepath.Rel(top, abs)
			if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
				return nil, &Error{Code: CodePathNotAllowed, Op: "git", Message: "path is outside the repository: " + p}
			}
		}
		out = append(out, ":(top,literal)"+filepath.ToSlash(rel))
	}
	return out, nil
}

func inside(dir, p string) bool {
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator))
}

// canonical resolves symlinks where it can (git prints realpaths).
func canonical(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// canonicalParent resolves the parent of p, keeping the last element
// as-is (it may be deleted, or a symlink the caller means itself).
func canonicalParent(p string) string {
	return filepath.Join(canonical(filepath.Dir(p)), filepath.Base(p))
}
