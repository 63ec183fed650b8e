package ai

import (
	"reflect"
	"testing"
)

func str(s string) *string { return &s }

func TestThinkingLevels(t *testing.T) {
	plain := &Model{Reasoning: true}
	noReason := &Model{}
	xhigh := &Model{Reasoning: true, ThinkingLevelMap: map[string]*string{ThinkingXHigh: str("max")}}
	sparse := &Model{Reasoning: true, ThinkingLevelMap: map[string]*string{
		ThinkingMinimal: nil, ThinkingLow: nil, ThinkingMedium: nil, ThinkingXHigh: str("max"), ThinkingOff: nil,
	}}
	if got := SupportedThinkingLevels(plain); !reflect.DeepEqual(got, []string{"off", "minimal", "low", "medium", "high"}) {
		t.Errorf("plain = %v", got)
	}
	if got := SupportedThinkingLevels(noReason); !reflect.DeepEqual(got, []string{"off"}) {
		t.Errorf("no reasoning = %v", got)
	}
	if got := SupportedThinkingLevels(sparse); !reflect.DeepEqual(got, []string{"high", "xhigh"}) {
		t.Errorf("sparse = %v", got)
	}
	cases := []struct {
		m           *Model
		level, want string
	}{
		{plain, "xhigh", "high"},
		{xhigh, "xhigh", "xhigh"},
		{noReason, "high", "off"},
		{sparse, "low", "high"},
		{sparse, "off", "high"},
		{plain, "bogus", "off"},
	}
	for _, c := range cases {
		if got := ClampThinkingLevel(c.m, c.level); got != c.want {
			t.Errorf("Clamp(%v, %s) = %s, want %s", SupportedThinkingLevels(c.m), c.level, got, c.want)
		}
	}
	if ReasoningLevel(plain, "off") != "" || ReasoningLevel(plain, "") != "" || ReasoningLevel(noReason, "high") != "" || ReasoningLevel(plain, "xhigh") != "high" {
		t.Error("ReasoningLevel")
	}
	if v, ok := MappedThinkingLevel(xhigh, "xhigh"); !ok || v != "max" {
		t.Errorf("mapped = %q %v", v, ok)
	}
}

func TestMaxTokensWithThinking(t *testing.T) {
	cases := []struct {
		base, modelMax      int
		level               string
		custom              *ThinkingBudgets
		wantMax, wantBudget int
	}{
		{32000, 64000, "medium", nil, 40192, 8192},
		{32000, 64000, "xhigh", nil, 48384, 16384},
		{4000, 64000, "high", &ThinkingBudgets{High: 10000}, 14000, 10000},
		{8000, 8192, "high", nil, 8192, 7168}, // no room: budget shrinks to leave 1024
		{100, 500, "minimal", nil, 500, 0},
	}
	for _, c := range cases {
		gotMax, gotBudget := MaxTokensWithThinking(c.base, c.modelMax, c.level, c.custom)
		if gotMax != c.wantMax || gotBudget != c.wantBudget {
			t.Errorf("%+v: got %d/%d", c, gotMax, gotBudget)
		}
	}
}

func TestCalculateCost(t *testing.T) {
	m := &Model{Cost: ModelCost{Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75}}
	u := Usage{Input: 1_000_000, Output: 2_000, CacheRead: 10_000, CacheWrite: 100}
	CalculateCost(m, &u)
	want := Cost{Input: 3, Output: 0.03, CacheRead: 0.003, CacheWrite: 0.000375}
	want.Total = want.Input + want.Output + want.CacheRead + want.CacheWrite
	near := func(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
	c := u.Cost
	if !near(c.Input, want.Input) || !near(c.Output, want.Output) || !near(c.CacheRead, want.CacheRead) ||
		!near(c.CacheWrite, want.CacheWrite) || !near(c.Total, want.Total) {
		t.Errorf("cost = %+v, want %+v", u.Cost, want)
	}
}
