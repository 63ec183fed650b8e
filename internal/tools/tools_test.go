package tools

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/pi-forge/pi-forge/internal/agent"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestMain(m *testing.M) {
	code := m.Run()
	if benchTreeDir != "" {
		_ = os.RemoveAll(benchTreeDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func TestNewBuildsEnabledToolsInPiOrder(t *testing.T) {
	all := testTools(t, t.TempDir(), nil)
	if len(all) != 7 {
		t.Fatalf("default set has %d tools, want 7", len(all))
	}
	list, err := New([]string{"ls", "read"}, Options{Cwd: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Spec().Name != "read" || list[1].Spec().Name != "ls" {
		t.Errorf("got %v", list)
	}
	if _, err := New([]string{"read", "rm"}, Options{}); err == nil {
		t.Error("unknown tool name accepted")
	}
	if _, err := New([]string{"bash"}, Options{}); err == nil {
		t.Error("bash without a launcher accepted")
	}
}

func TestSchemasArePiShaped(t *testing.T) {
	for name, tool := range testTools(t, t.TempDir(), nil) {
		spec := tool.Spec()
		var schema struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(spec.Parameters, &schema); err != nil || schema.Type != "object" {
			t.Errorf("%s: schema %s: %v", name, spec.Parameters, err)
		}
		if spec.Description == "" || strings.Contains(string(spec.Parameters), `"integer"`) {
			t.Errorf("%s: empty description or integer type", name)
		}
		if p, ok := tool.(Prompter); !ok || p.PromptInfo().Snippet == "" {
			t.Errorf("%s: no prompt snippet", name)
		}
	}
}

// goldenCalls produce the outputs kept in testdata/*.golden: truncation
// notices, edit diffs and list formats, byte for byte.
var goldenCalls = []struct {
	file, name string
	args       map[string]any
}{
	{"read", "read", map[string]any{"path": "long.txt"}},
	{"read", "read", map[string]any{"path": "wide.txt"}},
	{"read", "read", map[string]any{"path": "huge-line.txt"}},
	{"read", "read", map[string]any{"path": "small.txt", "offset": 2, "limit": 1}},
	{"edit", "edit", map[string]any{"path": "code.go", "edits": []any{
		map[string]any{"oldText": "func f5() int { return 5 }", "newText": "func f5() int { return 50 }"},
		map[string]any{"oldText": "func f30() int { return 30 }\n", "newText": "// gone\n// twice\n"},
	}}},
	{"edit", "edit", map[string]any{"path": "small.txt", "edits": []any{map[string]any{"oldText": "alpha\n", "newText": ""}}}},
	{"bash", "bash", map[string]any{"command": "seq 1 2500"}},
	{"bash", "bash", map[string]any{"command": "head -c 60000 /dev/zero | tr '\\0' 'z'"}},
	{"find", "find", map[string]any{"pattern": "*.ts", "path": "tree"}},
	{"find", "find", map[string]any{"pattern": "src/**/*.ts", "path": "tree"}},
	{"find", "find", map[string]any{"pattern": "*", "path": "tree", "limit": 2}},
	{"find", "find", map[string]any{"pattern": "*.log", "path": "tree"}},
	{"grep", "grep", map[string]any{"pattern": "needle", "path": "grep/many.txt", "limit": 3}},
	{"grep", "grep", map[string]any{"pattern": "needle", "path": "grep/long.txt"}},
	{"ls", "ls", map[string]any{"path": "names"}},
}

func TestGoldenOutputs(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root)
	tools := testTools(t, root, nil)
	outputs := map[string]*strings.Builder{}
	for _, c := range goldenCalls {
		res, err := run(t, tools, c.name, c.args)
		b := outputs[c.file]
		if b == nil {
			b = &strings.Builder{}
			outputs[c.file] = b
		}
		args, _ := json.Marshal(c.args)
		b.WriteString("=== " + c.name + " " + string(args) + "\n")
		if err != nil {
			b.WriteString("ERROR: " + err.Error() + "\n")
			continue
		}
		out := text(res)
		if d, ok := res.Details.(EditDetails); ok {
			out += "\n--- diff (first changed line " + itoa(*d.FirstChangedLine) + ")\n" + d.Diff
		}
		out = tmpLogRE.ReplaceAllString(strings.ReplaceAll(out, root, "<ROOT>"), "<TMP>/pi-bash.log")
		b.WriteString(lastLines(out, 12) + "\n")
	}
	for name, b := range outputs {
		path := filepath.Join("testdata", name+".golden")
		if *update {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s differs from %s:\n%s", name, path, b.String())
		}
	}
}

// lastLines keeps golden files small: the end of an output is where the
// notices are.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return "[... " + itoa(len(lines)-n) + " lines ...]\n" + strings.Join(lines[len(lines)-n:], "\n")
}

func TestAbortedCallsReject(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root)
	tools := testTools(t, root, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, args := range map[string]string{
		"read":  `{"path":"small.txt"}`,
		"write": `{"path":"x.txt","content":"x"}`,
		"edit":  `{"path":"small.txt","edits":[{"oldText":"alpha","newText":"a"}]}`,
		"ls":    `{}`,
		"find":  `{"pattern":"*"}`,
		"grep":  `{"pattern":"x"}`,
	} {
		_, err := tools[name].Execute(ctx, agent.ToolCall{Name: name, Args: json.RawMessage(args)}, func(agent.ToolResult) {})
		if err == nil || err.Error() != "Operation aborted" {
			t.Errorf("%s: got %v, want Operation aborted", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "x.txt")); err == nil {
		t.Error("aborted write wrote the file")
	}
}

func TestHugeFileReadStreams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("0123456789", 10) + "\n" // 101 bytes
	chunk := strings.Repeat(line, 10000)
	for written := 0; written < 100<<20; written += len(chunk) {
		if _, err := f.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	tools := testTools(t, filepath.Dir(path), nil)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := run(t, tools, "read", map[string]any{"path": "huge.txt"})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	out := text(res)
	if !strings.HasSuffix(out, "[Showing lines 1-506 of 1040001 (50.0KB limit). Use offset=507 to continue.]") {
		t.Errorf("notice: %q", out[len(out)-120:])
	}
	// The file is 100 MB; reading it must not hold (or even allocate) it.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("read allocated %d MB for a 100 MB file", alloc>>20)
	}
}

func TestHostilePaths(t *testing.T) {
	root := t.TempDir()
	writeFixture(t, root)
	tools := testTools(t, root, nil)
	for _, tc := range []struct{ name, args, want string }{
		{"read", `{"path":"small\u0000.txt"}`, "without null bytes"},
		{"write", `{"path":"a\u0000b","content":"x"}`, "without null bytes"},
		{"ls", `{"path":"\u0000"}`, "without null bytes"},
		{"read", `{"path":"dir"}`, "EISDIR: illegal operation on a directory, read"},
		{"read", `{"path":"../` + filepath.Base(root) + `/small.txt"}`, ""},
	} {
		res, err := tools[tc.name].Execute(context.Background(), agent.ToolCall{Name: tc.name, Args: json.RawMessage(tc.args)}, func(agent.ToolResult) {})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %s: %v", tc.name, tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %s: got %v (%q), want error containing %q", tc.name, tc.args, err, text(res), tc.want)
		}
	}
	// A binary file reads as text without failing; grep's walk skips it.
	res, err := run(t, tools, "read", map[string]any{"path": "grep/binary.bin"})
	if err != nil || !strings.Contains(text(res), "needle\x00binary") {
		t.Errorf("binary read: %q %v", text(res), err)
	}
	res, err = run(t, tools, "grep", map[string]any{"pattern": "binary", "path": "grep"})
	if err != nil || text(res) != "No matches found" {
		t.Errorf("grep found text in a binary file: %q %v", text(res), err)
	}
}

func TestSandboxPolicyGuardsFileTools(t *testing.T) {
	ws := t.TempDir()
	project := filepath.Join(ws, "proj")
	writeFixture(t, project)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s3cret"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, filepath.Join(outside, "secret"), filepath.Join(project, "link-out"))
	mustSymlink(t, outside, filepath.Join(project, "dir-out"))
	mustSymlink(t, filepath.Join(outside, "new-file"), filepath.Join(project, "dangling"))
	policy := &SandboxPolicy{Workspace: ws, PiConfigDir: filepath.Join(outside, "agent"), ForgeDataDir: filepath.Join(ws, ".forge")}
	tools := testTools(t, project, func(o *Options) { o.Policy = policy })

	denied := []struct {
		name string
		args map[string]any
	}{
		{"read", map[string]any{"path": "link-out"}},
		{"read", map[string]any{"path": "dir-out/secret"}},
		{"read", map[string]any{"path": "../../" + filepath.Base(outside) + "/secret"}},
		{"read", map[string]any{"path": "/etc/passwd"}},
		{"read", map[string]any{"path": "/proc/self/environ"}},
		{"read", map[string]any{"path": "  "}},
		{"write", map[string]any{"path": "dangling", "content": "x"}},
		{"write", map[string]any{"path": "dir-out/new", "content": "x"}},
		{"edit", map[string]any{"path": "link-out", "edits": []any{map[string]any{"oldText": "s3cret", "newText": "x"}}}},
		{"ls", map[string]any{"path": "dir-out"}},
		{"grep", map[string]any{"pattern": "s3cret", "path": "dir-out"}},
		{"find", map[string]any{"pattern": "*", "path": "/etc"}},
		{"write", map[string]any{"path": filepath.Join(ws, ".forge", "jwt-secret"), "content": "x"}},
	}
	for _, d := range denied {
		_, err := run(t, tools, d.name, d.args)
		if err == nil || !strings.HasPrefix(err.Error(), "agent_tool_path_denied: ") {
			t.Errorf("%s %v: got %v, want agent_tool_path_denied", d.name, d.args, err)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "new-file")); err == nil {
		t.Error("write through a dangling symlink escaped the workspace")
	}
	// Inside the workspace everything works, sibling projects included.
	if _, err := run(t, tools, "write", map[string]any{"path": "../sibling/x.txt", "content": "ok"}); err != nil {
		t.Errorf("sibling project write: %v", err)
	}
	res, err := run(t, tools, "find", map[string]any{"pattern": "*", "path": "."})
	if err != nil || strings.Contains(text(res), "dir-out/secret") {
		t.Errorf("find: %v %q", err, text(res))
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyRules(t *testing.T) {
	home := t.TempDir()
	ws := filepath.Join(home, "workspace")
	cfg := filepath.Join(home, ".pi", "agent")
	data := filepath.Join(home, ".pi-forge")
	for _, d := range []string{ws, cfg, data, filepath.Join(home, ".ssh")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := &SandboxPolicy{Workspace: ws, PiConfigDir: cfg, ForgeDataDir: data, Home: home}
	for path, allowed := range map[string]bool{
		ws + "/proj/main.go":          true,
		ws + "/other-project/x":       true,
		cfg + "/skills/s/SKILL.md":    true,
		cfg + "/sub/auth.json":        true,
		cfg + "/auth.json":            false,
		cfg + "/models.json":          false,
		cfg + "/settings.json":        false,
		data + "/jwt-secret":          false,
		home + "/.ssh/id_ed25519":     false,
		home + "/notes.txt":           false,
		"/etc":                        false,
		"/etcetera/x":                 false,
		"/run/secrets/token":          false,
		"/var/run/secrets/k8s/token":  false,
		ws + "/../.pi-forge/password": false,
	} {
		err := p.Check(path)
		if (err == nil) != allowed {
			t.Errorf("%s: allowed=%v, err=%v", path, allowed, err)
		}
	}
}
