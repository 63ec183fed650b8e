// Package providers assembles the built-in LLM adapters into one
// ai.Provider that dispatches on the model's wire API.
package providers

import (
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/anthropic"
	"github.com/pi-forge/pi-forge/internal/ai/google"
	"github.com/pi-forge/pi-forge/internal/ai/openai"
)

// New returns a dispatcher over the four built-in adapters
// (anthropic-messages, openai-completions, openai-responses,
// google-generative-ai), sharing cfg. Adapters never retry on their own: the
// agent loop's auto-retry is the one, visible, retry policy.
func New(cfg ai.AdapterConfig) *ai.Dispatcher {
	cfg = cfg.WithDefaults()
	return ai.NewDispatcher(map[string]ai.Provider{
		ai.APIAnthropicMessages:  anthropic.New(cfg),
		ai.APIOpenAICompletions:  openai.NewCompletions(cfg),
		ai.APIOpenAIResponses:    openai.NewResponses(cfg),
		ai.APIGoogleGenerativeAI: google.New(cfg),
	})
}
