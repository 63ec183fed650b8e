package piconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai/catalog"
)

func parseModels(data string) (*ModelsConfig, error) {
	return ParseModelsConfig([]byte(data), catalog.Builtin().Has)
}

func TestParseModelsConfigAccepts(t *testing.T) {
	tests := map[string]string{
		"ollama minimal": `{"providers":{"ollama":{"baseUrl":"http://localhost:11434/v1","api":"openai-completions","apiKey":"ollama","models":[{"id":"llama3.1:8b"}]}}}`,
		"comments and trailing commas": `{
			// local server
			"providers": {
				"local": {"baseUrl": "http://x//not-a-comment", "api": "openai-completions", "apiKey": "k",
					"models": [{"id": "m", "name": "has // inside",},],},
			},
		}`,
		"override only baseUrl":   `{"providers":{"anthropic":{"baseUrl":"https://proxy.example.com"}}}`,
		"override only headers":   `{"providers":{"openai":{"headers":{"x-a":"b"}}}}`,
		"override only compat":    `{"providers":{"openrouter":{"compat":{"openRouterRouting":{"only":["x"]}}}}}`,
		"modelOverrides only":     `{"providers":{"openai":{"modelOverrides":{"gpt-5":{"name":"G","cost":{"input":1}}}}}}`,
		"builtin with models":     `{"providers":{"anthropic":{"models":[{"id":"claude-next"}]}}}`,
		"model-level api":         `{"providers":{"x":{"baseUrl":"u","apiKey":"k","models":[{"id":"m","api":"openai-responses"}]}}}`,
		"unknown keys ignored":    `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","future":1,"models":[{"id":"m","future":true}]}},"$schema":"s"}`,
		"thinkingLevelMap nulls":  `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","reasoning":true,"thinkingLevelMap":{"minimal":null,"xhigh":"max"}}]}}}`,
		"loose compat like pi":    `{"providers":{"x":{"baseUrl":"u","compat":{"maxTokensField":"bogus"}}}}`,
		"empty providers":         `{"providers":{}}`,
		"anthropic compat":        `{"providers":{"x":{"baseUrl":"u","compat":{"supportsEagerToolInputStreaming":false}}}}`,
		"fractional window":       `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","contextWindow":1000.5}]}}}`,
		"empty header value kept": `{"providers":{"x":{"baseUrl":"u","headers":{"x-empty":""}}}}`,
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := parseModels(data); err != nil {
				t.Errorf("rejected: %v", err)
			}
		})
	}
}

func TestParseModelsConfigRejects(t *testing.T) {
	tests := []struct{ name, data, wantInError string }{
		{"not json", `{"providers":`, "failed to parse"},
		{"no providers", `{}`, "providers: is required"},
		{"providers not object", `{"providers":[]}`, "providers: must be object"},
		{"model without id", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"name":"n"}]}}}`, "providers.x.models.0.id: is required"},
		{"empty id", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":""}]}}}`, "providers.x.models.0.id: must not be empty"},
		{"wrong input kind", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","input":["audio"]}]}}}`, "providers.x.models.0.input.0"},
		{"partial cost on a custom model", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","cost":{"input":1}}]}}}`, "models.0.cost.output: is required"},
		{"string window", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","contextWindow":"big"}]}}}`, "contextWindow: must be number"},
		{"header not string", `{"providers":{"x":{"baseUrl":"u","headers":{"a":1}}}}`, "providers.x.headers.a: must be string"},
		{"compat wrong in every branch", `{"providers":{"x":{"baseUrl":"u","compat":{"supportsLongCacheRetention":"yes"}}}}`, "compat.supportsLongCacheRetention: must be boolean"},
		{"thinking map value", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","thinkingLevelMap":{"high":3}}]}}}`, "thinkingLevelMap.high: must be string"},
		{"override wrong type", `{"providers":{"openai":{"modelOverrides":{"gpt-5":{"reasoning":"yes"}}}}}`, "modelOverrides.gpt-5.reasoning: must be boolean"},
		{"empty provider", `{"providers":{"x":{}}}`, `provider x: must specify "baseUrl"`},
		{"custom models need baseUrl", `{"providers":{"x":{"apiKey":"k","api":"a","models":[{"id":"m"}]}}}`, `"baseUrl" is required`},
		{"custom models need apiKey", `{"providers":{"x":{"baseUrl":"u","api":"a","models":[{"id":"m"}]}}}`, `"apiKey" is required`},
		{"custom models need an api", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","models":[{"id":"m"}]}}}`, `no "api" specified`},
		{"zero window", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","contextWindow":0}]}}}`, "invalid contextWindow"},
		{"negative max tokens", `{"providers":{"x":{"baseUrl":"u","apiKey":"k","api":"a","models":[{"id":"m","maxTokens":-1}]}}}`, "invalid maxTokens"},
		{"empty apiKey", `{"providers":{"x":{"baseUrl":"u","apiKey":""}}}`, "providers.x.apiKey: must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseModels(tt.data)
			if !errors.Is(err, ErrInvalidModels) {
				t.Fatalf("err = %v, want ErrInvalidModels", err)
			}
			if !strings.Contains(err.Error(), tt.wantInError) {
				t.Errorf("error %q does not mention %q", err, tt.wantInError)
			}
		})
	}
}

func TestParseModelsConfigReportsEveryProblem(t *testing.T) {
	_, err := parseModels(`{"providers":{"a":{"baseUrl":1},"b":{"api":false}}}`)
	if err == nil || !strings.Contains(err.Error(), "providers.a.baseUrl") || !strings.Contains(err.Error(), "providers.b.api") {
		t.Errorf("err = %v", err)
	}
}

func TestStripJSONComments(t *testing.T) {
	in := "{\"a\": \"x // y\", // note\n \"b\": [1, 2,], \"c\": \"q\\\" // ,}\",}"
	want := "{\"a\": \"x // y\", \n \"b\": [1, 2], \"c\": \"q\\\" // ,}\"}"
	if got := string(stripJSONComments([]byte(in))); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
