package registry

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/agent"
)

// The tools whose results the turn diff collects.
const (
	toolWrite = "write"
	toolEdit  = "edit"
)

// turnDiffFileCap bounds the file read for a pure-addition diff.
const turnDiffFileCap = 1 << 20

// turnCall is a write or edit call waiting for its result.
type turnCall struct {
	seq  int // call order within the run
	tool string
	args []byte
}

// turnWrite is one successful write or edit of the current run.
type turnWrite struct {
	seq     int
	path    string // as the model gave it
	tool    string
	diff    string // the edit tool's diff ("" for write)
	content string // write's content
}

// recordWrite keeps a successful write or edit result of this run.
func (s *Session) recordWrite(ev *agent.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	call, ok := s.toolArgs[ev.ToolCallID]
	if !ok {
		return
	}
	delete(s.toolArgs, ev.ToolCallID)
	if ev.IsError {
		return
	}
	var args struct {
		Path    string `json:"path"`
		Content string `json:"content"`
	}
	if json.Unmarshal(call.args, &args) != nil || args.Path == "" {
		return
	}
	w := turnWrite{seq: call.seq, path: args.Path, tool: call.tool, content: args.Content}
	if ev.Result != nil && ev.Result.Details != nil {
		if b, err := json.Marshal(ev.Result.Details); err == nil {
			var d struct {
				Diff string `json:"diff"`
			}
			_ = json.Unmarshal(b, &d)
			w.diff = d.Diff
		}
	}
	s.turn = append(s.turn, w)
}

// TurnDiffEntry is one file of GET /sessions/{id}/turn-diff.
type TurnDiffEntry struct {
	File           string `json:"file"`
	Tool           string `json:"tool"`
	Diff           string `json:"diff"`
	Additions      int    `json:"additions"`
	Deletions      int    `json:"deletions"`
	IsPureAddition bool   `json:"isPureAddition"`
}

// TurnDiff aggregates every write and edit of the last run, one entry per
// file in first-touched order. A file's diff is the edit tool's diffs in
// order when only edits touched it; otherwise `git diff HEAD -- path`;
// when git has nothing, the file's content as a pure addition.
func (s *Session) TurnDiff(ctx context.Context) []TurnDiffEntry {
	s.mu.Lock()
	writes := append([]turnWrite(nil), s.turn...)
	s.mu.Unlock()
	// Parallel tools finish in any order; files go in call order.
	slices.SortStableFunc(writes, func(a, b turnWrite) int { return a.seq - b.seq })
	var order []string
	byFile := map[string][]turnWrite{}
	for _, w := range writes {
		abs := s.absPath(w.path)
		if _, seen := byFile[abs]; !seen {
			order = append(order, abs)
		}
		byFile[abs] = append(byFile[abs], w)
	}
	out := make([]TurnDiffEntry, 0, len(order))
	for _, abs := range order {
		out = append(out, s.fileDiff(ctx, abs, byFile[abs]))
	}
	return out
}

func (s *Session) absPath(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.cwd, p)
	}
	return filepath.Clean(p)
}

// fileDiff builds one file's entry from its writes, in order.
func (s *Session) fileDiff(ctx context.Context, abs string, ws []turnWrite) TurnDiffEntry {
	e := TurnDiffEntry{File: s.displayPath(abs), Tool: toolEdit}
	edits := true
	var parts []string
	for _, w := range ws {
		if w.tool == toolWrite || w.diff == "" {
			edits = false
		}
		if w.tool == toolWrite {
			e.Tool = toolWrite
		}
		parts = append(parts, w.diff)
	}
	if edits {
		e.Diff = strings.Join(parts, "\n")
	} else if g := s.reg.opts.GitDiff; g != nil {
		if d, err := g(ctx, s.cwd, abs); err == nil && strings.TrimSpace(d) != "" {
			e.Diff = d
		}
	}
	if e.Diff == "" {
		content := ws[len(ws)-1].content
		if b, err := readCapped(abs, turnDiffFileCap); err == nil {
			content = string(b)
		}
		e.Diff, e.IsPureAddition = additionDiff(e.File, content), true
	}
	e.Additions, e.Deletions = countChanges(e.Diff)
	return e
}

// displayPath is abs relative to the project when inside it.
func (s *Session) displayPath(abs string) string {
	if rel, err := filepath.Rel(s.cwd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return filepath.ToSlash(rel)
	}
	return abs
}

func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// additionDiff is a unified diff creating a file with content.
func additionDiff(name, content string) string {
	lines := strings.SplitAfter(content, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	b.WriteString("--- /dev/null\n+++ b/" + name + "\n@@ -0,0 +1," + strconv.Itoa(len(lines)) + " @@\n")
	for _, l := range lines {
		b.WriteString("+" + l)
		if !strings.HasSuffix(l, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
	return b.String()
}

// countChanges counts added and removed lines of a unified diff or of the
// edit tool's numbered diff; file headers do not count.
func countChanges(diff string) (add, del int) {
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case isFileHeader(l):
		case strings.HasPrefix(l, "+"):
			add++
		case strings.HasPrefix(l, "-"):
			del++
		}
	}
	return add, del
}

func isFileHeader(l string) bool {
	for _, p := range []string{"--- a/", "--- /dev/null", "+++ b/", "+++ /dev/null"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
