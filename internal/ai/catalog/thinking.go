package catalog

import (
	"slices"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// SupportedThinkingLevels returns the thinking levels m accepts, in ascending
// order, as pi decides them: a model without reasoning only has "off"; a
// level mapped to null in thinkingLevelMap is unsupported; "xhigh" exists
// only when the map names a value for it.
func SupportedThinkingLevels(m *ai.Model) []string {
	if !m.Reasoning {
		return []string{ai.ThinkingOff}
	}
	levels := make([]string, 0, len(ai.ThinkingLevels))
	for _, level := range ai.ThinkingLevels {
		value, mapped := m.ThinkingLevelMap[level]
		if mapped && value == nil {
			continue
		}
		if level == ai.ThinkingXHigh && !mapped {
			continue
		}
		levels = append(levels, level)
	}
	return levels
}

// SupportsThinkingLevel reports whether m accepts level.
func SupportsThinkingLevel(m *ai.Model, level string) bool {
	return slices.Contains(SupportedThinkingLevels(m), level)
}

// ClampThinkingLevel returns level if m supports it, else the nearest
// supported level above it, else the nearest below. An unknown level becomes
// the model's lowest supported level.
func ClampThinkingLevel(m *ai.Model, level string) string {
	supported := SupportedThinkingLevels(m)
	if len(supported) == 0 {
		return ai.ThinkingOff
	}
	if slices.Contains(supported, level) {
		return level
	}
	want := slices.Index(ai.ThinkingLevels, level)
	if want < 0 {
		return supported[0]
	}
	for _, candidate := range ai.ThinkingLevels[want+1:] {
		if slices.Contains(supported, candidate) {
			return candidate
		}
	}
	for i := want - 1; i >= 0; i-- {
		if slices.Contains(supported, ai.ThinkingLevels[i]) {
			return ai.ThinkingLevels[i]
		}
	}
	return supported[0]
}

// ThinkingLevelValue returns the provider-specific value thinkingLevelMap
// gives level, and whether it gives one. Adapters send it in place of their
// default mapping for the level.
func ThinkingLevelValue(m *ai.Model, level string) (string, bool) {
	v := m.ThinkingLevelMap[level]
	if v == nil {
		return "", false
	}
	return *v, true
}
