package resources

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/tools"
)

// codingTools are internal/tools' real tools (never run here).
func codingTools(t *testing.T, names ...string) []agent.Tool {
	t.Helper()
	if len(names) == 0 {
		names = tools.AllNames
	}
	ts, err := tools.New(names, tools.Options{Cwd: "/", Launcher: &proc.Launcher{}})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestSystemPromptDefault(t *testing.T) {
	f := newFixture(t)
	got := f.anon(f.load(t).SystemPrompt(codingTools(t)))
	golden(t, "prompt_default.golden", got)
	if !strings.HasSuffix(got, "\nCurrent date: 2026-03-04\nCurrent working directory: $ROOT/ws/proj") {
		t.Errorf("prompt does not end with date and cwd:\n%s", got)
	}
}

func TestSystemPromptToolDependentGuidelines(t *testing.T) {
	f := newFixture(t)
	s := f.load(t)
	bashOnly := s.SystemPrompt(codingTools(t, "read", "bash"))
	if !strings.Contains(bashOnly, "- "+bashOnlyRule+"\n") || strings.Contains(bashOnly, preferToolsRule) {
		t.Errorf("read+bash should get the bash rule only:\n%s", bashOnly)
	}
	withLs := s.SystemPrompt(codingTools(t, "bash", "ls"))
	if !strings.Contains(withLs, preferToolsRule) || strings.Contains(withLs, bashOnlyRule) {
		t.Errorf("bash+ls should prefer the tools:\n%s", withLs)
	}
	none := s.SystemPrompt(nil)
	if !strings.Contains(none, "Available tools:\n(none)\n") {
		t.Errorf("no tools should say (none):\n%s", none)
	}
}

// fullTree has every input of the prompt: context files at three levels,
// APPEND_SYSTEM.md in both places (the project's wins), skills from both
// scopes (one hidden from the model), and an addendum.
func fullTree(t *testing.T, f *fixture) {
	write(t, filepath.Join(f.agent, "AGENTS.md"), "global rules\n")
	write(t, filepath.Join(f.root, "ws", "CLAUDE.md"), "workspace rules\n")
	write(t, filepath.Join(f.project, "AGENTS.md"), "project rules\n")
	write(t, filepath.Join(f.project, "CLAUDE.md"), "ignored: AGENTS.md wins in the same directory\n")
	write(t, filepath.Join(f.agent, "APPEND_SYSTEM.md"), "global append (shadowed)")
	write(t, filepath.Join(f.project, ".pi", "APPEND_SYSTEM.md"), "project append")
	write(t, filepath.Join(f.agent, "skills", "deploy", "SKILL.md"), "---\nname: deploy\ndescription: Ship it & <check> \"quotes\"\n---\nbody\n")
	write(t, filepath.Join(f.project, ".pi", "skills", "lint", "SKILL.md"), "---\ndescription: Lint the code\n---\nrun the linter\n")
	write(t, filepath.Join(f.project, ".pi", "skills", "secret", "SKILL.md"), "---\ndescription: Only by command\ndisable-model-invocation: true\n---\nx\n")
	if _, err := f.loader.Overrides().SetAddendum("p1", "Prefer tabs."); err != nil {
		t.Fatal(err)
	}
}

func TestSystemPromptFull(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.SecretHygiene = true })
	fullTree(t, f)
	got := f.anon(f.load(t).SystemPrompt(codingTools(t)))
	golden(t, "prompt_full.golden", got)
	for _, want := range []string{
		"## $ROOT/agent/AGENTS.md\n\nglobal rules\n\n\n## $ROOT/ws/CLAUDE.md\n\nworkspace rules\n\n\n## $ROOT/ws/proj/AGENTS.md\n\nproject rules\n",
		"project append\n\n" + SecretHygieneRule + "\n\nPrefer tabs.\n\n# Project Context",
		"<description>Ship it &amp; &lt;check&gt; &quot;quotes&quot;</description>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	if strings.Contains(got, "Only by command") || strings.Contains(got, "shadowed") || strings.Contains(got, "ignored:") {
		t.Errorf("prompt holds something it must not:\n%s", got)
	}
}

func TestSystemPromptCustom(t *testing.T) {
	f := newFixture(t)
	fullTree(t, f)
	write(t, filepath.Join(f.agent, "SYSTEM.md"), "GLOBAL SYSTEM")
	write(t, filepath.Join(f.project, ".pi", "SYSTEM.md"), "You are a project bot.")
	got := f.anon(f.load(t).SystemPrompt(codingTools(t)))
	golden(t, "prompt_custom.golden", got)
	if !strings.HasPrefix(got, "You are a project bot.\n\nproject append\n\nPrefer tabs.\n\n# Project Context") {
		t.Errorf("custom prompt layout:\n%s", got)
	}
	// Without read the skills block is left out, as pi does.
	noRead := f.load(t).SystemPrompt(codingTools(t, "bash"))
	if strings.Contains(noRead, "<available_skills>") {
		t.Error("skills listed without the read tool")
	}
}

func TestContextFileOrder(t *testing.T) {
	f := newFixture(t)
	write(t, filepath.Join(f.agent, "CLAUDE.md"), "a")
	write(t, filepath.Join(f.root, "AGENTS.MD"), "b")
	write(t, filepath.Join(f.project, "CLAUDE.md"), "c")
	var got []string
	for _, c := range loadContextFiles(f.agent, f.project) {
		got = append(got, f.anon(c.Path))
	}
	want := []string{"$ROOT/agent/CLAUDE.md", "$ROOT/AGENTS.MD", "$ROOT/ws/proj/CLAUDE.md"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("order %v, want %v", got, want)
	}
	// The agent dir inside the chain is listed once, first.
	if n := len(loadContextFiles(f.project, f.project)); n != 2 {
		t.Errorf("agent dir = cwd listed %d times in a chain of 2", n)
	}
}
