package piconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// ErrInvalidModels marks a models.json that pi would ignore: it does not
// parse, breaks the schema or breaks a provider rule.
var ErrInvalidModels = errors.New("invalid models.json")

// ModelsConfig is a parsed, valid models.json.
type ModelsConfig struct {
	Providers []ProviderConfig // in file order
}

// Provider returns the config of provider.
func (c *ModelsConfig) Provider(name string) (*ProviderConfig, bool) {
	for i := range c.Providers {
		if c.Providers[i].ID == name {
			return &c.Providers[i], true
		}
	}
	return nil, false
}

// ProviderConfig is one entry of "providers".
type ProviderConfig struct {
	ID             string                   `json:"-"` // the key under "providers"
	Name           string                   `json:"name"`
	BaseURL        string                   `json:"baseUrl"`
	APIKey         string                   `json:"apiKey"` // literal, env name or !command
	API            string                   `json:"api"`
	Headers        map[string]string        `json:"headers"`
	Compat         json.RawMessage          `json:"compat"`
	AuthHeader     bool                     `json:"authHeader"`
	Models         []ModelDef               `json:"models"`
	ModelOverrides map[string]ModelOverride `json:"modelOverrides"`
}

// ModelDef is a custom model. Absent fields take pi's defaults when merged.
type ModelDef struct {
	ID               string             `json:"id"`
	Name             string             `json:"name"`
	API              string             `json:"api"`
	BaseURL          string             `json:"baseUrl"`
	Reasoning        *bool              `json:"reasoning"`
	ThinkingLevelMap map[string]*string `json:"thinkingLevelMap"`
	Input            []string           `json:"input"`
	Cost             *ai.ModelCost      `json:"cost"`
	ContextWindow    *float64           `json:"contextWindow"`
	MaxTokens        *float64           `json:"maxTokens"`
	Headers          map[string]string  `json:"headers"`
	Compat           json.RawMessage    `json:"compat"`
}

// ModelOverride changes fields of one built-in model.
type ModelOverride struct {
	Name             *string            `json:"name"`
	Reasoning        *bool              `json:"reasoning"`
	ThinkingLevelMap map[string]*string `json:"thinkingLevelMap"`
	Input            []string           `json:"input"`
	Cost             *CostOverride      `json:"cost"`
	ContextWindow    *float64           `json:"contextWindow"`
	MaxTokens        *float64           `json:"maxTokens"`
	Headers          map[string]string  `json:"headers"`
	Compat           json.RawMessage    `json:"compat"`
}

// CostOverride is a partial price change.
type CostOverride struct {
	Input      *float64 `json:"input"`
	Output     *float64 `json:"output"`
	CacheRead  *float64 `json:"cacheRead"`
	CacheWrite *float64 `json:"cacheWrite"`
}

// ParseModelsConfig parses and validates models.json content as pi does:
// "//" line comments and trailing commas are allowed, unknown keys are
// ignored, and any problem rejects the whole file (the error wraps
// ErrInvalidModels and lists every problem found). isBuiltin tells which
// provider names are built in; their custom models may leave out baseUrl,
// apiKey and api.
func ParseModelsConfig(data []byte, isBuiltin func(provider string) bool) (*ModelsConfig, error) {
	clean := stripJSONComments(data)
	var tree any
	if err := json.Unmarshal(clean, &tree); err != nil {
		return nil, fmt.Errorf("%w: failed to parse: %v", ErrInvalidModels, err)
	}
	if problems := checkModelsSchema(tree); len(problems) > 0 {
		return nil, fmt.Errorf("%w: schema:\n  - %s", ErrInvalidModels, strings.Join(problems, "\n  - "))
	}
	root, err := ParseObject(clean)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModels, err)
	}
	providers, _ := root.Object("providers")
	cfg := &ModelsConfig{}
	for _, name := range providers.Keys() {
		var p ProviderConfig
		raw, _ := providers.Raw(name)
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("%w: provider %s: %v", ErrInvalidModels, name, err)
		}
		p.ID = name
		if err := p.validate(isBuiltin(name)); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidModels, err)
		}
		cfg.Providers = append(cfg.Providers, p)
	}
	return cfg, nil
}

// validate applies pi's rules beyond the schema.
func (p *ProviderConfig) validate(builtin bool) error {
	if len(p.Models) == 0 {
		if p.BaseURL == "" && len(p.Headers) == 0 && len(p.Compat) == 0 && len(p.ModelOverrides) == 0 {
			return fmt.Errorf(`provider %s: must specify "baseUrl", "headers", "compat", "modelOverrides", or "models"`, p.ID)
		}
	} else if !builtin {
		if p.BaseURL == "" {
			return fmt.Errorf(`provider %s: "baseUrl" is required when defining custom models`, p.ID)
		}
		if p.APIKey == "" {
			return fmt.Errorf(`provider %s: "apiKey" is required when defining custom models`, p.ID)
		}
	}
	for _, m := range p.Models {
		if p.API == "" && m.API == "" && !builtin {
			return fmt.Errorf(`provider %s, model %s: no "api" specified; set it on the provider or the model`, p.ID, m.ID)
		}
		if m.ContextWindow != nil && *m.ContextWindow <= 0 {
			return fmt.Errorf("provider %s, model %s: invalid contextWindow", p.ID, m.ID)
		}
		if m.MaxTokens != nil && *m.MaxTokens <= 0 {
			return fmt.Errorf("provider %s, model %s: invalid maxTokens", p.ID, m.ID)
		}
	}
	return nil
}

// stripJSONComments removes "//" line comments and trailing commas outside
// strings, the two liberties pi allows in models.json.
func stripJSONComments(data []byte) []byte {
	noComments := scanOutsideStrings(data, func(rest []byte) int {
		if bytes.HasPrefix(rest, []byte("//")) {
			if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
				return nl // keep the newline
			}
			return len(rest)
		}
		return 0
	})
	return scanOutsideStrings(noComments, func(rest []byte) int {
		if rest[0] != ',' {
			return 0
		}
		next := bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(next) > 0 && (next[0] == '}' || next[0] == ']') {
			return 1
		}
		return 0
	})
}

// scanOutsideStrings copies data, letting skip drop bytes at positions
// outside JSON strings (it returns how many to drop).
func scanOutsideStrings(data []byte, skip func(rest []byte) int) []byte {
	var out bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		ch := data[i]
		if inString {
			out.WriteByte(ch)
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
			continue
		}
		if n := skip(data[i:]); n > 0 {
			i += n - 1
			continue
		}
		if ch == '"' {
			inString = true
		}
		out.WriteByte(ch)
	}
	return out.Bytes()
}
