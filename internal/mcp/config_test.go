package mcp

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/mcp/mcptest"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  ServerCfg
		ok   bool
	}{
		{"remote", ServerCfg{URL: "https://mcp.example.com/mcp", Headers: map[string]string{"Authorization": "Bearer x"}}, true},
		{"sse", ServerCfg{URL: "http://127.0.0.1:9/sse", Transport: TransportSSE, IgnoreCertificateErrors: true}, true},
		{"stdio", ServerCfg{Command: "npx", Args: []string{"-y", "srv"}, Env: map[string]string{"K": "v"}, Cwd: "/tmp"}, true},
		{"neither", ServerCfg{}, false},
		{"blank url", ServerCfg{URL: "  "}, false},
		{"both", ServerCfg{URL: "http://x", Command: "x"}, false},
		{"relative url", ServerCfg{URL: "/mcp"}, false},
		{"ftp url", ServerCfg{URL: "ftp://x/"}, false},
		{"bad transport", ServerCfg{URL: "http://x/", Transport: "websocket"}, false},
		{"url with env", ServerCfg{URL: "http://x/", Env: map[string]string{"A": "b"}}, false},
		{"command with headers", ServerCfg{Command: "x", Headers: map[string]string{"A": "b"}}, false},
		{"command with tls flag", ServerCfg{Command: "x", IgnoreCertificateErrors: true}, false},
		{"header name", ServerCfg{URL: "http://x/", Headers: map[string]string{"Bad Name": "v"}}, false},
		{"header value CRLF", ServerCfg{URL: "http://x/", Headers: map[string]string{"X": "a\r\nInjected: 1"}}, false},
		{"env name with =", ServerCfg{Command: "x", Env: map[string]string{"A=B": "v"}}, false},
		{"NUL in args", ServerCfg{Command: "x", Args: []string{"a\x00b"}}, false},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v does not match ErrInvalidConfig", c.name, err)
		}
	}
	for name, ok := range map[string]bool{"a": true, strings.Repeat("x", 64): true, "": false, strings.Repeat("x", 65): false, "a/b": false, "é" + strings.Repeat("x", 63): true} {
		if err := ValidateName(name); (err == nil) != ok {
			t.Errorf("name %q: %v", name, err)
		}
	}
}

func TestMergeSecrets(t *testing.T) {
	prior := ServerCfg{URL: "http://x/", Headers: map[string]string{"A": "a-secret", "B": "b-secret"}}
	got, err := MergeSecrets(ServerCfg{URL: "http://x/", Headers: map[string]string{"A": Redacted, "B": "new", "C": "c"}}, &prior)
	if err != nil || got.Headers["A"] != "a-secret" || got.Headers["B"] != "new" || got.Headers["C"] != "c" {
		t.Errorf("merged %+v %v", got.Headers, err)
	}
	if _, err := MergeSecrets(ServerCfg{Command: "x", Env: map[string]string{"NEW": Redacted}}, &prior); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("sentinel for a value never stored: %v", err)
	}
	if _, err := MergeSecrets(ServerCfg{Command: "x", Env: map[string]string{"K": Redacted}}, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("sentinel on create: %v", err)
	}
	r := prior.Redact()
	if r.Headers["A"] != Redacted || prior.Headers["A"] != "a-secret" || r.Enabled == nil || !*r.Enabled {
		t.Errorf("redact %+v (prior %+v)", r, prior)
	}
}

func TestConfigStoreFile(t *testing.T) {
	dir := t.TempDir()
	s := NewConfigStore(dir)
	c, _, err := s.Load()
	if err != nil || c.Disabled || !c.Truncation.Enabled || c.Truncation.MaxChars != DefaultMaxChars || len(c.Servers) != 0 {
		t.Fatalf("missing file: %+v %v", c, err)
	}
	if _, _, err := s.Update(func(c *Config) error {
		c.Servers["x"] = ServerCfg{Command: "run", Env: map[string]string{"K": "v"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode().Perm(), err)
	}
	data, _ := os.ReadFile(s.Path())
	for _, want := range []string{`"disabled": false`, `"maxChars": 30000`, `"command": "run"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("file lacks %s:\n%s", want, data)
		}
	}
	writeJSON(t, s.Path(), `{"servers": {`)
	if _, _, err := s.Update(func(*Config) error { return nil }); err == nil {
		t.Errorf("an unparsable mcp.json was overwritten")
	}
	if data, _ := os.ReadFile(s.Path()); string(data) != `{"servers": {` {
		t.Errorf("file changed: %s", data)
	}
	writeJSON(t, s.Path(), `{"truncation":{"enabled":false,"maxChars":5000000}}`)
	if c, _, _ := s.Load(); c.Truncation.Enabled || c.Truncation.MaxChars != DefaultMaxChars {
		t.Errorf("out-of-range maxChars: %+v", c.Truncation)
	}
}

func TestLoadProjectServers(t *testing.T) {
	cases := []struct {
		name, body string
		want       map[string]string // name -> kind/transport
	}{
		{"servers shape", `{"servers":{"a":{"url":"http://x/"},"b":{"command":"run"}}}`, map[string]string{"a": "remote/auto", "b": "stdio"}},
		{"claude desktop shape", `{"mcpServers":{"c":{"command":"npx","args":["-y","x"]}}}`, map[string]string{"c": "stdio"}},
		{"type picks the transport", `{"mcpServers":{"s":{"type":"sse","url":"http://x/sse"},"h":{"type":"http","url":"http://x/mcp"},"t":{"type":"stdio","command":"x"}}}`,
			map[string]string{"s": "remote/sse", "h": "remote/streamable-http", "t": "stdio"}},
		{"empty file", ``, map[string]string{}},
		{"not JSON", `{servers:`, map[string]string{}},
		{"an array", `[1,2]`, map[string]string{}},
		{"invalid entries are skipped", `{"servers":{"ok":{"command":"x"},"both":{"url":"http://x/","command":"y"},"neither":{},"str":"x"}}`, map[string]string{"ok": "stdio"}},
		{"no file", "-", map[string]string{}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if c.body != "-" {
			writeJSON(t, filepath.Join(dir, ProjectFile), c.body)
		}
		got, _ := LoadProjectServers(dir)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d servers %+v, want %v", c.name, len(got), got, c.want)
			continue
		}
		for n, kind := range c.want {
			s, ok := got[n]
			desc := s.Kind()
			if desc == KindRemote {
				desc += "/" + s.EffectiveTransport()
			}
			if !ok || desc != kind {
				t.Errorf("%s: %s = %q, want %q", c.name, n, desc, kind)
			}
		}
	}
}

func texts(ss ...string) []ai.Content {
	out := make([]ai.Content, 0, len(ss))
	for _, s := range ss {
		if s == "<img>" {
			out = append(out, ai.ImageContent("AAAA", "image/png"))
			continue
		}
		out = append(out, ai.TextContent(s))
	}
	return out
}

func TestTruncate(t *testing.T) {
	warn := func(n int) string {
		return "MCP_RESULT_TRUNCATED: " + strconv.Itoa(n) + " characters (~" + strconv.Itoa((n+3)/4) + " tokens) were omitted"
	}
	cases := []struct {
		name    string
		in      []ai.Content
		max     int
		cut     bool
		head    string // expected kept head
		tail    string // expected kept tail
		omitted int
		shape   string // block types in order
	}{
		{"under the limit", texts("abc", "de"), 5, false, "", "", 0, "tt"},
		{"exactly the limit", texts("0123456789"), 10, false, "", "", 0, "t"},
		{"one block", texts(mcptest.BigText(100)), 10, true, "012345", "6789", 90, "t"},
		{"blocks joined by a blank line", texts("aaaaaaaaaa", "bbbbbbbbbb"), 10, true, "aaaaaa", "bbbb", 12, "t"},
		{"images keep their places", texts("<img>", strings.Repeat("x", 30), "<img>", strings.Repeat("y", 30), "<img>"), 20, true,
			strings.Repeat("x", 12), strings.Repeat("y", 8), 42, "itii"},
		{"multibyte characters count once", texts(strings.Repeat("é", 20)), 10, true, strings.Repeat("é", 6), strings.Repeat("é", 4), 10, "t"},
		{"images only", texts("<img>", "<img>"), 1, false, "", "", 0, "ii"},
		{"zero disables", texts(mcptest.BigText(100)), 0, false, "", "", 0, "t"},
	}
	for _, c := range cases {
		out, cut := truncate(c.in, c.max)
		shape := ""
		for _, b := range out {
			shape += map[string]string{ai.ContentText: "t", ai.ContentImage: "i"}[b.Type]
		}
		if cut != c.cut || shape != c.shape {
			t.Errorf("%s: cut=%v shape=%q, want %v %q", c.name, cut, shape, c.cut, c.shape)
			continue
		}
		if !cut {
			continue
		}
		var text string
		for _, b := range out {
			if b.Type == ai.ContentText {
				text = b.Text
			}
		}
		want := warn(c.omitted)
		if !strings.HasPrefix(text, want) {
			t.Errorf("%s: warning %q, want prefix %q", c.name, firstLine(text), want)
		}
		body := text[strings.Index(text, "\n\n")+2:]
		if wantBody := c.head + "\n\n" + TruncationMarker + "\n\n" + c.tail; body != wantBody {
			t.Errorf("%s: body %q, want %q", c.name, body, wantBody)
		}
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func TestBridgedName(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"github", "create_issue"}: "github__create_issue",
		{"my server", "a.b/c"}:     "my_server__a_b_c",
		{"x-y", "Z9"}:              "x-y__Z9",
	} {
		if got := BridgedName(in[0], in[1]); got != want {
			t.Errorf("%v: %q, want %q", in, got, want)
		}
	}
}
