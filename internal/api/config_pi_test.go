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

// cfgNoSecret fails if any secret appears in a response body or in
// anything the server logged so far.
func cfgNoSecret(t *testing.T, e *apitest.Env, bodies [][]byte, secrets ...string) {
	t.Helper()
	logs := e.Logs()
	for _, s := range secrets {
		for _, b := range bodies {
			if strings.Contains(string(b), s) {
				t.Errorf("response leaks %q: %s", s, b)
			}
		}
		if strings.Contains(logs, s) {
			t.Errorf("logs leak %q", s)
		}
	}
}

func cfgReadJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, data)
	}
	return m
}

func cfgProviderField(t *testing.T, m map[string]any, provider, field string) any {
	t.Helper()
	p, ok := m["providers"].(map[string]any)[provider].(map[string]any)
	if !ok {
		t.Fatalf("no provider %s in %v", provider, m)
	}
	return p[field]
}

const cfgCustomModels = `{"providers":{
	"fake":{"baseUrl":"http://127.0.0.1:9/v1","api":"openai-completions","apiKey":"sk-literal-secret-1","models":[{"id":"m1"}]},
	"cmd":{"baseUrl":"http://127.0.0.1:9/v1","api":"openai-completions","apiKey":"!printf sk-command-secret-2","models":[{"id":"m2"}]}
}}`

func TestModelsConfigRedactsAndKeepsKeys(t *testing.T) {
	e := apitest.Start(t, nil)
	secrets := []string{"sk-literal-secret-1", "sk-command-secret-2", "sk-legacy-secret-3"}
	var bodies [][]byte
	r := e.Expect(http.StatusOK, "GET", "/api/v1/config/models", nil)
	if got := strings.Join(strings.Fields(string(r.Body)), ""); got != `{"providers":{}}` {
		t.Fatalf("missing file: %s", r.Body)
	}

	r = e.Expect(http.StatusOK, "PUT", "/api/v1/config/models", cfgCustomModels)
	bodies = append(bodies, r.Body)
	m := r.Map(t)
	for _, p := range []string{"fake", "cmd"} {
		if cfgProviderField(t, m, p, "apiKey") != "***REDACTED***" {
			t.Errorf("PUT answer: %s apiKey not redacted: %s", p, r.Body)
		}
	}
	path := filepath.Join(e.PiConfig, "models.json")
	disk := cfgReadJSON(t, path)
	if cfgProviderField(t, disk, "fake", "apiKey") != "sk-literal-secret-1" || cfgProviderField(t, disk, "cmd", "apiKey") != "!printf sk-command-secret-2" {
		t.Fatalf("stored keys: %v", disk)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("models.json mode %v", fi.Mode())
	}

	// The editor sends back what it got, with one more model: keys stay.
	r = e.Expect(http.StatusOK, "GET", "/api/v1/config/models", nil)
	bodies = append(bodies, r.Body)
	edited := r.Map(t)
	fake := edited["providers"].(map[string]any)["fake"].(map[string]any)
	fake["models"] = append(fake["models"].([]any), map[string]any{"id": "m3"})
	bodies = append(bodies, e.Expect(http.StatusOK, "PUT", "/api/v1/config/models", edited).Body)
	disk = cfgReadJSON(t, path)
	if cfgProviderField(t, disk, "fake", "apiKey") != "sk-literal-secret-1" || cfgProviderField(t, disk, "cmd", "apiKey") != "!printf sk-command-secret-2" {
		t.Fatalf("keys lost on a redacted PUT: %v", disk)
	}
	if n := len(cfgProviderField(t, disk, "fake", "models").([]any)); n != 2 {
		t.Errorf("fake has %d models, want 2", n)
	}

	// A legacy apiKeyCommand is migrated on disk and redacted.
	legacy := `{"providers":{"old":{"baseUrl":"http://127.0.0.1:9/v1","api":"openai-completions","apiKeyCommand":"printf sk-legacy-secret-3","models":[{"id":"x"}]}}}`
	if err := os.WriteFile(path, []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.Expect(http.StatusOK, "GET", "/api/v1/config/models", nil)
	bodies = append(bodies, r.Body)
	if cfgProviderField(t, r.Map(t), "old", "apiKey") != "***REDACTED***" {
		t.Errorf("legacy key not redacted: %s", r.Body)
	}
	disk = cfgReadJSON(t, path)
	if cfgProviderField(t, disk, "old", "apiKey") != "!printf sk-legacy-secret-3" || cfgProviderField(t, disk, "old", "apiKeyCommand") != nil {
		t.Errorf("legacy apiKeyCommand not migrated: %v", disk)
	}
	cfgNoSecret(t, e, bodies, secrets...)
}

func TestModelsConfigRejectsInvalidFiles(t *testing.T) {
	e := apitest.Start(t, nil)
	cases := []struct {
		name, body, code, inMessage string
	}{
		{"malformed JSON", `{"providers":`, "invalid_body", ""},
		{"array", `[]`, "invalid_body", ""},
		{"null", `null`, "invalid_body", ""},
		{"no providers", `{}`, "invalid_body", "providers"},
		{"providers not an object", `{"providers":[]}`, "invalid_body", "providers"},
		{"custom models without baseUrl", `{"providers":{"x":{"api":"openai-completions","apiKey":"k","models":[{"id":"m"}]}}}`, "invalid_models", "baseUrl"},
		{"model id not a string", `{"providers":{"x":{"baseUrl":"http://h","api":"openai-completions","apiKey":"k","models":[{"id":5}]}}}`, "invalid_models", "providers.x.models.0.id"},
		{"redacted key with nothing stored", `{"providers":{"x":{"baseUrl":"http://h","api":"openai-completions","apiKey":"***REDACTED***","models":[{"id":"m"}]}}}`, "invalid_models", "redacted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do("PUT", "/api/v1/config/models", c.body)
			expectError(t, r, http.StatusBadRequest, c.code)
			if !strings.Contains(string(r.Body), c.inMessage) {
				t.Errorf("message lacks %q: %s", c.inMessage, r.Body)
			}
			if strings.Contains(string(r.Body), e.PiConfig) {
				t.Errorf("message shows the server path: %s", r.Body)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(e.PiConfig, "models.json")); err == nil {
		t.Error("a rejected PUT wrote models.json")
	}

	// A stored key of another provider cannot be borrowed with the sentinel.
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/models", cfgCustomModels)
	r := e.Do("PUT", "/api/v1/config/models", `{"providers":{"fake":{"baseUrl":"http://h","api":"openai-completions","apiKey":"sk-x","models":[{"id":"m1"}]},
		"thief":{"baseUrl":"http://h","api":"openai-completions","apiKey":"***REDACTED***","models":[{"id":"m"}]}}}`)
	expectError(t, r, http.StatusBadRequest, "invalid_models")
	if cfgProviderField(t, cfgReadJSON(t, filepath.Join(e.PiConfig, "models.json")), "fake", "apiKey") != "sk-literal-secret-1" {
		t.Error("a rejected PUT changed models.json")
	}
}

func TestModelsConfigBrokenFileOnDisk(t *testing.T) {
	e := apitest.Start(t, nil)
	path := filepath.Join(e.PiConfig, "models.json")
	if err := os.MkdirAll(e.PiConfig, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"providers":{"x":{"apiKey":"sk-broken-secret"`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.Do("GET", "/api/v1/config/models", nil)
	expectError(t, r, http.StatusConflict, "invalid_models")
	// The UI can still save a good file over it.
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/models", cfgCustomModels)
	cfgNoSecret(t, e, [][]byte{r.Body}, "sk-broken-secret")
}

type cfgProviderListing struct {
	Providers []struct {
		Provider string `json:"provider"`
		Models   []struct {
			ID                      string   `json:"id"`
			Name                    string   `json:"name"`
			ContextWindow           int      `json:"contextWindow"`
			MaxTokens               int      `json:"maxTokens"`
			Reasoning               *bool    `json:"reasoning"`
			Input                   []string `json:"input"`
			HasAuth                 *bool    `json:"hasAuth"`
			SupportedThinkingLevels []string `json:"supportedThinkingLevels"`
		} `json:"models"`
	} `json:"providers"`
}

func cfgListProviders(t *testing.T, e *apitest.Env) map[string]int {
	t.Helper()
	var l cfgProviderListing
	e.Expect(http.StatusOK, "GET", "/api/v1/config/providers", nil).JSON(t, &l)
	out := map[string]int{}
	for _, p := range l.Providers {
		for _, m := range p.Models {
			if m.ID == "" || m.Name == "" || m.Reasoning == nil || m.HasAuth == nil || len(m.SupportedThinkingLevels) == 0 || m.Input == nil {
				t.Errorf("%s/%+v: incomplete", p.Provider, m)
			}
			if *m.HasAuth {
				out[p.Provider] |= 2
			}
		}
		out[p.Provider] |= 1
	}
	return out
}

func TestProvidersListing(t *testing.T) {
	e := apitest.Start(t, nil)
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/models", cfgCustomModels)
	got := cfgListProviders(t, e)
	if got["fake"] != 3 || got["cmd"] != 3 {
		t.Errorf("models.json providers: %v", got)
	}
	if got["anthropic"]&1 == 0 || got["openai"]&1 == 0 {
		t.Errorf("built-ins missing: %v", got)
	}
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/auth/anthropic", map[string]string{"apiKey": "sk-ant-x"})
	if got := cfgListProviders(t, e); got["anthropic"] != 3 {
		t.Errorf("anthropic after storing a key: %v", got)
	}

	hidden := apitest.Start(t, map[string]string{"HIDE_BUILTIN_PROVIDERS": "true"})
	hidden.Expect(http.StatusOK, "PUT", "/api/v1/config/models", cfgCustomModels)
	if got := cfgListProviders(t, hidden); len(got) != 2 || got["fake"] == 0 || got["cmd"] == 0 {
		t.Errorf("HIDE_BUILTIN_PROVIDERS: %v", got)
	}
}

func TestSettingsPatchMergesAndDeletes(t *testing.T) {
	e := apitest.Start(t, nil)
	if got := strings.TrimSpace(string(e.Expect(http.StatusOK, "GET", "/api/v1/config/settings", nil).Body)); got != "{}" {
		t.Fatalf("missing file: %s", got)
	}
	path := filepath.Join(e.PiConfig, "settings.json")
	if err := os.MkdirAll(e.PiConfig, 0o700); err != nil {
		t.Fatal(err)
	}
	stored := `{"zeta":1,"defaultModel":"old","custom":{"nested":[1,2]},"alpha":true}`
	if err := os.WriteFile(path, []byte(stored), 0o640); err != nil {
		t.Fatal(err)
	}
	r := e.Expect(http.StatusOK, "PUT", "/api/v1/config/settings",
		`{"defaultProvider":"anthropic","defaultModel":null,"defaultThinkingLevel":"high","skills":["!noisy"],"enableSkillCommands":false,"newKey":{"a":1}}`)
	want := `{"zeta":1,"custom":{"nested":[1,2]},"alpha":true,"defaultProvider":"anthropic","defaultThinkingLevel":"high","skills":["!noisy"],"enableSkillCommands":false,"newKey":{"a":1}}`
	if got := cfgCompact(t, r.Body); got != want {
		t.Errorf("merged:\n got %s\nwant %s", got, want)
	}
	if got := cfgCompact(t, e.Expect(http.StatusOK, "GET", "/api/v1/config/settings", nil).Body); got != want {
		t.Errorf("GET after PUT: %s", got)
	}
	data, _ := os.ReadFile(path)
	if got := cfgCompact(t, data); got != want {
		t.Errorf("on disk: %s", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", fi.Mode())
	}

	for name, body := range map[string]string{
		"malformed":                 `{"defaultModel":`,
		"array":                     `["defaultModel"]`,
		"null body":                 `null`,
		"thinking level not known":  `{"defaultThinkingLevel":"extreme"}`,
		"thinking level not string": `{"defaultThinkingLevel":3}`,
		"skills not a list":         `{"skills":"!noisy"}`,
		"skills not strings":        `{"skills":[1]}`,
		"skill commands not bool":   `{"enableSkillCommands":"yes"}`,
		"model not a string":        `{"defaultModel":5}`,
		"provider not a string":     `{"defaultProvider":{"id":"x"}}`,
	} {
		r := e.Do("PUT", "/api/v1/config/settings", body)
		expectError(t, r, http.StatusBadRequest, "invalid_body")
		if after, _ := os.ReadFile(path); cfgCompact(t, after) != want {
			t.Errorf("%s: file changed to %s", name, after)
		}
	}
}

func TestSettingsCorruptFileIsLeftAlone(t *testing.T) {
	e := apitest.Start(t, nil)
	path := filepath.Join(e.PiConfig, "settings.json")
	if err := os.MkdirAll(e.PiConfig, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"defaultModel":`), 0o644); err != nil {
		t.Fatal(err)
	}
	expectError(t, e.Do("GET", "/api/v1/config/settings", nil), http.StatusConflict, "config_file_corrupt")
	expectError(t, e.Do("PUT", "/api/v1/config/settings", `{"a":1}`), http.StatusConflict, "config_file_corrupt")
	if data, _ := os.ReadFile(path); string(data) != `{"defaultModel":` {
		t.Errorf("corrupt settings overwritten: %s", data)
	}
}

func cfgCompact(t *testing.T, data []byte) string {
	t.Helper()
	var b strings.Builder
	dec := json.NewDecoder(strings.NewReader(string(data)))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	out, err := json.Marshal(raw) // RawMessage: compacted, order kept
	if err != nil {
		t.Fatal(err)
	}
	b.Write(out)
	return b.String()
}

func TestProviderAuthPresenceOnly(t *testing.T) {
	e := apitest.Start(t, nil)
	secrets := []string{"sk-ant-secret-9", "oauth-access-secret", "oauth-refresh-secret"}
	var bodies [][]byte
	r := e.Expect(http.StatusOK, "GET", "/api/v1/config/auth", nil)
	if cfgCompact(t, r.Body) != `{"providers":{}}` {
		t.Fatalf("empty: %s", r.Body)
	}
	r = e.Expect(http.StatusOK, "PUT", "/api/v1/config/auth/anthropic", map[string]string{"apiKey": "sk-ant-secret-9"})
	bodies = append(bodies, r.Body)
	if cfgCompact(t, r.Body) != `{"provider":"anthropic","configured":true}` {
		t.Errorf("PUT answer: %s", r.Body)
	}
	path := filepath.Join(e.PiConfig, "auth.json")
	disk := cfgReadJSON(t, path)
	if got, _ := json.Marshal(disk["anthropic"]); string(got) != `{"key":"sk-ant-secret-9","type":"api_key"}` {
		t.Errorf("stored entry: %s", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("auth.json mode %v", fi.Mode())
	}
	// An OAuth login pi made meanwhile is kept and shown as OAuth.
	disk["github-copilot"] = map[string]any{"type": "oauth", "access": "oauth-access-secret", "refresh": "oauth-refresh-secret", "expires": 1}
	data, _ := json.Marshal(disk)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r = e.Expect(http.StatusOK, "GET", "/api/v1/config/auth", nil)
	bodies = append(bodies, r.Body)
	want := `{"providers":{"anthropic":{"configured":true,"source":"stored","label":"Stored API key"},"github-copilot":{"configured":true,"source":"stored","label":"OAuth"}}}`
	if cfgCompact(t, r.Body) != want {
		t.Errorf("GET:\n got %s\nwant %s", r.Body, want)
	}
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/auth/openai", map[string]string{"apiKey": "OPENAI_KEY_VAR"})
	if got := cfgReadJSON(t, path); got["github-copilot"] == nil || got["anthropic"] == nil || got["openai"] == nil {
		t.Errorf("entries lost: %v", got)
	}

	e.Expect(http.StatusNoContent, "DELETE", "/api/v1/config/auth/anthropic", nil)
	expectError(t, e.Do("DELETE", "/api/v1/config/auth/anthropic", nil), http.StatusNotFound, "auth_provider_not_found")
	expectError(t, e.Do("DELETE", "/api/v1/config/auth/never-stored", nil), http.StatusNotFound, "auth_provider_not_found")
	if got := cfgReadJSON(t, path); got["anthropic"] != nil || got["github-copilot"] == nil {
		t.Errorf("after delete: %v", got)
	}
	cfgNoSecret(t, e, bodies, secrets...)
}

func TestProviderAuthRejectsBadInput(t *testing.T) {
	e := apitest.Start(t, nil)
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/auth/openai", map[string]string{"apiKey": "sk-keep"})
	path := filepath.Join(e.PiConfig, "auth.json")
	before, _ := os.ReadFile(path)
	var bodies [][]byte
	for _, c := range []struct{ name, provider, body, code string }{
		{"malformed JSON", "anthropic", `{"apiKey":"sk-bad-secret-1"`, "invalid_body"},
		{"missing apiKey", "anthropic", `{}`, "invalid_body"},
		{"empty apiKey", "anthropic", `{"apiKey":""}`, "invalid_body"},
		{"apiKey not a string", "anthropic", `{"apiKey":12345}`, "invalid_body"},
		{"apiKey too long", "anthropic", `{"apiKey":"` + strings.Repeat("k", 16385) + `"}`, "invalid_body"},
		{"__proto__", "__proto__", `{"apiKey":"sk-bad-secret-2"}`, "invalid_provider"},
		{"constructor", "constructor", `{"apiKey":"sk-bad-secret-3"}`, "invalid_provider"},
		{"prototype", "prototype", `{"apiKey":"sk-bad-secret-4"}`, "invalid_provider"},
	} {
		r := e.Do("PUT", "/api/v1/config/auth/"+c.provider, c.body)
		bodies = append(bodies, r.Body)
		expectError(t, r, http.StatusBadRequest, c.code)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("auth.json changed:\n%s", after)
	}
	cfgNoSecret(t, e, bodies, "sk-bad-secret-1", "sk-bad-secret-2", "sk-bad-secret-3", "sk-bad-secret-4", "sk-keep")
}

func TestPiConfigRoutesNeedAuth(t *testing.T) {
	e := apitest.Start(t, map[string]string{"API_KEY": "test-api-key-123"})
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/config/models"}, {"PUT", "/api/v1/config/models"}, {"GET", "/api/v1/config/providers"},
		{"GET", "/api/v1/config/settings"}, {"PUT", "/api/v1/config/settings"}, {"GET", "/api/v1/config/auth"},
		{"PUT", "/api/v1/config/auth/anthropic"}, {"DELETE", "/api/v1/config/auth/anthropic"},
		{"GET", "/api/v1/config/export"}, {"POST", "/api/v1/config/import"},
		{"GET", "/api/v1/config/skills/export"}, {"POST", "/api/v1/config/skills/import"},
	} {
		if r := e.Do(c.method, c.path, nil); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d", c.method, c.path, r.StatusCode)
		}
	}
	e.Token = "test-api-key-123"
	e.Expect(http.StatusOK, "GET", "/api/v1/config/auth", nil)
}
