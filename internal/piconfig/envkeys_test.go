package piconfig

import (
	"os"
	"path/filepath"
	"testing"
)

func TestEnvAPIKey(t *testing.T) {
	home := t.TempDir()
	adc := filepath.Join(home, ".config", "gcloud", "application_default_credentials.json")
	if err := os.MkdirAll(filepath.Dir(adc), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(adc, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, provider string
		env            Environ
		want           string
	}{
		{"anthropic key", "anthropic", Environ{"ANTHROPIC_API_KEY": "k"}, "k"},
		{"anthropic oauth token wins", "anthropic", Environ{"ANTHROPIC_API_KEY": "k", "ANTHROPIC_OAUTH_TOKEN": "o"}, "o"},
		{"empty variable is unset", "openai", Environ{"OPENAI_API_KEY": ""}, ""},
		{"google", "google", Environ{"GEMINI_API_KEY": "g"}, "g"},
		{"mistral", "mistral", Environ{"MISTRAL_API_KEY": "m"}, "m"},
		{"copilot only reads its own variable", "github-copilot", Environ{"GH_TOKEN": "x", "GITHUB_TOKEN": "y"}, ""},
		{"copilot", "github-copilot", Environ{"COPILOT_GITHUB_TOKEN": "c"}, "c"},
		{"hugging face", "huggingface", Environ{"HF_TOKEN": "h"}, "h"},
		{"unknown provider", "my-llm", Environ{"MY_LLM_API_KEY": "x"}, ""},
		{"bedrock profile", "amazon-bedrock", Environ{"AWS_PROFILE": "p"}, AuthenticatedSentinel},
		{"bedrock needs both keys", "amazon-bedrock", Environ{"AWS_ACCESS_KEY_ID": "a"}, ""},
		{"bedrock key pair", "amazon-bedrock", Environ{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "s"}, AuthenticatedSentinel},
		{"vertex api key", "google-vertex", Environ{"GOOGLE_CLOUD_API_KEY": "v"}, "v"},
		{"vertex adc", "google-vertex", Environ{"HOME": home, "GOOGLE_CLOUD_PROJECT": "p", "GOOGLE_CLOUD_LOCATION": "l"}, AuthenticatedSentinel},
		{"vertex adc without location", "google-vertex", Environ{"HOME": home, "GCLOUD_PROJECT": "p"}, ""},
		{"vertex adc file missing", "google-vertex", Environ{"GOOGLE_APPLICATION_CREDENTIALS": "/nope", "GOOGLE_CLOUD_PROJECT": "p", "GOOGLE_CLOUD_LOCATION": "l"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EnvAPIKey(tt.provider, tt.env); got != tt.want {
				t.Errorf("EnvAPIKey = %q, want %q", got, tt.want)
			}
		})
	}
	if name, ok := FindEnvKey("anthropic", Environ{"ANTHROPIC_API_KEY": "k"}); !ok || name != "ANTHROPIC_API_KEY" {
		t.Errorf("FindEnvKey = %s %v", name, ok)
	}
	if got := EnvKeyNames("openai"); len(got) != 1 || got[0] != "OPENAI_API_KEY" {
		t.Errorf("EnvKeyNames = %v", got)
	}
}
