package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/fswalk"
)

//go:embed find.md
var findDescription string

const findSchema = `{"type":"object","required":["pattern"],"properties":{` +
	`"pattern":{"type":"string","description":"Glob to match, e.g. '*.ts', '**/*.json' or 'src/**/*.spec.ts'"},` +
	`"path":{"type":"string","description":"Directory to search (defaults to the working directory)"},` +
	`"limit":{"type":"number","description":"Most results to return (default 1000)"}}}`

const findDefaultLimit = 1000

type findTool struct{ base }

type findArgs struct {
	Pattern string  `json:"pattern"`
	Path    string  `json:"path"`
	Limit   *number `json:"limit"`
}

func (t *findTool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: NameFind, Description: strings.TrimSpace(findDescription), Parameters: json.RawMessage(findSchema)}
}

func (t *findTool) PromptInfo() PromptInfo {
	return PromptInfo{Snippet: "Find files by glob pattern (honours .gitignore)"}
}

// Execute walks the tree itself with the semantics pi gets from fd
// (--glob --hidden --no-require-git): the glob matches the file name, or the
// whole path when it holds a '/'; smart case; files and directories;
// .gitignore, .ignore and .fdignore honoured, .git left out; symlinks
// listed, not followed.
// Doing it in Go keeps results in name order and independent of which fd
// (if any) is installed.
func (t *findTool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	var args findArgs
	if err := decodeArgs(call, &args); err != nil {
		return agent.ToolResult{}, err
	}
	root, err := t.searchDir(ctx, args.Path)
	if err != nil {
		return agent.ToolResult{}, err
	}
	limit := intArg(args.Limit, findDefaultLimit)
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return agent.ToolResult{}, errorf("[fd error]: Search path '%s' is not a directory.\n[fd error]: No valid search paths given.", root)
	}
	match := newFindMatcher(args.Pattern)
	var results []string
	// fd 9+ (what pi downloads) leaves .git out even with --hidden.
	o := fswalk.Options{Rules: fswalk.Fd(), Hidden: true, Skip: func(e *fswalk.Entry) bool { return e.IsDir() && e.Name == ".git" }}
	err = fswalk.Walk(ctx, root, o, func(e *fswalk.Entry) error {
		if limit <= 0 || len(results) >= limit {
			return fs.SkipAll
		}
		if !match(e.Abs, e.Name) {
			return nil
		}
		if t.opts.Policy != nil && t.opts.Policy.Check(e.Abs) != nil {
			return nil
		}
		if e.IsDir() {
			results = append(results, e.Rel+"/")
		} else {
			results = append(results, e.Rel)
		}
		return nil
	})
	if err != nil {
		return agent.ToolResult{}, walkError(ctx, err)
	}
	if len(results) == 0 {
		return textResult("No files found matching pattern", nil), nil
	}
	var d ListDetails
	var notices []string
	if len(results) >= limit {
		notices = append(notices, strconv.Itoa(limit)+" results limit reached. Use limit="+strconv.Itoa(limit*2)+" for more, or refine pattern")
		d.ResultLimitReached = limit
	}
	return listResult(strings.Join(results, "\n"), notices, d), nil
}

// newFindMatcher compiles fd's reading of a glob: name match unless the
// glob has a '/', then a match against the absolute path with an implied
// leading "**/"; case-insensitive unless the glob has an upper-case letter.
func newFindMatcher(pattern string) func(abs, name string) bool {
	fold := !strings.ContainsFunc(pattern, unicode.IsUpper)
	norm := func(s string) string {
		if fold {
			return strings.ToLower(s)
		}
		return s
	}
	if !strings.Contains(pattern, "/") {
		p := norm(pattern)
		return func(_, name string) bool {
			ok, _ := doublestar.Match(p, norm(name))
			return ok
		}
	}
	p := pattern
	if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "**/") && p != "**" {
		p = "**/" + p
	}
	p = norm(strings.TrimPrefix(p, "/"))
	return func(abs, _ string) bool {
		ok, _ := doublestar.Match(p, norm(strings.TrimPrefix(filepath.ToSlash(abs), "/")))
		return ok
	}
}
