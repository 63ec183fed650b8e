package agent

import (
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func TestIsRetryable(t *testing.T) {
	cases := []struct {
		msg  string
		stop ai.StopReason
		want bool
	}{
		{`529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, ai.StopReasonError, true},
		{"429 Too Many Requests", ai.StopReasonError, true},
		{"Rate limit reached for requests", ai.StopReasonError, true},
		{"502 Bad Gateway", ai.StopReasonError, true},
		{"read tcp 127.0.0.1:5->127.0.0.1:6: read: connection reset by peer", ai.StopReasonError, true},
		{"unexpected EOF", ai.StopReasonError, true},
		{"context deadline exceeded (Client.Timeout exceeded)", ai.StopReasonError, true},
		{"Provider returned error", ai.StopReasonError, true},
		{"401 invalid x-api-key", ai.StopReasonError, false},
		{"prompt is too long: 213462 tokens > 200000 maximum", ai.StopReasonError, false}, // overflow: compaction's job
		{"500 Internal Server Error", ai.StopReasonAborted, false},
		{"", ai.StopReasonError, false},
	}
	for _, c := range cases {
		m := &ai.Message{Role: ai.RoleAssistant, StopReason: c.stop, ErrorMessage: c.msg}
		if got := IsRetryable(m, 200000); got != c.want {
			t.Errorf("IsRetryable(%q, %s) = %v", c.msg, c.stop, got)
		}
	}
}
