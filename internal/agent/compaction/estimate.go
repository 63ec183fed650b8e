package compaction

import "github.com/pi-forge/pi-forge/internal/ai"

// imageChars is what one image counts for in a token estimate (1200 tokens).
const imageChars = 4800

// Settings are settings.json's compaction options.
type Settings struct {
	Enabled          bool `json:"enabled"`
	ReserveTokens    int  `json:"reserveTokens"`
	KeepRecentTokens int  `json:"keepRecentTokens"`
}

// DefaultSettings are pi's defaults.
func DefaultSettings() Settings {
	return Settings{Enabled: true, ReserveTokens: 16384, KeepRecentTokens: 20000}
}

// ShouldCompact reports whether a context of contextTokens leaves less than
// the reserve free in the window.
func ShouldCompact(contextTokens, contextWindow int, s Settings) bool {
	return s.Enabled && contextTokens > contextWindow-s.ReserveTokens
}

// ContextTokens is the size of the context a response saw: its total, or the
// sum of its parts when the provider reported no total.
func ContextTokens(u ai.Usage) int {
	if u.TotalTokens != 0 {
		return u.TotalTokens
	}
	return u.Input + u.Output + u.CacheRead + u.CacheWrite
}

// jsLen counts UTF-16 code units, which is what pi's string lengths are, so
// estimates (and cut points) match pi's for non-ASCII text too.
func jsLen[T ~string | ~[]byte](s T) int {
	n := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b&0xC0 != 0x80 { // a rune starts here
			n++
		}
		if b >= 0xF0 { // four-byte runes are surrogate pairs in UTF-16
			n++
		}
	}
	return n
}

// EstimateTokens is pi's conservative chars/4 estimate of one message.
func EstimateTokens(m *ai.Message) int {
	chars := 0
	switch m.Role {
	case ai.RoleUser:
		for _, c := range m.Content {
			if c.Type == ai.ContentText {
				chars += jsLen(c.Text)
			}
		}
	case ai.RoleAssistant:
		for _, c := range m.Content {
			switch c.Type {
			case ai.ContentText:
				chars += jsLen(c.Text)
			case ai.ContentThinking:
				chars += jsLen(c.Thinking)
			case ai.ContentToolCall:
				args := jsLen(c.Arguments)
				if args == 0 {
					args = 2 // "{}"
				}
				chars += jsLen(c.Name) + args
			}
		}
	case ai.RoleCustom, ai.RoleToolResult:
		for _, c := range m.Content {
			switch c.Type {
			case ai.ContentText:
				chars += jsLen(c.Text)
			case ai.ContentImage:
				chars += imageChars
			}
		}
	case ai.RoleBashExecution:
		chars = jsLen(m.Command) + jsLen(m.Output)
	case ai.RoleBranchSummary, ai.RoleCompactionSummary:
		chars = jsLen(m.Summary)
	}
	return (chars + 3) / 4
}

// ContextEstimate is an estimate of a conversation's size in tokens.
type ContextEstimate struct {
	Tokens         int
	UsageTokens    int // from the last valid assistant usage
	TrailingTokens int // estimated for the messages after it
	LastUsageIndex int // index of that assistant message, or -1
}

// EstimateContext sizes a conversation from the last assistant response that
// reported usage (not aborted or failed) plus an estimate of what follows it.
func EstimateContext(msgs []ai.Message) ContextEstimate {
	last := -1
	for i := len(msgs) - 1; i >= 0; i-- {
		if hasUsage(&msgs[i]) {
			last = i
			break
		}
	}
	est := ContextEstimate{LastUsageIndex: last}
	if last >= 0 {
		est.UsageTokens = ContextTokens(msgs[last].Usage)
	}
	for i := last + 1; i < len(msgs); i++ {
		est.TrailingTokens += EstimateTokens(&msgs[i])
	}
	est.Tokens = est.UsageTokens + est.TrailingTokens
	return est
}

func hasUsage(m *ai.Message) bool {
	return m.Role == ai.RoleAssistant && m.StopReason != ai.StopReasonAborted && m.StopReason != ai.StopReasonError
}
