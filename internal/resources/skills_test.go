package resources

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSkillDiscovery(t *testing.T) {
	f := newFixture(t)
	sk := func(dir, fm string) { write(t, filepath.Join(dir, "SKILL.md"), "---\n"+fm+"\n---\nbody") }
	// Agent dir: a skill directory, a nested one, a root-level file and
	// places discovery must skip.
	sk(filepath.Join(f.agent, "skills", "alpha"), "description: a")
	sk(filepath.Join(f.agent, "skills", "group", "beta"), "description: b")
	write(t, filepath.Join(f.agent, "skills", "gamma.md"), "---\nname: gamma\ndescription: g\n---\n")
	sk(filepath.Join(f.agent, "skills", ".hidden"), "description: h")
	sk(filepath.Join(f.agent, "skills", "node_modules", "dep"), "description: d")
	sk(filepath.Join(f.agent, "skills", "ignored"), "description: i")
	write(t, filepath.Join(f.agent, "skills", ".gitignore"), "ignored/\n")
	// Inside a skill directory nothing below is a skill of its own.
	sk(filepath.Join(f.agent, "skills", "alpha", "inner"), "description: inner")
	// Project: .pi/skills wins over the agent dir for the same name.
	sk(filepath.Join(f.project, ".pi", "skills", "alpha"), "description: project alpha")
	// .agents/skills in the project and its ancestors up to the git root.
	sk(filepath.Join(f.project, ".agents", "skills", "delta"), "description: d")
	sk(filepath.Join(f.root, "ws", ".agents", "skills", "epsilon"), "description: e")
	sk(filepath.Join(f.root, ".agents", "skills", "above-git-root"), "description: x")
	write(t, filepath.Join(f.project, ".agents", "skills", "rootfile.md"), "---\ndescription: not a skill here\n---\n")
	// ~/.agents/skills
	sk(filepath.Join(f.home, ".agents", "skills", "zeta"), "description: z")

	s := f.load(t)
	got := skillNames(s.Skills)
	want := []string{"alpha", "delta", "epsilon", "gamma", "beta", "zeta"}
	if !slices.Equal(got, want) {
		t.Fatalf("skills %v, want %v", got, want)
	}
	if s.Skills[0].Description != "project alpha" || s.Skills[0].Scope != scopeProject {
		t.Errorf("project alpha should win: %+v", s.Skills[0])
	}
	_, diags, err := f.loader.ListSkills(context.Background(), f.proj())
	if err != nil {
		t.Fatal(err)
	}
	var collisions []ResourceDiagnostic
	for _, d := range diags {
		if d.Type == "collision" {
			collisions = append(collisions, d)
		}
	}
	if len(collisions) != 1 || collisions[0].Collision.Name != "alpha" ||
		collisions[0].Collision.WinnerPath != filepath.Join(f.project, ".pi", "skills", "alpha", "SKILL.md") ||
		collisions[0].Message != `name "alpha" collision` {
		t.Errorf("collisions %+v", collisions)
	}
}

func TestSkillFrontmatterValidation(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(f.agent, "skills")
	write(t, filepath.Join(dir, "Bad--Name-", "SKILL.md"), "---\ndescription: ok\n---\n")
	write(t, filepath.Join(dir, "other", "SKILL.md"), "---\nname: "+strings.Repeat("a", 65)+"\ndescription: "+strings.Repeat("d", 1025)+"\n---\n")
	write(t, filepath.Join(dir, "nodesc", "SKILL.md"), "---\nname: nodesc\n---\nbody")
	write(t, filepath.Join(dir, "blank", "SKILL.md"), "---\ndescription: \"   \"\n---\n")
	write(t, filepath.Join(dir, "broken", "SKILL.md"), "---\ndescription: [unclosed\n---\n")
	write(t, filepath.Join(dir, "crlf", "SKILL.md"), "---\r\ndescription: windows\r\ndisable-model-invocation: true\r\n---\r\nbody\r\n")
	skills, diags, err := f.loader.ListSkills(context.Background(), f.proj())
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string][]string{}
	for _, d := range diags {
		rel, _ := filepath.Rel(dir, filepath.Dir(d.Path))
		msgs[rel] = append(msgs[rel], d.Type+": "+d.Message)
	}
	want := map[string][]string{
		"Bad--Name-": {
			"warning: name contains invalid characters (must be lowercase a-z, 0-9, hyphens only)",
			"warning: name must not start or end with a hyphen",
			"warning: name must not contain consecutive hyphens",
		},
		"other": {
			"warning: description exceeds 1024 characters (1025)",
			"warning: name exceeds 64 characters (65)",
		},
		"nodesc": {"warning: description is required"},
		"blank":  {"warning: description is required"},
	}
	for k, w := range want {
		if !slices.Equal(msgs[k], w) {
			t.Errorf("%s: diagnostics %q, want %q", k, msgs[k], w)
		}
	}
	if len(msgs["broken"]) != 1 || !strings.Contains(msgs["broken"][0], "frontmatter") {
		t.Errorf("broken YAML: %q", msgs["broken"])
	}
	names := []string{}
	for _, s := range skills {
		names = append(names, s.Name)
		if s.Name == "crlf" && (!s.DisableModelInvocation || s.Description != "windows") {
			t.Errorf("CRLF frontmatter not read: %+v", s)
		}
	}
	slices.Sort(names)
	// Warnings still load; a missing description or bad YAML does not.
	if !slices.Equal(names, []string{"Bad--Name-", strings.Repeat("a", 65), "crlf"}) {
		t.Errorf("loaded %v", names)
	}
}

func TestRootSkillFilesFallBackToDirectoryName(t *testing.T) {
	// pi names a root-level file without "name:" after its directory, so two
	// of them collide; the diagnostics must say so.
	f := newFixture(t)
	write(t, filepath.Join(f.agent, "skills", "a.md"), "---\ndescription: first\n---\n")
	write(t, filepath.Join(f.agent, "skills", "b.md"), "---\ndescription: second\n---\n")
	skills, diags, _ := f.loader.ListSkills(context.Background(), f.proj())
	if len(skills) != 1 || skills[0].Name != "skills" || skills[0].Description != "first" {
		t.Fatalf("skills %+v", skills)
	}
	if len(diags) != 1 || diags[0].Collision == nil || diags[0].Collision.LoserPath != filepath.Join(f.agent, "skills", "b.md") {
		t.Errorf("diagnostics %+v", diags)
	}
}

func writeSettings(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, string(data))
}

func TestSkillSettingsPatterns(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"one", "two", "three", "four"} {
		write(t, filepath.Join(f.agent, "skills", n, "SKILL.md"), "---\ndescription: "+n+"\n---\n")
	}
	extra := filepath.Join(f.root, "extra")
	write(t, filepath.Join(extra, "five", "SKILL.md"), "---\ndescription: five\n---\n")
	write(t, filepath.Join(extra, "six", "SKILL.md"), "---\ndescription: six\n---\n")
	writeSettings(t, filepath.Join(f.agent, "settings.json"), map[string]any{"skills": []string{
		"!t*",              // glob exclude: two, three
		"+skills/three",    // force include an exact path (relative to the agent dir)
		"-" + "skills/one", // force exclude
		"../extra",         // a plain path: another skills directory
		"!six",             // name or directory exclude inside it
	}})
	got := skillNames(f.load(t).Skills)
	// Settings entries come before auto-discovered skills (pi's precedence).
	want := []string{"five", "four", "three"}
	if !slices.Equal(got, want) {
		t.Errorf("skills %v, want %v", got, want)
	}
	infos, _, _ := f.loader.ListSkills(context.Background(), f.proj())
	state := map[string]bool{}
	for _, i := range infos {
		state[i.Name] = i.Enabled
	}
	if state["one"] || state["two"] || !state["three"] || state["six"] || len(infos) != 6 {
		t.Errorf("listing should show every skill with its state: %v", state)
	}
}

func TestSkillCascade(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	write(t, filepath.Join(f.agent, "skills", "g", "SKILL.md"), "---\ndescription: global\n---\n")
	write(t, filepath.Join(f.project, ".pi", "skills", "p", "SKILL.md"), "---\ndescription: project\n---\n")
	write(t, filepath.Join(f.agent, "settings.json"), `{"skills": ["../elsewhere"], "theme": "dark"}`)
	off, on := false, true

	// Global off: settings.json gets "!g", other entries stay.
	if _, err := f.loader.SetSkill(ctx, f.proj(), "g", ScopeGlobal, &off); err != nil {
		t.Fatal(err)
	}
	settings, _ := os.ReadFile(filepath.Join(f.agent, "settings.json"))
	var sj map[string]any
	_ = json.Unmarshal(settings, &sj)
	if got, _ := json.Marshal(sj["skills"]); string(got) != `["../elsewhere","!g"]` || sj["theme"] != "dark" {
		t.Errorf("settings.json after global off: %s", settings)
	}
	// The global switch reaches project skills too.
	if _, err := f.loader.SetSkill(ctx, f.proj(), "p", ScopeGlobal, &off); err != nil {
		t.Fatal(err)
	}
	if got := skillNames(f.load(t).Skills); len(got) != 0 {
		t.Errorf("both off globally, got %v", got)
	}
	// A project override beats the global state, both ways.
	if _, err := f.loader.SetSkill(ctx, f.proj(), "g", ScopeProject, &on); err != nil {
		t.Fatal(err)
	}
	if got := skillNames(f.load(t).Skills); !slices.Equal(got, []string{"g"}) {
		t.Errorf("project enable over global off: %v", got)
	}
	other := Project{ID: "p2", Path: f.project}
	if s, _ := f.loader.Load(ctx, other); len(s.Skills) != 0 {
		t.Errorf("another project must not see p1's override: %v", skillNames(s.Skills))
	}
	infos, _ := f.loader.SetSkill(ctx, f.proj(), "g", ScopeGlobal, &on)
	for _, i := range infos {
		if i.Name == "g" && (!i.Enabled || i.ProjectOverride != StateEnabled || !i.Effective || i.Source != "global") {
			t.Errorf("g after global on: %+v", i)
		}
		if i.Name == "p" && (i.Enabled || i.Effective || i.Source != "project") {
			t.Errorf("p: %+v", i)
		}
	}
	if _, err := f.loader.SetSkill(ctx, f.proj(), "g", ScopeProject, &off); err != nil {
		t.Fatal(err)
	}
	if got := skillNames(f.load(t).Skills); len(got) != 0 {
		t.Errorf("project disable over global on: %v", got)
	}
	// Clearing returns to the global state and prunes the file.
	if _, err := f.loader.SetSkill(ctx, f.proj(), "g", ScopeProject, nil); err != nil {
		t.Fatal(err)
	}
	ov, _ := os.ReadFile(filepath.Join(f.data, SkillOverridesFile))
	if strings.TrimSpace(string(ov)) != "{\n  \"projects\": {}\n}" {
		t.Errorf("overrides after clear: %s", ov)
	}
	if got := skillNames(f.load(t).Skills); !slices.Equal(got, []string{"g"}) {
		t.Errorf("inherit after clear: %v", got)
	}
	// A broad exclude is overridden by "+name" when switching on.
	write(t, filepath.Join(f.agent, "settings.json"), `{"skills": ["!*"]}`)
	if _, err := f.loader.SetSkill(ctx, f.proj(), "g", ScopeGlobal, &on); err != nil {
		t.Fatal(err)
	}
	settings, _ = os.ReadFile(filepath.Join(f.agent, "settings.json"))
	if !strings.Contains(string(settings), `"+g"`) || !slices.Contains(skillNames(f.load(t).Skills), "g") {
		t.Errorf("switching on under !*: %s", settings)
	}
	if _, err := f.loader.SetSkill(ctx, f.proj(), "nope", ScopeGlobal, &on); err == nil {
		t.Error("unknown skill accepted")
	}
}

func TestSkillCommand(t *testing.T) {
	f := newFixture(t)
	write(t, filepath.Join(f.agent, "skills", "review", "SKILL.md"), "---\ndescription: Review\n---\n\n  Look at the diff.\n\n")
	s := f.load(t)
	dir := filepath.Join(f.agent, "skills", "review")
	block := `<skill name="review" location="` + filepath.Join(dir, "SKILL.md") + "\">\nPaths in this skill are relative to " + dir + ".\n\nLook at the diff.\n</skill>"
	for _, c := range []struct{ in, want string }{
		{"/skill:review", block},
		{"/skill:review   focus on tests  ", block + "\n\nfocus on tests"},
		{"/skill:unknown args", "/skill:unknown args"},
		{"please /skill:review", "please /skill:review"},
	} {
		got, ok := s.ExpandCommand(c.in, nil)
		if got != c.want || ok != (c.in != c.want) {
			t.Errorf("%q → %q (%v), want %q", c.in, got, ok, c.want)
		}
	}
	up := func(parts []string) []string {
		out := slices.Clone(parts)
		for i := range out {
			out[i] = strings.ToUpper(out[i])
		}
		return out
	}
	if got, _ := s.ExpandCommand("/skill:review see @a.go", up); !strings.HasSuffix(got, "\n\nSEE @A.GO") || !strings.Contains(got, "Look at the diff.") {
		t.Errorf("arguments only should be expanded: %q", got)
	}
	write(t, filepath.Join(f.agent, "settings.json"), `{"enableSkillCommands": false}`)
	if got, ok := f.load(t).ExpandCommand("/skill:review", nil); ok || got != "/skill:review" {
		t.Errorf("skill commands off: %q", got)
	}
}
