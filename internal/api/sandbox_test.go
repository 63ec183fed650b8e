package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
)

func TestSandboxSettingsRoundTrip(t *testing.T) {
	e := apitest.Start(t, nil)
	m := e.Expect(http.StatusOK, "GET", "/api/v1/config/sandbox", nil).Map(t)
	if m["enabled"] != false || len(m["toolEnv"].(map[string]any)) != 0 {
		t.Fatalf("defaults: %v", m)
	}
	for _, k := range []string{"uid", "gid", "home"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present with the sandbox off", k)
		}
	}
	env := map[string]any{"GH_TOKEN": "ghp_abc", "_X1": ""}
	m = e.Expect(http.StatusOK, "PUT", "/api/v1/config/sandbox", map[string]any{"toolEnv": env, "ignored": 1}).Map(t)
	if got, _ := json.Marshal(m["toolEnv"]); string(got) != `{"GH_TOKEN":"ghp_abc","_X1":""}` {
		t.Fatalf("PUT echo: %s", got)
	}
	path := filepath.Join(e.DataDir, "sandbox-settings.json")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("settings file: %v %v", fi, err)
	}
	e.Restart(nil)
	m = e.Expect(http.StatusOK, "GET", "/api/v1/config/sandbox", nil).Map(t)
	if m["toolEnv"].(map[string]any)["GH_TOKEN"] != "ghp_abc" {
		t.Fatalf("after restart: %v", m)
	}
	if e.App.SandboxSettings.ToolEnv()["GH_TOKEN"] != "ghp_abc" {
		t.Error("the launcher's tool env source did not see the saved value")
	}
}

func TestSandboxSettingsRejectsInvalidInput(t *testing.T) {
	e := apitest.Start(t, nil)
	many := map[string]string{}
	for i := range 101 {
		many["V"+strings.Repeat("A", i)] = "x"
	}
	bad := map[string]string{
		"bad name":        `{"toolEnv":{"1ABC":"x"}}`,
		"dash":            `{"toolEnv":{"MY-VAR":"x"}}`,
		"number value":    `{"toolEnv":{"A":1}}`,
		"null value":      `{"toolEnv":{"A":null}}`,
		"array":           `{"toolEnv":["A"]}`,
		"string":          `{"toolEnv":"A=B"}`,
		"missing":         `{}`,
		"null":            `{"toolEnv":null}`,
		"value too large": `{"toolEnv":{"BIG":"` + strings.Repeat("a", 16<<10+1) + `"}}`,
	}
	data, _ := json.Marshal(map[string]any{"toolEnv": many})
	bad["101 variables"] = string(data)
	for name, body := range bad {
		r := e.Do("PUT", "/api/v1/config/sandbox", body)
		if r.StatusCode != http.StatusBadRequest || errorCode(t, r) != "invalid_sandbox_settings" {
			t.Errorf("%s: %d %s", name, r.StatusCode, r.Body)
		}
	}
	expectError(t, e.Do("PUT", "/api/v1/config/sandbox", `{"toolEnv":`), 400, "invalid_body")
	if _, err := os.Stat(filepath.Join(e.DataDir, "sandbox-settings.json")); err == nil {
		t.Error("a rejected PUT wrote the settings file")
	}
	// At the limits exactly is fine.
	delete(many, "V")
	delete(many, "VA")
	many["BIG"] = strings.Repeat("a", 16<<10)
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/sandbox", map[string]any{"toolEnv": many})
}

func TestSandboxSettingsNeedAuth(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password})
	expectError(t, e.Do("GET", "/api/v1/config/sandbox", nil), 401, "missing_token")
	expectError(t, e.Do("PUT", "/api/v1/config/sandbox", `{"toolEnv":{}}`), 401, "missing_token")
}

func TestSandboxSettingsShowIdentity(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("sandbox mode needs root (as CI runs)")
	}
	e := apitest.Start(t, map[string]string{
		"AGENT_TOOL_SANDBOX_ENABLED": "true", "AGENT_TOOL_UID": "1001", "AGENT_TOOL_GID": "1002", "AGENT_TOOL_HOME": "/home/pi-tools",
	})
	m := e.Expect(http.StatusOK, "GET", "/api/v1/config/sandbox", nil).Map(t)
	if m["enabled"] != true || m["uid"] != float64(1001) || m["gid"] != float64(1002) || m["home"] != "/home/pi-tools" {
		t.Fatalf("sandbox on: %v", m)
	}
}
