package gitx

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// File kinds in a status entry.
const (
	KindModified   = "modified"
	KindAdded      = "added"
	KindDeleted    = "deleted"
	KindRenamed    = "renamed"
	KindCopied     = "copied"
	KindUntracked  = "untracked"
	KindIgnored    = "ignored"
	KindConflicted = "conflicted"
	KindUnknown    = "unknown"
)

// StatusFile is one changed path. Path is relative to the repository root;
// Code is git's two-character XY code.
type StatusFile struct {
	Path         string `json:"path"`
	Staged       bool   `json:"staged"`
	Unstaged     bool   `json:"unstaged"`
	Kind         string `json:"kind"`
	Code         string `json:"code"`
	OriginalPath string `json:"originalPath,omitempty"`
}

// Status is GET /git/status. Branch is "HEAD" on a detached checkout.
// Upstream, Ahead and Behind are additions over the reference contract.
type Status struct {
	IsGitRepo bool         `json:"isGitRepo"`
	Branch    string       `json:"branch,omitempty"`
	Upstream  string       `json:"upstream,omitempty"`
	Ahead     int          `json:"ahead,omitempty"`
	Behind    int          `json:"behind,omitempty"`
	Files     []StatusFile `json:"files"`
}

// Status lists changed, staged and untracked files (every untracked file,
// not just folders). It takes no index lock, so it never collides with a
// git command the agent runs at the same time.
func (g *Git) Status(ctx context.Context, dir string) (Status, error) {
	res, err := g.run(ctx, call{dir: dir, args: []string{"--no-optional-locks", "status", "--porcelain=v1", "--branch", "-z", "--untracked-files=all"}})
	if err != nil {
		return Status{}, err
	}
	if res.exit != 0 {
		if notRepo(res) {
			return Status{Files: []StatusFile{}}, nil
		}
		return Status{}, failure("git status", res, nil)
	}
	return parseStatus(string(res.stdout)), nil
}

func parseStatus(out string) Status {
	st := Status{IsGitRepo: true, Files: []StatusFile{}}
	recs := strings.Split(out, "\x00")
	for i := 0; i < len(recs); i++ {
		rec := recs[i]
		if strings.HasPrefix(rec, "## ") {
			parseBranchHeader(&st, rec[3:])
			continue
		}
		if len(rec) < 4 {
			continue
		}
		x, y := rec[0], rec[1]
		f := StatusFile{
			Path:     rec[3:],
			Staged:   x != ' ' && x != '?' && x != '!',
			Unstaged: y != ' ' && y != '?' && y != '!',
			Kind:     kindOf(x, y),
			Code:     rec[:2],
		}
		// With -z a rename or copy is "XY new\0old\0".
		if (x == 'R' || x == 'C' || y == 'R' || y == 'C') && i+1 < len(recs) {
			f.OriginalPath = recs[i+1]
			i++
		}
		st.Files = append(st.Files, f)
	}
	return st
}

var aheadBehind = regexp.MustCompile(`(ahead|behind) (\d+)`)

// parseBranchHeader reads "main...origin/main [ahead 1, behind 2]",
// "No commits yet on main" or "HEAD (no branch)".
func parseBranchHeader(st *Status, h string) {
	for _, prefix := range []string{"No commits yet on ", "Initial commit on "} {
		if b, ok := strings.CutPrefix(h, prefix); ok {
			st.Branch = b
			return
		}
	}
	if strings.HasPrefix(h, "HEAD (no branch)") {
		st.Branch = "HEAD"
		return
	}
	head, track, _ := strings.Cut(h, " [")
	branch, upstream, _ := strings.Cut(head, "...")
	st.Branch, st.Upstream = branch, upstream
	for _, m := range aheadBehind.FindAllStringSubmatch(track, -1) {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "ahead" {
			st.Ahead = n
		} else {
			st.Behind = n
		}
	}
}

// kindOf buckets an XY code: conflicts first, then the staged side (what
// a commit would record), then the work tree side.
func kindOf(x, y byte) string {
	switch {
	case x == 'U' || y == 'U' || x == 'A' && y == 'A' || x == 'D' && y == 'D':
		return KindConflicted
	case x == '?' && y == '?':
		return KindUntracked
	case x == '!' || y == '!':
		return KindIgnored
	}
	c := y
	if x != ' ' && x != '?' {
		c = x
	}
	switch c {
	case 'M', 'T':
		return KindModified
	case 'A':
		return KindAdded
	case 'D':
		return KindDeleted
	case 'R':
		return KindRenamed
	case 'C':
		return KindCopied
	}
	return KindUnknown
}
