package resources

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/piconfig"
)

// SecretHygieneRule is appended to every system prompt when
// AGENT_SECRET_HYGIENE_RULE is on: guidance for the model, not a security
// control (see docs).
const SecretHygieneRule = "Treat the values of environment variables as credentials. " +
	"When you run shell commands for the user, do not print, echo or paste the value of an environment variable into your replies " +
	"or into tool output unless the user explicitly asks to see that particular variable. " +
	`Checking whether a variable is set (for example with -z "$X") is fine, and a command that needs a secret should reference it ` +
	`as $NAME instead of spelling out its value (curl -H "Authorization: Bearer $GITHUB_TOKEN", never the token itself).` +
	"\n\n" +
	"This holds while debugging too: say \"$X is unset\" or \"$X is set (N characters)\" rather than showing the value. " +
	"Transcripts get shared, logged and pasted into bug reports."

// Options configure a Loader.
type Options struct {
	AgentDir string // PI_CONFIG_DIR: settings.json, SYSTEM.md, AGENTS.md, skills/, prompts/
	DataDir  string // FORGE_DATA_DIR: the override files
	Home     string // expands "~" in settings paths; ~/.agents/skills lives here
	// Settings is the global settings.json; nil means AgentDir/settings.json.
	Settings *piconfig.SettingsStore
	// SecretHygiene appends SecretHygieneRule to every system prompt.
	SecretHygiene bool
	Now           func() time.Time // nil = time.Now
	Log           *slog.Logger
}

// Project identifies the project a session or a listing is for.
type Project struct {
	ID   string
	Path string // absolute project directory (the session's cwd)
}

// Loader discovers resources and holds the override files. It is safe for
// concurrent use.
type Loader struct {
	opts      Options
	overrides *Overrides
	toolDesc  map[string]string
}

// New returns a Loader; nothing is read until it is asked.
func New(opts Options) *Loader {
	if opts.Settings == nil {
		opts.Settings = piconfig.NewSettingsStore(filepath.Join(opts.AgentDir, "settings.json"))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Loader{opts: opts, overrides: NewOverrides(opts.DataDir), toolDesc: builtinDescriptions()}
}

// Overrides returns the override files.
func (l *Loader) Overrides() *Overrides { return l.overrides }

// Session is what a new session of one project starts with.
type Session struct {
	Project Project
	// Tools are the enabled built-in tool names, in BuiltinToolNames order.
	Tools []string
	// Skills and Templates are the effective ones (settings, then the
	// project's overrides), collisions resolved first-wins.
	Skills       []Skill
	Templates    []Template
	ContextFiles []ContextFile
	// SystemMD replaces the default prompt when non-empty (.pi/SYSTEM.md,
	// else AGENT_DIR/SYSTEM.md).
	SystemMD string
	// Append holds APPEND_SYSTEM.md, the secret-hygiene rule and the
	// project's addendum, in that order.
	Append []string
	// SkillCommands is settings.json enableSkillCommands: /skill:name
	// expands only when it is on.
	SkillCommands bool
	now           time.Time
}

// Load reads everything a new session of p needs. Unreadable override or
// settings files count as empty (logged), so a broken file never stops a
// session from starting.
func (l *Loader) Load(ctx context.Context, p Project) (*Session, error) {
	sc, err := l.scan(ctx, p)
	if err != nil {
		return nil, err
	}
	s := &Session{Project: p, SkillCommands: sc.skillCmds, now: l.opts.Now()}
	for _, name := range BuiltinToolNames {
		if sc.tools.ToolEnabled(p.ID, FamilyBuiltin, name) {
			s.Tools = append(s.Tools, name)
		}
	}
	skills, _ := pickSkills(sc.skills, func(k loadedSkill) bool { return sc.skillEffective(k) })
	for _, k := range skills {
		s.Skills = append(s.Skills, k.Skill)
	}
	templates, _ := pickTemplates(sc.templates, func(t loadedTemplate) bool { return sc.promptEffective(t) })
	for _, t := range templates {
		s.Templates = append(s.Templates, t.Template)
	}
	s.ContextFiles = loadContextFiles(l.opts.AgentDir, p.Path)
	s.SystemMD = firstFileContent(filepath.Join(p.Path, ".pi", "SYSTEM.md"), filepath.Join(l.opts.AgentDir, "SYSTEM.md"))
	if path := firstExisting(filepath.Join(p.Path, ".pi", "APPEND_SYSTEM.md"), filepath.Join(l.opts.AgentDir, "APPEND_SYSTEM.md")); path != "" {
		if data, err := os.ReadFile(path); err == nil {
			s.Append = append(s.Append, string(data))
		}
	}
	if l.opts.SecretHygiene {
		s.Append = append(s.Append, SecretHygieneRule)
	}
	if a := sc.addenda.Projects[p.ID]; a != "" {
		s.Append = append(s.Append, a)
	}
	return s, nil
}

// SystemPrompt builds the session's system prompt for the tools it was
// given (pi rebuilds it whenever the active tools change).
func (s *Session) SystemPrompt(ts []agent.Tool) string {
	return BuildSystemPrompt(PromptInput{
		Custom:       s.SystemMD,
		Append:       s.Append,
		ContextFiles: s.ContextFiles,
		Skills:       s.Skills,
		Tools:        ToolPrompts(ts),
		Cwd:          s.Project.Path,
		Now:          s.now,
	})
}

// ArgExpander rewrites the user-written parts of a command (pi-forge's
// @file expansion) with one budget shared by all parts; it returns as many
// parts as it got.
type ArgExpander func(parts []string) []string

// ExpandCommand expands "/skill:name args" (when skill commands are on) and
// "/template args" the way pi does, skill first. expand (may be nil) is
// applied to the arguments only, never to the skill or template text.
// expanded is false when text is no known command; the caller then treats
// text as an ordinary prompt.
func (s *Session) ExpandCommand(text string, expand ArgExpander) (out string, expanded bool) {
	one := func(a string) string {
		if expand == nil {
			return a
		}
		return expand([]string{a})[0]
	}
	out = text
	if s.SkillCommands {
		out = expandSkillCommand(text, s.Skills, one)
	}
	if out == text {
		out = expandTemplate(text, s.Templates, expand)
	}
	return out, out != text
}

func firstExisting(paths ...string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// firstFileContent reads the first of paths that exists ("" if none or
// unreadable; pi warns and falls back to the default prompt).
func firstFileContent(paths ...string) string {
	p := firstExisting(paths...)
	if p == "" {
		return ""
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return string(data)
}

// scanResult is one read of settings, overrides and resource files.
type scanResult struct {
	project   Project
	global    settingsView // AGENT_DIR/settings.json
	skillCmds bool         // enableSkillCommands, project over global
	skills    []loadedSkill
	skillDiag []ResourceDiagnostic
	templates []loadedTemplate
	tools     ToolOverrides
	skillOv   NameOverrides
	promptOv  NameOverrides
	addenda   Addenda
}

func (l *Loader) scan(ctx context.Context, p Project) (*scanResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	global := l.loadSettings(ctx, l.opts.Settings)
	proj := l.loadSettings(ctx, piconfig.NewSettingsStore(piconfig.ProjectSettingsPath(p.Path)))
	sc := &scanResult{project: p, global: global, skillCmds: proj.skillCommands(global.skillCommands(true))}
	in := discoverInput{agentDir: l.opts.AgentDir, home: l.opts.Home, project: p.Path, real: realpaths{}}
	in.global, in.proj = global.skills, proj.skills
	sc.skills, sc.skillDiag = loadSkills(discover(kindSkill, in))
	in.global, in.proj = global.prompts, proj.prompts
	sc.templates = loadTemplates(discover(kindPrompt, in))
	sc.tools = readOrEmpty(l, l.overrides.Tools)
	sc.skillOv = readOrEmpty(l, l.overrides.Skills)
	sc.promptOv = readOrEmpty(l, l.overrides.Prompts)
	sc.addenda = readOrEmpty(l, l.overrides.Addenda)
	return sc, nil
}

// settingsView is what resources read from one settings.json.
type settingsView struct {
	skills, prompts []string
	skillCmds       *bool
}

// skillCommands is enableSkillCommands, or def when the file does not set
// it (pi's project-over-global merge).
func (v settingsView) skillCommands(def bool) bool {
	if v.skillCmds == nil {
		return def
	}
	return *v.skillCmds
}

// loadSettings reads one settings.json; a file that can not be read counts
// as empty, as pi's settings manager treats it.
func (l *Loader) loadSettings(ctx context.Context, st *piconfig.SettingsStore) settingsView {
	s, err := st.Load(ctx)
	if err != nil {
		l.opts.Log.Warn("settings ignored", "path", st.Path(), "err", err)
		return settingsView{}
	}
	v := settingsView{skills: s.Skills(), prompts: s.Prompts()}
	var b bool
	if s.Object().Decode("enableSkillCommands", &b) {
		v.skillCmds = &b
	}
	return v
}

func readOrEmpty[T any](l *Loader, f *jsonFile[T]) T {
	v, err := f.Read()
	if err != nil {
		l.opts.Log.Warn("override file ignored", "path", f.path, "err", err)
		var empty T
		f.normalize(&empty)
		return empty
	}
	return v
}

// skillEnabled is a skill's global state (settings.json patterns).
func (sc *scanResult) skillEnabled(k loadedSkill) bool {
	return k.from.enabled(k.Name, sc.global.skills)
}

// skillEffective is the cascade: the project's choice, else the global
// state.
func (sc *scanResult) skillEffective(k loadedSkill) bool {
	return cascade(sc.skillOv.Projects[sc.project.ID].state(k.Name), sc.skillEnabled(k))
}

func (sc *scanResult) promptEnabled(t loadedTemplate) bool {
	return t.from.enabled(t.Name, sc.global.prompts)
}

func (sc *scanResult) promptEffective(t loadedTemplate) bool {
	return cascade(sc.promptOv.Projects[sc.project.ID].state(t.Name), sc.promptEnabled(t))
}

// cascade applies a project override (enabled, disabled or none) over the
// global state.
func cascade(project string, global bool) bool {
	switch project {
	case StateEnabled:
		return true
	case StateDisabled:
		return false
	}
	return global
}

// ErrNotFound is returned for a skill or template name no source has.
var ErrNotFound = errors.New("not found")
