package gitx

import (
	"context"
	"strings"
)

// Branch is one local or remote-tracking branch.
type Branch struct {
	Name    string `json:"name"`
	Current bool   `json:"current"`
	Remote  bool   `json:"remote"`
}

// Branches is GET /git/branches. Current is empty on a detached HEAD.
type Branches struct {
	IsGitRepo bool     `json:"isGitRepo"`
	Current   string   `json:"current,omitempty"`
	Branches  []Branch `json:"branches"`
}

// Branches lists local branches, then remote-tracking ones (symbolic
// refs such as origin/HEAD left out). Before the first commit the unborn
// branch is listed as current.
func (g *Git) Branches(ctx context.Context, dir string) (Branches, error) {
	res, err := g.run(ctx, call{dir: dir, args: []string{
		"for-each-ref", "--format=%(HEAD)%1f%(refname)%1f%(symref)", "refs/heads", "refs/remotes",
	}})
	if err != nil {
		return Branches{}, err
	}
	if res.exit != 0 {
		if notRepo(res) {
			return Branches{Branches: []Branch{}}, nil
		}
		return Branches{}, failure("git for-each-ref", res, nil)
	}
	out := Branches{IsGitRepo: true, Branches: []Branch{}}
	for _, line := range strings.Split(string(res.stdout), "\n") {
		f := strings.Split(line, "\x1f")
		if len(f) != 3 || f[2] != "" {
			continue
		}
		b := Branch{Current: f[0] == "*"}
		if name, ok := strings.CutPrefix(f[1], "refs/heads/"); ok {
			b.Name = name
		} else {
			b.Name, b.Remote = strings.TrimPrefix(f[1], "refs/remotes/"), true
		}
		if b.Current {
			out.Current = b.Name
		}
		out.Branches = append(out.Branches, b)
	}
	if out.Current == "" {
		// Unborn branch: HEAD names it but no ref exists yet.
		if head, err := g.out(ctx, dir, "symbolic-ref", "--quiet", "--short", "HEAD"); err == nil {
			if name := strings.TrimSpace(head); name != "" && !hasBranch(out.Branches, name) {
				out.Current = name
				out.Branches = append([]Branch{{Name: name, Current: true}}, out.Branches...)
			}
		}
	}
	return out, nil
}

func hasBranch(bs []Branch, name string) bool {
	for _, b := range bs {
		if !b.Remote && b.Name == name {
			return true
		}
	}
	return false
}

// checkBranchName refuses what git's own ref rules refuse, plus names
// that could be read as options or as @{-N} shorthands.
func (g *Git) checkBranchName(ctx context.Context, dir, name string) error {
	bad := &Error{Code: CodeInvalidBranchName, Op: "git branch", Message: "invalid branch name: " + quote(name)}
	if name == "" || len(name) > 250 || strings.HasPrefix(name, "-") || strings.Contains(name, "@{") || name == "HEAD" || hasControl(name) {
		return bad
	}
	res, err := g.run(ctx, call{dir: dir, args: []string{"check-ref-format", "--branch", name}})
	if err != nil {
		return err
	}
	if res.exit != 0 {
		return bad
	}
	return nil
}

// checkRevision refuses start points that could be read as options.
func checkRevision(rev string) error {
	if rev == "" || len(rev) > 250 || strings.HasPrefix(rev, "-") || strings.Contains(rev, " ") || hasControl(rev) {
		return &Error{Code: CodeInvalidBranchName, Op: "git branch", Message: "invalid start point: " + quote(rev)}
	}
	return nil
}

// hasControl reports control characters (NUL can not even be passed to
// exec; newlines would break line-based output).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return `"` + s + `"`
}

// Checkout switches to branch. A remote-tracking branch ("origin/x")
// checks out the local branch of that name, creating it to track the
// remote one when missing. A dirty tree that would be overwritten makes
// git refuse, and its message is returned.
func (g *Git) Checkout(ctx context.Context, dir, branch string) error {
	if err := checkRevision(branch); err != nil {
		return &Error{Code: CodeInvalidBranchName, Op: "git checkout", Message: "invalid branch name: " + quote(branch)}
	}
	if g.refExists(ctx, dir, "refs/heads/"+branch) {
		_, err := g.out(ctx, dir, "checkout", branch, "--")
		return err
	}
	if g.refExists(ctx, dir, "refs/remotes/"+branch) {
		if local := g.localNameFor(ctx, dir, branch); local != "" && g.refExists(ctx, dir, "refs/heads/"+local) {
			_, err := g.out(ctx, dir, "checkout", local, "--")
			return err
		}
		_, err := g.out(ctx, dir, "checkout", "--track", branch, "--")
		return err
	}
	if err := g.checkBranchName(ctx, dir, branch); err != nil {
		return err
	}
	_, err := g.out(ctx, dir, "checkout", branch, "--")
	return err
}

// localNameFor strips the remote name from a remote-tracking branch.
func (g *Git) localNameFor(ctx context.Context, dir, remoteBranch string) string {
	out, err := g.out(ctx, dir, "remote")
	if err != nil {
		return ""
	}
	best := ""
	for _, r := range strings.Fields(out) {
		if strings.HasPrefix(remoteBranch, r+"/") && len(r) > len(best) {
			best = r
		}
	}
	if best == "" {
		return ""
	}
	return strings.TrimPrefix(remoteBranch, best+"/")
}

func (g *Git) refExists(ctx context.Context, dir, ref string) bool {
	res, err := g.run(ctx, call{dir: dir, args: []string{"show-ref", "--verify", "--quiet", ref}})
	return err == nil && res.exit == 0
}

// CreateBranch makes branch name at startPoint (default HEAD) and, when
// checkout is set, switches to it.
func (g *Git) CreateBranch(ctx context.Context, dir, name, startPoint string, checkout bool) error {
	if err := g.checkBranchName(ctx, dir, name); err != nil {
		return err
	}
	args := []string{"branch", name}
	if checkout {
		args = []string{"checkout", "-b", name}
	}
	if startPoint != "" {
		if err := checkRevision(startPoint); err != nil {
			return err
		}
		args = append(args, startPoint)
	}
	_, err := g.out(ctx, dir, args...)
	return err
}

// DeleteBranch deletes a local branch: -d (merged only) or -D with force.
func (g *Git) DeleteBranch(ctx context.Context, dir, name string, force bool) error {
	if err := g.checkBranchName(ctx, dir, name); err != nil {
		return err
	}
	flag := "-d"
	if force {
		flag = "-D"
	}
	_, err := g.out(ctx, dir, "branch", flag, "--", name)
	return err
}
