package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/config"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/theme"
)

// UIConfigSource is what GET /ui-config reports on.
type UIConfigSource struct {
	Config  *config.Config
	Version string
	Theme   *theme.Store
	// PasswordConfigured: UI_PASSWORD set or a password-hash stored.
	PasswordConfigured func() bool
	// Logos returns the logo URLs the browser should load: same-origin
	// /cache/logos/... in cache mode (empty when a logo could not be
	// cached), the configured URLs in direct mode. nil: the configured
	// URLs in direct mode, none in cache mode.
	Logos func() Logos
}

// Logos are the custom logo URLs ("" = the built-in logo).
type Logos struct {
	Auth, AppDark, AppLight string
}

// ThemeBody is the server theme with the built-in defaults.
type ThemeBody struct {
	Enabled  bool              `json:"enabled"`
	Colors   map[string]string `json:"colors" doc:"10 colours, #rrggbb"`
	Defaults map[string]string `json:"defaults" doc:"the built-in palette"`
}

// AuthColorScheme colours the login page (AUTH_COLOR_SCHEME).
type AuthColorScheme struct {
	PageBackground        string `json:"pageBackground"`
	CardBackground        string `json:"cardBackground"`
	Border                string `json:"border"`
	Text                  string `json:"text"`
	MutedText             string `json:"mutedText"`
	ButtonBackground      string `json:"buttonBackground"`
	ButtonText            string `json:"buttonText"`
	ButtonHoverBackground string `json:"buttonHoverBackground"`
}

// UIConfigBody is GET /ui-config: what the UI needs before login.
type UIConfigBody struct {
	Minimal              bool             `json:"minimal"`
	WorkspaceRoot        string           `json:"workspaceRoot"`
	Version              string           `json:"version"`
	PasswordAuthEnabled  bool             `json:"passwordAuthEnabled"`
	LDAPEnabled          bool             `json:"ldapEnabled"`
	OrchestrationEnabled bool             `json:"orchestrationEnabled"`
	ServerTheme          ThemeBody        `json:"serverTheme"`
	AuthBannerText       string           `json:"authBannerText,omitempty"`
	AuthBannerHTML       bool             `json:"authBannerHtml"`
	LogoURLMode          string           `json:"logoUrlMode" enum:"cache,direct"`
	AuthLogoURL          string           `json:"authLogoUrl,omitempty"`
	AppLogoDarkURL       string           `json:"appLogoDarkUrl,omitempty"`
	AppLogoLightURL      string           `json:"appLogoLightUrl,omitempty"`
	AuthColorScheme      *AuthColorScheme `json:"authColorScheme,omitempty"`
}

// ThemeInput is PUT /config/theme.
type ThemeInput struct {
	Enabled bool              `json:"enabled,omitempty"`
	Colors  map[string]string `json:"colors" doc:"all 10 keys, each #rrggbb"`
}

// RegisterUIConfig mounts GET /ui-config (public) and the server theme
// routes GET/PUT/DELETE /config/theme.
func RegisterUIConfig(api huma.API, src UIConfigSource) {
	huma.Register(api, server.Public(server.Op(http.MethodGet, "/ui-config", "getUIConfig", "UI settings needed before login", "System")),
		func(ctx context.Context, _ *struct{}) (*struct{ Body UIConfigBody }, error) {
			body, err := uiConfig(src)
			if err != nil {
				return nil, err
			}
			return &struct{ Body UIConfigBody }{Body: body}, nil
		})
	huma.Register(api, server.Op(http.MethodGet, "/config/theme", "getTheme", "Get the server colour theme", "Config"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body ThemeBody }, error) {
			t, err := src.Theme.Get()
			if err != nil {
				return nil, err
			}
			return themeBody(t), nil
		})
	put := server.Op(http.MethodPut, "/config/theme", "putTheme", "Set the server colour theme", "Config")
	put.MaxBodyBytes = 64 << 10
	huma.Register(api, put, func(ctx context.Context, in *struct{ Body ThemeInput }) (*struct{ Body ThemeBody }, error) {
		t, err := src.Theme.Put(theme.Theme{Enabled: in.Body.Enabled, Colors: in.Body.Colors})
		if errors.Is(err, theme.ErrInvalid) {
			return nil, server.Errorf(http.StatusBadRequest, "invalid_theme_config", "%s", err.Error())
		}
		if err != nil {
			return nil, err
		}
		return themeBody(t), nil
	})
	huma.Register(api, server.Op(http.MethodDelete, "/config/theme", "resetTheme", "Reset the server colour theme", "Config"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body ThemeBody }, error) {
			t, err := src.Theme.Reset()
			if err != nil {
				return nil, err
			}
			return themeBody(t), nil
		})
}

func themeBody(t theme.Theme) *struct{ Body ThemeBody } {
	return &struct{ Body ThemeBody }{Body: ThemeBody{Enabled: t.Enabled, Colors: t.Colors, Defaults: theme.Defaults()}}
}

func uiConfig(src UIConfigSource) (UIConfigBody, error) {
	cfg := src.Config
	t, err := src.Theme.Get()
	if err != nil {
		return UIConfigBody{}, err
	}
	body := UIConfigBody{
		Minimal:              cfg.MinimalUI,
		WorkspaceRoot:        cfg.WorkspacePath,
		Version:              src.Version,
		PasswordAuthEnabled:  src.PasswordConfigured != nil && src.PasswordConfigured(),
		LDAPEnabled:          cfg.LDAPEnabled,
		OrchestrationEnabled: cfg.OrchestrationEnabled && !cfg.MinimalUI,
		ServerTheme:          themeBody(t).Body,
		AuthBannerText:       cfg.AuthBannerText,
		AuthBannerHTML:       cfg.AuthBannerHTML,
		LogoURLMode:          cfg.LogoURLMode,
	}
	var logos Logos // cache mode without a cache: the built-in logos
	switch {
	case src.Logos != nil:
		logos = src.Logos()
	case cfg.LogoURLMode == "direct":
		logos = Logos{Auth: cfg.AuthLogoURL, AppDark: cfg.AppLogoDarkURL, AppLight: cfg.AppLogoLightURL}
	}
	body.AuthLogoURL, body.AppLogoDarkURL, body.AppLogoLightURL = logos.Auth, logos.AppDark, logos.AppLight
	if c := cfg.AuthColorScheme; len(c) == 8 {
		body.AuthColorScheme = &AuthColorScheme{
			PageBackground: c[0], CardBackground: c[1], Border: c[2], Text: c[3],
			MutedText: c[4], ButtonBackground: c[5], ButtonText: c[6], ButtonHoverBackground: c[7],
		}
	}
	return body, nil
}
