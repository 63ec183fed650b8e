package convert

import (
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func TestToLLM(t *testing.T) {
	code := 2
	zero := 0
	img := ai.ImageContent("AAAA", "image/png")
	in := []ai.Message{
		{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("hi"), img}, Timestamp: 1},
		{Role: ai.RoleBashExecution, Command: "ls", Output: "a\nb", ExitCode: &zero, Timestamp: 2},
		{Role: ai.RoleBashExecution, Command: "false", ExitCode: &code, Timestamp: 3},
		{Role: ai.RoleBashExecution, Command: "sleep 9", Output: "x", Cancelled: true, Truncated: true, FullOutputPath: "/tmp/o.log", Timestamp: 4},
		{Role: ai.RoleBashExecution, Command: "secret", Output: "s", ExcludeFromContext: true, Timestamp: 5},
		{Role: ai.RoleCustom, CustomType: "note", Content: []ai.Content{ai.TextContent("remember")}, ContentIsString: true, Timestamp: 6},
		{Role: ai.RoleBranchSummary, Summary: "explored X", FromID: "ab12cd34", Timestamp: 7},
		{Role: ai.RoleCompactionSummary, Summary: "## Goal\nY", TokensBefore: 9, Timestamp: 8},
		{Role: ai.RoleToolResult, ToolCallID: "c", ToolName: "read", Content: []ai.Content{img, img, ai.TextContent("t")}, Timestamp: 9},
		{Role: "hookMessage", Timestamp: 10},
	}
	want := []string{
		"hi",
		"Ran `ls`\n```\na\nb\n```",
		"Ran `false`\n(no output)\n\nCommand exited with code 2",
		"Ran `sleep 9`\n```\nx\n```\n\n(command cancelled)\n\n[Output truncated. Full output: /tmp/o.log]",
		"remember",
		"The following is a summary of a branch that this conversation came back from:\n\n<summary>\nexplored X</summary>",
		"The conversation history before this point was compacted into the following summary:\n\n<summary>\n## Goal\nY\n</summary>",
		"t",
	}
	out := ToLLM(in, Options{})
	if len(out) != len(want) {
		t.Fatalf("%d messages, want %d", len(out), len(want))
	}
	for i, m := range out {
		if m.Text() != want[i] {
			t.Errorf("message %d = %q, want %q", i, m.Text(), want[i])
		}
		if m.Role != ai.RoleUser && m.Role != ai.RoleToolResult {
			t.Errorf("message %d has role %s", i, m.Role)
		}
	}
	if out[0].Content[1].Type != ai.ContentImage {
		t.Error("images must pass without blockImages")
	}
	if out[4].ContentIsString {
		t.Error("custom content must become blocks")
	}

	blocked := ToLLM(in, Options{BlockImages: true})
	if c := blocked[0].Content; len(c) != 2 || c[1].Text != ImagesDisabledText {
		t.Errorf("user content = %+v", c)
	}
	if c := blocked[7].Content; len(c) != 2 || c[0].Text != ImagesDisabledText || c[1].Text != "t" {
		t.Errorf("consecutive notices should collapse: %+v", c)
	}
	if in[0].Content[1].Type != ai.ContentImage {
		t.Error("the input was modified")
	}
}

func TestNudgeAfterATrailingCompactionSummary(t *testing.T) {
	summary := ai.Message{Role: ai.RoleCompactionSummary, Summary: "## Goal\nship it", Timestamp: 5}
	out := ToLLM([]ai.Message{summary}, Options{})
	if len(out) != 2 || out[1].Role != ai.RoleUser || out[1].Text() != ContinuationNudge {
		t.Fatalf("want summary then nudge, got %+v", out)
	}
	user := ai.Message{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("next")}, Timestamp: 6}
	if out := ToLLM([]ai.Message{summary, user}, Options{}); len(out) != 2 || out[1].Text() != "next" {
		t.Fatalf("no nudge when something follows the summary: %+v", out)
	}
}
