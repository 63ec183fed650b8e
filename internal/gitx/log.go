package gitx

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// Log limits (api-contract §1.9).
const (
	DefaultLogLimit = 30
	MaxLogLimit     = 1000
)

// Commit is one row of the log graph. Parents is empty for a root commit
// and has two or more entries for a merge; Refs are git's decorations
// ("HEAD -> main", "origin/main", "tag: v1").
type Commit struct {
	Hash    string   `json:"hash"`
	Message string   `json:"message"`
	Author  string   `json:"author"`
	Date    string   `json:"date"`
	Parents []string `json:"parents"`
	Refs    []string `json:"refs"`
}

// Log is GET /git/log.
type Log struct {
	IsGitRepo bool     `json:"isGitRepo"`
	Commits   []Commit `json:"commits"`
}

// Log lists up to limit commits (clamped 1..1000, 0 = 30) of HEAD and
// every branch, tag and remote branch in topological order, so a client
// can lay out lanes.
func (g *Git) Log(ctx context.Context, dir string, limit int) (Log, error) {
	switch {
	case limit == 0:
		limit = DefaultLogLimit
	case limit < 1:
		limit = 1
	case limit > MaxLogLimit:
		limit = MaxLogLimit
	}
	const format = "--pretty=format:%H%x1f%s%x1f%an%x1f%aI%x1f%P%x1f%D%x1e"
	args := []string{"log", "--topo-order", "--no-color", "--decorate=short", "--max-count=" + strconv.Itoa(limit), format,
		"HEAD", "--branches", "--tags", "--remotes", "--"}
	res, err := g.run(ctx, call{dir: dir, args: args})
	if err == nil && res.exit != 0 && unbornHead(res) {
		// Before the first commit on this branch other branches may exist:
		// show them; with none at all git fails again and the log is empty.
		res, err = g.run(ctx, call{dir: dir, args: slices.Delete(slices.Clone(args), 6, 7)})
		if err == nil && res.exit != 0 {
			return Log{IsGitRepo: true, Commits: []Commit{}}, nil
		}
	}
	if err != nil {
		return Log{}, err
	}
	if res.exit != 0 {
		if notRepo(res) {
			return Log{Commits: []Commit{}}, nil
		}
		return Log{}, failure("git log", res, nil)
	}
	return Log{IsGitRepo: true, Commits: parseLog(string(res.stdout))}, nil
}

// unbornHead: a repository before its first commit.
func unbornHead(res result) bool {
	s := string(res.stderr)
	return strings.Contains(s, "does not have any commits yet") || strings.Contains(s, "ambiguous argument 'HEAD'") || strings.Contains(s, "bad revision 'HEAD'")
}

func parseLog(out string) []Commit {
	commits := []Commit{}
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.Split(rec, "\x1f")
		if len(f) < 6 {
			continue
		}
		c := Commit{Hash: f[0], Message: f[1], Author: f[2], Date: f[3], Parents: strings.Fields(f[4]), Refs: []string{}}
		if c.Parents == nil {
			c.Parents = []string{}
		}
		for _, r := range strings.Split(f[5], ",") {
			if r = strings.TrimSpace(r); r != "" {
				c.Refs = append(c.Refs, r)
			}
		}
		commits = append(commits, c)
	}
	return commits
}
