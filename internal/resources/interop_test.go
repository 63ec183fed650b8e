package resources

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

// interopTree is a project whose resources exercise pi's discovery rules:
// both scopes, nested and root-level skills, ignore files, settings
// patterns and paths, collisions, validation warnings, context files at
// three levels, SYSTEM.md and APPEND_SYSTEM.md.
func interopTree(t *testing.T, f *fixture) {
	sk := func(path, fm string) {
		write(t, path, "---\n"+fm+"\n---\nBody of "+filepath.Base(filepath.Dir(path))+"\n")
	}
	sk(filepath.Join(f.agent, "skills", "deploy", "SKILL.md"), "description: Deploy & <ship>")
	sk(filepath.Join(f.agent, "skills", "group", "nested-one", "SKILL.md"), "description: nested")
	sk(filepath.Join(f.agent, "skills", "Bad_Name", "SKILL.md"), "description: warns")
	sk(filepath.Join(f.agent, "skills", "nodesc", "SKILL.md"), "name: nodesc")
	sk(filepath.Join(f.agent, "skills", "hidden", "SKILL.md"), "description: model can't\ndisable-model-invocation: true")
	sk(filepath.Join(f.agent, "skills", "excluded", "SKILL.md"), "description: excluded by settings")
	sk(filepath.Join(f.agent, "skills", "ignored", "SKILL.md"), "description: gitignored")
	write(t, filepath.Join(f.agent, "skills", ".gitignore"), "ignored/\n")
	write(t, filepath.Join(f.agent, "skills", "root-file.md"), "---\nname: root-file\ndescription: a root file\n---\n")
	sk(filepath.Join(f.project, ".pi", "skills", "deploy", "SKILL.md"), "description: project deploy wins")
	sk(filepath.Join(f.project, ".agents", "skills", "agents-skill", "SKILL.md"), "description: from .agents")
	sk(filepath.Join(f.home, ".agents", "skills", "home-skill", "SKILL.md"), "description: from ~/.agents")
	sk(filepath.Join(f.root, "extra-skills", "extra", "SKILL.md"), "description: via settings path")
	write(t, filepath.Join(f.agent, "settings.json"), `{"skills": ["!excluded", "../extra-skills"], "prompts": ["!skipme.md"]}`)

	write(t, filepath.Join(f.agent, "prompts", "review.md"), "---\ndescription: Review\nargument-hint: \"<file>\"\n---\nReview $1 then ${@:2} / $ARGUMENTS / $@\n")
	write(t, filepath.Join(f.agent, "prompts", "plain.md"), "\n"+strings.Repeat("long line ", 10)+"\nmore\n")
	write(t, filepath.Join(f.agent, "prompts", "skipme.md"), "excluded by settings")
	write(t, filepath.Join(f.project, ".pi", "prompts", "review.md"), "Project review of $@")
	write(t, filepath.Join(f.project, ".pi", "prompts", "fix.md"), "Fix ${@:1:2}")

	write(t, filepath.Join(f.agent, "AGENTS.md"), "global\n")
	write(t, filepath.Join(f.root, "ws", "CLAUDE.md"), "workspace\n")
	write(t, filepath.Join(f.project, "AGENTS.md"), "project\n")
	write(t, filepath.Join(f.project, ".pi", "SYSTEM.md"), "Custom system prompt.")
	write(t, filepath.Join(f.agent, "APPEND_SYSTEM.md"), "Appended.")
}

type piResources struct {
	Skills []struct {
		Name, Description, FilePath string
		DisableModelInvocation      bool
	}
	SkillDiagnostics  []ResourceDiagnostic
	Prompts           []struct{ Name, Description, ArgumentHint, Content, FilePath string }
	PromptDiagnostics []ResourceDiagnostic
	ContextFiles      []ContextFile
	Prompt            string
	Expansions        []string
}

var (
	dateLine      = regexp.MustCompile(`\nCurrent date: \d{4}-\d\d-\d\d`)
	skillsIntroRE = regexp.MustCompile(`\n\n(?:[^\n]+\n){3}\n<available_skills>`)
	ctxIntro      = regexp.MustCompile(`\n\n# Project Context\n\n[^\n]+\n\n`)
)

// layout drops the lines whose wording is pi-forge's own (the context and
// skills introductions) and the date, keeping everything structural.
func layout(s string) string {
	s = dateLine.ReplaceAllString(s, "\nCurrent date: <date>")
	s = skillsIntroRE.ReplaceAllString(s, "\n\n<intro>\n<available_skills>")
	return ctxIntro.ReplaceAllString(s, "\n\n# Project Context\n\n<intro>\n\n")
}

func TestSameResourcesAsPi(t *testing.T) {
	cli := picli.Find(t)
	f := newFixture(t)
	interopTree(t, f)
	expansions := []string{"/review main.go a b", "/fix 'one two' three four", "/plain", "/unknown x", `/review "quoted arg" 'x y'`}
	substPath := filepath.Join(t.TempDir(), "subst.json")
	data, _ := json.Marshal(expansions)
	write(t, substPath, string(data))

	script, _ := filepath.Abs("testdata/piresources.mjs")
	cmd := cli.Command()
	cmd.Args = []string{cli.Node, script, filepath.Dir(cli.Script), f.project, f.agent, substPath}
	cmd.Dir = f.project
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + f.home, "PI_OFFLINE=1", "PI_SKIP_VERSION_CHECK=1"}
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(interface{ Stderr() []byte }); ok {
			stderr = string(ee.Stderr())
		}
		t.Fatalf("pi: %v %s", err, stderr)
	}
	var pi piResources
	if err := json.Unmarshal(out, &pi); err != nil {
		t.Fatalf("%v: %s", err, out)
	}

	s := f.load(t)
	var ourSkills, piSkills []string
	for _, k := range s.Skills {
		ourSkills = append(ourSkills, k.Name+"|"+k.Description+"|"+k.FilePath+"|"+boolStr(k.DisableModelInvocation))
	}
	for _, k := range pi.Skills {
		piSkills = append(piSkills, k.Name+"|"+k.Description+"|"+k.FilePath+"|"+boolStr(k.DisableModelInvocation))
	}
	// pi lists directory entries in the filesystem's order, pi-forge by
	// name; compare the sets and the precedence separately.
	if !sameSet(ourSkills, piSkills) {
		t.Errorf("skills differ\nours: %q\npi:   %q", ourSkills, piSkills)
	}
	ourDiags, piDiags := sessionDiagnostics(t, f), []string{}
	for _, d := range pi.SkillDiagnostics {
		piDiags = append(piDiags, diagKey(d))
	}
	if !sameSet(ourDiags, piDiags) {
		t.Errorf("skill diagnostics differ\nours: %q\npi:   %q", ourDiags, piDiags)
	}

	var ourPrompts, piPrompts []string
	for _, p := range s.Templates {
		ourPrompts = append(ourPrompts, strings.Join([]string{p.Name, p.Description, p.ArgumentHint, p.Content, p.FilePath}, "|"))
	}
	for _, p := range pi.Prompts {
		piPrompts = append(piPrompts, strings.Join([]string{p.Name, p.Description, p.ArgumentHint, p.Content, p.FilePath}, "|"))
	}
	if !sameSet(ourPrompts, piPrompts) {
		t.Errorf("templates differ\nours: %q\npi:   %q", ourPrompts, piPrompts)
	}
	for i, text := range expansions {
		got, _ := s.ExpandCommand(text, nil)
		if got != pi.Expansions[i] {
			t.Errorf("expand %q: ours %q, pi %q", text, got, pi.Expansions[i])
		}
	}
	if !reflect.DeepEqual(s.ContextFiles, pi.ContextFiles) {
		t.Errorf("context files\nours: %+v\npi:   %+v", s.ContextFiles, pi.ContextFiles)
	}

	// The prompt, with the same skills in pi's order so only layout counts.
	ordered := make([]Skill, 0, len(pi.Skills))
	for _, ps := range pi.Skills {
		for _, k := range s.Skills {
			if k.FilePath == ps.FilePath {
				ordered = append(ordered, k)
			}
		}
	}
	ours := BuildSystemPrompt(PromptInput{Custom: s.SystemMD, Append: s.Append, ContextFiles: s.ContextFiles, Skills: ordered,
		Tools: []ToolPrompt{{Name: "read", Snippet: "r"}, {Name: "bash", Snippet: "b"}}, Cwd: f.project, Now: fixedNow})
	if layout(ours) != layout(pi.Prompt) {
		t.Errorf("system prompt layout differs\nours:\n%s\npi:\n%s", layout(ours), layout(pi.Prompt))
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func diagKey(d ResourceDiagnostic) string {
	k := d.Type + "|" + d.Message + "|" + d.Path
	if d.Collision != nil {
		k += "|" + d.Collision.WinnerPath + ">" + d.Collision.LoserPath
	}
	return k
}

// sessionDiagnostics is what loading a session reports: every file's
// warnings, and the collisions among the enabled skills (pi loads only
// those).
func sessionDiagnostics(t *testing.T, f *fixture) []string {
	t.Helper()
	sc, err := f.loader.scan(context.Background(), f.proj())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range sc.skillDiag {
		out = append(out, diagKey(d))
	}
	_, coll := pickSkills(sc.skills, func(k loadedSkill) bool { return sc.skillEffective(k) })
	for _, d := range coll {
		out = append(out, diagKey(d))
	}
	return out
}
