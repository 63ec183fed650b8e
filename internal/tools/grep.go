package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

//go:embed grep.md
var grepDescription string

const grepSchema = `{"type":"object","required":["pattern"],"properties":{` +
	`"pattern":{"type":"string","description":"Regular expression, or literal text with literal=true"},` +
	`"path":{"type":"string","description":"Directory or file to search (defaults to the working directory)"},` +
	`"glob":{"type":"string","description":"Only search files matching this glob, e.g. '*.ts' or '**/*.spec.ts'"},` +
	`"ignoreCase":{"type":"boolean","description":"Match case-insensitively (default false)"},` +
	`"literal":{"type":"boolean","description":"Take the pattern as literal text, not a regular expression (default false)"},` +
	`"context":{"type":"number","description":"Lines of context to show before and after each match (default 0)"},` +
	`"limit":{"type":"number","description":"Most matches to return (default 100)"}}}`

const grepDefaultLimit = 100

type grepTool struct{ base }

type grepArgs struct {
	Pattern    string  `json:"pattern"`
	Path       string  `json:"path"`
	Glob       string  `json:"glob"`
	IgnoreCase boolArg `json:"ignoreCase"`
	Literal    boolArg `json:"literal"`
	Context    *number `json:"context"`
	Limit      *number `json:"limit"`
}

// grepMatch is one matching line; text is nil when the searcher could not
// give it as UTF-8 (then the line is read from the file).
type grepMatch struct {
	file string
	line int
	text *string
}

func (t *grepTool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: NameGrep, Description: strings.TrimSpace(grepDescription), Parameters: json.RawMessage(grepSchema)}
}

func (t *grepTool) PromptInfo() PromptInfo {
	return PromptInfo{Snippet: "Search file contents for patterns (honours .gitignore)"}
}

func (t *grepTool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	var args grepArgs
	if err := decodeArgs(call, &args); err != nil {
		return agent.ToolResult{}, err
	}
	searchPath, err := t.searchDir(ctx, args.Path)
	if err != nil {
		return agent.ToolResult{}, err
	}
	fi, err := os.Stat(searchPath)
	if err != nil {
		return agent.ToolResult{}, errorf("Path not found: %s", searchPath)
	}
	isDir := fi.IsDir()
	ctxLines := max(0, intArg(args.Context, 0))
	limit := max(1, intArg(args.Limit, grepDefaultLimit))

	var matches []grepMatch
	var limitReached bool
	if rg := t.ripgrep(); rg != "" {
		matches, limitReached, err = t.searchRipgrep(ctx, rg, searchPath, args, limit)
	} else {
		matches, limitReached, err = searchGo(ctx, searchPath, isDir, args, limit)
	}
	if err != nil {
		return agent.ToolResult{}, err
	}
	if err := aborted(ctx); err != nil {
		return agent.ToolResult{}, err
	}
	if len(matches) == 0 && !limitReached {
		return textResult("No matches found", nil), nil
	}
	return formatGrep(matches, searchPath, isDir, ctxLines, limit, limitReached), nil
}

// ripgrep returns the rg to run: AGENT_DIR/bin/rg, then rg on PATH; ""
// means the Go searcher.
func (t *grepTool) ripgrep() string {
	if t.opts.NoRipgrep || t.opts.Launcher == nil {
		return ""
	}
	if t.opts.BinDir != "" {
		p := filepath.Join(t.opts.BinDir, "rg")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	p, err := exec.LookPath("rg")
	if err != nil {
		return ""
	}
	return p
}

func formatGrep(matches []grepMatch, searchPath string, isDir bool, ctxLines, limit int, limitReached bool) agent.ToolResult {
	rel := func(file string) string {
		if isDir {
			if r, err := filepath.Rel(searchPath, file); err == nil && r != "." && !strings.HasPrefix(r, "..") {
				return toSlash(r)
			}
		}
		return filepath.Base(file)
	}
	files := map[string][]string{}
	fileLines := func(file string) []string {
		if ls, ok := files[file]; ok {
			return ls
		}
		var ls []string
		if b, err := os.ReadFile(file); err == nil {
			ls = strings.Split(normalizeToLF(decodeUTF8(b)), "\n")
		}
		files[file] = ls
		return ls
	}
	linesTruncated := false
	line := func(s string) string {
		out, cut := truncateLine(s, GrepMaxLineLength)
		linesTruncated = linesTruncated || cut
		return out
	}
	var out []string
	for _, m := range matches {
		name := rel(m.file)
		if ctxLines == 0 && m.text != nil {
			s := strings.ReplaceAll(*m.text, "\r\n", "\n")
			s = strings.TrimSuffix(strings.ReplaceAll(s, "\r", ""), "\n")
			out = append(out, name+":"+strconv.Itoa(m.line)+": "+line(s))
			continue
		}
		ls := fileLines(m.file)
		if len(ls) == 0 {
			out = append(out, name+":"+strconv.Itoa(m.line)+": (unable to read file)")
			continue
		}
		from, to := m.line, m.line
		if ctxLines > 0 {
			from, to = max(1, m.line-ctxLines), min(len(ls), m.line+ctxLines)
		}
		for n := from; n <= to; n++ {
			text := ""
			if n-1 < len(ls) {
				text = strings.ReplaceAll(ls[n-1], "\r", "")
			}
			if n == m.line {
				out = append(out, name+":"+strconv.Itoa(n)+": "+line(text))
			} else {
				out = append(out, name+"-"+strconv.Itoa(n)+"- "+line(text))
			}
		}
	}
	var d ListDetails
	var notices []string
	if limitReached {
		notices = append(notices, strconv.Itoa(limit)+" matches limit reached. Use limit="+strconv.Itoa(limit*2)+" for more, or refine pattern")
		d.MatchLimitReached = limit
	}
	// The byte notice comes before the long-line notice in pi.
	tr := TruncateHead(strings.Join(out, "\n"), maxSafeInteger, DefaultMaxBytes)
	text := tr.Content
	if tr.Truncated {
		notices = append(notices, FormatSize(DefaultMaxBytes)+" limit reached")
		d.Truncation = &tr
	}
	if linesTruncated {
		notices = append(notices, "Some lines truncated to "+strconv.Itoa(GrepMaxLineLength)+" chars. Use read tool to see full lines")
		d.LinesTruncated = true
	}
	if len(notices) > 0 {
		text += "\n\n[" + strings.Join(notices, ". ") + "]"
	}
	var details any
	if d != (ListDetails{}) {
		details = d
	}
	return textResult(text, details)
}
