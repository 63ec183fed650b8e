package gitx

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
)

// Output is POST /git/fetch, /git/pull and /git/push: what git printed,
// sanitised.
type Output struct {
	Output string `json:"output"`
}

// FetchOptions are POST /git/fetch's.
type FetchOptions struct {
	Remote string
	Prune  bool
}

// Fetch fetches one remote (default: git's choice).
func (g *Git) Fetch(ctx context.Context, dir string, o FetchOptions) (Output, error) {
	args := []string{"fetch"}
	if o.Prune {
		args = append(args, "--prune")
	}
	if o.Remote != "" {
		if err := g.checkRemoteName(ctx, dir, o.Remote); err != nil {
			return Output{}, err
		}
		args = append(args, "--", o.Remote)
	}
	return g.network(ctx, dir, args)
}

// PullOptions are POST /git/pull's. Rebase nil leaves git's configured
// choice; true is --rebase, false --no-rebase (a merge).
type PullOptions struct {
	Remote string
	Branch string
	Rebase *bool
}

// Pull fetches and integrates. Conflicts are left in the tree and
// reported as git_failed with git's message.
func (g *Git) Pull(ctx context.Context, dir string, o PullOptions) (Output, error) {
	args := []string{"pull"}
	if o.Rebase != nil {
		if *o.Rebase {
			args = append(args, "--rebase")
		} else {
			args = append(args, "--no-rebase")
		}
	}
	// git reads a lone positional as the remote, so a branch needs one.
	remote := o.Remote
	if remote == "" && o.Branch != "" {
		remote = "origin"
	}
	if remote != "" {
		if err := g.checkRemoteName(ctx, dir, remote); err != nil {
			return Output{}, err
		}
		args = append(args, remote)
	}
	if o.Branch != "" {
		if err := g.checkBranchName(ctx, dir, o.Branch); err != nil {
			return Output{}, err
		}
		args = append(args, o.Branch)
	}
	return g.network(ctx, dir, args)
}

// PushOptions are POST /git/push's.
type PushOptions struct {
	Remote      string
	Branch      string
	SetUpstream bool
}

// NoUpstreamMessage explains a push of a branch without an upstream.
const NoUpstreamMessage = "The current branch has no upstream branch. Push again with \"set upstream\" to publish it and track the remote branch."

// Push pushes the current branch (or Branch to Remote). With SetUpstream
// and no remote or branch given it publishes the current branch to origin.
func (g *Git) Push(ctx context.Context, dir string, o PushOptions) (Output, error) {
	args := []string{"push"}
	if o.SetUpstream {
		args = append(args, "--set-upstream")
		if o.Remote == "" {
			o.Remote = "origin"
		}
		if o.Branch == "" {
			cur, err := g.out(ctx, dir, "symbolic-ref", "--quiet", "--short", "HEAD")
			if err != nil {
				return Output{}, &Error{Code: CodeFailed, Op: "git push", Message: "HEAD is detached; check out a branch to push it"}
			}
			o.Branch = strings.TrimSpace(cur)
		}
	}
	if o.Remote == "" && o.Branch != "" {
		o.Remote = "origin"
	}
	if o.Remote != "" {
		if err := g.checkRemoteName(ctx, dir, o.Remote); err != nil {
			return Output{}, err
		}
		args = append(args, o.Remote)
	}
	if o.Branch != "" {
		if err := g.checkBranchName(ctx, dir, o.Branch); err != nil {
			return Output{}, err
		}
		args = append(args, o.Branch)
	}
	out, err := g.network(ctx, dir, args)
	var e *Error
	if errors.As(err, &e) && e.Code == CodeFailed && strings.Contains(e.Message, "has no upstream branch") {
		e.Message = NoUpstreamMessage
	}
	return out, err
}

// network runs a fetch, pull or push: git reports progress and results
// on stderr, so the output is stdout when there is any, else stderr.
func (g *Git) network(ctx context.Context, dir string, args []string) (Output, error) {
	res, err := g.git(ctx, call{dir: dir, args: args})
	if err != nil {
		return Output{}, err
	}
	text := string(res.stdout)
	if strings.TrimSpace(text) == "" {
		text = string(res.stderr)
	}
	return Output{Output: redact(text)}, nil
}

// Worktree is one entry of GET /git/worktrees.
type Worktree struct {
	Path     string `json:"path"`
	Head     string `json:"head,omitempty"`
	Branch   string `json:"branch,omitempty"`
	Bare     bool   `json:"bare"`
	Detached bool   `json:"detached"`
	Current  bool   `json:"current"`
}

// Worktrees is GET /git/worktrees.
type Worktrees struct {
	IsGitRepo bool       `json:"isGitRepo"`
	Worktrees []Worktree `json:"worktrees"`
}

// Worktrees lists the repository's work trees; Current marks the one dir
// is in.
func (g *Git) Worktrees(ctx context.Context, dir string) (Worktrees, error) {
	top, ok, err := g.toplevel(ctx, dir)
	if err != nil || !ok {
		return Worktrees{Worktrees: []Worktree{}}, err
	}
	out, err := g.out(ctx, dir, "worktree", "list", "--porcelain", "-z")
	if err != nil {
		return Worktrees{}, err
	}
	list := Worktrees{IsGitRepo: true, Worktrees: []Worktree{}}
	var cur *Worktree
	flush := func() {
		if cur != nil {
			cur.Path = canonical(cur.Path)
			cur.Current = cur.Path == canonical(top)
			list.Worktrees = append(list.Worktrees, *cur)
			cur = nil
		}
	}
	for _, tok := range strings.Split(out, "\x00") {
		switch {
		case tok == "":
			flush()
		case strings.HasPrefix(tok, "worktree "):
			flush()
			cur = &Worktree{Path: strings.TrimPrefix(tok, "worktree ")}
		case cur == nil:
		case strings.HasPrefix(tok, "HEAD "):
			cur.Head = strings.TrimPrefix(tok, "HEAD ")
		case strings.HasPrefix(tok, "branch "):
			cur.Branch = strings.TrimPrefix(strings.TrimPrefix(tok, "branch "), "refs/heads/")
		case tok == "bare":
			cur.Bare = true
		case tok == "detached":
			cur.Detached = true
		}
	}
	flush()
	return list, nil
}

// Worktree checks a request's worktreePath: "" is the project itself;
// anything else must be a work tree git has registered for the project's
// repository. It returns the directory to run git in.
func (g *Git) Worktree(ctx context.Context, projectDir, worktreePath string) (string, error) {
	if worktreePath == "" {
		return projectDir, nil
	}
	bad := &Error{Code: CodeInvalidWorktreePath, Op: "git worktree", Message: "not a registered worktree of this project"}
	if !filepath.IsAbs(worktreePath) || strings.IndexByte(worktreePath, 0) >= 0 {
		return "", bad
	}
	list, err := g.Worktrees(ctx, projectDir)
	if err != nil {
		return "", err
	}
	want := canonical(worktreePath)
	for _, w := range list.Worktrees {
		if w.Path == want && !w.Bare {
			return w.Path, nil
		}
	}
	return "", bad
}
