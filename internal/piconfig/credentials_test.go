package piconfig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newTestConfig returns a Config over a temp agent dir holding the given
// auth.json and models.json ("" for none).
func newTestConfig(t *testing.T, env Environ, auth, models string) *Config {
	t.Helper()
	dir := t.TempDir()
	if auth != "" {
		writeFile(t, filepath.Join(dir, "auth.json"), auth, 0o600)
	}
	if models != "" {
		writeFile(t, filepath.Join(dir, "models.json"), models, 0o600)
	}
	if env == nil {
		env = Environ{}
	}
	env["PATH"] = os.Getenv("PATH")
	return New(Options{AgentDir: dir, Env: env})
}

const proxyModels = `{"providers":{
	"proxy":{"baseUrl":"http://127.0.0.1:1/v1","api":"openai-completions","apiKey":"PROXY_KEY",
		"headers":{"x-team":"TEAM","x-shared":"provider"},
		"models":[{"id":"m1","headers":{"x-shared":"model","x-model":"!printf m1-secret"}}]},
	"bearer":{"baseUrl":"http://127.0.0.1:1/v1","api":"anthropic-messages","apiKey":"literal-key","authHeader":true,
		"models":[{"id":"b1"}]},
	"anthropic":{"apiKey":"!printf from-models-json","modelOverrides":{"claude-opus-4-6":{"headers":{"x-override":"yes"}}}},
	"failing":{"baseUrl":"u","api":"openai-completions","apiKey":"!exit 1","models":[{"id":"f1"}]},
	"badheader":{"baseUrl":"u","api":"openai-completions","apiKey":"k","headers":{"x-secret":"!exit 2"},"models":[{"id":"h1"}]}
}}`

func TestAPIKeyResolutionOrder(t *testing.T) {
	tests := []struct {
		name, provider, model, auth string
		env                         Environ
		wantKey                     string
	}{
		{"auth.json key beats env and models.json", "anthropic", "claude-opus-4-6",
			`{"anthropic":{"type":"api_key","key":"sk-stored"}}`, Environ{"ANTHROPIC_API_KEY": "sk-env"}, "sk-stored"},
		{"auth.json key names an env var", "anthropic", "claude-opus-4-6",
			`{"anthropic":{"type":"api_key","key":"MY_ANTHROPIC"}}`, Environ{"MY_ANTHROPIC": "sk-indirect"}, "sk-indirect"},
		{"auth.json key runs a command", "openai", "gpt-5", `{"openai":{"type":"api_key","key":"!printf sk-cmd"}}`, nil, "sk-cmd"},
		{"oauth access token as stored", "anthropic", "claude-opus-4-6",
			`{"anthropic":{"type":"oauth","access":"sk-ant-oat-x","refresh":"r","expires":1}}`, Environ{"ANTHROPIC_API_KEY": "sk-env"}, "sk-ant-oat-x"},
		{"env when auth.json has nothing", "anthropic", "claude-opus-4-6", `{"openai":{"type":"api_key","key":"x"}}`,
			Environ{"ANTHROPIC_API_KEY": "sk-env"}, "sk-env"},
		{"models.json last", "anthropic", "claude-opus-4-6", "", nil, "from-models-json"},
		{"failed auth.json command skips env, falls to models.json", "anthropic", "claude-opus-4-6",
			`{"anthropic":{"type":"api_key","key":"!exit 1"}}`, Environ{"ANTHROPIC_API_KEY": "sk-env"}, "from-models-json"},
		{"oauth of a provider pi cannot use skips env", "openai", "gpt-5",
			`{"openai":{"type":"oauth","access":"a"}}`, Environ{"OPENAI_API_KEY": "sk-env"}, ""},
		{"unknown entry type falls through to env", "openai", "gpt-5",
			`{"openai":{"type":"future"}}`, Environ{"OPENAI_API_KEY": "sk-env"}, "sk-env"},
		{"models.json apiKey names an env var", "proxy", "m1", "", Environ{"PROXY_KEY": "pk"}, "pk"},
		{"models.json apiKey literal", "proxy", "m1", "", nil, "PROXY_KEY"},
		{"gemini cli oauth is token plus project", "google-gemini-cli", "", `{"google-gemini-cli":{"type":"oauth","access":"t","projectId":"p"}}`, nil, `{"projectId":"p","token":"t"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestConfig(t, tt.env, tt.auth, proxyModels)
			if tt.model == "" {
				key, _, err := c.Credentials.APIKey(context.Background(), tt.provider)
				if err != nil || key != tt.wantKey {
					t.Errorf("key = %q (%v), want %q", key, err, tt.wantKey)
				}
				return
			}
			m, ok := c.FindModel(context.Background(), tt.provider, tt.model)
			if !ok {
				t.Fatalf("model missing; registry error: %v", c.Registry(context.Background()).Err())
			}
			got, err := c.RequestAuth(context.Background(), &m)
			if err != nil {
				t.Fatal(err)
			}
			if got.APIKey != tt.wantKey {
				t.Errorf("key = %q, want %q", got.APIKey, tt.wantKey)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	c := newTestConfig(t, Environ{"TEAM": "blue"}, "", proxyModels)
	ctx := context.Background()
	tests := []struct {
		provider, model string
		want            map[string]string
	}{
		{"proxy", "m1", map[string]string{"x-team": "blue", "x-shared": "model", "x-model": "m1-secret"}},
		{"bearer", "b1", map[string]string{"Authorization": "Bearer literal-key"}},
		{"anthropic", "claude-opus-4-6", map[string]string{"x-override": "yes"}},
		{"anthropic", "claude-sonnet-4-5", nil},
		{"kimi-coding", "kimi-for-coding", map[string]string{"User-Agent": "KimiCLI/1.5"}}, // built-in model headers
	}
	for _, tt := range tests {
		m, _ := c.FindModel(ctx, tt.provider, tt.model)
		got, err := c.RequestAuth(ctx, &m)
		if err != nil {
			t.Errorf("%s/%s: %v", tt.provider, tt.model, err)
			continue
		}
		if fmt.Sprint(got.Headers) != fmt.Sprint(tt.want) {
			t.Errorf("%s/%s headers = %v, want %v", tt.provider, tt.model, got.Headers, tt.want)
		}
	}
}

func TestRequestAuthErrorsHoldNoSecrets(t *testing.T) {
	c := newTestConfig(t, nil, "", proxyModels)
	ctx := context.Background()
	for _, id := range [][2]string{{"failing", "f1"}, {"badheader", "h1"}} {
		m, _ := c.FindModel(ctx, id[0], id[1])
		_, err := c.RequestAuth(ctx, &m)
		if err == nil {
			t.Errorf("%s: want an error", id[0])
			continue
		}
		if strings.Contains(err.Error(), "exit") {
			t.Errorf("error repeats the configured command: %v", err)
		}
	}
	noKey := newTestConfig(t, nil, "", `{"providers":{"b":{"baseUrl":"u","api":"a","apiKey":"!true","authHeader":true,"models":[{"id":"m"}]}}}`)
	m, _ := noKey.FindModel(ctx, "b", "m")
	if _, err := noKey.RequestAuth(ctx, &m); err == nil {
		t.Error("authHeader without a key: want an error")
	}
}

func TestRequestAuthReadsAuthJSONChanges(t *testing.T) {
	c := newTestConfig(t, nil, `{"openai":{"type":"api_key","key":"first"}}`, "")
	ctx := context.Background()
	m, _ := c.FindModel(ctx, "openai", "gpt-5")
	if got, _ := c.RequestAuth(ctx, &m); got.APIKey != "first" {
		t.Fatalf("key = %q", got.APIKey)
	}
	// A pi CLI logging in elsewhere rewrites the file.
	if err := NewAuthStore(c.Auth.Path()).SetAPIKey(ctx, "openai", "second"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.RequestAuth(ctx, &m); got.APIKey != "second" {
		t.Errorf("key = %q, want the new one", got.APIKey)
	}
}

func TestRequestAuthCorruptAuthJSON(t *testing.T) {
	c := newTestConfig(t, nil, `{`, "")
	m, _ := c.FindModel(context.Background(), "openai", "gpt-5")
	if _, err := c.RequestAuth(context.Background(), &m); !errors.Is(err, ErrCorrupt) {
		t.Errorf("err = %v", err)
	}
}
