package catalog

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/testutil/picli"
)

func TestBuiltinProviders(t *testing.T) {
	c := Builtin()
	tests := []struct {
		provider, api, baseURL, defaultModel string
	}{
		{"anthropic", ai.APIAnthropicMessages, "https://api.anthropic.com", "claude-opus-4-7"},
		{"openai", ai.APIOpenAIResponses, "https://api.openai.com/v1", "gpt-5.4"},
		{"google", ai.APIGoogleGenerativeAI, "https://generativelanguage.googleapis.com/v1beta", "gemini-3.1-pro-preview"},
		{"openrouter", ai.APIOpenAICompletions, "https://openrouter.ai/api/v1", "moonshotai/kimi-k2.6"},
		{"groq", ai.APIOpenAICompletions, "https://api.groq.com/openai/v1", "openai/gpt-oss-120b"},
		{"xai", ai.APIOpenAICompletions, "https://api.x.ai/v1", "grok-4.20-0309-reasoning"},
		{"mistral", ai.APIOpenAICompletions, "https://api.mistral.ai/v1", "devstral-medium-latest"},
		{"cerebras", ai.APIOpenAICompletions, "https://api.cerebras.ai/v1", "zai-glm-4.7"},
		{"deepseek", ai.APIOpenAICompletions, "https://api.deepseek.com", "deepseek-v4-pro"},
		{"zai", ai.APIOpenAICompletions, "https://api.z.ai/api/coding/paas/v4", "glm-5.1"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			p, ok := c.Provider(tt.provider)
			if !ok {
				t.Fatalf("provider %s missing", tt.provider)
			}
			if p.API != tt.api || p.BaseURL != tt.baseURL || p.DefaultModel != tt.defaultModel {
				t.Errorf("got api=%s baseUrl=%s default=%s", p.API, p.BaseURL, p.DefaultModel)
			}
			if _, ok := c.Model(tt.provider, tt.defaultModel); !ok {
				t.Errorf("default model %s not in catalogue", tt.defaultModel)
			}
			for _, m := range p.Models {
				if m.Provider != tt.provider || m.API == "" || m.BaseURL == "" || len(m.Input) == 0 {
					t.Errorf("incomplete model %+v", m)
				}
			}
		})
	}
	if n := len(c.Providers()); n < len(tests) {
		t.Errorf("only %d providers", n)
	}
}

func TestModelFacts(t *testing.T) {
	m, ok := Builtin().Model("anthropic", "claude-sonnet-4-5")
	if !ok {
		t.Fatal("claude-sonnet-4-5 missing")
	}
	want := ai.Model{
		ID: "claude-sonnet-4-5", Name: "Claude Sonnet 4.5 (latest)", API: ai.APIAnthropicMessages,
		Provider: "anthropic", BaseURL: "https://api.anthropic.com", Reasoning: true,
		Input:         []string{"text", "image"},
		Cost:          ai.ModelCost{Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75},
		ContextWindow: 200000, MaxTokens: 64000,
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}
	if _, ok := Builtin().Model("anthropic", "no-such-model"); ok {
		t.Error("unknown model found")
	}
	if _, ok := Builtin().Model("no-such-provider", "x"); ok {
		t.Error("unknown provider found")
	}
	if Builtin().DefaultModelID("no-such-provider") != "" || Builtin().Models("no-such-provider") != nil {
		t.Error("unknown provider has a default or models")
	}
}

func TestMistralUsesOpenAICompatibleEndpoint(t *testing.T) {
	for _, m := range Builtin().Models("mistral") {
		var compat map[string]any
		if err := json.Unmarshal(m.Compat, &compat); err != nil {
			t.Fatalf("%s compat: %v", m.ID, err)
		}
		if compat["supportsDeveloperRole"] != false || compat["maxTokensField"] != "max_tokens" {
			t.Errorf("%s compat = %v", m.ID, compat)
		}
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	c := Builtin()
	m, _ := c.Model("anthropic", "claude-opus-4-6")
	m.Input[0] = "changed"
	*m.ThinkingLevelMap[ai.ThinkingXHigh] = "changed"
	ms := c.Models("anthropic")
	ms[0].Name = "changed"
	again, _ := c.Model("anthropic", "claude-opus-4-6")
	if again.Input[0] != "text" || *again.ThinkingLevelMap[ai.ThinkingXHigh] != "max" {
		t.Errorf("catalogue was mutated through a returned model: %+v", again)
	}
	if c.Models("anthropic")[0].Name == "changed" {
		t.Error("catalogue was mutated through Models")
	}
}

func TestParseRejectsBadCatalogues(t *testing.T) {
	tests := map[string]string{
		"not json":           `{`,
		"unknown field":      `{"providers":[{"id":"a","surprise":1,"models":[]}]}`,
		"duplicate provider": `{"providers":[{"id":"a","models":[]},{"id":"a","models":[]}]}`,
		"model without id":   `{"providers":[{"id":"a","models":[{"contextWindow":1,"maxTokens":1}]}]}`,
		"zero window":        `{"providers":[{"id":"a","models":[{"id":"m","maxTokens":1}]}]}`,
	}
	for name, data := range tests {
		if _, err := Parse([]byte(data)); err == nil {
			t.Errorf("%s: Parse accepted %s", name, data)
		}
	}
	c, err := Parse([]byte(`{"providers":[{"id":"a","api":"x","baseUrl":"u","models":[{"id":"m","baseUrl":"v","contextWindow":1,"maxTokens":1}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := c.Model("a", "m")
	if m.API != "x" || m.BaseURL != "v" || m.Provider != "a" {
		t.Errorf("defaults not applied: %+v", m)
	}
}

// piCheck is what testdata/picheck.mjs reports for one model.
type piCheck struct {
	Provider  string            `json:"provider"`
	ID        string            `json:"id"`
	Pi        json.RawMessage   `json:"pi"`
	Supported []string          `json:"supported"`
	Clamped   map[string]string `json:"clamped"`
}

// runPiCheck asks pi's own catalogue code about every model in models.
func runPiCheck(t *testing.T, models []ai.Model) []piCheck {
	t.Helper()
	pi := picli.Find(t)
	dist := filepath.Join(filepath.Dir(pi.Script), "..", "..", "pi-ai", "dist")
	in, err := json.Marshal(models)
	if err != nil {
		t.Fatal(err)
	}
	cmd := pi.Command()
	cmd.Args = []string{pi.Node, filepath.Join("testdata", "picheck.mjs"), dist}
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("picheck: %v\n%s", err, stderr.String())
	}
	var checks []piCheck
	if err := json.Unmarshal(out, &checks); err != nil {
		t.Fatal(err)
	}
	if len(checks) != len(models) {
		t.Fatalf("picheck answered %d of %d models", len(checks), len(models))
	}
	return checks
}

func allModels(c *Catalog) []ai.Model {
	var all []ai.Model
	for _, p := range c.Providers() {
		all = append(all, p.Models...)
	}
	return all
}

// TestCatalogueMatchesPi checks the embedded catalogue against the pinned pi:
// every model exists there with the same facts (mistral keeps its facts but
// moves to the OpenAI-compatible endpoint), so a pi upgrade without
// `go generate` fails here.
func TestCatalogueMatchesPi(t *testing.T) {
	models := allModels(Builtin())
	for i, check := range runPiCheck(t, models) {
		m := models[i]
		if string(check.Pi) == "null" {
			t.Errorf("%s/%s is not in pi's catalogue", m.Provider, m.ID)
			continue
		}
		var piModel ai.Model
		if err := json.Unmarshal(check.Pi, &piModel); err != nil {
			t.Fatal(err)
		}
		if m.Provider == "mistral" {
			piModel.API, piModel.BaseURL = m.API, m.BaseURL
			piModel.Compat, piModel.ThinkingLevelMap = m.Compat, m.ThinkingLevelMap
		}
		if !equalJSON(t, m, piModel) {
			t.Errorf("%s/%s differs from pi:\n ours %s\n pi   %s", m.Provider, m.ID, mustJSON(m), check.Pi)
		}
	}
}

// TestThinkingLevelsMatchPi runs pi's getSupportedThinkingLevels and
// clampThinkingLevel on every catalogue model plus hand-made edge cases.
func TestThinkingLevelsMatchPi(t *testing.T) {
	str := func(s string) *string { return &s }
	models := append(allModels(Builtin()),
		ai.Model{ID: "plain", Provider: "x", Reasoning: false},
		ai.Model{ID: "no-map", Provider: "x", Reasoning: true},
		ai.Model{ID: "always-thinks", Provider: "x", Reasoning: true, ThinkingLevelMap: map[string]*string{"off": nil}},
		ai.Model{ID: "only-high-max", Provider: "x", Reasoning: true, ThinkingLevelMap: map[string]*string{
			"minimal": nil, "low": nil, "medium": nil, "high": str("high"), "xhigh": str("max")}},
		ai.Model{ID: "xhigh-off", Provider: "x", Reasoning: true, ThinkingLevelMap: map[string]*string{"xhigh": nil}},
	)
	for i, check := range runPiCheck(t, models) {
		m := &models[i]
		if got := ai.SupportedThinkingLevels(m); !slices.Equal(got, check.Supported) {
			t.Errorf("%s/%s supported = %v, pi says %v", m.Provider, m.ID, got, check.Supported)
		}
		for level, want := range check.Clamped {
			if got := ai.ClampThinkingLevel(m, level); got != want {
				t.Errorf("%s/%s clamp(%s) = %s, pi says %s", m.Provider, m.ID, level, got, want)
			}
		}
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(mustJSON(a), &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mustJSON(b), &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
