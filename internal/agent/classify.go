package agent

import (
	"regexp"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// overflowPatterns are the provider error texts that mean the prompt did not
// fit the context window (pi-ai's list, one per provider family).
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

// notOverflow marks throttling errors that happen to match an overflow
// pattern ("Too many tokens, please wait").
var notOverflow = regexp.MustCompile(`(?i)^(?:Throttling error|Service unavailable):|rate limit|too many requests`)

// retryable matches transient provider failures worth retrying: pi's list,
// plus the texts Go's net/http gives for a dropped connection.
var retryable = regexp.MustCompile(`(?i)overloaded|provider.?returned.?error|rate.?limit|too many requests|429|500|502|503|504|service.?unavailable|server.?error|internal.?error|network.?error|connection.?error|connection.?refused|connection.?lost|connection.?reset|broken pipe|unexpected eof|websocket.?closed|websocket.?error|other side closed|fetch failed|upstream.?connect|reset before headers|socket hang up|ended without|stream ended before message_stop|http2 request did not get a response|timed? out|timeout|terminated|retry delay`)

// IsContextOverflow reports whether an assistant message shows that the
// request exceeded the context window: an overflow error, a success whose
// input alone exceeds the window (providers that truncate silently), or a
// length stop with no output after input that filled the window.
func IsContextOverflow(m *ai.Message, contextWindow int) bool {
	if m.StopReason == ai.StopReasonError && m.ErrorMessage != "" && !notOverflow.MatchString(m.ErrorMessage) {
		for _, p := range overflowPatterns {
			if p.MatchString(m.ErrorMessage) {
				return true
			}
		}
	}
	if contextWindow <= 0 {
		return false
	}
	input := m.Usage.Input + m.Usage.CacheRead
	switch m.StopReason {
	case ai.StopReasonStop:
		return input > contextWindow
	case ai.StopReasonLength:
		return m.Usage.Output == 0 && float64(input) >= float64(contextWindow)*0.99
	}
	return false
}

// IsRetryable reports whether a failed response is worth an automatic retry:
// a transient error that is not a context overflow.
func IsRetryable(m *ai.Message, contextWindow int) bool {
	if m.StopReason != ai.StopReasonError || m.ErrorMessage == "" {
		return false
	}
	return !IsContextOverflow(m, contextWindow) && retryable.MatchString(m.ErrorMessage)
}
