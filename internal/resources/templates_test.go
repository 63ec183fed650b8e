package resources

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a b  c", []string{"a", "b", "c"}},
		{`"a b" 'c d' e`, []string{"a b", "c d", "e"}},
		{`x"y z"w`, []string{"xy zw"}},
		{`"" ''`, nil},
		{`it's`, []string{"its"}},
		{"tab\tand\nnewline", []string{"tab", "and", "newline"}},
		{`back\"slash`, []string{`back\slash`}},
		{"\u00a0lead", []string{"lead"}},
	} {
		if got := ParseArgs(c.in); !slices.Equal(got, c.want) {
			t.Errorf("ParseArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSubstituteArgs(t *testing.T) {
	args := []string{"one", "two", "three"}
	for _, c := range []struct{ tpl, want string }{
		{"$1-$2-$3-$4", "one-two-three-"},
		{"$0|$10", "|"},
		{"$@", "one two three"},
		{"$ARGUMENTS", "one two three"},
		{"${@:2}", "two three"},
		{"${@:0}", "one two three"},
		{"${@:2:1}", "two"},
		{"${@:3:5}", "three"},
		{"${@:9}", ""},
		{"${@:1:0}", ""},
		{"${@:99999999999999999999}|${@:1:99999999999999999999}", "|one two three"},
		{"$12", ""},
		{"$$1", "$one"},
		{"no placeholders", "no placeholders"},
	} {
		if got := SubstituteArgs(c.tpl, args); got != c.want {
			t.Errorf("SubstituteArgs(%q) = %q, want %q", c.tpl, got, c.want)
		}
	}
	// pi runs its passes one after another, so an argument that looks like
	// a later placeholder is replaced by that later pass; this is pi's
	// behaviour, kept for parity.
	if got := SubstituteArgs("$1", []string{"$ARGUMENTS", "x"}); got != "$ARGUMENTS x" {
		t.Errorf("sequential passes: %q", got)
	}
	if got := SubstituteArgs("$2", []string{"$1", "$1"}); got != "$1" {
		t.Errorf("positional values are not substituted again: %q", got)
	}
}

func TestTemplates(t *testing.T) {
	f := newFixture(t)
	write(t, filepath.Join(f.agent, "prompts", "review.md"), "---\ndescription: Review code\nargument-hint: \"<file>\"\n---\nReview $1 carefully. Extra: ${@:2}\n")
	write(t, filepath.Join(f.agent, "prompts", "plain.md"), "\n\n"+strings.Repeat("é", 70)+"\nsecond line\r\n")
	write(t, filepath.Join(f.agent, "prompts", "sub", "nested.md"), "not discovered: prompts/ is not recursive")
	write(t, filepath.Join(f.agent, "prompts", "broken.md"), "---\ndescription: [oops\n---\nbody")
	write(t, filepath.Join(f.project, ".pi", "prompts", "review.md"), "project review of $@")
	s := f.load(t)
	var names []string
	for _, tp := range s.Templates {
		names = append(names, tp.Name)
	}
	if !slices.Equal(names, []string{"review", "plain"}) {
		t.Fatalf("templates %v", names)
	}
	if got, _ := s.ExpandCommand(`/review "a b" c`, nil); got != "project review of a b c" {
		t.Errorf("project template should win: %q", got)
	}
	prompts, diags, err := f.loader.ListPrompts(context.Background(), f.proj())
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 1 || diags[0].Message != `name "/review" collision` || diags[0].Collision.ResourceType != "prompt" {
		t.Errorf("diagnostics %+v", diags)
	}
	for _, p := range prompts {
		if p.Name == "plain" {
			if want := strings.Repeat("é", 60) + "..."; p.Description != want {
				t.Errorf("fallback description %q", p.Description)
			}
			if p.Source != "global" || p.ArgumentHint != "" {
				t.Errorf("plain: %+v", p)
			}
		}
	}
	// Without the project's copy the global one expands with its hint.
	f2 := newFixture(t)
	write(t, filepath.Join(f2.agent, "prompts", "review.md"), "---\ndescription: Review code\nargument-hint: \"<file>\"\n---\nReview $1 carefully. Extra: ${@:2}\n")
	s2 := f2.load(t)
	if s2.Templates[0].ArgumentHint != "<file>" || s2.Templates[0].Content != "Review $1 carefully. Extra: ${@:2}" {
		t.Errorf("template %+v", s2.Templates[0])
	}
	for _, c := range []struct{ in, want string }{
		{"/review main.go x y", "Review main.go carefully. Extra: x y"},
		{"/review", "Review  carefully. Extra: "},
		{"/review\tmain.go", "Review main.go carefully. Extra: "},
		{"/reviewer main.go", "/reviewer main.go"},
		{"/ review", "/ review"},
		{" /review x", " /review x"},
	} {
		if got, _ := s2.ExpandCommand(c.in, nil); got != c.want {
			t.Errorf("%q → %q, want %q", c.in, got, c.want)
		}
	}
	quote := func(parts []string) []string {
		out := slices.Clone(parts)
		for i := range out {
			out[i] = "<" + out[i] + ">"
		}
		return out
	}
	if got, _ := s2.ExpandCommand("/review a b", quote); got != "Review <a> carefully. Extra: <b>" {
		t.Errorf("arguments expanded one by one: %q", got)
	}
}

func TestPromptCascade(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	write(t, filepath.Join(f.agent, "prompts", "a.md"), "A")
	write(t, filepath.Join(f.project, ".pi", "prompts", "b.md"), "B")
	off, on := false, true
	if _, err := f.loader.SetPrompt(ctx, f.proj(), "a", ScopeGlobal, &off); err != nil {
		t.Fatal(err)
	}
	if _, err := f.loader.SetPrompt(ctx, f.proj(), "b", ScopeProject, &off); err != nil {
		t.Fatal(err)
	}
	if n := len(f.load(t).Templates); n != 0 {
		t.Errorf("%d templates left", n)
	}
	infos, err := f.loader.SetPrompt(ctx, f.proj(), "a", ScopeProject, &on)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range infos {
		if i.Name == "a" && (i.Enabled || !i.Effective || i.ProjectOverride != StateEnabled) {
			t.Errorf("a: %+v", i)
		}
		if i.Name == "b" && (!i.Enabled || i.Effective || i.ProjectOverride != StateDisabled || i.Source != "project") {
			t.Errorf("b: %+v", i)
		}
	}
	if _, err := f.loader.SetPrompt(ctx, f.proj(), "zzz", ScopeProject, &on); err == nil {
		t.Error("unknown prompt accepted")
	}
}
