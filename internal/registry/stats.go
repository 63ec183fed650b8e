package registry

import (
	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/session"
)

// TurnUsage is one assistant response of the context inspector.
type TurnUsage struct {
	Index           int     `json:"index"`
	InputTokens     int     `json:"inputTokens"`
	OutputTokens    int     `json:"outputTokens"`
	CacheReadTokens int     `json:"cacheReadTokens"`
	CacheWriteToken int     `json:"cacheWriteTokens"`
	TotalTokens     int     `json:"totalTokens"`
	Cost            float64 `json:"cost"`
	Model           string  `json:"model"`
	Provider        string  `json:"provider"`
	Timestamp       int64   `json:"timestamp"`
	StopReason      string  `json:"stopReason,omitempty"`
}

// ContextUsage is how full the model's window is. Tokens and Percent are
// nil when unknown (after a compaction, until the next response).
type ContextUsage struct {
	ContextWindow int      `json:"contextWindow"`
	Tokens        *int     `json:"tokens,omitempty"`
	Percent       *float64 `json:"percent,omitempty"`
}

// ContextStats is GET /sessions/{id}/context.
type ContextStats struct {
	Messages              []ai.Message `json:"messages"`
	TotalInputTokens      int          `json:"totalInputTokens"`
	TotalOutputTokens     int          `json:"totalOutputTokens"`
	TotalCacheReadTokens  int          `json:"totalCacheReadTokens"`
	TotalCacheWriteTokens int          `json:"totalCacheWriteTokens"`
	TotalTokens           int          `json:"totalTokens"`
	TotalCost             float64      `json:"totalCost"`
	Turns                 []TurnUsage  `json:"turns"`
	ContextUsage          ContextUsage `json:"contextUsage"`
}

// Context reports the agent's context with per-response usage and how
// full the window is (pi's session stats and context usage). Turn indexes
// point into Messages.
func (s *Session) Context() ContextStats {
	msgs := s.agent.Messages()
	out := ContextStats{Messages: msgs, Turns: []TurnUsage{}}
	if out.Messages == nil {
		out.Messages = []ai.Message{}
	}
	for i := range msgs {
		m := &msgs[i]
		if m.Role != ai.RoleAssistant {
			continue
		}
		u := m.Usage
		out.TotalInputTokens += u.Input
		out.TotalOutputTokens += u.Output
		out.TotalCacheReadTokens += u.CacheRead
		out.TotalCacheWriteTokens += u.CacheWrite
		out.TotalCost += u.Cost.Total
		out.Turns = append(out.Turns, TurnUsage{Index: i, InputTokens: u.Input, OutputTokens: u.Output,
			CacheReadTokens: u.CacheRead, CacheWriteToken: u.CacheWrite, TotalTokens: compaction.ContextTokens(u),
			Cost: u.Cost.Total, Model: m.Model, Provider: m.Provider, Timestamp: m.Timestamp, StopReason: string(m.StopReason)})
	}
	out.TotalTokens = out.TotalInputTokens + out.TotalOutputTokens + out.TotalCacheReadTokens + out.TotalCacheWriteTokens
	if model := s.agent.State().Model; model != nil {
		out.ContextUsage = s.contextUsage(model, msgs)
	}
	return out
}

// contextUsage follows pi: after a compaction the size is unknown until a
// response that came after it reported usage.
func (s *Session) contextUsage(model *ai.Model, msgs []ai.Message) ContextUsage {
	cu := ContextUsage{ContextWindow: model.ContextWindow}
	if model.ContextWindow <= 0 {
		return cu
	}
	path := s.file.ActivePath()
	compactedAt := -1
	for i := len(path) - 1; i >= 0 && compactedAt < 0; i-- {
		if path[i].Type == session.TypeCompaction {
			compactedAt = i
		}
	}
	if compactedAt >= 0 && !usageAfter(path[compactedAt+1:]) {
		return cu
	}
	tokens := estimateTokens(msgs)
	pct := float64(tokens) / float64(model.ContextWindow) * 100
	cu.Tokens, cu.Percent = &tokens, &pct
	return cu
}

// usageAfter reports whether the newest valid response among entries
// reported a context size.
func usageAfter(entries []*session.Entry) bool {
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.Type == session.TypeMessage && e.Message.Role == ai.RoleAssistant &&
			e.Message.StopReason != ai.StopReasonAborted && e.Message.StopReason != ai.StopReasonError {
			return compaction.ContextTokens(e.Message.Usage) > 0
		}
	}
	return false
}

func estimateTokens(msgs []ai.Message) int { return compaction.EstimateContext(msgs).Tokens }
