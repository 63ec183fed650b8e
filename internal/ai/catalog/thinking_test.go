package catalog

import (
	"slices"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// The thinking-level rules live in package ai; these tests pin them on real
// catalogue models, whose thinkingLevelMap entries drive them.

func TestThinkingLevels(t *testing.T) {
	all := []string{"off", "minimal", "low", "medium", "high"}
	tests := []struct {
		provider, id string
		supported    []string
		clamp        map[string]string // requested -> effective
	}{
		{"anthropic", "claude-3-5-haiku-20241022", []string{"off"}, map[string]string{"high": "off", "off": "off"}},
		{"anthropic", "claude-sonnet-4-5", all, map[string]string{"xhigh": "high", "minimal": "minimal"}},
		{"anthropic", "claude-opus-4-6", append(all, "xhigh"), map[string]string{"xhigh": "xhigh"}},
		{"openai", "gpt-5", []string{"minimal", "low", "medium", "high"}, map[string]string{"off": "minimal", "xhigh": "high"}},
		{"openai", "gpt-5.4", append(all, "xhigh"), map[string]string{"off": "off"}},
		{"google", "gemini-3.1-pro-preview", []string{"low", "high"},
			map[string]string{"off": "low", "minimal": "low", "medium": "high", "xhigh": "high", "nonsense": "low"}},
		{"deepseek", "deepseek-v4-pro", []string{"off", "high", "xhigh"}, map[string]string{"low": "high", "medium": "high"}},
		{"groq", "qwen/qwen3-32b", []string{"off", "high"}, map[string]string{"minimal": "high"}},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"/"+tt.id, func(t *testing.T) {
			m, ok := Builtin().Model(tt.provider, tt.id)
			if !ok {
				t.Fatal("model missing")
			}
			if got := ai.SupportedThinkingLevels(&m); !slices.Equal(got, tt.supported) {
				t.Errorf("supported = %v, want %v", got, tt.supported)
			}
			for level, want := range tt.clamp {
				if got := ai.ClampThinkingLevel(&m, level); got != want {
					t.Errorf("clamp(%s) = %s, want %s", level, got, want)
				}
			}
			for _, level := range tt.supported {
				if !slices.Contains(ai.SupportedThinkingLevels(&m), level) {
					t.Errorf("SupportsThinkingLevel(%s) = false", level)
				}
			}
		})
	}
}

func TestThinkingLevelValue(t *testing.T) {
	m, _ := Builtin().Model("google", "gemini-3.1-pro-preview")
	if v, ok := ai.MappedThinkingLevel(&m, "low"); !ok || v != "LOW" {
		t.Errorf("low -> %q %v", v, ok)
	}
	if _, ok := ai.MappedThinkingLevel(&m, "medium"); ok {
		t.Error("null level has a value")
	}
	o, _ := Builtin().Model("anthropic", "claude-sonnet-4-5")
	if _, ok := ai.MappedThinkingLevel(&o, "high"); ok {
		t.Error("unmapped level has a value")
	}
}
