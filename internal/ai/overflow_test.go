package ai

import "testing"

func TestIsContextOverflow(t *testing.T) {
	errMsg := func(s string) *Message { return &Message{StopReason: StopReasonError, ErrorMessage: s} }
	yes := []string{
		`400 {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 213462 tokens > 200000 maximum"}}`,
		"400 Your input exceeds the context window of this model.",
		`{"error":{"code":400,"message":"The input token count (1196265) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}`,
		"400 This model's maximum context length is 128000 tokens. However, your messages resulted in 213462 tokens.",
		"the request exceeds the available context size, try increasing it",
		"400 status code (no body)",
	}
	for _, s := range yes {
		if !IsContextOverflow(errMsg(s), 0) {
			t.Errorf("not detected: %s", s)
		}
	}
	no := []string{
		"429 Rate limit reached: too many tokens per minute",
		"529 Overloaded",
		"Connection error: unexpected EOF",
	}
	for _, s := range no {
		if IsContextOverflow(errMsg(s), 0) {
			t.Errorf("false positive: %s", s)
		}
	}
	silent := &Message{StopReason: StopReasonStop, Usage: Usage{Input: 150_000, CacheRead: 60_000}}
	if !IsContextOverflow(silent, 200_000) || IsContextOverflow(silent, 0) || IsContextOverflow(silent, 300_000) {
		t.Error("silent overflow")
	}
	truncated := &Message{StopReason: StopReasonLength, Usage: Usage{Input: 199_000}}
	if !IsContextOverflow(truncated, 200_000) {
		t.Error("truncated overflow")
	}
}
