package tools

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

// comparedCalls run through pi's tool code and ours on identical fixture
// trees; results must be equal after the tree root (and bash temp file
// names) are replaced. find is left out: pi runs fd with
// --no-require-git, which the fd on the test machines (8.6) rejects, so pi
// itself fails there; find has golden tests of its own instead.
var comparedCalls = []struct {
	name string
	args map[string]any
	// sortLines compares text line sets, for multi-file grep whose order
	// follows ripgrep's threads.
	sortLines bool
	// imageMeta drops image data: resized images are re-encoded by
	// different libraries, so only the note, MIME type and size class match.
	imageMeta bool
}{
	{name: "read", args: map[string]any{"path": "small.txt"}},
	{name: "read", args: map[string]any{"path": "small.txt", "offset": 2, "limit": 2}},
	{name: "read", args: map[string]any{"path": "small.txt", "offset": 6}},
	{name: "read", args: map[string]any{"path": "small.txt", "offset": 7}},
	{name: "read", args: map[string]any{"path": "small.txt", "limit": 0}},
	{name: "read", args: map[string]any{"path": "long.txt"}},
	{name: "read", args: map[string]any{"path": "long.txt", "offset": 2500}},
	{name: "read", args: map[string]any{"path": "wide.txt"}},
	{name: "read", args: map[string]any{"path": "wide.txt", "offset": 10, "limit": 5}},
	{name: "read", args: map[string]any{"path": "huge-line.txt"}},
	{name: "read", args: map[string]any{"path": "huge-line.txt", "offset": 2}},
	{name: "read", args: map[string]any{"path": "invalid.txt"}},
	{name: "read", args: map[string]any{"path": "@small.txt"}},
	{name: "read", args: map[string]any{"path": "missing.txt"}},
	{name: "read", args: map[string]any{"path": "pixel.png"}},
	{name: "read", args: map[string]any{"path": "crlf.txt"}},
	{name: "read", args: map[string]any{"path": "wide.png"}, imageMeta: true},
	{name: "read", args: map[string]any{"path": "rotated.jpg"}, imageMeta: true},
	{name: "read", args: map[string]any{"path": "mirror.jpg"}},
	{name: "read", args: map[string]any{"path": "broken.png"}},
	{name: "ls", args: map[string]any{"path": "names"}},
	{name: "ls", args: map[string]any{"path": "dir"}},
	{name: "ls", args: map[string]any{"path": "dir", "limit": 3}},
	{name: "ls", args: map[string]any{}},
	{name: "ls", args: map[string]any{"path": "nope"}},
	{name: "ls", args: map[string]any{"path": "small.txt"}},
	{name: "write", args: map[string]any{"path": "new/nested/file.txt", "content": "héllo 😀\n"}},
	{name: "read", args: map[string]any{"path": "new/nested/file.txt"}},
	{name: "edit", args: map[string]any{"path": "small.txt", "edits": []any{map[string]any{"oldText": "beta\n", "newText": "BETA\nbeta2\n"}}}},
	{name: "edit", args: map[string]any{"path": "code.go", "edits": []any{
		map[string]any{"oldText": "func f5() int { return 5 }", "newText": "func f5() int { return 50 }"},
		map[string]any{"oldText": "func f30() int { return 30 }\n", "newText": ""},
	}}},
	{name: "edit", args: map[string]any{"path": "code.go", "oldText": "return 12 }", "newText": "return 120 }"}},
	{name: "edit", args: map[string]any{"path": "crlf.txt", "edits": []any{map[string]any{"oldText": "second line\nthird", "newText": "2nd line\n3rd"}}}},
	{name: "read", args: map[string]any{"path": "crlf.txt"}},
	{name: "edit", args: map[string]any{"path": "quotes.txt", "edits": []any{map[string]any{"oldText": "it's - fine", "newText": "it is fine"}}}},
	{name: "read", args: map[string]any{"path": "quotes.txt"}},
	{name: "edit", args: map[string]any{"path": "dup.txt", "edits": []any{map[string]any{"oldText": "same", "newText": "x"}}}},
	{name: "edit", args: map[string]any{"path": "dup.txt", "edits": []any{map[string]any{"oldText": "absent", "newText": "x"}}}},
	{name: "edit", args: map[string]any{"path": "dup.txt", "edits": []any{map[string]any{"oldText": "other", "newText": "other"}}}},
	{name: "edit", args: map[string]any{"path": "dup.txt", "edits": []any{}}},
	{name: "edit", args: map[string]any{"path": "gone.txt", "edits": []any{map[string]any{"oldText": "a", "newText": "b"}}}},
	{name: "grep", args: map[string]any{"pattern": "needle", "path": "grep/many.txt"}},
	{name: "grep", args: map[string]any{"pattern": "needle", "path": "grep/many.txt", "limit": 5}},
	{name: "grep", args: map[string]any{"pattern": "needle", "path": "grep/long.txt"}},
	{name: "grep", args: map[string]any{"pattern": "needle", "path": "grep/ctx.txt", "context": 1}},
	{name: "grep", args: map[string]any{"pattern": "NEEDLE A", "path": "grep/crlf.txt", "ignoreCase": true}},
	{name: "grep", args: map[string]any{"pattern": "needle three", "path": "grep", "literal": true}},
	{name: "grep", args: map[string]any{"pattern": "zzz-no-match"}},
	{name: "grep", args: map[string]any{"pattern": "x", "path": "nope"}},
	{name: "grep", args: map[string]any{"pattern": "needle", "path": "grep", "glob": "ctx.*"}},
	{name: "grep", args: map[string]any{"pattern": "^needle (1|2)$", "path": "grep"}, sortLines: true},
	// Only stderr: pi reads stdout and stderr on two pipes, so their relative
	// order is a race there (ours share one pipe and keep arrival order).
	{name: "bash", args: map[string]any{"command": "echo err >&2; printf 'no newline' >&2"}},
	{name: "bash", args: map[string]any{"command": "true"}},
	{name: "bash", args: map[string]any{"command": "echo failing; exit 3"}},
	{name: "bash", args: map[string]any{"command": "seq 1 3000"}},
	{name: "bash", args: map[string]any{"command": "head -c 70000 /dev/zero | tr '\\0' 'y'"}},
	{name: "bash", args: map[string]any{"command": "for i in $(seq 1 800); do printf '%0100d\\n' $i; done"}},
	{name: "bash", args: map[string]any{"command": "sleep 5", "timeout": 0.3}},
	{name: "bash", args: map[string]any{"command": "pwd"}},
	{name: "bash", args: map[string]any{"command": "seq 1 2000"}},
	{name: "bash", args: map[string]any{"command": "printf 'bad \\377\\376 bytes \\342\\202 cut\\n'"}},
	{name: "read", args: map[string]any{"path": "long.txt", "offset": 1001}},
	{name: "read", args: map[string]any{"path": "small.txt", "offset": 0, "limit": 1}},
	{name: "grep", args: map[string]any{"pattern": "(unclosed", "path": "grep"}},
	{name: "edit", args: map[string]any{"path": "code.go", "edits": []any{
		map[string]any{"oldText": "func f20() int { return 20 }\nfunc f21()", "newText": "x"},
		map[string]any{"oldText": "func f21() int", "newText": "y"},
	}}},
	{name: "edit", args: map[string]any{"path": "code.go", "edits": []any{
		map[string]any{"oldText": "func f2() int { return 2 }", "newText": "a"},
		map[string]any{"oldText": "nothing like this", "newText": "b"},
	}}},
	{name: "write", args: map[string]any{"path": "crlf-new.txt", "content": "a\r\nb\r\n"}},
	{name: "edit", args: map[string]any{"path": "crlf-new.txt", "edits": []any{map[string]any{"oldText": "a\nb", "newText": "A\nB"}}}},
	{name: "read", args: map[string]any{"path": "crlf-new.txt"}},
	{name: "ls", args: map[string]any{"path": "void"}},
}

var tmpLogRE = regexp.MustCompile(`/[^\s"]*/pi-bash-[0-9a-f]{16}\.log`)

func TestSameResultsAsPi(t *testing.T) {
	cli := picli.Find(t)
	dist := filepath.Join(filepath.Dir(cli.Script))

	piRoot, ourRoot := t.TempDir(), t.TempDir()
	writeFixture(t, piRoot)
	writeFixture(t, ourRoot)

	var calls []map[string]any
	for _, c := range comparedCalls {
		calls = append(calls, map[string]any{"name": c.name, "args": c.args})
	}
	callsJSON, _ := json.Marshal(calls)
	callsPath := filepath.Join(t.TempDir(), "calls.json")
	if err := os.WriteFile(callsPath, callsJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("testdata/pitools.mjs")
	cmd := cli.Command()
	cmd.Args = []string{cli.Node, script, dist, piRoot, callsPath}
	cmd.Dir = piRoot
	cmd.Env = append(os.Environ(), "PI_OFFLINE=1")
	piOut, err := cmd.Output()
	if err != nil {
		t.Fatalf("pi tools: %v\n%s", err, stderrOf(err))
	}
	var piResults []json.RawMessage
	if err := json.Unmarshal(piOut, &piResults); err != nil {
		t.Fatalf("pi output: %v\n%s", err, piOut)
	}

	tools := testTools(t, ourRoot, nil)
	for i, c := range comparedCalls {
		res, err := run(t, tools, c.name, c.args)
		var ours map[string]any
		if err != nil {
			ours = map[string]any{"ok": false, "error": err.Error()}
		} else {
			ours = map[string]any{"ok": true, "content": res.Content}
			if res.Details != nil {
				ours["details"] = res.Details
			}
		}
		oursJSON, _ := json.Marshal(ours)
		got := normalizeResult(t, oursJSON, ourRoot, c.sortLines, c.imageMeta)
		want := normalizeResult(t, piResults[i], piRoot, c.sortLines, c.imageMeta)
		if !reflect.DeepEqual(got, want) {
			g, _ := json.MarshalIndent(got, "", "  ")
			w, _ := json.MarshalIndent(want, "", "  ")
			t.Errorf("call %d %s %v differs from pi\nours: %s\npi:   %s", i, c.name, c.args, clip(g), clip(w))
		}
	}
}

// normalizeResult replaces the fixture root and temp file names and, when
// asked, sorts text lines.
func normalizeResult(t *testing.T, raw []byte, root string, sortLines, imageMeta bool) any {
	t.Helper()
	s := strings.ReplaceAll(string(raw), root, "<ROOT>")
	s = tmpLogRE.ReplaceAllString(s, "<TMP>/pi-bash.log")
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("normalize: %v", err)
	}
	if imageMeta {
		for _, c := range contentBlocks(v) {
			if c["type"] == "image" {
				c["data"] = "<image data>"
			}
		}
	}
	if sortLines {
		if m, ok := v.(map[string]any); ok {
			if content, ok := m["content"].([]any); ok {
				for _, c := range content {
					if cm, ok := c.(map[string]any); ok {
						if txt, ok := cm["text"].(string); ok {
							lines := strings.Split(txt, "\n")
							sort.Strings(lines)
							cm["text"] = strings.Join(lines, "\n")
						}
					}
				}
			}
		}
	}
	return v
}

func clip(b []byte) string {
	if len(b) > 3000 {
		return string(b[:1500]) + "\n...\n" + string(b[len(b)-1500:])
	}
	return string(b)
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

func contentBlocks(v any) []map[string]any {
	m, _ := v.(map[string]any)
	list, _ := m["content"].([]any)
	var out []map[string]any
	for _, c := range list {
		if cm, ok := c.(map[string]any); ok {
			out = append(out, cm)
		}
	}
	return out
}
