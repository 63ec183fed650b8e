package tools

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/pi-forge/pi-forge/internal/fswalk"
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
	re, err := regexp.Compile("(?m)" + expr)
	if err != nil {
		return nil, false, errors.New("regex parse error: " + err.Error())
	}
	glob := newGlobFilter(args.Glob)
	var matches []grepMatch
	limitReached := false
	g := &goGrepper{}
	searchFile := func(path string, explicit bool) error {
		found, stop, err := g.grepFile(ctx, path, re, explicit, limit-len(matches))
		matches = append(matches, found...)
		if stop {
			limitReached = true
			return fs.SkipAll
		}
		return err
	}
	if !isDir {
		if err := searchFile(searchPath, true); err != nil && !errors.Is(err, fs.SkipAll) {
			return nil, false, err
		}
		return matches, limitReached, nil
	}
	// pi runs rg with --hidden.
	err = fswalk.Walk(ctx, searchPath, fswalk.Options{Rules: fswalk.Ripgrep(), Hidden: true}, func(e *fswalk.Entry) error {
		if !e.IsRegular() || !glob.allows(e.Rel) {
			return nil
		}
		return searchFile(e.Abs, false)
	})
	if err != nil {
		return nil, false, walkError(ctx, err)
	}
	return matches, limitReached, nil
}

// goGrepper keeps the read buffers of one search across its files.
type goGrepper struct {
	br  *bufio.Reader
	buf []byte
}

// grepChunk is how much of a file is searched at once; chunks end on a
// line boundary (a longer line makes a longer chunk).
const grepChunk = 1 << 20

// grepFile returns up to max matching lines of one file; stop reports that
// max was reached. Each chunk is scanned with the multi-line form of the
// regexp to find the next candidate line, which is then checked on its
// own: ripgrep matches line by line, and a candidate match that spans lines
// only moves the search to the next line, so no line is skipped.
func (g *goGrepper) grepFile(ctx context.Context, path string, re *regexp.Regexp, explicit bool, max int) ([]grepMatch, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	if g.br == nil {
		g.br = bufio.NewReaderSize(f, binaryProbe)
		g.buf = make([]byte, 0, grepChunk)
	} else {
		g.br.Reset(f)
	}
	br, buf := g.br, g.buf
	defer func() { g.buf = buf[:0] }()
	if head, _ := br.Peek(binaryProbe); !explicit && bytes.IndexByte(head, 0) >= 0 {
		return nil, false, nil
	}
	var out []grepMatch
	lineNo := 1 // number of the first line in the current chunk
	for {
		if ctx.Err() != nil {
			return nil, false, errAborted
		}
		chunk, done, err := nextChunk(br, buf[:0])
		if err != nil {
			return out, false, nil
		}
		buf = chunk[:0]
		binary := false
		if !explicit {
			if z := bytes.IndexByte(chunk, 0); z >= 0 {
				// ripgrep stops at binary data: search only the lines before it.
				chunk, binary, done = chunk[:bytes.LastIndexByte(chunk[:z], '\n')+1], true, true
			}
		}
		pos, counted := 0, 0
		for pos < len(chunk) {
			loc := re.FindIndex(chunk[pos:])
			if loc == nil {
				break
			}
			start := pos + loc[0]
			ls := bytes.LastIndexByte(chunk[:start], '\n') + 1
			le := bytes.IndexByte(chunk[start:], '\n')
			if le < 0 {
				le = len(chunk)
			} else {
				le += start
			}
			if start == len(chunk) && ls == len(chunk) && len(chunk) > 0 {
				break // an empty match after the final newline is not a line
			}
			if re.Match(chunk[ls:le]) {
				lineNo += bytes.Count(chunk[counted:ls], []byte{'\n'})
				counted = ls
				end := min(le+1, len(chunk))
				text := decodeUTF8(chunk[ls:end])
				out = append(out, grepMatch{file: path, line: lineNo, text: &text})
				if len(out) >= max {
					return out, true, nil
				}
			}
			pos = le + 1
		}
		lineNo += bytes.Count(chunk[counted:], []byte{'\n'})
		if done || binary {
			return out, false, nil
		}
	}
}

// nextChunk reads about grepChunk bytes ending after a newline (or at EOF)
// into buf; done reports EOF.
func nextChunk(br *bufio.Reader, buf []byte) ([]byte, bool, error) {
	for len(buf) < grepChunk {
		line, err := br.ReadSlice('\n')
		buf = append(buf, line...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return buf, true, nil
		}
		if err != nil {
			return buf, true, err
		}
	}
	return buf, false, nil
}

// globFilter is ripgrep's --glob: a gitignore-style glob relative to the
// search root; "!" negates. A glob that does not parse matches nothing.
type globFilter struct {
	pattern fswalk.Pattern
	valid   bool
	negate  bool
}

func newGlobFilter(glob string) *globFilter {
	if glob == "" {
		return nil
	}
	g := &globFilter{}
	if strings.HasPrefix(glob, "!") {
		g.negate, glob = true, glob[1:]
	}
	g.pattern, g.valid = fswalk.ParseGlob(glob)
	return g
}

// allows tests a file's "/"-separated path from the search root.
func (g *globFilter) allows(rel string) bool {
	if g == nil {
		return true
	}
	hit := g.valid && g.pattern.Match(rel, false)
	return hit != g.negate
}
