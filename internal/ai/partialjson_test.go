package ai

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestToolArgsPartialPrefixes(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, `{}`},
		{`  `, `{}`},
		{`{`, `{}`},
		{`{"pa`, `{}`},
		{`{"path"`, `{}`},
		{`{"path":`, `{}`},
		{`{"path": "a/b`, `{"path": "a/b"}`},
		{`{"path": "a/b"`, `{"path": "a/b"}`},
		{`{"path": "a/b",`, `{"path": "a/b"}`},
		{`{"path": "a/b", "limit": 1`, `{"path": "a/b", "limit": 1}`},
		{`{"path": "a/b", "limit": -`, `{"path": "a/b"}`},
		{`{"path": "a/b", "limit": 1.`, `{"path": "a/b"}`},
		{`{"path": "a/b", "limit": 1.5e`, `{"path": "a/b"}`},
		{`{"ok": tr`, `{}`},
		{`{"ok": true`, `{"ok": true}`},
		{`{"text": "line\`, `{"text": "line"}`},
		{`{"text": "smile \ud83`, `{"text": "smile "}`},
		{`{"text": "tab\there`, `{"text": "tab\there"}`},
		{`{"list": [1, 2, {"a": [`, `{"list": [1, 2, {"a": []}]}`},
		{`{"list": [1, 2,`, `{"list": [1, 2]}`},
		{`{"nested": {"k": "v"}}`, `{"nested": {"k": "v"}}`},
		{`{"a": 1} trailing`, `{"a": 1}`},
		{`[1, 2]`, `{}`},
		{`"str"`, `{}`},
	}
	for _, c := range cases {
		var a ToolArgs
		a.Append(c.in)
		if got := string(a.Partial()); got != c.want {
			t.Errorf("Partial(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestToolArgsByteByByteAlwaysValid(t *testing.T) {
	full := `{"command": "echo \"hi\" && ls -la", "timeout": 30, "env": {"A": [1, 2.5, -3e2, null, false]}, "note": "\u00e9\n"}`
	var a ToolArgs
	var last json.RawMessage
	for i := 0; i < len(full); i++ {
		a.Append(full[i : i+1])
		p := a.Partial()
		if !json.Valid(p) {
			t.Fatalf("after %q: invalid snapshot %s", full[:i+1], p)
		}
		var obj map[string]any
		if err := json.Unmarshal(p, &obj); err != nil {
			t.Fatalf("after %q: not an object: %s", full[:i+1], p)
		}
		last = p
	}
	if string(last) != full {
		t.Errorf("final snapshot = %s, want %s", last, full)
	}
	if got := string(a.Final()); got != `{"command":"echo \"hi\" && ls -la","timeout":30,"env":{"A":[1,2.5,-3e2,null,false]},"note":"\u00e9\n"}` {
		t.Errorf("Final = %s", got)
	}
}

func TestToolArgsSnapshotsAreNotMutatedByLaterDeltas(t *testing.T) {
	var a ToolArgs
	a.Append(`{"a": "x`)
	first := a.Partial()
	keep := string(first)
	a.Append(`yz", "b": 2}`)
	_ = a.Partial()
	if string(first) != keep {
		t.Errorf("earlier snapshot changed to %s", first)
	}
}

func TestParseArgumentsRepairs(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a": 1}`, `{"a":1}`},
		{"{\"text\": \"two\nlines\"}", `{"text":"two\nlines"}`},
		{`{"path": "C:\Users\x"}`, `{"path":"C:\\Users\\x"}`},
		{`{"a": "unterminated`, `{"a": "unterminated"}`},
		{`not json`, `{}`},
		{``, `{}`},
		{`[1]`, `{}`},
	}
	for _, c := range cases {
		if got := string(ParseArguments([]byte(c.in))); got != c.want {
			t.Errorf("ParseArguments(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestToolArgsPartialRepairsControlCharacters(t *testing.T) {
	var a ToolArgs
	a.Append("{\"text\": \"a\tb\nc")
	if got := string(a.Partial()); got != `{"text": "a\tb\nc"}` {
		t.Errorf("Partial = %s", got)
	}
}

// FuzzToolArgs feeds any text in two pieces: every snapshot must be a JSON
// object, and a complete object must come out as itself.
func FuzzToolArgs(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":[1,{"b":"c\"d"}],"e":null}`, "{\"t\":\"\\u00e9\n\"}", `{"x":tru`, `[{}]`, `{"a":"\`, `{"a":-0.5e+3}`} {
		f.Add(s, len(s)/2)
	}
	f.Fuzz(func(t *testing.T, text string, cut int) {
		if cut < 0 || cut > len(text) {
			cut = len(text) / 2
		}
		var a ToolArgs
		for _, piece := range []string{text[:cut], text[cut:]} {
			a.Append(piece)
			var obj map[string]any
			if p := a.Partial(); json.Unmarshal(p, &obj) != nil {
				t.Fatalf("Partial(%q) = %q is not an object", a.Raw(), p)
			}
		}
		var obj map[string]any
		if p := a.Final(); json.Unmarshal(p, &obj) != nil {
			t.Fatalf("Final(%q) = %q is not an object", text, p)
		}
		if json.Unmarshal([]byte(text), &obj) == nil {
			var got, want any
			_ = json.Unmarshal(a.Final(), &got)
			_ = json.Unmarshal([]byte(text), &want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Final(%q) = %s", text, a.Final())
			}
		}
	})
}
