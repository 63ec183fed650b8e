package tools

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// binaryProbe is how much of a file is checked for a NUL byte; ripgrep
// skips files that have one in the first buffer it reads.
const binaryProbe = 64 * 1024

// searchGo is grep without ripgrep: the same walk rules (hidden files
// searched, .gitignore inside git repositories, .ignore and .rgignore,
// symlinks not followed, binary files skipped), Go's RE2 syntax (close to
// ripgrep's Rust regex), files in name order.
func searchGo(ctx context.Context, searchPath string, isDir bool, args grepArgs, limit int) ([]grepMatch, bool, error) {
	expr := args.Pattern
	if args.Literal {
		expr = regexp.QuoteMeta(expr)
	}
	if args.IgnoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, false, errors.New("regex parse error: " + err.Error())
	}
	glob := newGlobFilter(args.Glob, searchPath)
	var matches []grepMatch
	limitReached := false
	searchFile := func(path string, explicit bool) error {
		found, stop, err := grepFile(ctx, path, re, explicit, limit-len(matches))
		matches = append(matches, found...)
		if stop {
			limitReached = true
			return errStopWalk
		}
		return err
	}
	if !isDir {
		if err := searchFile(searchPath, true); err != nil && !errors.Is(err, errStopWalk) {
			return nil, false, err
		}
		return matches, limitReached, nil
	}
	rules := walkRules{gitignoreNeedsRepo: true, ignoreFiles: []string{".ignore", ".rgignore"}}
	err = walkTree(ctx, searchPath, rules, func(abs string, d fs.DirEntry) error {
		if !d.Type().IsRegular() || !glob.allows(abs) {
			return nil
		}
		return searchFile(abs, false)
	})
	if err != nil {
		return nil, false, err
	}
	return matches, limitReached, nil
}

// grepFile returns up to max matching lines of one file; stop reports that
// max was reached.
func grepFile(ctx context.Context, path string, re *regexp.Regexp, explicit bool, max int) ([]grepMatch, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, binaryProbe)
	if head, _ := br.Peek(binaryProbe); !explicit && bytes.IndexByte(head, 0) >= 0 {
		return nil, false, nil
	}
	var out []grepMatch
	n := 0
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 || err == nil {
			n++
			body := bytes.TrimSuffix(line, []byte("\n"))
			if !explicit && bytes.IndexByte(body, 0) >= 0 {
				return out, false, nil // binary past the probe: ripgrep stops here
			}
			if re.Match(body) {
				text := decodeUTF8(line)
				out = append(out, grepMatch{file: path, line: n, text: &text})
				if len(out) >= max {
					return out, true, nil
				}
			}
		}
		if err != nil {
			break
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, false, errAborted
		}
	}
	return out, false, nil
}

// globFilter is ripgrep's --glob: a gitignore-style glob relative to the
// search root; "!" negates.
type globFilter struct {
	pattern gitignore.Pattern
	negate  bool
	root    []string
}

func newGlobFilter(glob, root string) *globFilter {
	if glob == "" {
		return nil
	}
	g := &globFilter{root: splitPath(root)}
	if strings.HasPrefix(glob, "!") {
		g.negate, glob = true, glob[1:]
	}
	g.pattern = gitignore.ParsePattern(glob, g.root)
	return g
}

func (g *globFilter) allows(abs string) bool {
	if g == nil {
		return true
	}
	hit := g.pattern.Match(splitPath(filepath.Clean(abs)), false) == gitignore.Exclude
	return hit != g.negate
}
