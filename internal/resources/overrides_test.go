package resources

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestToolCascade(t *testing.T) {
	f := newFixture(t)
	ov := f.loader.Overrides()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := f.load(t).Tools; !slices.Equal(got, BuiltinToolNames) {
		t.Fatalf("default tools %v", got)
	}
	must(ov.SetToolEnabled(FamilyBuiltin, "bash", false))
	must(ov.SetToolEnabled(FamilyBuiltin, "grep", false))
	must(ov.SetProjectTool("p1", FamilyBuiltin, "bash", StateEnabled))
	must(ov.SetProjectTool("p1", FamilyBuiltin, "read", StateDisabled))
	got := f.load(t).Tools
	if slices.Contains(got, "read") || !slices.Contains(got, "bash") || slices.Contains(got, "grep") {
		t.Errorf("p1 tools %v", got)
	}
	other, _ := f.loader.Load(context.Background(), Project{ID: "p2", Path: f.project})
	if slices.Contains(other.Tools, "bash") || !slices.Contains(other.Tools, "read") {
		t.Errorf("p2 tools %v", other.Tools)
	}
	infos, err := f.loader.BuiltinTools("p1")
	must(err)
	for _, i := range infos {
		switch i.Name {
		case "bash":
			if !i.Enabled || i.GlobalEnabled || i.ProjectOverride != StateEnabled {
				t.Errorf("bash %+v", i)
			}
		case "read":
			if i.Enabled || !i.GlobalEnabled || i.ProjectOverride != StateDisabled || i.Description == "" {
				t.Errorf("read %+v", i)
			}
		case "todo":
			if !i.Enabled || i.Description == "" {
				t.Errorf("todo %+v", i)
			}
		}
	}
	global, _ := f.loader.BuiltinTools("")
	for _, i := range global {
		if i.ProjectOverride != "" || i.Enabled != i.GlobalEnabled {
			t.Errorf("global view %+v", i)
		}
	}
	// The file is the reference's shape; clearing prunes empty projects.
	must(ov.SetProjectTool("p1", FamilyBuiltin, "bash", ""))
	must(ov.SetProjectTool("p1", FamilyBuiltin, "read", ""))
	must(ov.SetToolEnabled(FamilyBuiltin, "grep", true))
	data, _ := os.ReadFile(filepath.Join(f.data, ToolOverridesFile))
	want := "{\n  \"builtin\": [\n    \"bash\"\n  ],\n  \"mcp\": [],\n  \"extension\": [],\n  \"projects\": {}\n}"
	if string(data) != want {
		t.Errorf("tool-overrides.json:\n%s\nwant\n%s", data, want)
	}
}

func TestOverrideFilesReadReferenceShapes(t *testing.T) {
	f := newFixture(t)
	write(t, filepath.Join(f.data, ToolOverridesFile), `{"builtin":["ls"],"projects":{"p1":{"mcp":{"enable":["srv__x"]}}}}`)
	write(t, filepath.Join(f.data, SkillOverridesFile), `{"projects":{"p1":{"disable":["s"]}}}`)
	write(t, filepath.Join(f.data, AddendumFile), `{"projects":{"p1":"be nice"}}`)
	tools, err := f.loader.Overrides().Tools.Read()
	if err != nil {
		t.Fatal(err)
	}
	if tools.ToolEnabled("p1", FamilyBuiltin, "ls") || !tools.ToolEnabled("p1", FamilyMCP, "srv__x") || tools.Projects["p1"].Builtin.Enable == nil {
		t.Errorf("read %+v", tools)
	}
	if a, _ := f.loader.Overrides().Addendum("p1"); a != "be nice" {
		t.Errorf("addendum %q", a)
	}
	// A corrupt file is never overwritten, and does not stop a session.
	write(t, filepath.Join(f.data, PromptOverridesFile), `{not json`)
	if err := f.loader.Overrides().SetProjectPrompt("p1", "x", StateEnabled); err == nil {
		t.Error("wrote over a corrupt file")
	}
	if data, _ := os.ReadFile(filepath.Join(f.data, PromptOverridesFile)); string(data) != `{not json` {
		t.Errorf("corrupt file changed: %s", data)
	}
	if _, err := f.loader.Load(context.Background(), f.proj()); err != nil {
		t.Errorf("load with a corrupt override file: %v", err)
	}
}

func TestForgetProject(t *testing.T) {
	f := newFixture(t)
	ov := f.loader.Overrides()
	_ = ov.SetProjectTool("gone", FamilyBuiltin, "bash", StateDisabled)
	_ = ov.SetProjectTool("kept", FamilyBuiltin, "bash", StateDisabled)
	_ = ov.SetProjectSkill("gone", "s", StateEnabled)
	_ = ov.SetProjectPrompt("gone", "p", StateEnabled)
	_, _ = ov.SetAddendum("gone", "text")
	if err := ov.ForgetProject("gone"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ToolOverridesFile, SkillOverridesFile, PromptOverridesFile, AddendumFile} {
		data, _ := os.ReadFile(filepath.Join(f.data, name))
		if strings.Contains(string(data), "gone") {
			t.Errorf("%s still mentions the project: %s", name, data)
		}
	}
	if tools, _ := ov.Tools.Read(); tools.ProjectState("kept", FamilyBuiltin, "bash") != StateDisabled {
		t.Error("other project's override lost")
	}
}

func TestAddendum(t *testing.T) {
	f := newFixture(t)
	ov := f.loader.Overrides()
	if got, err := ov.SetAddendum("p1", "  \n\t "); err != nil || got != "" {
		t.Errorf("blank: %q %v", got, err)
	}
	if _, err := ov.SetAddendum("p1", strings.Repeat("é", 10001)); err != ErrAddendumTooLarge {
		t.Errorf("20002 bytes: %v", err)
	}
	if got, err := ov.SetAddendum("p1", strings.Repeat("é", 10000)); err != nil || len(got) != MaxAddendumBytes {
		t.Errorf("exactly the limit: %v", err)
	}
}

func TestConcurrentToggles(t *testing.T) {
	f := newFixture(t)
	ov := f.loader.Overrides()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := string(rune('a' + i))
			if err := ov.SetProjectSkill("p1", name, StateDisabled); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	o, _ := ov.Skills.Read()
	if n := len(o.Projects["p1"].Disable); n != 20 {
		t.Errorf("%d of 20 concurrent toggles kept", n)
	}
}
