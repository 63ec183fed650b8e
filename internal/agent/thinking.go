package agent

import "github.com/pi-forge/pi-forge/internal/ai"

// clampThinking is ai.ClampThinkingLevel that also takes no model ("off").
func clampThinking(m *ai.Model, level string) string {
	if m == nil {
		return ai.ThinkingOff
	}
	return ai.ClampThinkingLevel(m, level)
}
