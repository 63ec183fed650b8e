package piconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/pi-forge/pi-forge/internal/ai/catalog"
)

// RedactedSentinel replaces secrets in API responses. Sent back in a PUT, it
// means "keep the stored value".
const RedactedSentinel = "***REDACTED***"

// Errors of the models.json API.
var (
	// ErrNoProviders: the body is not an object with a "providers" object.
	ErrNoProviders = errors.New(`models.json must be an object with a "providers" object`)
	// ErrSentinelWithoutSecret: the body keeps a redacted apiKey that has no
	// stored value to keep.
	ErrSentinelWithoutSecret = errors.New("redacted apiKey has no stored value")
)

// ModelsFile reads and writes models.json. pi never writes this file; we
// still take a lock dir so two pi-forge writers cannot interleave.
type ModelsFile struct {
	file    *lockedFile
	catalog *catalog.Catalog
}

// NewModelsFile returns the models.json at path, validated against cat.
func NewModelsFile(path string, cat *catalog.Catalog) *ModelsFile {
	return &ModelsFile{file: &lockedFile{path: path, perm: 0o600, secret: true, lock: settingsLock}, catalog: cat}
}

// Path returns the file's path.
func (m *ModelsFile) Path() string { return m.file.path }

// Load parses and validates the file; a missing file gives (nil, nil). A
// legacy apiKeyCommand is migrated on disk first.
func (m *ModelsFile) Load(ctx context.Context) (*ModelsConfig, error) {
	data, err := m.file.read(ctx)
	if err != nil || data == nil {
		return nil, err
	}
	if bytes.Contains(data, []byte(`"apiKeyCommand"`)) {
		if data, err = m.migrate(ctx); err != nil {
			return nil, err
		}
	}
	cfg, err := ParseModelsConfig(data, m.catalog.Has)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.file.path, err)
	}
	return cfg, nil
}

// migrate rewrites legacy apiKeyCommand entries as apiKey "!command" and
// returns the file's content afterwards.
func (m *ModelsFile) migrate(ctx context.Context) ([]byte, error) {
	var content []byte
	err := m.file.update(ctx, false, func(current []byte) ([]byte, error) {
		content = current
		root, err := parseModelsObject(current)
		if err != nil || !migrateAPIKeyCommands(root) {
			return nil, nil // invalid files are reported by the parser
		}
		next, err := root.Indented()
		content = next
		return next, err
	})
	return content, err
}

// ReadForAPI returns the file for GET /config/models: {"providers":{}} when
// missing, legacy keys migrated on disk, every provider apiKey replaced by
// RedactedSentinel.
func (m *ModelsFile) ReadForAPI(ctx context.Context) ([]byte, error) {
	data, err := m.file.read(ctx)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return []byte(`{"providers":{}}`), nil
	}
	if bytes.Contains(data, []byte(`"apiKeyCommand"`)) {
		if data, err = m.migrate(ctx); err != nil {
			return nil, err
		}
	}
	root, err := parseModelsObject(data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", m.file.path, err)
	}
	redactAPIKeys(root)
	return root.Indented()
}

// WriteFromAPI replaces the file with body (PUT /config/models). A redacted
// apiKey keeps the stored key of that provider; a legacy apiKeyCommand
// becomes apiKey "!command". The result must be a models.json pi accepts
// (errors wrap ErrNoProviders, ErrSentinelWithoutSecret or
// ErrInvalidModels). It returns the written file, redacted.
func (m *ModelsFile) WriteFromAPI(ctx context.Context, body []byte) ([]byte, error) {
	root, err := ParseObject(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoProviders, err)
	}
	if _, ok := root.Object("providers"); !ok {
		return nil, ErrNoProviders
	}
	var written *Object
	err = m.file.update(ctx, true, func(current []byte) ([]byte, error) {
		var prior *Object
		if current != nil {
			if prior, err = parseModelsObject(current); err != nil {
				prior = nil // a broken file has no secrets to keep
			} else {
				migrateAPIKeyCommands(prior)
			}
		}
		next := root.Clone()
		migrateAPIKeyCommands(next)
		if err := restoreSecrets(next, prior); err != nil {
			return nil, err
		}
		out, err := next.Indented()
		if err != nil {
			return nil, err
		}
		if _, err := ParseModelsConfig(out, m.catalog.Has); err != nil {
			return nil, err
		}
		written = next
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	redactAPIKeys(written)
	return written.Indented()
}

func parseModelsObject(data []byte) (*Object, error) {
	root, err := ParseObject(stripJSONComments(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModels, err)
	}
	return root, nil
}

// eachProvider calls fn for every provider object; fn reports whether it
// changed the provider, which is then stored back.
func eachProvider(root *Object, fn func(name string, p *Object) (bool, error)) (bool, error) {
	providers, ok := root.Object("providers")
	if !ok {
		return false, nil
	}
	changed := false
	for _, name := range providers.Keys() {
		p, ok := providers.Object(name)
		if !ok {
			continue
		}
		c, err := fn(name, p)
		if err != nil {
			return false, err
		}
		if c {
			changed = true
			raw, _ := p.MarshalJSON()
			providers.SetRaw(name, raw)
		}
	}
	if changed {
		raw, _ := providers.MarshalJSON()
		root.SetRaw("providers", raw)
	}
	return changed, nil
}

// migrateAPIKeyCommands turns {"apiKeyCommand":"cmd"} into {"apiKey":"!cmd"}
// (an existing apiKey wins) and reports whether anything changed.
func migrateAPIKeyCommands(root *Object) bool {
	changed, _ := eachProvider(root, func(_ string, p *Object) (bool, error) {
		var command string
		if !p.Has("apiKeyCommand") {
			return false, nil
		}
		if p.Decode("apiKeyCommand", &command) && command != "" && !p.Has("apiKey") {
			_ = p.Set("apiKey", "!"+command)
		}
		p.Delete("apiKeyCommand")
		return true, nil
	})
	return changed
}

func redactAPIKeys(root *Object) {
	_, _ = eachProvider(root, func(_ string, p *Object) (bool, error) {
		if !p.Has("apiKey") {
			return false, nil
		}
		_ = p.Set("apiKey", RedactedSentinel)
		return true, nil
	})
}

// restoreSecrets puts the stored apiKey back wherever next holds the sentinel.
func restoreSecrets(next, prior *Object) error {
	var priorProviders *Object
	if prior != nil {
		priorProviders, _ = prior.Object("providers")
	}
	_, err := eachProvider(next, func(name string, p *Object) (bool, error) {
		var key string
		if !p.Decode("apiKey", &key) || key != RedactedSentinel {
			return false, nil
		}
		var stored string
		if priorProviders != nil {
			if pp, ok := priorProviders.Object(name); ok {
				pp.Decode("apiKey", &stored)
			}
		}
		if stored == "" || stored == RedactedSentinel {
			return false, fmt.Errorf("provider %s: %w", name, ErrSentinelWithoutSecret)
		}
		_ = p.Set("apiKey", stored)
		return true, nil
	})
	return err
}
