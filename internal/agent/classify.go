package agent

import (
	"regexp"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// retryable matches transient provider failures worth retrying: pi's list,
// plus the texts Go's net/http gives for a dropped connection.
var retryable = regexp.MustCompile(`(?i)overloaded|provider.?returned.?error|rate.?limit|too many requests|429|500|502|503|504|service.?unavailable|server.?error|internal.?error|network.?error|connection.?error|connection.?refused|connection.?lost|connection.?reset|broken pipe|unexpected eof|websocket.?closed|websocket.?error|other side closed|fetch failed|upstream.?connect|reset before headers|socket hang up|ended without|stream ended before message_stop|http2 request did not get a response|timed? out|timeout|terminated|retry delay`)

// IsRetryable reports whether a failed response is worth an automatic retry:
// a transient error that is not a context overflow (compaction handles those).
func IsRetryable(m *ai.Message, contextWindow int) bool {
	if m.StopReason != ai.StopReasonError || m.ErrorMessage == "" {
		return false
	}
	return !ai.IsContextOverflow(m, contextWindow) && retryable.MatchString(m.ErrorMessage)
}
