package search

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

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
			sc := &scanner{p: p}
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

	w := &walker{ctx: ctx, p: p, send: func(abs, rel string) bool {
		select {
		case jobs <- job{abs, rel}:
			return true
		case <-ctx.Done():
			return false
		}
	}}
	stack, inRepo := ignoreStack(nil), false
	if !p.q.IncludeGitignored {
		stack, inRepo = rootStack(root)
	}
	w.dir(root, "", stack, inRepo)
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

type walker struct {
	ctx  context.Context
	p    *plan
	send func(abs, rel string) bool
}

// dir walks one folder; it returns false when the search should stop.
func (w *walker) dir(abs, rel string, stack ignoreStack, inRepo bool) bool {
	if w.ctx.Err() != nil {
		return false
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return true
	}
	all := w.p.q.IncludeGitignored
	if !all {
		inRepo = inRepo || isRepoDir(abs)
		stack = stack.with(abs, rel, inRepo)
	}
	for _, de := range ents {
		name := de.Name()
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		t := de.Type()
		isDir := t.IsDir()
		if !isDir && !t.IsRegular() {
			continue // symlinks are not followed; devices, fifos, sockets never searched
		}
		if !w.visible(name, childRel, isDir, stack, all) {
			continue
		}
		childAbs := filepath.Join(abs, name)
		if isDir {
			if !w.dir(childAbs, childRel, stack, inRepo) {
				return false
			}
			continue
		}
		if w.p.include != nil && !w.p.include.match(childRel, false) {
			continue
		}
		if info, err := de.Info(); err != nil || info.Size() > MaxFileBytes {
			continue
		}
		if !w.send(childAbs, childRel) {
			return false
		}
	}
	return true
}

// visible applies the walk rules to one entry: .git always goes; the
// exclude glob; then, unless everything is wanted, the skipped folders,
// the ignore files and the hidden rule (a whitelist entry un-hides).
func (w *walker) visible(name, rel string, isDir bool, stack ignoreStack, all bool) bool {
	if name == ".git" {
		return false
	}
	if w.p.exclude != nil && w.p.exclude.match(rel, isDir) {
		return false
	}
	if all {
		return true
	}
	if isDir && workspace.SkipDir(name) {
		return false
	}
	switch stack.decide(rel, isDir) {
	case 1:
		return false
	case -1:
		return true
	}
	return !strings.HasPrefix(name, ".")
}
