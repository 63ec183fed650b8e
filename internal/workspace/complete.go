package workspace

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Completion limits (api-contract §1.7 GET /files/complete).
const (
	DefaultCompleteLimit = 50
	MaxCompleteLimit     = 200
	MaxCompleteQuery     = 256
)

// ClampCompleteLimit maps a requested limit to 1..200; <= 0 is the default.
func ClampCompleteLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultCompleteLimit
	case n > MaxCompleteLimit:
		return MaxCompleteLimit
	}
	return n
}

// Complete lists project paths for @-completion: POSIX paths relative to
// the root, directories with a trailing "/". An empty query returns the
// first limit paths alphabetically; otherwise matches (case-insensitive)
// rank basename-exact, basename-prefix, basename-contains, then
// path-contains, shorter paths first, then alphabetically. The skipped
// directories and all symlinks are left out.
func (r *Root) Complete(ctx context.Context, query string, limit int) ([]string, error) {
	limit = ClampCompleteLimit(limit)
	all, err := r.listAll(ctx)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(query)
	if q == "" {
		sort.Strings(all)
		if len(all) > limit {
			all = all[:limit]
		}
		return all, nil
	}
	type scored struct {
		path  string
		score int
	}
	var hits []scored
	for _, p := range all {
		lower := strings.ToLower(p)
		base := strings.TrimSuffix(lower, "/")
		if i := strings.LastIndexByte(base, '/'); i >= 0 {
			base = base[i+1:]
		}
		score := -1
		switch {
		case base == q:
			score = 0
		case strings.HasPrefix(base, q):
			score = 1
		case strings.Contains(base, q):
			score = 2
		case strings.Contains(lower, q):
			score = 3
		}
		if score >= 0 {
			hits = append(hits, scored{p, score})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.score != b.score {
			return a.score < b.score
		}
		if len(a.path) != len(b.path) {
			return len(a.path) < len(b.path)
		}
		return a.path < b.path
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.path
	}
	return out, nil
}

// listAll walks the whole project (no depth cap) for completion.
func (r *Root) listAll(ctx context.Context) ([]string, error) {
	if _, err := os.Stat(r.real); err != nil {
		return nil, fsError("complete", r.path, err)
	}
	var out []string
	var walk func(dir, rel string) error
	walk = func(dir, rel string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil // unreadable folders are left out
		}
		for _, de := range ents {
			name := de.Name()
			p := name
			if rel != "" {
				p = rel + "/" + name
			}
			switch t := de.Type(); {
			case t.IsDir():
				if skipDirs[name] {
					continue
				}
				out = append(out, p+"/")
				if err := walk(filepath.Join(dir, name), p); err != nil {
					return err
				}
			case t.IsRegular():
				out = append(out, p)
			}
		}
		return nil
	}
	if err := walk(r.real, ""); err != nil {
		return nil, err
	}
	return out, nil
}
