package tools

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/pi-forge/pi-forge/internal/fswalk"
	"github.com/pi-forge/pi-forge/internal/linematch"
)

// binaryProbe is how much of a file is checked for a NUL byte; ripgrep
// skips files that have one in the first buffer it reads.
const binaryProbe = 64 * 1024

// searchGo is grep without ripgrep: the same walk rules (hidden files
// searched, .gitignore inside git repositories, .ignore and .rgignore,
// symlinks not followed, binary files skipped), Go's RE2 syntax (close to
// ripgrep's Rust regex) matched line by line, files in name order.
func searchGo(ctx context.Context, searchPath string, isDir bool, args grepArgs, limit int) ([]grepMatch, bool, error) {
	m, err := linematch.Compile(args.Pattern, linematch.Options{Literal: bool(args.Literal), IgnoreCase: bool(args.IgnoreCase)})
	if err != nil {
		return nil, false, errors.New("regex parse error: " + err.Error())
	}
	glob := newGlobFilter(args.Glob)
	var matches []grepMatch
	limitReached := false
	g := &goGrepper{lines: m.Scanner()}
	searchFile := func(path string, explicit bool) error {
		found, stop, err := g.grepFile(ctx, path, explicit, limit-len(matches))
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
		if e.IsDir() && glob.prunes(e.Rel) {
			return fs.SkipDir
		}
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

// goGrepper keeps the read buffer of one search across its files.
type goGrepper struct {
	lines *linematch.Scanner
	buf   []byte
}

// grepChunk is how much of a file is searched at once; chunks end on a
// line boundary (a longer line makes a longer chunk).
const grepChunk = 1 << 20

// grepFile returns up to max matching lines of one file; stop reports that
// max was reached. Files are searched a chunk at a time; unless the file
// was named, a NUL byte in its first binaryProbe bytes skips it and one
// further on ends the search at the line before it, as ripgrep does.
func (g *goGrepper) grepFile(ctx context.Context, path string, explicit bool, max int) ([]grepMatch, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	if g.buf == nil {
		g.buf = make([]byte, grepChunk)
	}
	var out []grepMatch
	lineNo := 1 // number of the first line in the current chunk
	held := 0   // bytes at the start of g.buf carried over: a line's start
	for probed := explicit; ; {
		if ctx.Err() != nil {
			return nil, false, errAborted
		}
		n, eof, err := fill(f, g.buf, held)
		if err != nil {
			return out, false, nil
		}
		if !probed && bytes.IndexByte(g.buf[:min(n, binaryProbe)], 0) >= 0 {
			return nil, false, nil
		}
		probed = true
		chunk := g.buf[:n]
		if !eof {
			nl := bytes.LastIndexByte(chunk, '\n')
			if nl < 0 { // one line fills the buffer: make room for more of it
				g.buf = append(g.buf, make([]byte, len(g.buf))...)
				held = n
				continue
			}
			chunk = chunk[:nl+1]
		}
		done := eof
		if !explicit {
			if z := bytes.IndexByte(chunk, 0); z >= 0 {
				chunk, done = chunk[:bytes.LastIndexByte(chunk[:z], '\n')+1], true
			}
		}
		g.lines.Scan(chunk, lineNo, func(l linematch.Line) bool {
			end := min(l.End+1, len(chunk)) // with its "\n", as rg gives it
			text := decodeUTF8(chunk[l.Start:end])
			out = append(out, grepMatch{file: path, line: l.Number, text: &text})
			return len(out) < max
		})
		if len(out) >= max {
			return out, true, nil
		}
		if done {
			return out, false, nil
		}
		lineNo += bytes.Count(chunk, []byte{'\n'})
		held = copy(g.buf, g.buf[len(chunk):n])
	}
}

// fill reads r into buf after its first held bytes until buf is full or r
// ends; n counts the bytes in buf.
func fill(r io.Reader, buf []byte, held int) (n int, eof bool, err error) {
	k, err := io.ReadFull(r, buf[held:])
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return held + k, true, nil
	}
	return held + k, false, err
}

// globFilter is ripgrep's --glob: a gitignore-style glob relative to the
// search root; "!" negates. A glob that does not parse matches nothing.
// Unlike ripgrep's, it never brings back what the ignore files leave out,
// and a glob with a "/" is read from the search root, not the working
// directory.
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

// prunes reports a folder a "!" glob leaves out with all it holds (a
// glob that only lets some files in does not prune).
func (g *globFilter) prunes(rel string) bool {
	return g != nil && g.negate && g.valid && g.pattern.Match(rel, true)
}
