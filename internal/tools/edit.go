package tools

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

//go:embed edit.md
var editDescription string

const editSchema = `{"type":"object","required":["path","edits"],"properties":{` +
	`"path":{"type":"string","description":"File to edit: relative to the working directory, or absolute"},` +
	`"edits":{"type":"array","items":{"type":"object","required":["oldText","newText"],"properties":{` +
	`"oldText":{"type":"string","description":"Exact text to replace. It must occur exactly once in the original file and must not overlap another edit's oldText."},` +
	`"newText":{"type":"string","description":"Text that replaces oldText."}},"additionalProperties":false},` +
	`"description":"One or more replacements, each matched against the original file (not against the result of earlier edits). Edits must not overlap or nest; merge changes to the same or neighbouring lines into one edit."}},` +
	`"additionalProperties":false}`

type editTool struct{ base }

type editPair struct {
	OldText string `json:"oldText"`
	NewText string `json:"newText"`
}

type editArgs struct {
	Path  string     `json:"path"`
	Edits []editPair `json:"edits"`
}

// EditDetails is the details object of an edit result.
type EditDetails struct {
	Diff             string `json:"diff"`
	FirstChangedLine *int   `json:"firstChangedLine,omitempty"`
}

func (t *editTool) Spec() ai.ToolSpec {
	return ai.ToolSpec{Name: NameEdit, Description: strings.TrimSpace(editDescription), Parameters: json.RawMessage(editSchema)}
}

func (t *editTool) PromptInfo() PromptInfo {
	return PromptInfo{
		Snippet: "Make precise file edits by exact text replacement, several disjoint edits per call if needed",
		Guidelines: []string{
			"Use edit for precise changes; each edits[].oldText must match the file exactly",
			"To change several places in one file, send one edit call with several entries in edits[] rather than several calls",
			"Every edits[].oldText is matched against the original file, not against the result of earlier edits; never send overlapping or nested edits, merge neighbouring changes into one",
			"Keep each edits[].oldText as short as possible while still unique in the file; do not pad it with large unchanged regions",
		},
	}
}

// PrepareArguments accepts the shapes models send besides pi's schema, as
// pi does before validation: edits as a JSON string, and the legacy
// top-level oldText/newText pair (appended to edits).
func (t *editTool) PrepareArguments(raw json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	changed := false
	if e, ok := m["edits"]; ok && len(e) > 0 && e[0] == '"' {
		var s string
		if json.Unmarshal(e, &s) == nil {
			var arr []json.RawMessage
			if json.Unmarshal([]byte(s), &arr) == nil {
				m["edits"], _ = json.Marshal(arr)
				changed = true
			}
		}
	}
	var oldText, newText string
	if json.Unmarshal(m["oldText"], &oldText) == nil && json.Unmarshal(m["newText"], &newText) == nil &&
		isJSONString(m["oldText"]) && isJSONString(m["newText"]) {
		var edits []json.RawMessage
		_ = json.Unmarshal(m["edits"], &edits)
		pair, _ := json.Marshal(editPair{OldText: oldText, NewText: newText})
		m["edits"], _ = json.Marshal(append(edits, pair))
		delete(m, "oldText")
		delete(m, "newText")
		changed = true
	}
	if !changed {
		return raw
	}
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}

func isJSONString(r json.RawMessage) bool {
	r = bytes.TrimSpace(r)
	return len(r) > 0 && r[0] == '"'
}

func (t *editTool) Execute(ctx context.Context, call agent.ToolCall, _ func(agent.ToolResult)) (agent.ToolResult, error) {
	call.Args = t.PrepareArguments(call.Args)
	var args editArgs
	if err := decodeArgs(call, &args); err != nil {
		return agent.ToolResult{}, err
	}
	if len(args.Edits) == 0 {
		//lint:ignore ST1005 pi's exact wording
		return agent.ToolResult{}, errors.New("Edit tool input is invalid. edits must contain at least one replacement.")
	}
	if hasNUL(args.Path) {
		return agent.ToolResult{}, nulPathError(args.Path)
	}
	abs, err := t.resolve(args.Path)
	if err != nil {
		return agent.ToolResult{}, err
	}
	var result agent.ToolResult
	err = t.opts.Mutations.Do(abs, func() error {
		if err := aborted(ctx); err != nil {
			return err
		}
		if err := unix.Access(abs, unix.R_OK|unix.W_OK); err != nil {
			code := errnoCode(err)
			if code == "" {
				code = err.Error()
			}
			return errors.New("Could not edit file: " + args.Path + ". Error code: " + code + ".")
		}
		raw, err := os.ReadFile(abs)
		if err != nil {
			return nodeError(err, "read", "")
		}
		content := decodeUTF8(raw)
		bom := ""
		if strings.HasPrefix(content, "\uFEFF") {
			bom, content = "\uFEFF", content[len("\uFEFF"):]
		}
		ending := detectLineEnding(content)
		baseText, newText, err := applyEdits(normalizeToLF(content), args.Edits, args.Path)
		if err != nil {
			return err
		}
		if err := aborted(ctx); err != nil {
			return err
		}
		final := newText
		if ending == "\r\n" {
			final = strings.ReplaceAll(final, "\n", "\r\n")
		}
		if err := writeFileInPlace(abs, []byte(bom+final)); err != nil {
			return err
		}
		if err := t.afterWrite(abs); err != nil {
			return err
		}
		diff, first := editDiff(baseText, newText, 4)
		d := EditDetails{Diff: diff}
		if first > 0 {
			d.FirstChangedLine = &first
		}
		result = textResult("Successfully replaced "+strconv.Itoa(len(args.Edits))+" block(s) in "+args.Path+".", d)
		return nil
	})
	if err != nil {
		return agent.ToolResult{}, err
	}
	return result, nil
}

// detectLineEnding is CRLF when the first "\r\n" comes before the first
// lone "\n", that is when the first "\n" follows a "\r".
func detectLineEnding(s string) string {
	lf := strings.IndexByte(s, '\n')
	if lf > 0 && s[lf-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

func normalizeToLF(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

type matchedEdit struct {
	index, at, length int
	newText           string
}

// applyEdits matches every edit against the same original text, exactly or
// else in fuzzy-normalized space (then the whole text is normalized, as pi
// does), checks uniqueness and overlap, and applies them back to front.
func applyEdits(content string, edits []editPair, path string) (string, string, error) {
	n := len(edits)
	norm := make([]editPair, n)
	for i, e := range edits {
		norm[i] = editPair{OldText: normalizeToLF(e.OldText), NewText: normalizeToLF(e.NewText)}
		if norm[i].OldText == "" {
			if n == 1 {
				return "", "", errors.New("oldText must not be empty in " + path + ".")
			}
			return "", "", errors.New("edits[" + strconv.Itoa(i) + "].oldText must not be empty in " + path + ".")
		}
	}
	base := content
	for _, e := range norm {
		if !strings.Contains(content, e.OldText) && strings.Contains(fuzzyNormalize(content), fuzzyNormalize(e.OldText)) {
			base = fuzzyNormalize(content)
			break
		}
	}
	fuzzyBase := fuzzyNormalize(base)
	matches := make([]matchedEdit, 0, n)
	for i, e := range norm {
		at, length := strings.Index(base, e.OldText), len(e.OldText)
		if at < 0 {
			fo := fuzzyNormalize(e.OldText)
			at, length = strings.Index(fuzzyBase, fo), len(fo)
		}
		if at < 0 {
			if n == 1 {
				return "", "", errors.New("Could not find the exact text in " + path + ". The old text must match exactly including all whitespace and newlines.")
			}
			return "", "", errors.New("Could not find edits[" + strconv.Itoa(i) + "] in " + path + ". The oldText must match exactly including all whitespace and newlines.")
		}
		if c := countOccurrences(fuzzyBase, fuzzyNormalize(e.OldText)); c > 1 {
			if n == 1 {
				return "", "", errors.New("Found " + strconv.Itoa(c) + " occurrences of the text in " + path + ". The text must be unique. Please provide more context to make it unique.")
			}
			return "", "", errors.New("Found " + strconv.Itoa(c) + " occurrences of edits[" + strconv.Itoa(i) + "] in " + path + ". Each oldText must be unique. Please provide more context to make it unique.")
		}
		matches = append(matches, matchedEdit{index: i, at: at, length: length, newText: e.NewText})
	}
	sort.SliceStable(matches, func(a, b int) bool { return matches[a].at < matches[b].at })
	for i := 1; i < len(matches); i++ {
		prev, cur := matches[i-1], matches[i]
		if prev.at+prev.length > cur.at {
			return "", "", errors.New("edits[" + strconv.Itoa(prev.index) + "] and edits[" + strconv.Itoa(cur.index) + "] overlap in " + path + ". Merge them into one edit or target disjoint regions.")
		}
	}
	out := base
	for i := len(matches) - 1; i >= 0; i-- {
		m := matches[i]
		out = out[:m.at] + m.newText + out[m.at+m.length:]
	}
	if out == base {
		if n == 1 {
			return "", "", errors.New("No changes made to " + path + ". The replacement produced identical content. This might indicate an issue with special characters or the text not existing as expected.")
		}
		return "", "", errors.New("No changes made to " + path + ". The replacements produced identical content.")
	}
	return base, out, nil
}

// countOccurrences counts non-overlapping occurrences like JavaScript's
// s.split(sub).length - 1, including its answer for an empty sub.
func countOccurrences(s, sub string) int {
	if sub == "" {
		return utf16Len(s) - 1
	}
	return strings.Count(s, sub)
}
