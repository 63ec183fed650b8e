package registry

import (
	"context"
	"maps"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/catalog"
	"github.com/pi-forge/pi-forge/internal/piconfig"
)

// defaultModel picks a new session's model as pi does: the settings'
// default when it exists, else the preferred model of the first provider
// with credentials, else that provider's first model. nil when no provider
// has credentials.
func (r *Registry) defaultModel(ctx context.Context, settings *piconfig.Settings) *ai.Model {
	cfg := r.opts.Config
	if cfg == nil {
		return nil
	}
	reg := cfg.Registry(ctx)
	if p, id := settings.DefaultProvider(), settings.DefaultModel(); p != "" && id != "" {
		if m, ok := reg.Find(p, id); ok {
			return &m
		}
	}
	auth, err := cfg.Auth.Load(ctx)
	if err != nil {
		return nil
	}
	models := reg.Models()
	for _, p := range reg.ProviderIDs() {
		if !cfg.Credentials.HasAuth(auth, reg, p) {
			continue
		}
		if m, ok := reg.Find(p, catalog.Builtin().DefaultModelID(p)); ok {
			return &m
		}
		for i := range models {
			if models[i].Provider == p {
				return &models[i]
			}
		}
	}
	return nil
}

// findModel looks a model up in the current registry.
func (r *Registry) findModel(ctx context.Context, provider, id string) (*ai.Model, bool) {
	if r.opts.Config == nil {
		return nil, false
	}
	m, ok := r.opts.Config.FindModel(ctx, provider, id)
	if !ok {
		return nil, false
	}
	return &m, true
}

// providerKnown reports whether the registry has any model of provider.
func (r *Registry) providerKnown(ctx context.Context, provider string) bool {
	if r.opts.Config == nil {
		return false
	}
	for _, p := range r.opts.Config.Registry(ctx).ProviderIDs() {
		if p == provider {
			return true
		}
	}
	return false
}

// apiKey resolves the key for a request to m ("" when there is none).
func (r *Registry) apiKey(ctx context.Context, m *ai.Model) (string, error) {
	if r.opts.Config == nil || m == nil {
		return "", nil
	}
	ra, err := r.opts.Config.RequestAuth(ctx, m)
	if err != nil {
		return "", err
	}
	return ra.APIKey, nil
}

// settings loads the effective settings for a project directory; a broken
// file falls back to pi's defaults rather than failing the session.
func (r *Registry) settings(ctx context.Context, cwd string) *piconfig.Settings {
	if r.opts.Config != nil {
		if s, err := piconfig.LoadEffectiveSettings(ctx, r.opts.Config.Settings, cwd); err == nil {
			return s
		} else {
			r.log.Warn("registry: reading settings failed; using defaults", "error", err)
		}
	}
	s, _ := piconfig.NewSettingsStore("").Load(ctx)
	return s
}

// agentSettings maps settings.json onto the loop's settings.
func agentSettings(s *piconfig.Settings) agent.Settings {
	out := agent.DefaultSettings()
	if s == nil {
		return out
	}
	out.SteeringMode, out.FollowUpMode = s.SteeringMode(), s.FollowUpMode()
	rt := s.Retry()
	out.Retry = agent.RetrySettings{Enabled: rt.Enabled, MaxRetries: rt.MaxRetries, BaseDelayMs: rt.BaseDelayMs, MaxDelayMs: rt.Provider.MaxRetryDelayMs}
	c := s.Compaction()
	out.Compaction.Enabled, out.Compaction.ReserveTokens, out.Compaction.KeepRecentTokens = c.Enabled, c.ReserveTokens, c.KeepRecentTokens
	out.BlockImages = s.Images().BlockImages
	out.DefaultThinkingLevel = s.DefaultThinkingLevel()
	out.ThinkingBudgets = s.ThinkingBudgets()
	return out
}

// defaultThinking is the level a session starts with: the settings'
// default, else pi's (medium); the agent clamps it to the model.
func defaultThinking(s *piconfig.Settings) string {
	if s != nil && s.DefaultThinkingLevel() != "" {
		return s.DefaultThinkingLevel()
	}
	return piconfig.DefaultThinkingLevel
}

// authProvider adds the headers pi's configuration gives a model (static
// headers, models.json provider and model headers, authHeader) to every
// request, which the loop itself does not know about.
type authProvider struct {
	inner ai.Provider
	cfg   *piconfig.Config
}

func (p authProvider) Stream(ctx context.Context, m *ai.Model, c *ai.Context, opts *ai.StreamOptions, emit func(*ai.StreamEvent)) *ai.Message {
	if p.cfg != nil {
		if ra, err := p.cfg.RequestAuth(ctx, m); err == nil && len(ra.Headers) > 0 {
			o := ai.StreamOptions{}
			if opts != nil {
				o = *opts
			}
			h := maps.Clone(ra.Headers)
			maps.Copy(h, o.Headers)
			o.Headers = h
			if o.APIKey == "" {
				o.APIKey = ra.APIKey
			}
			opts = &o
		}
	}
	return p.inner.Stream(ctx, m, c, opts, emit)
}
