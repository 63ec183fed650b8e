package gitx

import (
	"bytes"
	"context"
	"strings"
)

// Diff is GET /git/diff, /git/diff/staged and /git/diff/file.
type Diff struct {
	IsGitRepo bool   `json:"isGitRepo"`
	Diff      string `json:"diff"`
}

// diffArgs pins the patch format git apply reads back: a/ b/ prefixes
// whatever the user's config says, no external diff driver, no colour.
var diffArgs = []string{"diff", "--no-color", "--no-ext-diff", "--src-prefix=a/", "--dst-prefix=b/"}

// Diff is the work tree against the index.
func (g *Git) Diff(ctx context.Context, dir string) (Diff, error) {
	return g.diff(ctx, dir, false, nil)
}

// StagedDiff is the index against HEAD (or the empty tree before the first
// commit).
func (g *Git) StagedDiff(ctx context.Context, dir string) (Diff, error) {
	return g.diff(ctx, dir, true, nil)
}

// FileDiff is one file's diff; path is repo-relative or absolute inside
// dir.
func (g *Git) FileDiff(ctx context.Context, dir, path string, staged bool) (Diff, error) {
	return g.diff(ctx, dir, staged, []string{path})
}

// HeadDiff is one file's work tree against HEAD, for the last-turn view
// (features §12.4): "" when dir is not a repository, HEAD does not exist
// yet or the file is untracked, so the caller falls back to a
// pure-addition diff.
func (g *Git) HeadDiff(ctx context.Context, dir, path string) (string, error) {
	top, ok, err := g.toplevel(ctx, dir)
	if err != nil || !ok || !g.headResolves(ctx, dir) {
		return "", err
	}
	specs, err := pathspecs(dir, top, []string{path})
	if err != nil {
		return "", err
	}
	return g.out(ctx, dir, append(append(append([]string{}, diffArgs...), "HEAD", "--"), specs...)...)
}

func (g *Git) diff(ctx context.Context, dir string, staged bool, paths []string) (Diff, error) {
	top, ok, err := g.toplevel(ctx, dir)
	if err != nil || !ok {
		return Diff{}, err
	}
	args := append([]string{}, diffArgs...)
	if staged {
		args = append(args, "--cached")
	}
	if paths != nil {
		specs, err := pathspecs(dir, top, paths)
		if err != nil {
			return Diff{}, err
		}
		args = append(append(args, "--"), specs...)
	}
	out, err := g.out(ctx, dir, args...)
	if err != nil {
		return Diff{}, err
	}
	return Diff{IsGitRepo: true, Diff: out}, nil
}

// patch is a one-file diff split into its header and hunks; concatenating
// header and hunks gives back the input.
type patch struct {
	header string
	hunks  []string
	binary bool
}

// parsePatch splits a single-file unified diff. Everything before the
// first "@@" line is the header; each hunk runs to the next "@@" line,
// "\ No newline at end of file" markers included.
func parsePatch(diff string) patch {
	var p patch
	rest := diff
	first := true
	for rest != "" {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		switch {
		case strings.HasPrefix(line, "@@"):
			p.hunks = append(p.hunks, line)
			first = false
		case first:
			p.header += line
			if strings.HasPrefix(line, "Binary files ") || strings.HasPrefix(line, "GIT binary patch") {
				p.binary = true
			}
		default:
			p.hunks[len(p.hunks)-1] += line
		}
	}
	return p
}

// build returns the header plus the chosen hunks, in file order.
func (p patch) build(indices []int) []byte {
	var b bytes.Buffer
	b.WriteString(p.header)
	chosen := make([]bool, len(p.hunks))
	for _, i := range indices {
		chosen[i] = true
	}
	for i, h := range p.hunks {
		if chosen[i] {
			b.WriteString(h)
		}
	}
	return b.Bytes()
}
