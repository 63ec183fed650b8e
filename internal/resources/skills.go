package resources

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf16"
)

// Skill is one Agent Skills file (pi's skills.md).
type Skill struct {
	Name                   string `json:"name"`
	Description            string `json:"description"`
	FilePath               string `json:"filePath"`
	BaseDir                string `json:"baseDir"`
	DisableModelInvocation bool   `json:"disableModelInvocation"`
	Scope                  string `json:"scope"` // "project" or "user"
}

// ResourceDiagnostic is a problem found while loading skills or templates, in the
// shape of pi's ResourceDiagnostic (and of GET /config/skills).
type ResourceDiagnostic struct {
	Type      string             `json:"type" enum:"warning,error,collision"`
	Message   string             `json:"message"`
	Path      string             `json:"path,omitempty"`
	Collision *ResourceCollision `json:"collision,omitempty"`
}

// ResourceCollision names the resource kept and the one dropped for a shared name.
type ResourceCollision struct {
	ResourceType string `json:"resourceType"`
	Name         string `json:"name"`
	WinnerPath   string `json:"winnerPath"`
	LoserPath    string `json:"loserPath"`
}

// Limits of the Agent Skills standard that pi warns about.
const (
	maxSkillNameLen        = 64
	maxSkillDescriptionLen = 1024
)

var skillNameChars = regexp.MustCompile(`^[a-z0-9-]+$`)

// jsLen is a string's length as JavaScript counts it (UTF-16 units), which
// is what pi's limits and messages use.
func jsLen(s string) int { return len(utf16.Encode([]rune(s))) }

func validateSkillName(name string) []string {
	var errs []string
	if n := jsLen(name); n > maxSkillNameLen {
		errs = append(errs, fmt.Sprintf("name exceeds %d characters (%d)", maxSkillNameLen, n))
	}
	if !skillNameChars.MatchString(name) {
		errs = append(errs, "name contains invalid characters (must be lowercase a-z, 0-9, hyphens only)")
	}
	if strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") {
		errs = append(errs, "name must not start or end with a hyphen")
	}
	if strings.Contains(name, "--") {
		errs = append(errs, "name must not contain consecutive hyphens")
	}
	return errs
}

// loadSkillFile parses one skill file. A skill without a description is
// not loaded; the other rule violations are warnings. The messages are
// pi's, so the UI shows what the pi CLI would.
func loadSkillFile(path, scope string) (*Skill, []ResourceDiagnostic) {
	warn := func(msg string) ResourceDiagnostic {
		return ResourceDiagnostic{Type: "warning", Message: msg, Path: path}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []ResourceDiagnostic{warn(err.Error())}
	}
	fm, _, err := parseFrontmatter(string(data))
	if err != nil {
		return nil, []ResourceDiagnostic{warn(err.Error())}
	}
	var diags []ResourceDiagnostic
	desc, _ := fm["description"].(string)
	switch {
	case trimJS(desc) == "":
		diags = append(diags, warn("description is required"))
	case jsLen(desc) > maxSkillDescriptionLen:
		diags = append(diags, warn(fmt.Sprintf("description exceeds %d characters (%d)", maxSkillDescriptionLen, jsLen(desc))))
	}
	dir := filepath.Dir(path)
	name := fmString(fm, "name")
	if name == "" {
		name = filepath.Base(dir)
	}
	for _, e := range validateSkillName(name) {
		diags = append(diags, warn(e))
	}
	if trimJS(desc) == "" {
		return nil, diags
	}
	dmi, _ := fm["disable-model-invocation"].(bool)
	return &Skill{Name: name, Description: desc, FilePath: path, BaseDir: dir, DisableModelInvocation: dmi, Scope: scope}, diags
}

// loadedSkill is a parsed skill with how it was found.
type loadedSkill struct {
	Skill
	from found
}

// loadSkills parses every discovered file, in order.
func loadSkills(files []found) ([]loadedSkill, []ResourceDiagnostic) {
	var out []loadedSkill
	var diags []ResourceDiagnostic
	for _, f := range files {
		if !strings.HasSuffix(f.path, ".md") {
			diags = append(diags, ResourceDiagnostic{Type: "warning", Message: "skill path is not a markdown file", Path: f.path})
			continue
		}
		s, d := loadSkillFile(f.path, f.scope)
		diags = append(diags, d...)
		if s != nil {
			out = append(out, loadedSkill{Skill: *s, from: f})
		}
	}
	return out, diags
}

// pickSkills keeps the skills keep accepts, first name wins; the losers
// become collision diagnostics (appended after diags, as pi orders them).
// The same file reached twice (a symlink) is dropped silently.
func pickSkills(all []loadedSkill, keep func(loadedSkill) bool) ([]loadedSkill, []ResourceDiagnostic) {
	byName := map[string]loadedSkill{}
	reals := map[string]bool{}
	var out []loadedSkill
	var diags []ResourceDiagnostic
	for _, s := range all {
		if !keep(s) {
			continue
		}
		real := s.from.real
		if real == "" {
			real = canonical(s.FilePath)
		}
		if reals[real] {
			continue
		}
		if w, ok := byName[s.Name]; ok {
			diags = append(diags, ResourceDiagnostic{
				Type: "collision", Message: fmt.Sprintf("name %q collision", s.Name), Path: s.FilePath,
				Collision: &ResourceCollision{ResourceType: "skill", Name: s.Name, WinnerPath: w.FilePath, LoserPath: s.FilePath},
			})
			continue
		}
		byName[s.Name] = s
		reals[real] = true
		out = append(out, s)
	}
	return out, diags
}

// xmlEscape escapes the five XML special characters, as pi does for the
// skills block.
var xmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// skillsIntro tells the model how to use the block that follows (pi-forge's
// wording; the block's structure is the Agent Skills standard's).
var skillsIntro = []string{
	"Skills below hold specialised instructions for particular tasks.",
	"When a task matches a skill's description, load the skill's file with the read tool.",
	"Paths inside a skill file are relative to the skill's directory (the folder that holds the file); turn them into absolute paths before using them in tool calls.",
}

// FormatSkills renders the system prompt's skills section, or "" when no
// skill may be invoked by the model.
func FormatSkills(skills []Skill) string {
	var b strings.Builder
	n := 0
	for _, s := range skills {
		if s.DisableModelInvocation {
			continue
		}
		if n == 0 {
			b.WriteString("\n\n" + strings.Join(skillsIntro, "\n") + "\n\n<available_skills>")
		}
		n++
		fmt.Fprintf(&b, "\n  <skill>\n    <name>%s</name>\n    <description>%s</description>\n    <location>%s</location>\n  </skill>",
			xmlEscape.Replace(s.Name), xmlEscape.Replace(s.Description), xmlEscape.Replace(s.FilePath))
	}
	if n == 0 {
		return ""
	}
	b.WriteString("\n</available_skills>")
	return b.String()
}

// expandSkillCommand turns "/skill:<name> [args]" into the skill's body
// wrapped in a <skill> element (pi's layout), followed by the arguments.
// An unknown name, or a file that can no longer be read, leaves the text
// as it was. expandArgs rewrites the arguments (the @file expansion) and
// may be nil.
func expandSkillCommand(text string, skills []Skill, expandArgs func(string) string) string {
	rest, ok := strings.CutPrefix(text, "/skill:")
	if !ok {
		return text
	}
	name, args, _ := strings.Cut(rest, " ")
	args = trimJS(args)
	var skill *Skill
	for i := range skills {
		if skills[i].Name == name {
			skill = &skills[i]
			break
		}
	}
	if skill == nil {
		return text
	}
	data, err := os.ReadFile(skill.FilePath)
	if err != nil {
		return text
	}
	_, body, _ := splitFrontmatter(string(data))
	block := "<skill name=\"" + skill.Name + "\" location=\"" + skill.FilePath + "\">\n" +
		"Paths in this skill are relative to " + skill.BaseDir + ".\n\n" + trimJS(body) + "\n</skill>"
	if args == "" {
		return block
	}
	if expandArgs != nil {
		args = expandArgs(args)
	}
	return block + "\n\n" + args
}
