package agent

import (
	"slices"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// SupportedThinkingLevels lists the levels a model accepts: only "off"
// without reasoning; otherwise every level its thinkingLevelMap does not map
// to null, with "xhigh" only when the map names it.
func SupportedThinkingLevels(m *ai.Model) []string {
	if m == nil || !m.Reasoning {
		return []string{ai.ThinkingOff}
	}
	var out []string
	for _, level := range ai.ThinkingLevels {
		mapped, listed := m.ThinkingLevelMap[level]
		if listed && mapped == nil {
			continue
		}
		if level == ai.ThinkingXHigh && !listed {
			continue
		}
		out = append(out, level)
	}
	return out
}

// ClampThinkingLevel returns level if the model supports it, else the
// nearest higher supported level, else the nearest lower one.
func ClampThinkingLevel(m *ai.Model, level string) string {
	supported := SupportedThinkingLevels(m)
	if slices.Contains(supported, level) {
		return level
	}
	want := slices.Index(ai.ThinkingLevels, level)
	if want < 0 {
		return supported[0]
	}
	for i := want; i < len(ai.ThinkingLevels); i++ {
		if slices.Contains(supported, ai.ThinkingLevels[i]) {
			return ai.ThinkingLevels[i]
		}
	}
	for i := want - 1; i >= 0; i-- {
		if slices.Contains(supported, ai.ThinkingLevels[i]) {
			return ai.ThinkingLevels[i]
		}
	}
	return supported[0]
}
