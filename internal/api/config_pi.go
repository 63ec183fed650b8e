package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/piconfig"
	"github.com/pi-forge/pi-forge/internal/server"
)

// RegisterPiConfig mounts the routes over pi's own configuration files in
// PI_CONFIG_DIR: /config/models (models.json, keys redacted),
// /config/providers, /config/settings (settings.json) and /config/auth
// (auth.json, presence only). Every write goes through piconfig, which
// holds pi's lock, so a pi CLI writing the same files keeps its changes.
func RegisterPiConfig(api huma.API, pi *piconfig.Config) {
	registerModels(api, pi)
	registerSettings(api, pi)
	registerProviderAuth(api, pi)
}

// JSONObject is a JSON object passed through as is: key order, unknown
// keys and number spelling kept.
type JSONObject json.RawMessage

// MarshalJSON writes the object unchanged.
func (o JSONObject) MarshalJSON() ([]byte, error) { return json.RawMessage(o).MarshalJSON() }

// UnmarshalJSON keeps a copy of the raw object.
func (o *JSONObject) UnmarshalJSON(b []byte) error {
	*o = append((*o)[:0], b...)
	return nil
}

// Schema describes it as an open object.
func (JSONObject) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeObject, AdditionalProperties: true}
}

type jsonObjectBody struct{ Body JSONObject }

func registerModels(api huma.API, pi *piconfig.Config) {
	get := server.Op(http.MethodGet, "/config/models", "getModelsConfig", "models.json with every apiKey redacted", "Config")
	get.Description = `{"providers":{}} when the file is missing. Every provider apiKey (literal, env name or "!command") reads "` +
		piconfig.RedactedSentinel + `"; a legacy apiKeyCommand is migrated to apiKey "!command" on disk first. ` +
		"409 invalid_models when the stored file cannot be read as models.json."
	huma.Register(api, get, func(ctx context.Context, _ *struct{}) (*jsonObjectBody, error) {
		data, err := pi.Models.ReadForAPI(ctx)
		if errors.Is(err, piconfig.ErrInvalidModels) {
			return nil, server.Errorf(http.StatusConflict, "invalid_models", "%s", modelsProblem(err))
		}
		if err != nil {
			return nil, piconfigError(err)
		}
		return &jsonObjectBody{Body: JSONObject(data)}, nil
	})

	put := server.Op(http.MethodPut, "/config/models", "putModelsConfig", "Replace models.json", "Config")
	put.MaxBodyBytes = 4 << 20
	put.Description = `The whole file. An apiKey of "` + piconfig.RedactedSentinel + `" keeps that provider's stored key. ` +
		"The result must be a models.json pi accepts: 400 invalid_models lists every problem with its path " +
		"(also when a redacted key has no stored value), 400 invalid_body when there is no providers object. " +
		"Answers the file as written, keys redacted (the reference echoed the request body)."
	huma.Register(api, put, func(ctx context.Context, in *jsonObjectBody) (*jsonObjectBody, error) {
		data, err := pi.Models.WriteFromAPI(ctx, in.Body)
		if err != nil {
			return nil, piconfigError(err)
		}
		return &jsonObjectBody{Body: JSONObject(data)}, nil
	})

	huma.Register(api, server.Op(http.MethodGet, "/config/providers", "listProviders", "Providers and their models", "Config"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body piconfig.ProviderListing }, error) {
			list, err := pi.ListProviders(ctx)
			if err != nil {
				return nil, piconfigError(err)
			}
			return &struct{ Body piconfig.ProviderListing }{Body: list}, nil
		})
}

func registerSettings(api huma.API, pi *piconfig.Config) {
	huma.Register(api, server.Op(http.MethodGet, "/config/settings", "getSettings", "pi's global settings.json", "Config"),
		func(ctx context.Context, _ *struct{}) (*jsonObjectBody, error) {
			s, err := pi.Settings.Load(ctx)
			if err != nil {
				return nil, piconfigError(err)
			}
			return settingsBody(s)
		})

	put := server.Op(http.MethodPut, "/config/settings", "patchSettings", "Change keys of settings.json", "Config")
	put.MaxBodyBytes = 4 << 20
	put.Description = "A partial object shallow-merged into the file: each key replaces the stored value, null deletes the key, " +
		"keys not sent are kept. defaultProvider and defaultModel must be strings, defaultThinkingLevel a thinking level, " +
		"skills an array of strings, enableSkillCommands a boolean; other keys pass through. Answers the merged settings."
	huma.Register(api, put, func(ctx context.Context, in *jsonObjectBody) (*jsonObjectBody, error) {
		patch, err := piconfig.ParseObject(in.Body)
		if err != nil {
			return nil, server.Errorf(http.StatusBadRequest, "invalid_body", "body must be a JSON object")
		}
		s, err := pi.Settings.Patch(ctx, patch)
		if err != nil {
			return nil, piconfigError(err)
		}
		return settingsBody(s)
	})
}

func settingsBody(s *piconfig.Settings) (*jsonObjectBody, error) {
	data, err := s.JSON()
	if err != nil {
		return nil, err
	}
	return &jsonObjectBody{Body: JSONObject(data)}, nil
}

// ProviderAuthBody is GET /config/auth: which providers have a stored
// credential. Key values are never sent.
type ProviderAuthBody struct {
	Providers map[string]piconfig.AuthStatus `json:"providers"`
}

// ProviderPath names a provider in the path.
type ProviderPath struct {
	Provider string `path:"provider" minLength:"1" maxLength:"200" doc:"provider id, e.g. anthropic"`
}

// SetProviderKeyBody is PUT /config/auth/{provider}.
type SetProviderKeyBody struct {
	APIKey string `json:"apiKey" minLength:"1" maxLength:"16384" doc:"literal key, environment variable name or !command, as pi reads auth.json"`
}

// ProviderKeySet is the answer to PUT /config/auth/{provider}.
type ProviderKeySet struct {
	Provider   string `json:"provider"`
	Configured bool   `json:"configured"`
}

func registerProviderAuth(api huma.API, pi *piconfig.Config) {
	huma.Register(api, server.Op(http.MethodGet, "/config/auth", "getProviderAuth", "Which providers have stored credentials", "Config"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body ProviderAuthBody }, error) {
			data, err := pi.Auth.Load(ctx)
			if err != nil {
				return nil, piconfigError(err)
			}
			return &struct{ Body ProviderAuthBody }{Body: ProviderAuthBody{Providers: data.Status()}}, nil
		})

	put := server.Op(http.MethodPut, "/config/auth/{provider}", "setProviderKey", "Store a provider API key in auth.json", "Config")
	put.MaxBodyBytes = 64 << 10
	put.Description = `Stored as {"type":"api_key","key":...}; other providers' entries, written by pi meanwhile, are kept. ` +
		"400 invalid_provider for __proto__, constructor and prototype (the reference answered 500)."
	huma.Register(api, put, func(ctx context.Context, in *struct {
		ProviderPath
		Body SetProviderKeyBody
	}) (*struct{ Body ProviderKeySet }, error) {
		if err := pi.Auth.SetAPIKey(ctx, in.Provider, in.Body.APIKey); err != nil {
			return nil, piconfigError(err)
		}
		return &struct{ Body ProviderKeySet }{Body: ProviderKeySet{Provider: in.Provider, Configured: true}}, nil
	})

	del := server.Status(server.Op(http.MethodDelete, "/config/auth/{provider}", "deleteProviderKey", "Remove a provider's stored credentials", "Config"), http.StatusNoContent)
	del.Description = "Removes the auth.json entry, API key or OAuth. 404 auth_provider_not_found when there is none."
	huma.Register(api, del, func(ctx context.Context, in *ProviderPath) (*struct{}, error) {
		if err := pi.Auth.Delete(ctx, in.Provider); err != nil {
			return nil, piconfigError(err)
		}
		return &struct{}{}, nil
	})
}

// piconfigError maps piconfig's errors to API errors. Messages name keys
// and paths, never values.
func piconfigError(err error) error {
	switch {
	case errors.Is(err, piconfig.ErrNoProviders):
		return server.Errorf(http.StatusBadRequest, "invalid_body", `body must be an object with a "providers" object`)
	case errors.Is(err, piconfig.ErrInvalidModels), errors.Is(err, piconfig.ErrSentinelWithoutSecret):
		return server.Errorf(http.StatusBadRequest, "invalid_models", "%s", modelsProblem(err))
	case errors.Is(err, piconfig.ErrInvalidSettings):
		return server.Errorf(http.StatusBadRequest, "invalid_body", "%s", err.Error())
	case errors.Is(err, piconfig.ErrProviderNotFound):
		return server.Errorf(http.StatusNotFound, "auth_provider_not_found", "no stored credentials for this provider")
	case errors.Is(err, piconfig.ErrInvalidProvider):
		return server.Errorf(http.StatusBadRequest, "invalid_provider", "%s", err.Error())
	case errors.Is(err, piconfig.ErrCorrupt):
		return server.Errorf(http.StatusConflict, "config_file_corrupt", "%s", corruptFile(err))
	case errors.Is(err, piconfig.ErrLocked):
		return server.Errorf(http.StatusServiceUnavailable, "config_file_locked", "another process holds the file's lock; try again")
	}
	return err
}

// modelsProblem is the validation message without the server's file path.
func modelsProblem(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, piconfig.ErrInvalidModels.Error()); i >= 0 {
		return msg[i:]
	}
	return msg // "provider x: redacted apiKey has no stored value"
}

// corruptFile names the file that does not parse, without its directory.
func corruptFile(err error) string {
	for _, name := range []string{"auth.json", "settings.json", "models.json"} {
		if strings.Contains(err.Error(), name) {
			return name + " is not valid JSON; fix or remove it"
		}
	}
	return "a configuration file is not valid JSON"
}
