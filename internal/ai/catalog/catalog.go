// Package catalog holds pi's built-in LLM providers and models (ids, wire
// APIs, endpoints, context windows, prices, thinking-level maps).
//
// The data in models.json is extracted from the catalogue that ships with the
// pi CLI by gen/gen.mjs; see that script for what is kept and why.
package catalog

//go:generate sh -c "node gen/gen.mjs ../../../interop/node_modules/@earendil-works/pi-ai/dist/models.generated.js > models.json"

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/pi-forge/pi-forge/internal/ai"
)

//go:embed models.json
var modelsJSON []byte

// Provider is one built-in provider and its models.
type Provider struct {
	ID      string // auth.json / models.json key, e.g. "anthropic"
	Name    string // display name, e.g. "Anthropic"
	API     string // wire API of most of its models
	BaseURL string // endpoint of most of its models
	// DefaultModel is the model pi picks for this provider when nothing is
	// configured (pi's defaultModelPerProvider).
	DefaultModel string
	Models       []ai.Model
}

// Catalog is an immutable set of providers. Every accessor returns copies,
// so callers may change what they get.
type Catalog struct {
	providers []Provider
	index     map[string]int // provider id -> position in providers
}

// builtin parses the embedded catalogue once; the result is never mutated.
var builtin = sync.OnceValue(func() *Catalog {
	c, err := Parse(modelsJSON)
	if err != nil {
		panic(fmt.Sprintf("catalog: embedded models.json: %v", err))
	}
	return c
})

// Builtin returns the catalogue compiled into the binary.
func Builtin() *Catalog { return builtin() }

type fileProvider struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	API          string     `json:"api"`
	BaseURL      string     `json:"baseUrl"`
	DefaultModel string     `json:"defaultModel"`
	Models       []ai.Model `json:"models"`
}

// Parse reads a catalogue in the layout gen.mjs writes: provider defaults for
// api and baseUrl, models that name them only where they differ.
func Parse(data []byte) (*Catalog, error) {
	var file struct {
		Source    string         `json:"source"` // where the facts came from
		Providers []fileProvider `json:"providers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("parse catalogue: %w", err)
	}
	c := &Catalog{index: make(map[string]int, len(file.Providers))}
	for _, fp := range file.Providers {
		if _, dup := c.index[fp.ID]; dup || fp.ID == "" {
			return nil, fmt.Errorf("parse catalogue: bad or duplicate provider %q", fp.ID)
		}
		p := Provider{ID: fp.ID, Name: fp.Name, API: fp.API, BaseURL: fp.BaseURL, DefaultModel: fp.DefaultModel}
		for _, m := range fp.Models {
			m.Provider = fp.ID
			if m.API == "" {
				m.API = fp.API
			}
			if m.BaseURL == "" {
				m.BaseURL = fp.BaseURL
			}
			if m.ID == "" || m.ContextWindow <= 0 || m.MaxTokens <= 0 {
				return nil, fmt.Errorf("parse catalogue: provider %s: incomplete model %q", fp.ID, m.ID)
			}
			p.Models = append(p.Models, m)
		}
		c.index[fp.ID] = len(c.providers)
		c.providers = append(c.providers, p)
	}
	return c, nil
}

// Providers returns every provider in catalogue order.
func (c *Catalog) Providers() []Provider {
	out := make([]Provider, len(c.providers))
	for i, p := range c.providers {
		out[i] = cloneProvider(p)
	}
	return out
}

// ProviderIDs returns the provider ids in catalogue order.
func (c *Catalog) ProviderIDs() []string {
	ids := make([]string, len(c.providers))
	for i, p := range c.providers {
		ids[i] = p.ID
	}
	return ids
}

// Has reports whether provider is built in.
func (c *Catalog) Has(provider string) bool {
	_, ok := c.index[provider]
	return ok
}

// Provider returns one provider.
func (c *Catalog) Provider(id string) (Provider, bool) {
	i, ok := c.index[id]
	if !ok {
		return Provider{}, false
	}
	return cloneProvider(c.providers[i]), true
}

// Models returns the models of provider (nil if it is not built in).
func (c *Catalog) Models(provider string) []ai.Model {
	i, ok := c.index[provider]
	if !ok {
		return nil
	}
	return cloneModels(c.providers[i].Models)
}

// Model looks a model up by provider and id.
func (c *Catalog) Model(provider, id string) (ai.Model, bool) {
	i, ok := c.index[provider]
	if !ok {
		return ai.Model{}, false
	}
	for _, m := range c.providers[i].Models {
		if m.ID == id {
			return CloneModel(m), true
		}
	}
	return ai.Model{}, false
}

// DefaultModelID returns pi's default model for provider, or "" if the
// provider is not built in.
func (c *Catalog) DefaultModelID(provider string) string {
	if i, ok := c.index[provider]; ok {
		return c.providers[i].DefaultModel
	}
	return ""
}

func cloneProvider(p Provider) Provider {
	p.Models = cloneModels(p.Models)
	return p
}

func cloneModels(ms []ai.Model) []ai.Model {
	out := make([]ai.Model, len(ms))
	for i, m := range ms {
		out[i] = CloneModel(m)
	}
	return out
}

// CloneModel returns a deep copy of m.
func CloneModel(m ai.Model) ai.Model {
	m.Input = slices.Clone(m.Input)
	m.Headers = maps.Clone(m.Headers)
	m.Compat = bytes.Clone(m.Compat)
	if m.ThinkingLevelMap != nil {
		tlm := make(map[string]*string, len(m.ThinkingLevelMap))
		for k, v := range m.ThinkingLevelMap {
			if v != nil {
				s := *v
				v = &s
			}
			tlm[k] = v
		}
		m.ThinkingLevelMap = tlm
	}
	return m
}
