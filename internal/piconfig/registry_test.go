package piconfig

import (
	"slices"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/catalog"
)

func registryFrom(t *testing.T, data string) *Registry {
	t.Helper()
	cfg, err := parseModels(data)
	if err != nil {
		t.Fatal(err)
	}
	return BuildRegistry(catalog.Builtin(), cfg, nil)
}

func mustFind(t *testing.T, r *Registry, provider, id string) ai.Model {
	t.Helper()
	m, ok := r.Find(provider, id)
	if !ok {
		t.Fatalf("%s/%s not found", provider, id)
	}
	return m
}

func TestRegistryWithoutModelsJSONIsTheCatalogue(t *testing.T) {
	r := BuildRegistry(catalog.Builtin(), nil, nil)
	if len(r.Models()) != len(allCatalogueModels()) {
		t.Errorf("%d models, catalogue has %d", len(r.Models()), len(allCatalogueModels()))
	}
	if !slices.Equal(r.ProviderIDs(), catalog.Builtin().ProviderIDs()) {
		t.Errorf("providers = %v", r.ProviderIDs())
	}
}

func allCatalogueModels() []ai.Model {
	var all []ai.Model
	for _, p := range catalog.Builtin().Providers() {
		all = append(all, p.Models...)
	}
	return all
}

func TestRegistryProviderOverrideAppliesToEveryBuiltinModel(t *testing.T) {
	r := registryFrom(t, `{"providers":{"anthropic":{"baseUrl":"https://proxy.example.com","compat":{"supportsEagerToolInputStreaming":false}}}}`)
	for _, m := range r.Models() {
		if m.Provider != "anthropic" {
			if m.Provider == "openai" && m.BaseURL != "https://api.openai.com/v1" {
				t.Errorf("override leaked to %s/%s", m.Provider, m.ID)
			}
			continue
		}
		if m.BaseURL != "https://proxy.example.com" || string(m.Compat) != `{"supportsEagerToolInputStreaming":false}` {
			t.Errorf("%s: baseUrl=%s compat=%s", m.ID, m.BaseURL, m.Compat)
		}
	}
}

func TestRegistryCompatMergesRoutingOneLevelDeeper(t *testing.T) {
	r := registryFrom(t, `{"providers":{"openrouter":{
		"compat":{"openRouterRouting":{"only":["a"],"order":["a","b"]},"supportsStore":false},
		"modelOverrides":{"anthropic/claude-sonnet-4.5":{"compat":{"openRouterRouting":{"only":["bedrock"]},"supportsStrictMode":false}}}}}}`)
	m := mustFind(t, r, "openrouter", "anthropic/claude-sonnet-4.5")
	want := `{"openRouterRouting":{"only":["bedrock"],"order":["a","b"]},"supportsStore":false,"supportsStrictMode":false}`
	if !equalJSONText(t, string(m.Compat), want) {
		t.Errorf("compat = %s", m.Compat)
	}
	// The DeepSeek model carries built-in compat; provider compat merges over it.
	d := mustFind(t, r, "openrouter", "deepseek/deepseek-v4-pro")
	if !equalJSONText(t, string(d.Compat), `{"requiresReasoningContentOnAssistantMessages":true,"thinkingFormat":"deepseek","openRouterRouting":{"only":["a"],"order":["a","b"]},"supportsStore":false}`) {
		t.Errorf("deepseek compat = %s", d.Compat)
	}
}

func TestRegistryModelOverrides(t *testing.T) {
	before := mustFind(t, BuildRegistry(catalog.Builtin(), nil, nil), "anthropic", "claude-opus-4-6")
	r := registryFrom(t, `{"providers":{"anthropic":{"modelOverrides":{
		"claude-opus-4-6":{"name":"Opus (proxy)","contextWindow":500000,"maxTokens":1000,"cost":{"input":1},
			"input":["text"],"thinkingLevelMap":{"minimal":null},"headers":{"x-h":"v"}},
		"no-such-model":{"name":"ignored"}}}}}`)
	m := mustFind(t, r, "anthropic", "claude-opus-4-6")
	if m.Name != "Opus (proxy)" || m.ContextWindow != 500000 || m.MaxTokens != 1000 || !slices.Equal(m.Input, []string{"text"}) {
		t.Errorf("override not applied: %+v", m)
	}
	if m.Cost.Input != 1 || m.Cost.Output != before.Cost.Output || m.Cost.CacheRead != before.Cost.CacheRead {
		t.Errorf("partial cost: %+v (was %+v)", m.Cost, before.Cost)
	}
	if got := ai.SupportedThinkingLevels(&m); !slices.Equal(got, []string{"off", "low", "medium", "high", "xhigh"}) {
		t.Errorf("thinking map not merged: %v", got)
	}
	if m.Headers != nil {
		t.Errorf("override headers belong to requests, not the model: %v", m.Headers)
	}
	if _, ok := r.Find("anthropic", "no-such-model"); ok {
		t.Error("override of an unknown id created a model")
	}
}

func TestRegistryCustomModels(t *testing.T) {
	r := registryFrom(t, `{"providers":{
		"ollama":{"baseUrl":"http://localhost:11434/v1","api":"openai-completions","apiKey":"ollama",
			"compat":{"supportsDeveloperRole":false},
			"models":[{"id":"llama3.1:8b"},{"id":"qwen","name":"Qwen","reasoning":true,"input":["text","image"],
				"contextWindow":32000,"maxTokens":4096,"cost":{"input":1,"output":2,"cacheRead":0,"cacheWrite":0},
				"compat":{"supportsReasoningEffort":false},"api":"openai-responses","baseUrl":"http://other/v1"}]},
		"anthropic":{"models":[{"id":"claude-opus-4-6","name":"Replaced"},{"id":"claude-next"}]}}}`)
	want := ai.Model{ID: "llama3.1:8b", Name: "llama3.1:8b", API: "openai-completions", Provider: "ollama",
		BaseURL: "http://localhost:11434/v1", Input: []string{"text"}, ContextWindow: 128000, MaxTokens: 16384,
		Compat: []byte(`{"supportsDeveloperRole":false}`)}
	if got := mustFind(t, r, "ollama", "llama3.1:8b"); !equalJSONText(t, string(mustJSON(t, got)), string(mustJSON(t, want))) {
		t.Errorf("defaults:\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, want))
	}
	q := mustFind(t, r, "ollama", "qwen")
	if q.API != "openai-responses" || q.BaseURL != "http://other/v1" || !q.Reasoning || q.ContextWindow != 32000 ||
		q.Cost.Output != 2 || !equalJSONText(t, string(q.Compat), `{"supportsDeveloperRole":false,"supportsReasoningEffort":false}`) {
		t.Errorf("qwen = %+v compat=%s", q, q.Compat)
	}
	if got := mustFind(t, r, "anthropic", "claude-opus-4-6"); got.Name != "Replaced" || got.Reasoning || got.ContextWindow != 128000 {
		t.Errorf("custom model did not replace the built-in one: %+v", got)
	}
	next := mustFind(t, r, "anthropic", "claude-next")
	if next.API != ai.APIAnthropicMessages || next.BaseURL != "https://api.anthropic.com" {
		t.Errorf("custom model on a built-in provider did not inherit api/baseUrl: %+v", next)
	}
	ids := r.ProviderIDs()
	if ids[len(ids)-1] != "ollama" || slices.Index(ids, "anthropic") != 0 {
		t.Errorf("provider order = %v", ids)
	}
	if !r.InModelsJSON("ollama") || !r.InModelsJSON("anthropic") || r.InModelsJSON("openai") {
		t.Error("InModelsJSON")
	}
	n := 0
	for _, m := range r.Models() {
		if m.Provider == "anthropic" && m.ID == "claude-opus-4-6" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d copies of an upserted model", n)
	}
}

func TestRegistryReturnsCopies(t *testing.T) {
	r := registryFrom(t, `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m"}]}}}`)
	m := mustFind(t, r, "x", "m")
	m.Input[0] = "changed"
	if mustFind(t, r, "x", "m").Input[0] != "text" {
		t.Error("registry mutated through a returned model")
	}
}
