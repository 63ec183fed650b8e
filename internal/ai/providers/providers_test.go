package providers_test

import (
	"context"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/ai/providers"
)

// One fake, one dispatcher: each wire API reaches its adapter and back.
func TestEveryWireAPIRoundTrips(t *testing.T) {
	apis := []string{ai.APIAnthropicMessages, ai.APIOpenAICompletions, ai.APIOpenAIResponses, ai.APIGoogleGenerativeAI}
	srv := aitest.NewServer(t, aitest.Script{Fallback: &aitest.Canned{Mode: "echo"}})
	p := providers.New(ai.AdapterConfig{Getenv: func(string) string { return "" }})
	for _, api := range apis {
		msg := p.Stream(context.Background(), srv.Model(api),
			&ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("ping " + api)}}}},
			&ai.StreamOptions{APIKey: "k"}, nil)
		if msg.StopReason != ai.StopReasonStop || msg.Text() != "You said: ping "+api || msg.API != api {
			t.Errorf("%s: %q %q %q", api, msg.StopReason, msg.Text(), msg.ErrorMessage)
		}
	}
	reqs := srv.Requests()
	for i, api := range apis {
		if reqs[i].API != api {
			t.Errorf("request %d went to %s, want %s", i, reqs[i].API, api)
		}
	}
}
