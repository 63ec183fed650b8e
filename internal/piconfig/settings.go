package piconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// ErrInvalidSettings: a settings patch gives a known key the wrong type.
var ErrInvalidSettings = errors.New("invalid settings")

// SettingsStore reads and writes one settings.json (global or a project's
// .pi/settings.json) with pi's lock. Writes re-read the file under the lock
// and change only the keys they are about, so a pi CLI changing its model at
// the same moment keeps its change.
type SettingsStore struct{ file *lockedFile }

// NewSettingsStore returns the store for the settings.json at path.
func NewSettingsStore(path string) *SettingsStore {
	return &SettingsStore{file: &lockedFile{path: path, perm: 0o644, lock: settingsLock}}
}

// ProjectSettingsPath is where pi keeps a project's settings.
func ProjectSettingsPath(projectDir string) string {
	return filepath.Join(projectDir, ".pi", "settings.json")
}

// Path returns the file's path.
func (s *SettingsStore) Path() string { return s.file.path }

// Load reads and migrates the settings; a missing file is empty.
func (s *SettingsStore) Load(ctx context.Context) (*Settings, error) {
	data, err := s.file.read(ctx)
	if err != nil {
		return nil, err
	}
	obj, err := parseSettings(data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.file.path, err)
	}
	return &Settings{obj: obj}, nil
}

// Patch shallow-merges patch into the file: each top-level key replaces the
// stored value, and a null value deletes the key. The typed keys the API
// knows (defaultProvider, defaultModel, defaultThinkingLevel, skills,
// enableSkillCommands) must have their types; others pass through. It
// returns the settings as written.
func (s *SettingsStore) Patch(ctx context.Context, patch *Object) (*Settings, error) {
	if err := checkSettingsPatch(patch); err != nil {
		return nil, err
	}
	return s.Update(ctx, func(current *Object) error {
		for _, k := range patch.Keys() {
			v, _ := patch.Raw(k)
			if string(v) == "null" {
				current.Delete(k)
			} else {
				current.SetRaw(k, v)
			}
		}
		return nil
	})
}

// Set stores top-level key = value (pi's setters: defaultModel and friends).
func (s *SettingsStore) Set(ctx context.Context, key string, value any) (*Settings, error) {
	raw, err := marshalNoEscape(value)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", key, err)
	}
	patch := NewObject()
	patch.SetRaw(key, raw)
	return s.Patch(ctx, patch)
}

// SetNested stores key.nested = value, keeping the object's other keys
// (pi's setters for compaction.enabled, retry.enabled, images.*).
func (s *SettingsStore) SetNested(ctx context.Context, key, nested string, value any) (*Settings, error) {
	return s.Update(ctx, func(current *Object) error {
		child, ok := current.Object(key)
		if !ok {
			child = NewObject()
		}
		if err := child.Set(nested, value); err != nil {
			return err
		}
		raw, err := child.MarshalJSON()
		if err != nil {
			return err
		}
		current.SetRaw(key, raw)
		return nil
	})
}

// Update runs fn on the migrated current settings under the lock and writes
// the result. A file that does not parse is left alone (ErrCorrupt), as pi
// refuses to overwrite settings it could not read.
func (s *SettingsStore) Update(ctx context.Context, fn func(current *Object) error) (*Settings, error) {
	var result *Object
	err := s.file.update(ctx, true, func(data []byte) ([]byte, error) {
		obj, err := parseSettings(data)
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", s.file.path, err)
		}
		if err := fn(obj); err != nil {
			return nil, err
		}
		result = obj
		return obj.Indented()
	})
	if err != nil {
		return nil, err
	}
	return &Settings{obj: result}, nil
}

func parseSettings(data []byte) (*Object, error) {
	if len(data) == 0 {
		return NewObject(), nil
	}
	obj, err := ParseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	migrateSettings(obj)
	return obj, nil
}

// migrateSettings upgrades keys older pi versions wrote, as pi does on load.
func migrateSettings(s *Object) {
	if raw, ok := s.Raw("queueMode"); ok && !s.Has("steeringMode") {
		s.SetRaw("steeringMode", raw)
		s.Delete("queueMode")
	}
	var websockets bool
	if !s.Has("transport") && s.Decode("websockets", &websockets) {
		_ = s.Set("transport", map[bool]string{true: "websocket", false: "sse"}[websockets])
		s.Delete("websockets")
	}
	if skills, ok := s.Object("skills"); ok {
		var enable json.RawMessage
		if raw, ok := skills.Raw("enableSkillCommands"); ok && string(raw) != "null" && !s.Has("enableSkillCommands") {
			enable = raw
		}
		var dirs []json.RawMessage
		if skills.Decode("customDirectories", &dirs) && len(dirs) > 0 {
			raw, _ := skills.Raw("customDirectories")
			s.SetRaw("skills", raw)
		} else {
			s.Delete("skills")
		}
		if enable != nil {
			s.SetRaw("enableSkillCommands", enable)
		}
	}
	if retry, ok := s.Object("retry"); ok {
		migrateRetry(retry)
		raw, _ := retry.MarshalJSON()
		s.SetRaw("retry", raw)
	}
}

// migrateRetry moves retry.maxDelayMs to retry.provider.maxRetryDelayMs.
func migrateRetry(retry *Object) {
	var maxDelay float64
	if retry.Decode("maxDelayMs", &maxDelay) {
		provider, ok := retry.Object("provider")
		if !ok {
			provider = NewObject()
		}
		if current, set := provider.Raw("maxRetryDelayMs"); !set || string(current) == "null" {
			raw, _ := retry.Raw("maxDelayMs")
			provider.SetRaw("maxRetryDelayMs", raw)
			out, _ := provider.MarshalJSON()
			retry.SetRaw("provider", out)
		}
	}
	retry.Delete("maxDelayMs")
}

func checkSettingsPatch(patch *Object) error {
	for _, k := range patch.Keys() {
		raw, _ := patch.Raw(k)
		if string(raw) == "null" {
			continue
		}
		var ok bool
		switch k {
		case "defaultProvider", "defaultModel":
			var s string
			ok = json.Unmarshal(raw, &s) == nil
		case "defaultThinkingLevel":
			var s string
			ok = json.Unmarshal(raw, &s) == nil && slices.Contains(ai.ThinkingLevels, s)
		case "skills":
			var ss []string
			ok = json.Unmarshal(raw, &ss) == nil
		case "enableSkillCommands":
			var b bool
			ok = json.Unmarshal(raw, &b) == nil
		default:
			ok = true
		}
		if !ok {
			return fmt.Errorf("%w: %s has the wrong type or value", ErrInvalidSettings, k)
		}
	}
	return nil
}

// MergeSettings returns global with project on top, one level deep as pi
// merges them: an object in both is merged key by key; anything else from
// the project replaces the global value.
func MergeSettings(global, project *Settings) *Settings {
	out := global.obj.Clone()
	for _, k := range project.obj.Keys() {
		pv, _ := project.obj.Raw(k)
		po, pIsObj := project.obj.Object(k)
		gobj, gIsObj := out.Object(k)
		if pIsObj && gIsObj {
			for _, kk := range po.Keys() {
				v, _ := po.Raw(kk)
				gobj.SetRaw(kk, v)
			}
			merged, _ := gobj.MarshalJSON()
			out.SetRaw(k, merged)
			continue
		}
		out.SetRaw(k, pv)
	}
	return &Settings{obj: out}
}

// LoadEffectiveSettings reads the global settings and projectDir's
// .pi/settings.json (projectDir "" for none) and merges them.
func LoadEffectiveSettings(ctx context.Context, global *SettingsStore, projectDir string) (*Settings, error) {
	g, err := global.Load(ctx)
	if err != nil {
		return nil, err
	}
	if projectDir == "" {
		return g, nil
	}
	p, err := NewSettingsStore(ProjectSettingsPath(projectDir)).Load(ctx)
	if err != nil {
		return nil, err
	}
	return MergeSettings(g, p), nil
}
