package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/theme"
)

func TestUIConfigDefaults(t *testing.T) {
	e := apitest.Start(t, nil)
	m := e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).Map(t)
	for k, want := range map[string]any{
		"minimal": false, "workspaceRoot": e.Workspace, "passwordAuthEnabled": false, "ldapEnabled": false,
		"orchestrationEnabled": true, "authBannerHtml": false, "logoUrlMode": "cache",
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	for _, absent := range []string{"authBannerText", "authLogoUrl", "appLogoDarkUrl", "appLogoLightUrl", "authColorScheme"} {
		if _, ok := m[absent]; ok {
			t.Errorf("%s present by default", absent)
		}
	}
	if v, _ := m["version"].(string); v == "" {
		t.Error("no version")
	}
	st := m["serverTheme"].(map[string]any)
	colors, defaults := st["colors"].(map[string]any), st["defaults"].(map[string]any)
	if st["enabled"] != false || len(defaults) != 10 || defaults["appBackground"] != "#0a0a0a" ||
		defaults["selectionBackground"] != "#525252" || colors["highlightBackground"] != "#facc15" {
		t.Fatalf("serverTheme %v", st)
	}
}

func TestUIConfigFromOptions(t *testing.T) {
	e := apitest.Start(t, map[string]string{
		"UI_PASSWORD":       password,
		"MINIMAL_UI":        "true",
		"AUTH_BANNER_TEXT":  `Authorized use only\nBe nice`,
		"AUTH_BANNER_HTML":  "true",
		"AUTH_COLOR_SCHEME": "#000000,#111111,#222222,#333333,#444444,#555555,#666666,#777777",
		"LOGO_URL_MODE":     "direct",
		"AUTH_LOGO_URL":     "https://logos.example.com/login.svg",
		"APP_LOGO_DARK_URL": "https://logos.example.com/dark.png",
	})
	var cfg struct {
		Minimal              bool
		PasswordAuthEnabled  bool
		OrchestrationEnabled bool
		AuthBannerText       string
		AuthBannerHTML       bool `json:"authBannerHtml"`
		LogoURLMode          string
		AuthLogoURL          string `json:"authLogoUrl"`
		AppLogoDarkURL       string `json:"appLogoDarkUrl"`
		AppLogoLightURL      *string
		AuthColorScheme      map[string]string
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).JSON(t, &cfg)
	if !cfg.Minimal || !cfg.PasswordAuthEnabled || cfg.OrchestrationEnabled || cfg.AuthBannerText != "Authorized use only\nBe nice" ||
		!cfg.AuthBannerHTML || cfg.LogoURLMode != "direct" || cfg.AuthLogoURL != "https://logos.example.com/login.svg" ||
		cfg.AppLogoDarkURL != "https://logos.example.com/dark.png" || cfg.AppLogoLightURL != nil {
		t.Fatalf("ui-config %+v", cfg)
	}
	want := map[string]string{
		"pageBackground": "#000000", "cardBackground": "#111111", "border": "#222222", "text": "#333333",
		"mutedText": "#444444", "buttonBackground": "#555555", "buttonText": "#666666", "buttonHoverBackground": "#777777",
	}
	got, _ := json.Marshal(cfg.AuthColorScheme)
	wantJSON, _ := json.Marshal(want)
	if string(got) != string(wantJSON) {
		t.Fatalf("authColorScheme %s, want %s", got, wantJSON)
	}
}

func validTheme() map[string]string {
	m := theme.Defaults()
	m["appBackground"] = "#ABCDEF"
	return m
}

func TestThemeRoutes(t *testing.T) {
	e := apitest.Start(t, map[string]string{"API_KEY": "theme-test-key"})
	expectError(t, e.Do("GET", "/api/v1/config/theme", nil), 401, "missing_token")
	e.Token = "theme-test-key"

	var th struct {
		Enabled          bool
		Colors, Defaults map[string]string
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/config/theme", nil).JSON(t, &th)
	if th.Enabled || th.Colors["appBackground"] != "#0a0a0a" || len(th.Defaults) != 10 {
		t.Fatalf("default theme %+v", th)
	}
	bad := validTheme()
	bad["mutedText"] = "red"
	missing := validTheme()
	delete(missing, "highlightText")
	extra := validTheme()
	extra["sparkle"] = "#ffffff"
	short := validTheme()
	short["primaryText"] = "#fff"
	for name, body := range map[string]any{
		"not a colour": map[string]any{"enabled": true, "colors": bad},
		"missing key":  map[string]any{"enabled": true, "colors": missing},
		"unknown key":  map[string]any{"enabled": true, "colors": extra},
		"#rgb":         map[string]any{"enabled": true, "colors": short},
		"no colors":    map[string]any{"enabled": true},
	} {
		r := e.Do("PUT", "/api/v1/config/theme", body)
		if r.StatusCode != 400 || (errorCode(t, r) != "invalid_theme_config" && errorCode(t, r) != "invalid_body") {
			t.Errorf("%s: %d %s", name, r.StatusCode, r.Body)
		}
	}
	expectError(t, e.Do("PUT", "/api/v1/config/theme", map[string]any{"enabled": true, "colors": bad}), 400, "invalid_theme_config")
	expectError(t, e.Do("PUT", "/api/v1/config/theme", `{"enabled": true, "colors": `), 400, "invalid_body")
	if _, err := os.Stat(filepath.Join(e.DataDir, "theme.json")); !os.IsNotExist(err) {
		t.Fatal("a refused theme was written")
	}

	e.Expect(http.StatusOK, "PUT", "/api/v1/config/theme", map[string]any{"enabled": true, "colors": validTheme()}).JSON(t, &th)
	if !th.Enabled || th.Colors["appBackground"] != "#abcdef" {
		t.Fatalf("stored theme %+v", th)
	}
	e.Restart(nil)
	ui := e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).Map(t)["serverTheme"].(map[string]any)
	if ui["enabled"] != true || ui["colors"].(map[string]any)["appBackground"] != "#abcdef" {
		t.Fatalf("ui-config theme after restart %v", ui)
	}
	e.Expect(http.StatusOK, "DELETE", "/api/v1/config/theme", nil).JSON(t, &th)
	if th.Enabled || th.Colors["appBackground"] != "#0a0a0a" {
		t.Fatalf("reset theme %+v", th)
	}
	if _, err := os.Stat(filepath.Join(e.DataDir, "theme.json")); !os.IsNotExist(err) {
		t.Fatal("theme.json survived the reset")
	}
}
