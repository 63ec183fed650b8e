package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

//go:embed ls.md
var lsDescription string

const lsSchema = `{"type":"object","properties":{` +
	`"path":{"type":"string","description":"Directory to list (defaults to the working directory)"},` +
	`"limit":{"type":"number","description":"Most entries to return (default 500)"}}}`

const lsDefaultLimit = 500

type lsTool struct{ base }

type lsArgs struct {
	Path  string  `json:"path"`
	Limit *number `json:"limit"`
}

// ListDetails is the details object of ls, find and grep results.
type ListDetails struct {
	Truncation         *Truncation `json:"truncation,omitempty"`
	EntryLimitReached  int         `json:"entryLimitReached,omitempty"`
	ResultLimitReached int         `json:"resultLimitReached,omitempty"`
	MatchLimitReached  int         `json:"matchLimitReached,omitempty"`
	LinesTruncated     bool        `json:"linesTruncated,omitempty"`
}

func (t *lsTool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: NameLs, Description: strings.TrimSpace(lsDescription), Parameters: json.RawMessage(lsSchema)}
}

func (t *lsTool) PromptInfo() PromptInfo { return PromptInfo{Snippet: "List directory contents"} }

func (t *lsTool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	var args lsArgs
	if err := decodeArgs(call, &args); err != nil {
		return agent.ToolResult{}, err
	}
	dir, err := t.searchDir(ctx, args.Path)
	if err != nil {
		return agent.ToolResult{}, err
	}
	limit := intArg(args.Limit, lsDefaultLimit)
	fi, err := os.Stat(dir)
	if err != nil {
		return agent.ToolResult{}, errorf("Path not found: %s", dir)
	}
	if !fi.IsDir() {
		return agent.ToolResult{}, errorf("Not a directory: %s", dir)
	}
	f, err := os.Open(dir)
	if err != nil {
		return agent.ToolResult{}, errorf("Cannot read directory: %s", nodeError(err, "scandir", dir).Error())
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return agent.ToolResult{}, errorf("Cannot read directory: %s", nodeError(err, "scandir", dir).Error())
	}
	sortLikeLocaleCompare(names)
	var results []string
	limitReached := false
	for _, name := range names {
		if len(results) >= limit {
			limitReached = true
			break
		}
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			continue // pi skips what it cannot stat
		}
		if st.IsDir() {
			name += "/"
		}
		results = append(results, name)
	}
	if err := aborted(ctx); err != nil {
		return agent.ToolResult{}, err
	}
	if len(results) == 0 {
		return textResult("(empty directory)", nil), nil
	}
	var d ListDetails
	var notices []string
	if limitReached {
		notices = append(notices, strconv.Itoa(limit)+" entries limit reached. Use limit="+strconv.Itoa(limit*2)+" for more")
		d.EntryLimitReached = limit
	}
	return listResult(strings.Join(results, "\n"), notices, d), nil
}

// listResult byte-truncates a list output (no line limit: the caller
// already capped the count), appends the notices and fills details.
func listResult(out string, notices []string, d ListDetails) agent.ToolResult {
	tr := TruncateHead(out, maxSafeInteger, DefaultMaxBytes)
	text := tr.Content
	if tr.Truncated {
		notices = append(notices, FormatSize(DefaultMaxBytes)+" limit reached")
		d.Truncation = &tr
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

// sortLikeLocaleCompare orders names as pi does: Node's readdir lists them
// in byte order (libuv sorts with strcmp), then a stable sort compares the
// lower-cased names with the locale collation (punctuation before digits
// before letters).
func sortLikeLocaleCompare(names []string) {
	sort.Strings(names)
	c := collate.New(language.Und)
	keys := make(map[string]string, len(names))
	for _, n := range names {
		keys[n] = strings.ToLower(n)
	}
	sort.SliceStable(names, func(i, j int) bool {
		return c.CompareString(keys[names[i]], keys[names[j]]) < 0
	})
}
