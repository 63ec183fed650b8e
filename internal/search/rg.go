package search

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/workspace"
)

// rgArgs turns a plan into ripgrep flags. The include glob is applied to
// ripgrep's output instead of passed as --glob, because ripgrep's globs
// override ignore rules and hidden-file filtering.
func rgArgs(p *plan) []string {
	args := []string{"--json", "--no-config", "--no-ignore-global", "--no-follow",
		// limit+1 lines per file: enough to know a file alone overflows.
		"--max-filesize", "5M", "--max-count", strconv.Itoa(p.limit + 1)}
	if !p.q.Regex {
		args = append(args, "--fixed-strings")
	}
	if p.q.CaseSensitive {
		args = append(args, "--case-sensitive")
	} else {
		args = append(args, "--ignore-case")
	}
	if p.q.IncludeGitignored {
		args = append(args, "--no-ignore", "--hidden")
	} else {
		for _, name := range workspace.SkipDirNames() {
			args = append(args, "--glob", "!"+name+"/")
		}
	}
	args = append(args, "--glob", "!.git/")
	if p.exclude != nil {
		args = append(args, "--glob", "!"+p.exclude.raw)
	}
	return append(args, "--regexp", p.q.Pattern, "--", ".")
}

// ripgrep runs rg --json in root and converts its matches.
func (s *Searcher) ripgrep(ctx context.Context, root string, p *plan) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if ctx.Err() != nil {
		return Result{Engine: EngineRipgrep, Truncated: true}, nil
	}
	cmd, err := s.launcher.Command(ctx, proc.Spec{Kind: proc.KindHelper, Path: s.rg, Args: rgArgs(p), Dir: root})
	if err != nil {
		return s.walk(ctx, root, p)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, &Error{Code: CodeFailed, Message: "could not run ripgrep", Err: err}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 64 << 10}
	if err := cmd.Start(); err != nil {
		// rg went missing since New: the Go engine answers instead.
		return s.walk(ctx, root, p)
	}
	col := &collector{limit: p.limit}
	readErr := readRipgrep(stdout, p, col)
	if col.truncated || readErr != nil {
		cancel()
	}
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()

	res := Result{Engine: EngineRipgrep, Matches: col.matches, Truncated: col.truncated}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.Truncated = true
	}
	if readErr != nil {
		return Result{}, &Error{Code: CodeFailed, Message: "unreadable ripgrep output", Err: readErr}
	}
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) && exitErr.ExitCode() == 2 && ctx.Err() == nil {
		msg := stderr.String()
		if strings.Contains(msg, "regex parse error") || strings.Contains(msg, "error parsing") || strings.Contains(msg, "not allowed in a regex") {
			return Result{}, &Error{Code: CodeInvalidRegex, Message: "invalid regular expression: " + firstLines(msg, 6)}
		}
		// Exit 2 with results: some files could not be read; the rest stands.
	}
	return res, nil
}

type rgText struct {
	Text  *string `json:"text"`
	Bytes *string `json:"bytes"`
}

func (t rgText) value() []byte {
	if t.Text != nil {
		return []byte(*t.Text)
	}
	if t.Bytes != nil {
		b, _ := base64.StdEncoding.DecodeString(*t.Bytes)
		return b
	}
	return nil
}

type rgEvent struct {
	Data struct {
		Path       rgText `json:"path"`
		Lines      rgText `json:"lines"`
		LineNumber int    `json:"line_number"`
		Submatches []struct {
			Start int `json:"start"`
			End   int `json:"end"`
		} `json:"submatches"`
	} `json:"data"`
}

var matchPrefix = []byte(`{"type":"match"`)

// readRipgrep collects match events until the output ends or the limit is
// passed.
func readRipgrep(r io.Reader, p *plan, col *collector) error {
	br := bufio.NewReaderSize(r, 256<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && bytes.HasPrefix(line, matchPrefix) {
			var ev rgEvent
			if jerr := json.Unmarshal(line, &ev); jerr != nil {
				return jerr
			}
			if !addRipgrepMatch(&ev, p, col) {
				return nil
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func addRipgrepMatch(ev *rgEvent, p *plan, col *collector) bool {
	rel := strings.TrimPrefix(string(ev.Data.Path.value()), "./")
	if p.include != nil && !p.include.Match(rel, false) || excludedPath(p.exclude, rel) {
		return true
	}
	text := bytes.TrimSuffix(ev.Data.Lines.value(), []byte{'\n'})
	for _, sm := range ev.Data.Submatches {
		if sm.Start < 0 || sm.End > len(text) || sm.Start > sm.End {
			continue
		}
		if !col.add(newMatch(rel, ev.Data.LineNumber, text, sm.Start, sm.End)) {
			return false
		}
	}
	return true
}

// excludedPath reports whether the exclude glob matches the file or any
// folder above it (ripgrep prunes excluded folders while walking).
func excludedPath(g *glob, rel string) bool {
	if g == nil {
		return false
	}
	if g.Match(rel, false) {
		return true
	}
	for dir := path.Dir(rel); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if g.Match(dir, true) {
			return true
		}
	}
	return false
}

func firstLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[:n]
	}
	return strings.Join(ls, "\n")
}

// limitedBuffer keeps the first max bytes written.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		if len(p) > room {
			l.buf.Write(p[:room])
		} else {
			l.buf.Write(p)
		}
	}
	return len(p), nil
}
