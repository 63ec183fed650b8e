package fswalk

import "testing"

// Moved from internal/search with its cases unchanged.
func TestIgnoreLineSyntax(t *testing.T) {
	cases := []struct {
		line string
		ok   bool
		want Pattern
	}{
		{"# comment", false, Pattern{}},
		{"   ", false, Pattern{}},
		{"*.log  ", true, Pattern{glob: "*.log"}},
		{`\#hash`, true, Pattern{glob: "#hash"}},
		{`\!bang`, true, Pattern{glob: "!bang"}},
		{"!keep", true, Pattern{glob: "keep", negate: true}},
		{"/root-only", true, Pattern{glob: "root-only", anchored: true}},
		{"dir/", true, Pattern{glob: "dir", dirOnly: true}},
		{"a/b", true, Pattern{glob: "a/b", anchored: true}},
		{"{x}", true, Pattern{glob: `\{x\}`}},
	}
	for _, c := range cases {
		got, ok := parseIgnoreLine(c.line)
		if ok != c.ok || got != c.want {
			t.Errorf("%q: got %+v %v", c.line, got, ok)
		}
	}
}
