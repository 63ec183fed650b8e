package search

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/pi-forge/pi-forge/internal/fswalk"
	"github.com/pi-forge/pi-forge/internal/workspace"
)

// walk is the Go engine: one goroutine walks the tree applying the rules,
// a pool of workers reads and scans the files it finds.
func (s *Searcher) walk(ctx context.Context, root string, p *plan) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	col := &collector{limit: p.limit}
	emit := func(m Match) bool {
		mu.Lock()
		defer mu.Unlock()
		if !col.add(m) {
			cancel()
			return false
		}
		return true
	}

	type job struct{ abs, rel string }
	jobs := make(chan job, 256)
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := newScanner(p)
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				data, ok := sc.read(j.abs)
				if ok {
					sc.scan(j.rel, data, emit)
				}
			}
		}()
	}

	_ = fswalk.Walk(ctx, root, walkOptions(p), func(e *fswalk.Entry) error {
		if e.IsDir() {
			return nil
		}
		if p.include != nil && !p.include.Match(e.Rel, false) {
			return nil
		}
		if info, err := e.Info(); err != nil || info.Size() > MaxFileBytes {
			return nil
		}
		select {
		case jobs <- job{e.Abs, e.Rel}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(jobs)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	res := Result{Engine: EngineGo, Matches: col.matches, Truncated: col.truncated}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.Truncated = true
	}
	return res, nil
}

// walkOptions are the walk rules: .git always goes, as do symlinks
// (never followed), devices, fifos and sockets; then the exclude glob;
// then, unless everything is wanted, the skipped folders, ripgrep's
// ignore files and the hidden rule.
func walkOptions(p *plan) fswalk.Options {
	all := p.q.IncludeGitignored
	o := fswalk.Options{Hidden: all, Skip: func(e *fswalk.Entry) bool {
		isDir := e.IsDir()
		return e.Name == ".git" || !isDir && !e.IsRegular() ||
			p.exclude != nil && p.exclude.Match(e.Rel, isDir) ||
			!all && isDir && workspace.SkipDir(e.Name)
	}}
	if !all {
		o.Rules = fswalk.Ripgrep()
	}
	return o
}

// read reads a file into the scanner's buffer; files that grew past the
// limit or hold a NUL byte are skipped.
func (s *scanner) read(abs string) ([]byte, bool) {
	f, err := os.Open(abs)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if s.buf == nil {
		s.buf = make([]byte, 0, 256<<10)
	}
	data := s.buf[:0]
	for {
		if len(data) == cap(data) {
			if len(data) > MaxFileBytes {
				return nil, false
			}
			data = append(data, 0)[:len(data)]
		}
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err != nil {
			s.buf = data[:0]
			if !errors.Is(err, io.EOF) || len(data) > MaxFileBytes || bytes.IndexByte(data, 0) >= 0 {
				return nil, false
			}
			return data, true
		}
	}
}
