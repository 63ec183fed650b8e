package resources

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pi-forge/pi-forge/internal/piconfig"
)

// Scopes of a toggle request.
const (
	ScopeGlobal  = "global"
	ScopeProject = "project"
)

// SkillInfo is one skill as GET /config/skills lists it.
type SkillInfo struct {
	Name                   string `json:"name"`
	Description            string `json:"description"`
	Source                 string `json:"source" enum:"global,project,extension"`
	FilePath               string `json:"filePath"`
	ExtensionPath          string `json:"extensionPath,omitempty"`
	Enabled                bool   `json:"enabled" doc:"global state (settings.json skills patterns)"`
	ProjectOverride        string `json:"projectOverride,omitempty" enum:"enabled,disabled"`
	Effective              bool   `json:"effective" doc:"what a new session in this project gets"`
	DisableModelInvocation bool   `json:"disableModelInvocation"`
}

// PromptInfo is one template as GET /config/prompts lists it.
type PromptInfo struct {
	Name            string `json:"name"`
	Description     string `json:"description"`
	ArgumentHint    string `json:"argumentHint,omitempty"`
	Source          string `json:"source" enum:"global,project"`
	FilePath        string `json:"filePath"`
	Enabled         bool   `json:"enabled"`
	ProjectOverride string `json:"projectOverride,omitempty" enum:"enabled,disabled"`
	Effective       bool   `json:"effective"`
}

// source is "project" for a file inside the project, else "global".
func source(project, path string) string {
	rel, err := filepath.Rel(project, path)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel) {
		return "project"
	}
	return "global"
}

// ListSkills lists the project's skills (first name wins across every
// source, enabled or not) with their global, project and effective state,
// and the loader's diagnostics.
func (l *Loader) ListSkills(ctx context.Context, p Project) ([]SkillInfo, []ResourceDiagnostic, error) {
	sc, err := l.scan(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	return sc.skillInfos()
}

func (sc *scanResult) skillInfos() ([]SkillInfo, []ResourceDiagnostic, error) {
	winners, collisions := pickSkills(sc.skills, func(loadedSkill) bool { return true })
	out := make([]SkillInfo, 0, len(winners))
	for _, k := range winners {
		out = append(out, SkillInfo{
			Name: k.Name, Description: k.Description, Source: source(sc.project.Path, k.FilePath), FilePath: k.FilePath,
			Enabled: sc.skillEnabled(k), ProjectOverride: sc.skillOv.Projects[sc.project.ID].state(k.Name),
			Effective: sc.skillEffective(k), DisableModelInvocation: k.DisableModelInvocation,
		})
	}
	diags := append(append([]ResourceDiagnostic{}, sc.skillDiag...), collisions...)
	return out, diags, nil
}

// ListPrompts lists the project's templates like ListSkills.
func (l *Loader) ListPrompts(ctx context.Context, p Project) ([]PromptInfo, []ResourceDiagnostic, error) {
	sc, err := l.scan(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	return sc.promptInfos()
}

func (sc *scanResult) promptInfos() ([]PromptInfo, []ResourceDiagnostic, error) {
	winners, collisions := pickTemplates(sc.templates, func(loadedTemplate) bool { return true })
	out := make([]PromptInfo, 0, len(winners))
	for _, t := range winners {
		out = append(out, PromptInfo{
			Name: t.Name, Description: t.Description, ArgumentHint: t.ArgumentHint,
			Source: source(sc.project.Path, t.FilePath), FilePath: t.FilePath,
			Enabled: sc.promptEnabled(t), ProjectOverride: sc.promptOv.Projects[sc.project.ID].state(t.Name),
			Effective: sc.promptEffective(t),
		})
	}
	if collisions == nil {
		collisions = []ResourceDiagnostic{}
	}
	return out, collisions, nil
}

// SetSkill changes a skill's state. Scope global writes settings.json
// ("!name" to switch off; on removes the name's entries and adds "+name"
// only if a broader pattern would still keep it off); scope project writes
// skills-overrides.json, where state nil clears the project's choice. A
// name no source has is ErrNotFound.
func (l *Loader) SetSkill(ctx context.Context, p Project, name, scope string, on *bool) ([]SkillInfo, error) {
	sc, err := l.scan(ctx, p)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sc.skills, func(k loadedSkill) bool { return k.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("skill %q: %w", name, ErrNotFound)
	}
	if scope == ScopeProject || on == nil {
		err = l.overrides.SetProjectSkill(p.ID, name, stateOf(on))
	} else {
		k := sc.skills[i]
		err = l.toggleGlobal(ctx, "skills", name, *on, func(entries []string) bool {
			return k.from.enabled(k.Name, entries)
		})
	}
	if err != nil {
		return nil, err
	}
	infos, _, err := l.ListSkills(ctx, p)
	return infos, err
}

// SetPrompt changes a template's state like SetSkill (settings.json
// "prompts", prompts-overrides.json).
func (l *Loader) SetPrompt(ctx context.Context, p Project, name, scope string, on *bool) ([]PromptInfo, error) {
	sc, err := l.scan(ctx, p)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sc.templates, func(t loadedTemplate) bool { return t.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("prompt %q: %w", name, ErrNotFound)
	}
	if scope == ScopeProject || on == nil {
		err = l.overrides.SetProjectPrompt(p.ID, name, stateOf(on))
	} else {
		t := sc.templates[i]
		err = l.toggleGlobal(ctx, "prompts", name, *on, func(entries []string) bool {
			return t.from.enabled(t.Name, entries)
		})
	}
	if err != nil {
		return nil, err
	}
	infos, _, err := l.ListPrompts(ctx, p)
	return infos, err
}

func stateOf(on *bool) string {
	switch {
	case on == nil:
		return ""
	case *on:
		return StateEnabled
	}
	return StateDisabled
}

// toggleGlobal rewrites one settings.json pattern list under pi's lock:
// entries naming exactly name ("!name", "+name", "-name") are dropped,
// every other entry (paths, globs) is kept, then "!name" is added to switch
// off, or "+name" to switch on when what is left would still keep it off.
// enabledWith evaluates the resource against a candidate list.
func (l *Loader) toggleGlobal(ctx context.Context, key, name string, on bool, enabledWith func([]string) bool) error {
	_, err := l.opts.Settings.Update(ctx, func(cur *piconfig.Object) error {
		var entries []string
		cur.Decode(key, &entries)
		kept := []string{}
		for _, e := range entries {
			if isOverrideEntry(e) && e[1:] == name {
				continue
			}
			kept = append(kept, e)
		}
		switch {
		case !on:
			kept = append(kept, "!"+name)
		case !enabledWith(kept):
			kept = append(kept, "+"+name)
		}
		return cur.Set(key, kept)
	})
	if err != nil {
		return fmt.Errorf("toggle %s %q: %w", key, name, err)
	}
	return nil
}

// ToolStatus is one tool as GET /config/tools lists it.
type ToolStatus struct {
	Name            string `json:"name"`
	Description     string `json:"description"`
	Enabled         bool   `json:"enabled" doc:"effective state for the project (global state without projectId)"`
	GlobalEnabled   bool   `json:"globalEnabled"`
	ProjectOverride string `json:"projectOverride,omitempty" enum:"enabled,disabled"`
}

// BuiltinTools lists the built-in tools with their state for projectID
// ("" for the global view).
func (l *Loader) BuiltinTools(projectID string) ([]ToolStatus, error) {
	t, err := l.overrides.Tools.Read()
	if err != nil {
		return nil, err
	}
	out := make([]ToolStatus, 0, len(BuiltinToolNames))
	for _, name := range BuiltinToolNames {
		info := ToolStatus{
			Name: name, Description: l.toolDesc[name],
			Enabled:       t.ToolEnabled(projectID, FamilyBuiltin, name),
			GlobalEnabled: t.ToolEnabled("", FamilyBuiltin, name),
		}
		if projectID != "" {
			info.ProjectOverride = t.ProjectState(projectID, FamilyBuiltin, name)
		}
		out = append(out, info)
	}
	return out, nil
}
