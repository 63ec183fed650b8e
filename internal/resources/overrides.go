package resources

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// The per-project override files in FORGE_DATA_DIR, in the reference's
// shapes (api-contract §1.10, features §12.15).
const (
	ToolOverridesFile   = "tool-overrides.json"
	SkillOverridesFile  = "skills-overrides.json"
	PromptOverridesFile = "prompts-overrides.json"
	AddendumFile        = "system-prompt-overrides.json"
)

// Override states of one name in one project. Absent means inherit.
const (
	StateEnabled  = "enabled"
	StateDisabled = "disabled"
)

// EnableDisable is one project's explicit choices for a set of names.
type EnableDisable struct {
	Enable  []string `json:"enable"`
	Disable []string `json:"disable"`
}

func (e EnableDisable) empty() bool { return len(e.Enable) == 0 && len(e.Disable) == 0 }

func (e EnableDisable) normalized() EnableDisable {
	return EnableDisable{Enable: orEmpty(e.Enable), Disable: orEmpty(e.Disable)}
}

// state is the project's choice for name: StateEnabled, StateDisabled or "".
func (e EnableDisable) state(name string) string {
	switch {
	case slices.Contains(e.Disable, name):
		return StateDisabled
	case slices.Contains(e.Enable, name):
		return StateEnabled
	}
	return ""
}

// set records state for name ("" clears it).
func (e *EnableDisable) set(name, state string) {
	e.Enable = slices.DeleteFunc(e.Enable, func(s string) bool { return s == name })
	e.Disable = slices.DeleteFunc(e.Disable, func(s string) bool { return s == name })
	switch state {
	case StateEnabled:
		e.Enable = append(e.Enable, name)
	case StateDisabled:
		e.Disable = append(e.Disable, name)
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// NameOverrides is skills-overrides.json and prompts-overrides.json.
type NameOverrides struct {
	Projects map[string]EnableDisable `json:"projects"`
}

func (o *NameOverrides) normalize() {
	if o.Projects == nil {
		o.Projects = map[string]EnableDisable{}
	}
	for id, e := range o.Projects {
		if e.empty() {
			delete(o.Projects, id)
		} else {
			o.Projects[id] = e.normalized()
		}
	}
}

// Tool families of tool-overrides.json and the /config/tools routes.
const (
	FamilyBuiltin   = "builtin"
	FamilyMCP       = "mcp"
	FamilyExtension = "extension"
)

// ToolProjectOverrides is one project's tool choices per family.
type ToolProjectOverrides struct {
	Builtin   EnableDisable `json:"builtin"`
	MCP       EnableDisable `json:"mcp"`
	Extension EnableDisable `json:"extension"`
}

func (t *ToolProjectOverrides) family(f string) *EnableDisable {
	switch f {
	case FamilyMCP:
		return &t.MCP
	case FamilyExtension:
		return &t.Extension
	}
	return &t.Builtin
}

// ToolOverrides is tool-overrides.json: the globally disabled tools per
// family, and the per-project choices.
type ToolOverrides struct {
	Builtin   []string                        `json:"builtin"`
	MCP       []string                        `json:"mcp"`
	Extension []string                        `json:"extension"`
	Projects  map[string]ToolProjectOverrides `json:"projects"`
}

func (t *ToolOverrides) disabled(f string) *[]string {
	switch f {
	case FamilyMCP:
		return &t.MCP
	case FamilyExtension:
		return &t.Extension
	}
	return &t.Builtin
}

func (t *ToolOverrides) normalize() {
	t.Builtin, t.MCP, t.Extension = orEmpty(t.Builtin), orEmpty(t.MCP), orEmpty(t.Extension)
	if t.Projects == nil {
		t.Projects = map[string]ToolProjectOverrides{}
	}
	for id, p := range t.Projects {
		if p.Builtin.empty() && p.MCP.empty() && p.Extension.empty() {
			delete(t.Projects, id)
			continue
		}
		t.Projects[id] = ToolProjectOverrides{Builtin: p.Builtin.normalized(), MCP: p.MCP.normalized(), Extension: p.Extension.normalized()}
	}
}

// ToolEnabled is the cascade: the project's choice wins; otherwise a tool
// is on unless it is in the family's global disabled list.
func (t *ToolOverrides) ToolEnabled(projectID, family, name string) bool {
	if projectID != "" {
		if p, ok := t.Projects[projectID]; ok {
			switch p.family(family).state(name) {
			case StateEnabled:
				return true
			case StateDisabled:
				return false
			}
		}
	}
	return !slices.Contains(*t.disabled(family), name)
}

// ProjectState is the project's explicit choice for a tool ("" = inherit).
func (t *ToolOverrides) ProjectState(projectID, family, name string) string {
	p, ok := t.Projects[projectID]
	if !ok {
		return ""
	}
	return p.family(family).state(name)
}

// Addenda is system-prompt-overrides.json: the per-project text appended
// to the system prompt.
type Addenda struct {
	Projects map[string]string `json:"projects"`
}

func (a *Addenda) normalize() {
	if a.Projects == nil {
		a.Projects = map[string]string{}
	}
}

// jsonFile is one override file: read whole, changed under a mutex,
// written atomically. A missing file is the empty value; a file that is
// not valid JSON is an error and is never overwritten.
type jsonFile[T any] struct {
	mu        sync.Mutex
	path      string
	normalize func(*T)
}

func (f *jsonFile[T]) read() (T, error) {
	var v T
	data, err := os.ReadFile(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return v, fmt.Errorf("read %s: %w", f.path, err)
	case len(data) > 0:
		if err := json.Unmarshal(data, &v); err != nil {
			return v, fmt.Errorf("parse %s: %w", f.path, err)
		}
	}
	f.normalize(&v)
	return v, nil
}

// Read returns the file's current content.
func (f *jsonFile[T]) Read() (T, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.read()
}

// Update applies fn and writes the result (2-space indented, as the
// reference writes it).
func (f *jsonFile[T]) Update(fn func(*T)) (T, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, err := f.read()
	if err != nil {
		return v, err
	}
	fn(&v)
	f.normalize(&v)
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return v, fmt.Errorf("encode %s: %w", f.path, err)
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return v, fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := atomicfile.WriteFile(f.path, data, 0o600); err != nil {
		return v, fmt.Errorf("write %s: %w", f.path, err)
	}
	return v, nil
}

// Overrides holds the four override files of one FORGE_DATA_DIR.
type Overrides struct {
	Tools   *jsonFile[ToolOverrides]
	Skills  *jsonFile[NameOverrides]
	Prompts *jsonFile[NameOverrides]
	Addenda *jsonFile[Addenda]
}

// NewOverrides returns the override files in dataDir.
func NewOverrides(dataDir string) *Overrides {
	return &Overrides{
		Tools:   &jsonFile[ToolOverrides]{path: filepath.Join(dataDir, ToolOverridesFile), normalize: (*ToolOverrides).normalize},
		Skills:  &jsonFile[NameOverrides]{path: filepath.Join(dataDir, SkillOverridesFile), normalize: (*NameOverrides).normalize},
		Prompts: &jsonFile[NameOverrides]{path: filepath.Join(dataDir, PromptOverridesFile), normalize: (*NameOverrides).normalize},
		Addenda: &jsonFile[Addenda]{path: filepath.Join(dataDir, AddendumFile), normalize: (*Addenda).normalize},
	}
}

// ForgetProject removes every override of a deleted project. Files that
// hold nothing for it are not rewritten.
func (o *Overrides) ForgetProject(id string) error {
	var errs []error
	if t, err := o.Tools.Read(); err == nil {
		if _, ok := t.Projects[id]; ok {
			_, err = o.Tools.Update(func(t *ToolOverrides) { delete(t.Projects, id) })
		}
		errs = append(errs, err)
	} else {
		errs = append(errs, err)
	}
	for _, f := range []*jsonFile[NameOverrides]{o.Skills, o.Prompts} {
		n, err := f.Read()
		if err == nil {
			if _, ok := n.Projects[id]; ok {
				_, err = f.Update(func(n *NameOverrides) { delete(n.Projects, id) })
			}
		}
		errs = append(errs, err)
	}
	a, err := o.Addenda.Read()
	if err == nil {
		if _, ok := a.Projects[id]; ok {
			_, err = o.Addenda.Update(func(a *Addenda) { delete(a.Projects, id) })
		}
	}
	errs = append(errs, err)
	return errors.Join(errs...)
}

// SetToolEnabled changes a tool's global state (on = not in the family's
// disabled list).
func (o *Overrides) SetToolEnabled(family, name string, on bool) error {
	_, err := o.Tools.Update(func(t *ToolOverrides) {
		d := t.disabled(family)
		*d = slices.DeleteFunc(*d, func(s string) bool { return s == name })
		if !on {
			*d = append(*d, name)
		}
	})
	return err
}

// SetProjectTool records a project's choice for a tool ("" clears it).
func (o *Overrides) SetProjectTool(projectID, family, name, state string) error {
	_, err := o.Tools.Update(func(t *ToolOverrides) {
		p := t.Projects[projectID]
		p.family(family).set(name, state)
		t.Projects[projectID] = p
	})
	return err
}

func setNameState(f *jsonFile[NameOverrides], projectID, name, state string) error {
	_, err := f.Update(func(n *NameOverrides) {
		e := n.Projects[projectID]
		e.set(name, state)
		n.Projects[projectID] = e
	})
	return err
}

// SetProjectSkill records a project's choice for a skill ("" clears it).
func (o *Overrides) SetProjectSkill(projectID, name, state string) error {
	return setNameState(o.Skills, projectID, name, state)
}

// SetProjectPrompt records a project's choice for a template ("" clears it).
func (o *Overrides) SetProjectPrompt(projectID, name, state string) error {
	return setNameState(o.Prompts, projectID, name, state)
}

// MaxAddendumBytes caps a project's system prompt addendum (UTF-8 bytes).
const MaxAddendumBytes = 20000

// ErrAddendumTooLarge is returned for an addendum over MaxAddendumBytes.
var ErrAddendumTooLarge = errors.New("addendum is larger than 20000 bytes")

// Addendum returns a project's addendum ("" when none).
func (o *Overrides) Addendum(projectID string) (string, error) {
	a, err := o.Addenda.Read()
	if err != nil {
		return "", err
	}
	return a.Projects[projectID], nil
}

// SetAddendum stores a project's addendum; an empty or white-space-only
// text clears it. It returns what is stored.
func (o *Overrides) SetAddendum(projectID, text string) (string, error) {
	if len(text) > MaxAddendumBytes {
		return "", ErrAddendumTooLarge
	}
	if trimJS(text) == "" {
		text = ""
	}
	_, err := o.Addenda.Update(func(a *Addenda) {
		if text == "" {
			delete(a.Projects, projectID)
		} else {
			a.Projects[projectID] = text
		}
	})
	return text, err
}
