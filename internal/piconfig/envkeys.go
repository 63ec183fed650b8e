package piconfig

import (
	"os"
	"path/filepath"
)

// AuthenticatedSentinel is the "key" of providers whose credentials live
// outside pi (Vertex ADC, the AWS chain): the provider finds them itself.
const AuthenticatedSentinel = "<authenticated>"

// envKeyNames lists each provider's API-key variables, most preferred first
// (pi-ai env-api-keys.ts).
var envKeyNames = map[string][]string{
	"anthropic":              {"ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY"},
	"github-copilot":         {"COPILOT_GITHUB_TOKEN"},
	"openai":                 {"OPENAI_API_KEY"},
	"azure-openai-responses": {"AZURE_OPENAI_API_KEY"},
	"deepseek":               {"DEEPSEEK_API_KEY"},
	"google":                 {"GEMINI_API_KEY"},
	"google-vertex":          {"GOOGLE_CLOUD_API_KEY"},
	"groq":                   {"GROQ_API_KEY"},
	"cerebras":               {"CEREBRAS_API_KEY"},
	"xai":                    {"XAI_API_KEY"},
	"openrouter":             {"OPENROUTER_API_KEY"},
	"vercel-ai-gateway":      {"AI_GATEWAY_API_KEY"},
	"zai":                    {"ZAI_API_KEY"},
	"mistral":                {"MISTRAL_API_KEY"},
	"minimax":                {"MINIMAX_API_KEY"},
	"minimax-cn":             {"MINIMAX_CN_API_KEY"},
	"moonshotai":             {"MOONSHOT_API_KEY"},
	"moonshotai-cn":          {"MOONSHOT_API_KEY"},
	"huggingface":            {"HF_TOKEN"},
	"fireworks":              {"FIREWORKS_API_KEY"},
	"together":               {"TOGETHER_API_KEY"},
	"opencode":               {"OPENCODE_API_KEY"},
	"opencode-go":            {"OPENCODE_API_KEY"},
	"kimi-coding":            {"KIMI_API_KEY"},
	"cloudflare-workers-ai":  {"CLOUDFLARE_API_KEY"},
	"cloudflare-ai-gateway":  {"CLOUDFLARE_API_KEY"},
	"xiaomi":                 {"XIAOMI_API_KEY"},
	"xiaomi-token-plan-cn":   {"XIAOMI_TOKEN_PLAN_CN_API_KEY"},
	"xiaomi-token-plan-ams":  {"XIAOMI_TOKEN_PLAN_AMS_API_KEY"},
	"xiaomi-token-plan-sgp":  {"XIAOMI_TOKEN_PLAN_SGP_API_KEY"},
}

// EnvKeyNames returns the API-key variables pi reads for provider.
func EnvKeyNames(provider string) []string {
	return append([]string(nil), envKeyNames[provider]...)
}

// FindEnvKey returns the first of provider's key variables that is set.
func FindEnvKey(provider string, env Environ) (name string, ok bool) {
	for _, n := range envKeyNames[provider] {
		if env.Get(n) != "" {
			return n, true
		}
	}
	return "", false
}

// EnvAPIKey returns the key the environment gives provider: a key variable's
// value, or AuthenticatedSentinel when Vertex or Bedrock credentials are
// configured; "" when there is none.
func EnvAPIKey(provider string, env Environ) string {
	if name, ok := FindEnvKey(provider, env); ok {
		return env.Get(name)
	}
	switch provider {
	case "google-vertex":
		if hasVertexADC(env) && (env.Get("GOOGLE_CLOUD_PROJECT") != "" || env.Get("GCLOUD_PROJECT") != "") &&
			env.Get("GOOGLE_CLOUD_LOCATION") != "" {
			return AuthenticatedSentinel
		}
	case "amazon-bedrock":
		if hasAWSCredentials(env) {
			return AuthenticatedSentinel
		}
	}
	return ""
}

func hasVertexADC(env Environ) bool {
	path := env.Get("GOOGLE_APPLICATION_CREDENTIALS")
	if path == "" {
		home := env.Get("HOME")
		if home == "" {
			return false
		}
		path = filepath.Join(home, ".config", "gcloud", "application_default_credentials.json")
	}
	_, err := os.Stat(path)
	return err == nil
}

func hasAWSCredentials(env Environ) bool {
	for _, n := range []string{"AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		if env.Get(n) != "" {
			return true
		}
	}
	return env.Get("AWS_ACCESS_KEY_ID") != "" && env.Get("AWS_SECRET_ACCESS_KEY") != ""
}
