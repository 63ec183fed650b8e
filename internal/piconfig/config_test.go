package piconfig

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestDefaultAgentDir(t *testing.T) {
	tests := []struct {
		env  Environ
		want string
	}{
		{Environ{"HOME": "/home/u"}, "/home/u/.pi/agent"},
		{Environ{"HOME": "/home/u", "PI_CODING_AGENT_DIR": "/srv/pi"}, "/srv/pi"},
		{Environ{"HOME": "/home/u", "PI_CODING_AGENT_DIR": "~/agent"}, "/home/u/agent"},
		{Environ{"HOME": "/home/u", "PI_CODING_AGENT_DIR": "~"}, "/home/u"},
	}
	for _, tt := range tests {
		if got := DefaultAgentDir(tt.env); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.env, got, tt.want)
		}
	}
}

func TestRegistryFollowsModelsJSON(t *testing.T) {
	c := newTestConfig(t, nil, "", "")
	ctx := context.Background()
	first := c.Registry(ctx)
	if first.Err() != nil || c.Registry(ctx) != first {
		t.Fatal("unchanged file must reuse the registry")
	}
	path := c.Models.Path()
	writeFile(t, path, `{"providers":{"x":{"baseUrl":"u","api":"openai-completions","apiKey":"k","models":[{"id":"m"}]}}}`, 0o600)
	if _, ok := c.FindModel(ctx, "x", "m"); !ok {
		t.Fatal("new models.json not picked up")
	}
	writeFile(t, path, `{"providers":{"x":{"models":[{"id":"m"}]}}}`, 0o600)
	future := time.Now().Add(time.Minute)
	_ = os.Chtimes(path, future, future) // same size is possible; the mtime tells
	reg := c.Registry(ctx)
	if !errors.Is(reg.Err(), ErrInvalidModels) {
		t.Fatalf("err = %v", reg.Err())
	}
	if _, ok := reg.Find("x", "m"); ok {
		t.Error("an invalid models.json must be ignored entirely")
	}
	if _, ok := reg.Find("anthropic", "claude-opus-4-6"); !ok {
		t.Error("built-ins must survive an invalid models.json")
	}
}

func TestListProviders(t *testing.T) {
	models := `{"providers":{
		"local":{"baseUrl":"http://localhost:11434/v1","api":"openai-completions","apiKey":"ollama",
			"models":[{"id":"llama","reasoning":true,"thinkingLevelMap":{"minimal":null}}]},
		"openai":{"baseUrl":"https://proxy/v1"}}}`
	c := newTestConfig(t, Environ{"GEMINI_API_KEY": "g"}, `{"anthropic":{"type":"api_key","key":"k"}}`, models)
	listing, err := c.ListProviders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]bool{}
	var ids []string
	for _, p := range listing.Providers {
		ids = append(ids, p.Provider)
		if len(p.Models) == 0 {
			t.Errorf("%s has no models", p.Provider)
		}
		auth[p.Provider] = p.Models[0].HasAuth
	}
	want := map[string]bool{"anthropic": true, "google": true, "local": true, "openai": false, "groq": false}
	for p, has := range want {
		if auth[p] != has {
			t.Errorf("%s hasAuth = %v, want %v", p, auth[p], has)
		}
	}
	if ids[0] != "anthropic" || ids[len(ids)-1] != "local" {
		t.Errorf("order = %v", ids)
	}
	local := listing.Providers[len(listing.Providers)-1].Models[0]
	if !slices.Equal(local.SupportedThinkingLevels, []string{"off", "low", "medium", "high"}) {
		t.Errorf("levels = %v", local.SupportedThinkingLevels)
	}
	raw, _ := json.Marshal(local)
	want2 := `{"id":"llama","name":"llama","contextWindow":128000,"maxTokens":16384,"reasoning":true,"input":["text"],"hasAuth":true,"supportedThinkingLevels":["off","low","medium","high"]}`
	if string(raw) != want2 {
		t.Errorf("json = %s", raw)
	}
}

func TestListProvidersHideBuiltin(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "models.json"), `{"providers":{
		"local":{"baseUrl":"u","api":"openai-completions","apiKey":"k","models":[{"id":"m"}]},
		"anthropic":{"baseUrl":"https://proxy"}}}`, 0o600)
	c := New(Options{AgentDir: dir, Env: Environ{}, HideBuiltinProviders: true})
	listing, err := c.ListProviders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range listing.Providers {
		ids = append(ids, p.Provider)
	}
	if !slices.Equal(ids, []string{"anthropic", "local"}) {
		t.Errorf("providers = %v", ids)
	}
	empty := New(Options{AgentDir: t.TempDir(), Env: Environ{}, HideBuiltinProviders: true})
	l, _ := empty.ListProviders(context.Background())
	if raw, _ := json.Marshal(l); string(raw) != `{"providers":[]}` {
		t.Errorf("empty listing = %s", raw)
	}
}
