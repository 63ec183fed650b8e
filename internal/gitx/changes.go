package gitx

import (
	"context"
	"strings"
)

// MaxPaths bounds one stage, unstage or revert request.
const MaxPaths = 1000

// pathCommand runs git args -- <paths as literal top-relative pathspecs>.
func (g *Git) pathCommand(ctx context.Context, dir string, paths []string, args ...string) error {
	if len(paths) == 0 {
		return nil
	}
	if len(paths) > MaxPaths {
		return &Error{Code: CodeFailed, Op: "git " + args[0], Message: "too many paths in one request"}
	}
	top, ok, err := g.toplevel(ctx, dir)
	if err != nil {
		return err
	}
	if !ok {
		return &Error{Code: CodeFailed, Op: "git " + args[0], Message: "not a git repository"}
	}
	specs, err := pathspecs(dir, top, paths)
	if err != nil {
		return err
	}
	_, err = g.out(ctx, dir, append(append(args, "--"), specs...)...)
	return err
}

// Stage adds the paths' current content (deletions included) to the index.
func (g *Git) Stage(ctx context.Context, dir string, paths []string) error {
	return g.pathCommand(ctx, dir, paths, "add", "--all")
}

// Unstage takes the paths out of the index again. Before the first commit
// (nothing to restore from) it removes them from the index.
func (g *Git) Unstage(ctx context.Context, dir string, paths []string) error {
	if g.headResolves(ctx, dir) {
		return g.pathCommand(ctx, dir, paths, "restore", "--staged")
	}
	return g.pathCommand(ctx, dir, paths, "rm", "--cached", "-r", "--quiet")
}

func (g *Git) headResolves(ctx context.Context, dir string) bool {
	res, err := g.run(ctx, call{dir: dir, args: []string{"rev-parse", "--verify", "--quiet", "HEAD^{commit}"}})
	return err == nil && res.exit == 0
}

// Revert restores the paths in index and work tree to HEAD, discarding
// changes. Untracked paths make git fail (use delete for those).
func (g *Git) Revert(ctx context.Context, dir string, paths []string) error {
	return g.pathCommand(ctx, dir, paths, "restore", "--staged", "--worktree", "--source=HEAD")
}

// CommitResult is POST /git/commit.
type CommitResult struct {
	Hash string `json:"hash"`
}

// Commit records the index with message. Hooks run (never --no-verify);
// a hook's refusal comes back as git_failed with its output.
func (g *Git) Commit(ctx context.Context, dir, message string) (CommitResult, error) {
	if strings.TrimSpace(message) == "" {
		return CommitResult{}, &Error{Code: CodeEmptyMessage, Op: "git commit", Message: "commit message is empty"}
	}
	if _, err := g.git(ctx, call{dir: dir, args: []string{"commit", "--file=-"}, stdin: strings.NewReader(message)}); err != nil {
		return CommitResult{}, err
	}
	hash, err := g.out(ctx, dir, "rev-parse", "HEAD")
	return CommitResult{Hash: strings.TrimSpace(hash)}, err
}
