package piconfig

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/catalog"
)

// Registry is the model list at one moment: the built-in catalogue with
// models.json applied, in pi's order of merging:
//
//  1. provider-level baseUrl and compat apply to every built-in model of
//     that provider;
//  2. modelOverrides change single built-in models (unknown ids ignored);
//  3. custom models are upserted by (provider, id), replacing a built-in
//     model with the same id.
//
// Request headers and keys are not baked into the models: they are resolved
// per request (RequestAuth), as pi does, so `!command` values stay fresh.
type Registry struct {
	models       []ai.Model
	providers    []string        // built-in order, then models.json-only providers in file order
	inModelsJSON map[string]bool // providers named in models.json
	requests     map[string]providerRequest
	modelHeaders map[modelKey]map[string]string
	err          error
}

// providerRequest is what a models.json provider adds to each request.
type providerRequest struct {
	apiKey     string
	headers    map[string]string
	authHeader bool
}

type modelKey struct{ provider, id string }

// Custom model defaults (pi's models.md).
const (
	defaultContextWindow = 128000
	defaultMaxTokens     = 16384
)

// BuildRegistry merges cfg (nil for none) into the catalogue. loadErr is the
// models.json problem, if any, that Err reports; the registry then holds the
// built-ins only.
func BuildRegistry(cat *catalog.Catalog, cfg *ModelsConfig, loadErr error) *Registry {
	r := &Registry{
		inModelsJSON: map[string]bool{},
		requests:     map[string]providerRequest{},
		modelHeaders: map[modelKey]map[string]string{},
		err:          loadErr,
	}
	if cfg == nil {
		cfg = &ModelsConfig{}
	}
	for _, p := range cfg.Providers {
		r.inModelsJSON[p.ID] = true
		if p.APIKey != "" || len(p.Headers) > 0 || p.AuthHeader {
			r.requests[p.ID] = providerRequest{apiKey: p.APIKey, headers: p.Headers, authHeader: p.AuthHeader}
		}
		for id, o := range p.ModelOverrides {
			r.setModelHeaders(p.ID, id, o.Headers)
		}
	}
	for _, bp := range cat.Providers() {
		r.providers = append(r.providers, bp.ID)
		pc, _ := cfg.Provider(bp.ID)
		for _, m := range bp.Models {
			r.models = append(r.models, applyProviderConfig(m, pc))
		}
	}
	for _, p := range cfg.Providers {
		if !cat.Has(p.ID) && len(p.Models) > 0 {
			r.providers = append(r.providers, p.ID)
		}
		for _, def := range p.Models {
			m, ok := customModel(cat, &p, def)
			if !ok {
				continue
			}
			r.setModelHeaders(p.ID, def.ID, def.Headers)
			r.upsert(m)
		}
	}
	return r
}

func applyProviderConfig(m ai.Model, pc *ProviderConfig) ai.Model {
	if pc == nil {
		return m
	}
	if pc.BaseURL != "" || len(pc.Compat) > 0 {
		if pc.BaseURL != "" {
			m.BaseURL = pc.BaseURL
		}
		m.Compat = mergeCompat(m.Compat, pc.Compat)
	}
	if o, ok := pc.ModelOverrides[m.ID]; ok {
		m = applyModelOverride(m, o)
	}
	return m
}

func applyModelOverride(m ai.Model, o ModelOverride) ai.Model {
	if o.Name != nil {
		m.Name = *o.Name
	}
	if o.Reasoning != nil {
		m.Reasoning = *o.Reasoning
	}
	if o.ThinkingLevelMap != nil {
		merged := maps.Clone(m.ThinkingLevelMap)
		if merged == nil {
			merged = map[string]*string{}
		}
		maps.Copy(merged, o.ThinkingLevelMap)
		m.ThinkingLevelMap = merged
	}
	if o.Input != nil {
		m.Input = slices.Clone(o.Input)
	}
	if o.ContextWindow != nil {
		m.ContextWindow = int(*o.ContextWindow)
	}
	if o.MaxTokens != nil {
		m.MaxTokens = int(*o.MaxTokens)
	}
	if c := o.Cost; c != nil {
		setIf(&m.Cost.Input, c.Input)
		setIf(&m.Cost.Output, c.Output)
		setIf(&m.Cost.CacheRead, c.CacheRead)
		setIf(&m.Cost.CacheWrite, c.CacheWrite)
	}
	m.Compat = mergeCompat(m.Compat, o.Compat)
	return m
}

func setIf(dst *float64, v *float64) {
	if v != nil {
		*dst = *v
	}
}

// customModel builds a models.json model; api and baseUrl fall back to the
// provider's, then to the built-in provider's. Without either it is skipped.
func customModel(cat *catalog.Catalog, p *ProviderConfig, def ModelDef) (ai.Model, bool) {
	builtin, _ := cat.Provider(p.ID)
	api := firstNonEmpty(def.API, p.API, builtin.API)
	baseURL := firstNonEmpty(def.BaseURL, p.BaseURL, builtin.BaseURL)
	if api == "" || baseURL == "" {
		return ai.Model{}, false
	}
	m := ai.Model{
		ID:               def.ID,
		Name:             firstNonEmpty(def.Name, def.ID),
		API:              api,
		Provider:         p.ID,
		BaseURL:          baseURL,
		ThinkingLevelMap: def.ThinkingLevelMap,
		Input:            def.Input,
		ContextWindow:    defaultContextWindow,
		MaxTokens:        defaultMaxTokens,
		Compat:           mergeCompat(p.Compat, def.Compat),
	}
	if def.Reasoning != nil {
		m.Reasoning = *def.Reasoning
	}
	if m.Input == nil {
		m.Input = []string{"text"}
	}
	if def.Cost != nil {
		m.Cost = *def.Cost
	}
	if def.ContextWindow != nil {
		m.ContextWindow = int(*def.ContextWindow)
	}
	if def.MaxTokens != nil {
		m.MaxTokens = int(*def.MaxTokens)
	}
	return m, true
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (r *Registry) setModelHeaders(provider, id string, headers map[string]string) {
	if len(headers) > 0 {
		r.modelHeaders[modelKey{provider, id}] = headers
	}
}

func (r *Registry) upsert(m ai.Model) {
	for i := range r.models {
		if r.models[i].Provider == m.Provider && r.models[i].ID == m.ID {
			r.models[i] = m
			return
		}
	}
	r.models = append(r.models, m)
}

// mergeCompat shallow-merges override over base, the two routing objects one
// level deeper (pi's mergeCompat).
func mergeCompat(base, override json.RawMessage) json.RawMessage {
	if len(override) == 0 {
		return base
	}
	b, errB := ParseObject(base)
	o, errO := ParseObject(override)
	if errO != nil {
		return base
	}
	if len(base) == 0 || errB != nil {
		b = NewObject()
	}
	merged := b.Clone()
	for _, k := range o.Keys() {
		v, _ := o.Raw(k)
		merged.SetRaw(k, v)
	}
	for _, k := range []string{"openRouterRouting", "vercelGatewayRouting"} {
		bb, okB := b.Object(k)
		oo, okO := o.Object(k)
		if !okB || !okO {
			continue
		}
		for _, kk := range oo.Keys() {
			v, _ := oo.Raw(kk)
			bb.SetRaw(kk, v)
		}
		inner, _ := bb.MarshalJSON()
		merged.SetRaw(k, inner)
	}
	out, _ := merged.MarshalJSON()
	return out
}

// Err returns the models.json problem the registry was built with, if any.
func (r *Registry) Err() error { return r.err }

// Models returns every model (copies).
func (r *Registry) Models() []ai.Model {
	out := make([]ai.Model, len(r.models))
	for i, m := range r.models {
		out[i] = catalog.CloneModel(m)
	}
	return out
}

// Find returns the model (provider, id).
func (r *Registry) Find(provider, id string) (ai.Model, bool) {
	for _, m := range r.models {
		if m.Provider == provider && m.ID == id {
			return catalog.CloneModel(m), true
		}
	}
	return ai.Model{}, false
}

// ProviderIDs returns the providers that have models, in listing order.
func (r *Registry) ProviderIDs() []string { return slices.Clone(r.providers) }

// InModelsJSON reports whether models.json names provider.
func (r *Registry) InModelsJSON(provider string) bool { return r.inModelsJSON[provider] }

// hasModelsJSONKey reports whether models.json gives provider an apiKey.
func (r *Registry) hasModelsJSONKey(provider string) bool { return r.requests[provider].apiKey != "" }
