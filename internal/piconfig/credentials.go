package piconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// ErrNoAPIKey: authHeader is set but no key resolved.
var ErrNoAPIKey = errors.New("no API key found")

// oauthProviders are the providers whose OAuth entries pi knows how to turn
// into a key. Entries of other providers give no key, as in pi.
var oauthProviders = []string{"anthropic", "github-copilot", "openai-codex", "google-gemini-cli", "google-antigravity"}

// Credentials finds the key and headers for a request, in pi's order:
//
//  1. auth.json: an api_key entry's key (resolved, command output cached), or
//     an OAuth entry's access token; an entry that yields nothing skips to 3;
//  2. the provider's environment variable;
//  3. the models.json provider's apiKey (resolved, commands run each time).
//
// OAuth tokens are used as stored: pi-forge does not refresh them. A running
// pi CLI refreshes them under the lock and auth.json is re-read per request.
type Credentials struct {
	auth     *AuthStore
	env      Environ
	resolver *Resolver
}

// NewCredentials returns the resolver over auth, env and resolver.
func NewCredentials(auth *AuthStore, env Environ, resolver *Resolver) *Credentials {
	return &Credentials{auth: auth, env: env, resolver: resolver}
}

// RequestAuth is what one request to a model carries.
type RequestAuth struct {
	APIKey string
	// Headers are the model's static headers, then models.json provider
	// headers, then models.json model headers (later wins), plus
	// Authorization when the provider sets authHeader. Nil when empty.
	Headers map[string]string
}

// storedKey returns the key auth.json gives provider, whether there is one,
// and whether the entry decided the matter: pi does not look at the
// environment once an api_key or OAuth entry exists, even if it yields
// nothing (a failed command), but still falls back to models.json.
func (c *Credentials) storedKey(ctx context.Context, provider string) (key string, found, decided bool, err error) {
	data, err := c.auth.Load(ctx)
	if err != nil {
		return "", false, false, err
	}
	cred, ok := data.Get(provider)
	if !ok {
		return "", false, false, nil
	}
	switch cred.Type {
	case CredentialAPIKey:
		v, ok := c.resolver.Resolve(ctx, cred.Key)
		return v, ok, true, nil
	case CredentialOAuth:
		v, ok := oauthKey(provider, cred)
		return v, ok, true, nil
	}
	return "", false, false, nil
}

func oauthKey(provider string, cred Credential) (string, bool) {
	switch {
	case provider == "google-gemini-cli" || provider == "google-antigravity":
		b, _ := json.Marshal(map[string]string{"token": cred.Access, "projectId": cred.ProjectID})
		return string(b), true
	case slices.Contains(oauthProviders, provider):
		return cred.Access, true
	}
	return "", false
}

// APIKey returns the key for provider from auth.json or the environment,
// and whether there is one.
func (c *Credentials) APIKey(ctx context.Context, provider string) (string, bool, error) {
	key, found, decided, err := c.storedKey(ctx, provider)
	if err != nil || decided {
		return key, found, err
	}
	v := EnvAPIKey(provider, c.env)
	return v, v != "", nil
}

// RequestAuth resolves the key and headers for a request to model, with
// reg's models.json settings. Resolved values are secrets; errors never
// contain them.
func (c *Credentials) RequestAuth(ctx context.Context, reg *Registry, model *ai.Model) (RequestAuth, error) {
	key, found, err := c.APIKey(ctx, model.Provider)
	if err != nil {
		return RequestAuth{}, err
	}
	pr := reg.requests[model.Provider]
	if !found && pr.apiKey != "" {
		v, ok := c.resolver.ResolveFresh(ctx, pr.apiKey)
		if !ok {
			return RequestAuth{}, fmt.Errorf("resolve API key for provider %q from models.json: command failed or printed nothing", model.Provider)
		}
		key = v
	}
	headers := maps.Clone(model.Headers)
	for _, extra := range []struct {
		what    string
		headers map[string]string
	}{
		{fmt.Sprintf("provider %q", model.Provider), pr.headers},
		{fmt.Sprintf("model %q", model.Provider+"/"+model.ID), reg.modelHeaders[modelKey{model.Provider, model.ID}]},
	} {
		for _, name := range slices.Sorted(maps.Keys(extra.headers)) {
			v, ok := c.resolver.ResolveFresh(ctx, extra.headers[name])
			if !ok {
				return RequestAuth{}, fmt.Errorf("resolve %s header %q: command failed or printed nothing", extra.what, name)
			}
			if headers == nil {
				headers = map[string]string{}
			}
			headers[name] = v
		}
	}
	if pr.authHeader {
		if key == "" {
			return RequestAuth{}, fmt.Errorf("%w for %q", ErrNoAPIKey, model.Provider)
		}
		if headers == nil {
			headers = map[string]string{}
		}
		headers["Authorization"] = "Bearer " + key
	}
	return RequestAuth{APIKey: key, Headers: headers}, nil
}

// HasAuth reports whether provider has any credential configured, without
// running commands or contacting anyone: an auth.json entry, a key variable
// (or Vertex/Bedrock credentials), or a models.json apiKey.
func (c *Credentials) HasAuth(data *AuthData, reg *Registry, provider string) bool {
	if _, ok := data.Get(provider); ok {
		return true
	}
	if EnvAPIKey(provider, c.env) != "" {
		return true
	}
	return reg.hasModelsJSONKey(provider)
}
