package tools

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

// cliCalls are made by the fake model, one per turn, through the real pi
// CLI (argument validation, edit's argument repair and the CLI's tool
// wiring included) and then directly through our tools.
var cliCalls = []struct {
	name string
	args string
}{
	{"read", `{"path":"small.txt","offset":2,"limit":2}`},
	{"read", `{"path":"long.txt","offset":1990}`},
	{"read", `{"path":"wide.txt"}`},
	{"ls", `{"path":"names"}`},
	{"write", `{"path":"out/new.txt","content":"one\ntwo\n"}`},
	{"edit", `{"path":"out/new.txt","edits":[{"oldText":"two","newText":"2"}]}`},
	{"edit", `{"path":"code.go","oldText":"return 7 }","newText":"return 70 }"}`},
	{"edit", `{"path":"code.go","edits":"[{\"oldText\":\"return 8 }\",\"newText\":\"return 80 }\"}]"}`},
	{"edit", `{"path":"dup.txt","edits":[{"oldText":"same","newText":"x"}]}`},
	{"grep", `{"pattern":"needle","path":"grep/many.txt","limit":3}`},
	{"grep", `{"pattern":"needle","path":"grep/ctx.txt","context":1}`},
	{"bash", `{"command":"seq 1 5; echo to-stderr >&2"}`},
	{"bash", `{"command":"exit 4"}`},
}

// TestPiCLIToolResultsMatchOurs drives the real pi CLI with the fake LLM,
// records the tool results pi reports (--mode json), and requires ours to
// be the same on an identical fixture tree.
func TestPiCLIToolResultsMatchOurs(t *testing.T) {
	cli := picli.Find(t)
	piRoot, ourRoot := t.TempDir(), t.TempDir()
	writeFixture(t, piRoot)
	writeFixture(t, ourRoot)

	var responses []aitest.Response
	for i, c := range cliCalls {
		responses = append(responses, aitest.Response{Blocks: []aitest.Block{aitest.ToolCall(fmt.Sprintf("toolu_%02d", i), c.name, c.args)}})
	}
	responses = append(responses, aitest.Text("done"))
	srv := aitest.NewServer(t, aitest.Script{Responses: responses})
	agentDir := t.TempDir()
	models := fmt.Sprintf(`{"providers":{"fake":{"baseUrl":%q,"api":"anthropic-messages","apiKey":"test-key","models":[{"id":"fake-model"}]}}}`,
		aitest.BaseURL(srv.URL, ai.APIAnthropicMessages))
	if err := os.WriteFile(filepath.Join(agentDir, "models.json"), []byte(models), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := cli.Command("--mode", "json", "--no-session", "--provider", "fake", "--model", "fake-model",
		"--tools", "read,bash,edit,write,grep,find,ls", "use the tools")
	cmd.Dir = piRoot
	cmd.Env = append(os.Environ(), "PI_CODING_AGENT_DIR="+agentDir, "PI_OFFLINE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pi: %v\n%s", err, stderr.String())
	}
	piResults := toolEnds(t, out)
	if len(piResults) != len(cliCalls) {
		t.Fatalf("pi ran %d tools, want %d\n%s", len(piResults), len(cliCalls), stderr.String())
	}

	tools := testTools(t, ourRoot, nil)
	for i, c := range cliCalls {
		var args map[string]any
		if err := json.Unmarshal([]byte(c.args), &args); err != nil {
			t.Fatal(err)
		}
		res, err := run(t, tools, c.name, args)
		pi := piResults[i]
		if err != nil {
			if !pi.IsError || piText(pi) != err.Error() {
				t.Errorf("call %d %s: our error %q, pi isError=%v %q", i, c.name, err, pi.IsError, piText(pi))
			}
			continue
		}
		if pi.IsError {
			t.Errorf("call %d %s: pi failed (%q), we did not", i, c.name, piText(pi))
			continue
		}
		ours, _ := json.Marshal(map[string]any{"content": res.Content, "details": res.Details})
		theirs, _ := json.Marshal(map[string]any{"content": pi.Result.Content, "details": pi.Result.Details})
		got := normalizeResult(t, ours, ourRoot, false, false)
		want := normalizeResult(t, theirs, piRoot, false, false)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("call %d %s %s:\nours %s\npi   %s", i, c.name, c.args, clip(ours), clip(theirs))
		}
	}
}

type piToolEnd struct {
	Type     string `json:"type"`
	ToolName string `json:"toolName"`
	IsError  bool   `json:"isError"`
	Result   struct {
		Content []map[string]any `json:"content"`
		Details any              `json:"details"`
	} `json:"result"`
}

func piText(e piToolEnd) string {
	s := ""
	for _, c := range e.Result.Content {
		if txt, ok := c["text"].(string); ok {
			s += txt
		}
	}
	return s
}

// toolEnds returns the tool_execution_end events of a --mode json run.
func toolEnds(t *testing.T, out []byte) []piToolEnd {
	t.Helper()
	var ends []piToolEnd
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e piToolEnd
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Type == "tool_execution_end" {
			ends = append(ends, e)
		}
	}
	return ends
}
