package ai

import "slices"

// SupportedThinkingLevels lists the levels a model accepts, in ascending
// order. A model without reasoning only has "off"; a level mapped to null in
// ThinkingLevelMap is unsupported; "xhigh" exists only when the map names it.
func SupportedThinkingLevels(m *Model) []string {
	if !m.Reasoning {
		return []string{ThinkingOff}
	}
	out := make([]string, 0, len(ThinkingLevels))
	for _, level := range ThinkingLevels {
		mapped, listed := m.ThinkingLevelMap[level]
		if listed && mapped == nil {
			continue
		}
		if level == ThinkingXHigh && !listed {
			continue
		}
		out = append(out, level)
	}
	return out
}

// ClampThinkingLevel returns level when the model supports it, else the
// nearest supported level above it, else the nearest below.
func ClampThinkingLevel(m *Model, level string) string {
	available := SupportedThinkingLevels(m)
	if slices.Contains(available, level) {
		return level
	}
	idx := slices.Index(ThinkingLevels, level)
	if idx < 0 {
		return first(available)
	}
	for _, l := range ThinkingLevels[idx:] {
		if slices.Contains(available, l) {
			return l
		}
	}
	for i := idx - 1; i >= 0; i-- {
		if slices.Contains(available, ThinkingLevels[i]) {
			return ThinkingLevels[i]
		}
	}
	return first(available)
}

func first(levels []string) string {
	if len(levels) == 0 {
		return ThinkingOff
	}
	return levels[0]
}

// MappedThinkingLevel returns the provider value the model's
// ThinkingLevelMap gives for level, and whether it gives one.
func MappedThinkingLevel(m *Model, level string) (string, bool) {
	v := m.ThinkingLevelMap[level]
	if v == nil {
		return "", false
	}
	return *v, true
}

// ReasoningLevel returns the effective thinking level of a call: "" when
// thinking is off or unset, else the level clamped to the model.
func ReasoningLevel(m *Model, requested string) string {
	if requested == "" || requested == ThinkingOff {
		return ""
	}
	level := ClampThinkingLevel(m, requested)
	if level == ThinkingOff {
		return ""
	}
	return level
}

// Level returns the budget set for a level, if any (zero means unset).
func (b *ThinkingBudgets) Level(level string) (int, bool) {
	if b == nil {
		return 0, false
	}
	var v int
	switch level {
	case ThinkingMinimal:
		v = b.Minimal
	case ThinkingLow:
		v = b.Low
	case ThinkingMedium:
		v = b.Medium
	case ThinkingHigh:
		v = b.High
	}
	return v, v > 0
}

// BudgetFor returns the token budget of a level ("xhigh" counts as "high"),
// taking custom budgets over the defaults (1024, 2048, 8192, 16384).
func BudgetFor(level string, custom *ThinkingBudgets) int {
	if level == ThinkingXHigh {
		level = ThinkingHigh
	}
	if v, ok := custom.Level(level); ok {
		return v
	}
	v, _ := (&ThinkingBudgets{Minimal: 1024, Low: 2048, Medium: 8192, High: 16384}).Level(level)
	return v
}

// MaxTokensWithThinking adds a thinking budget to the output limit: max
// tokens become min(base+budget, modelMax), and when that leaves no room for
// at least 1024 output tokens the budget shrinks instead.
func MaxTokensWithThinking(base, modelMax int, level string, custom *ThinkingBudgets) (maxTokens, budget int) {
	const minOutput = 1024
	budget = BudgetFor(level, custom)
	maxTokens = min(base+budget, modelMax)
	if maxTokens <= budget {
		budget = max(0, maxTokens-minOutput)
	}
	return maxTokens, budget
}

// BaseMaxTokens is the output limit of a call before any thinking budget:
// the caller's MaxTokens, else the model's.
func BaseMaxTokens(m *Model, opts *StreamOptions) int {
	if opts != nil && opts.MaxTokens > 0 {
		return opts.MaxTokens
	}
	return m.MaxTokens
}
