package ai

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var target = &Model{ID: "m1", API: APIAnthropicMessages, Provider: "p1", Input: []string{"text", "image"}}

func assistant(model string, stop StopReason, content ...Content) Message {
	return Message{Role: RoleAssistant, API: APIAnthropicMessages, Provider: "p1", Model: model, StopReason: stop, Content: content}
}

func result(id string, text string) Message {
	return Message{Role: RoleToolResult, ToolCallID: id, ToolName: "t", Content: []Content{TextContent(text)}}
}

func user(text string) Message { return Message{Role: RoleUser, Content: []Content{TextContent(text)}} }

func call(id string) Content {
	return Content{Type: ContentToolCall, ID: id, Name: "t", Arguments: json.RawMessage(`{}`), ThoughtSignature: "ts"}
}

// shape renders messages compactly for comparison.
func shape(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		s := m.Role + ":"
		if m.Role == RoleToolResult {
			s += m.ToolCallID + "=" + m.Text()
			if m.IsError {
				s += "!"
			}
		}
		for _, c := range m.Content {
			switch c.Type {
			case ContentText:
				if m.Role != RoleToolResult {
					s += "[text " + c.Text + "|" + c.TextSignature + "]"
				}
			case ContentThinking:
				s += "[thinking " + c.Thinking + "|" + c.ThinkingSignature + "]"
			case ContentToolCall:
				s += "[call " + c.ID + "|" + c.ThoughtSignature + "]"
			case ContentImage:
				s += "[image]"
			}
		}
		out = append(out, s)
	}
	return out
}

func TestTransformSameModelKeepsSignatures(t *testing.T) {
	in := []Message{
		user("q"),
		assistant("m1", StopReasonToolUse,
			Content{Type: ContentThinking, Thinking: "", ThinkingSignature: "encrypted"},
			Content{Type: ContentThinking, Thinking: "[Reasoning redacted]", ThinkingSignature: "opaque", Redacted: true},
			Content{Type: ContentText, Text: "a", TextSignature: "sig"},
			call("x|y")),
		result("x|y", "r"),
	}
	got := shape(TransformMessages(in, target, func(id string, _ *Model, _ *Message) string { return "NORMALIZED" }))
	want := []string{"user:[text q|]", "assistant:[thinking |encrypted][thinking [Reasoning redacted]|opaque][text a|sig][call x|y|ts]", "toolResult:x|y=r"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestTransformOtherModel(t *testing.T) {
	in := []Message{
		user("q"),
		assistant("other", StopReasonToolUse,
			Content{Type: ContentThinking, Thinking: "reasoned", ThinkingSignature: "sig"},
			Content{Type: ContentThinking, Thinking: "  ", ThinkingSignature: "sig2"},
			Content{Type: ContentThinking, Thinking: "secret", ThinkingSignature: "opaque", Redacted: true},
			Content{Type: ContentText, Text: "a", TextSignature: "tsig"},
			call("call|item")),
		result("call|item", "r"),
	}
	norm := func(id string, m *Model, src *Message) string {
		if m != target || src.Model != "other" {
			t.Errorf("normalize got model %v source %v", m.ID, src.Model)
		}
		return strings.ReplaceAll(id, "|", "_")
	}
	got := shape(TransformMessages(in, target, norm))
	want := []string{"user:[text q|]", "assistant:[text reasoned|][text a|][call call_item|]", "toolResult:call_item=r"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if in[1].Content[4].ID != "call|item" || in[2].ToolCallID != "call|item" || in[1].Content[0].Type != ContentThinking {
		t.Error("the input was modified")
	}
}

func TestTransformDropsFailedTurnsAndAnswersOrphans(t *testing.T) {
	in := []Message{
		user("q"),
		assistant("m1", StopReasonToolUse, call("a"), call("b")),
		result("a", "ra"),
		user("interrupt"),
		assistant("m1", StopReasonError, Content{Type: ContentText, Text: "half"}),
		assistant("m1", StopReasonAborted, call("c")),
		assistant("m1", StopReasonToolUse, call("d")),
	}
	got := shape(TransformMessages(in, target, nil))
	want := []string{
		"user:[text q|]",
		"assistant:[call a|ts][call b|ts]",
		"toolResult:a=ra",
		"toolResult:b=No result provided!",
		"user:[text interrupt|]",
		"assistant:[call d|ts]",
		"toolResult:d=No result provided!",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestTransformImagesForTextOnlyModels(t *testing.T) {
	textOnly := &Model{ID: "m1", API: APIAnthropicMessages, Provider: "p1", Input: []string{"text"}}
	img := ImageContent("AAAA", "image/png")
	in := []Message{
		{Role: RoleUser, Content: []Content{TextContent("look"), img, img, TextContent("and"), img}},
		assistant("m1", StopReasonToolUse, call("a")),
		{Role: RoleToolResult, ToolCallID: "a", Content: []Content{img}},
	}
	out := TransformMessages(in, textOnly, nil)
	var texts []string
	for _, c := range out[0].Content {
		texts = append(texts, c.Type+":"+c.Text)
	}
	want := []string{"text:look", "text:" + ImageOmittedUser, "text:and", "text:" + ImageOmittedUser}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("user content = %q", texts)
	}
	if got := out[2].Text(); got != ImageOmittedTool {
		t.Errorf("tool result = %q", got)
	}
	if kept := TransformMessages(in, target, nil); kept[0].Content[1].Type != ContentImage {
		t.Error("images dropped for a model that takes them")
	}
}

func TestTransformDropsInvalidUTF8(t *testing.T) {
	in := []Message{user("ok \xff\xfe done"), result("x", "bad \xc3")}
	out := TransformMessages(in, target, nil)
	if out[0].Content[0].Text != "ok  done" || out[1].Content[0].Text != "bad " {
		t.Errorf("got %q %q", out[0].Content[0].Text, out[1].Content[0].Text)
	}
}
