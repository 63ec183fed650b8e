package ai

import "regexp"

// overflowPatterns match the errors providers give when the input exceeds
// the context window (pi-ai's list: Anthropic, OpenAI, Google, xAI, Groq,
// OpenRouter, Together, llama.cpp, LM Studio, Copilot, MiniMax, Kimi,
// Mistral, z.ai, Ollama, Cerebras and generic wordings).
var overflowPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)prompt is too long`),
	regexp.MustCompile(`(?i)request_too_large`),
	regexp.MustCompile(`(?i)input is too long for requested model`),
	regexp.MustCompile(`(?i)exceeds the context window`),
	regexp.MustCompile(`(?i)exceeds (?:the )?(?:model'?s )?maximum context length of [\d,]+ tokens?`),
	regexp.MustCompile(`(?i)input token count.*exceeds the maximum`),
	regexp.MustCompile(`(?i)maximum prompt length is \d+`),
	regexp.MustCompile(`(?i)reduce the length of the messages`),
	regexp.MustCompile(`(?i)maximum context length is \d+ tokens`),
	regexp.MustCompile(`(?i)input \(\d+ tokens\) is longer than the model'?s context length \(\d+ tokens\)`),
	regexp.MustCompile(`(?i)exceeds the limit of \d+`),
	regexp.MustCompile(`(?i)exceeds the available context size`),
	regexp.MustCompile(`(?i)greater than the context length`),
	regexp.MustCompile(`(?i)context window exceeds limit`),
	regexp.MustCompile(`(?i)exceeded model token limit`),
	regexp.MustCompile(`(?i)too large for model with \d+ maximum context length`),
	regexp.MustCompile(`(?i)model_context_window_exceeded`),
	regexp.MustCompile(`(?i)prompt too long; exceeded (?:max )?context length`),
	regexp.MustCompile(`(?i)context[_ ]length[_ ]exceeded`),
	regexp.MustCompile(`(?i)too many tokens`),
	regexp.MustCompile(`(?i)token limit exceeded`),
	regexp.MustCompile(`(?i)^4(?:00|13)\s*(?:status code)?\s*\(no body\)`),
}

// notOverflowPatterns exclude rate limits that share words with overflows.
var notOverflowPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)^(Throttling error|Service unavailable):`),
	regexp.MustCompile(`(?i)rate limit`),
	regexp.MustCompile(`(?i)too many requests`),
}

// IsContextOverflow reports whether an assistant message failed because its
// input did not fit the context window: an error message a provider uses
// for that, or (with contextWindow > 0) a successful answer whose input
// exceeds the window (servers that accept overflow silently), or a "length"
// stop with no output and the window full (servers that truncate input).
func IsContextOverflow(m *Message, contextWindow int) bool {
	if m.StopReason == StopReasonError && m.ErrorMessage != "" && matchesAny(overflowPatterns, m.ErrorMessage) &&
		!matchesAny(notOverflowPatterns, m.ErrorMessage) {
		return true
	}
	if contextWindow <= 0 {
		return false
	}
	input := m.Usage.Input + m.Usage.CacheRead
	switch m.StopReason {
	case StopReasonStop:
		return input > contextWindow
	case StopReasonLength:
		return m.Usage.Output == 0 && float64(input) >= float64(contextWindow)*0.99
	}
	return false
}

func matchesAny(patterns []*regexp.Regexp, s string) bool {
	for _, p := range patterns {
		if p.MatchString(s) {
			return true
		}
	}
	return false
}
