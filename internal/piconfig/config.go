// Package piconfig reads and writes pi's agent configuration (auth.json,
// models.json, settings.json) in pi's formats and with pi's locks, merges the
// built-in model catalogue with models.json, and resolves the credentials of
// each request.
package piconfig

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/catalog"
)

// DefaultAgentDir returns pi's agent directory: PI_CODING_AGENT_DIR (with a
// leading "~" expanded) or ~/.pi/agent.
func DefaultAgentDir(env Environ) string {
	home := env.Get("HOME")
	if dir := env.Get("PI_CODING_AGENT_DIR"); dir != "" {
		if dir == "~" {
			return home
		}
		if rest, ok := strings.CutPrefix(dir, "~/"); ok {
			return filepath.Join(home, rest)
		}
		return dir
	}
	return filepath.Join(home, ".pi", "agent")
}

// Options configure a Config.
type Options struct {
	AgentDir string  // holds auth.json, models.json, settings.json
	Env      Environ // what env-var names and !commands resolve against
	Catalog  *catalog.Catalog
	// HideBuiltinProviders limits the provider listing to models.json's.
	HideBuiltinProviders bool
	// RunCommand runs !command values; nil means RunShell.
	RunCommand CommandRunner
}

// Config is pi's configuration in one agent directory.
type Config struct {
	Auth        *AuthStore
	Models      *ModelsFile
	Settings    *SettingsStore
	Credentials *Credentials

	catalog     *catalog.Catalog
	hideBuiltin bool

	mu       sync.Mutex
	registry *Registry
	stamp    fileStamp
}

// fileStamp tells whether models.json changed since the registry was built.
type fileStamp struct {
	exists bool
	mod    time.Time
	size   int64
}

// New returns the configuration in opts.AgentDir. Nothing is read yet.
func New(opts Options) *Config {
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Builtin()
	}
	auth := NewAuthStore(filepath.Join(opts.AgentDir, "auth.json"))
	return &Config{
		Auth:        auth,
		Models:      NewModelsFile(filepath.Join(opts.AgentDir, "models.json"), cat),
		Settings:    NewSettingsStore(filepath.Join(opts.AgentDir, "settings.json")),
		Credentials: NewCredentials(auth, opts.Env, NewResolver(opts.Env, opts.RunCommand)),
		catalog:     cat,
		hideBuiltin: opts.HideBuiltinProviders,
	}
}

// Registry returns the current model list, re-reading models.json when it
// changed (pi re-reads it whenever the model picker opens). It never fails:
// a broken models.json leaves the built-ins, and Registry.Err says why.
func (c *Config) Registry(ctx context.Context) *Registry {
	c.mu.Lock()
	defer c.mu.Unlock()
	stamp := statStamp(c.Models.Path())
	if c.registry != nil && stamp == c.stamp {
		return c.registry
	}
	cfg, err := c.Models.Load(ctx)
	if err != nil {
		cfg = nil
	}
	reg := BuildRegistry(c.catalog, cfg, err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrLocked) {
		return reg // a transient failure: do not cache it
	}
	c.registry, c.stamp = reg, statStamp(c.Models.Path())
	return reg
}

func statStamp(path string) fileStamp {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return fileStamp{}
	}
	return fileStamp{exists: true, mod: st.ModTime(), size: st.Size()}
}

// FindModel looks a model up in the current registry.
func (c *Config) FindModel(ctx context.Context, provider, id string) (ai.Model, bool) {
	return c.Registry(ctx).Find(provider, id)
}

// RequestAuth resolves the key and headers for a request to model.
func (c *Config) RequestAuth(ctx context.Context, model *ai.Model) (RequestAuth, error) {
	return c.Credentials.RequestAuth(ctx, c.Registry(ctx), model)
}

// ProviderListing is GET /config/providers.
type ProviderListing struct {
	Providers []ProviderModels `json:"providers"`
}

// ProviderModels is one provider of the listing.
type ProviderModels struct {
	Provider string         `json:"provider"`
	Models   []ModelSummary `json:"models"`
}

// ModelSummary is one model of the listing.
type ModelSummary struct {
	ID                      string   `json:"id"`
	Name                    string   `json:"name"`
	ContextWindow           int      `json:"contextWindow"`
	MaxTokens               int      `json:"maxTokens"`
	Reasoning               bool     `json:"reasoning"`
	Input                   []string `json:"input"`
	HasAuth                 bool     `json:"hasAuth"`
	SupportedThinkingLevels []string `json:"supportedThinkingLevels"`
}

// ListProviders returns every provider with models, built-ins first (only
// models.json's with HideBuiltinProviders), each model marked with whether
// its provider has credentials and which thinking levels it supports.
func (c *Config) ListProviders(ctx context.Context) (ProviderListing, error) {
	reg := c.Registry(ctx)
	auth, err := c.Auth.Load(ctx)
	if err != nil {
		return ProviderListing{}, err
	}
	byProvider := map[string][]ai.Model{}
	for _, m := range reg.models {
		byProvider[m.Provider] = append(byProvider[m.Provider], m)
	}
	out := ProviderListing{Providers: []ProviderModels{}}
	for _, p := range reg.ProviderIDs() {
		if c.hideBuiltin && !reg.InModelsJSON(p) {
			continue
		}
		hasAuth := c.Credentials.HasAuth(auth, reg, p)
		pm := ProviderModels{Provider: p, Models: []ModelSummary{}}
		for i := range byProvider[p] {
			m := &byProvider[p][i]
			pm.Models = append(pm.Models, ModelSummary{
				ID: m.ID, Name: m.Name, ContextWindow: m.ContextWindow, MaxTokens: m.MaxTokens,
				Reasoning: m.Reasoning, Input: m.Input, HasAuth: hasAuth,
				SupportedThinkingLevels: ai.SupportedThinkingLevels(m),
			})
		}
		out.Providers = append(out.Providers, pm)
	}
	return out, nil
}
