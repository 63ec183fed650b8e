package ai

import (
	"encoding/json"
	"testing"
)

// TestMessageRoundTrip checks every role marshals with pi's keys only and
// survives a round trip, unknown keys included.
func TestMessageRoundTrip(t *testing.T) {
	for _, line := range []string{
		"{\"role\":\"user\",\"content\":\"hi <b> & \u2028\",\"timestamp\":1}",
		`{"role":"user","content":[{"type":"text","text":""},{"type":"image","data":"QUJD","mimeType":"image/png"}],"timestamp":2}`,
		`{"role":"assistant","content":[{"type":"thinking","thinking":"hm","thinkingSignature":"sig=="},{"type":"text","text":"ok","textSignature":"{\"v\":1,\"id\":\"msg_1\"}"},{"type":"toolCall","id":"call_1|fc_1","name":"read","arguments":{"path":"a.go","z":1,"a":2}}],"api":"openai-responses","provider":"openai","model":"gpt-5","usage":{"input":10,"output":5,"cacheRead":0,"cacheWrite":0,"totalTokens":15,"cost":{"input":0.0001,"output":1e-7,"cacheRead":0,"cacheWrite":0,"total":0.0001001}},"stopReason":"toolUse","timestamp":3,"futureField":{"x":1}}`,
		`{"role":"assistant","content":[{"type":"thinking","thinking":"[Reasoning redacted]","thinkingSignature":"opaque","redacted":true}],"api":"anthropic-messages","provider":"anthropic","model":"claude","usage":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"totalTokens":0,"cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"total":0}},"stopReason":"error","errorMessage":"overloaded","timestamp":4}`,
		`{"role":"toolResult","toolCallId":"c1","toolName":"bash","content":[{"type":"text","text":"out"}],"details":{"truncation":null},"isError":true,"timestamp":5}`,
		`{"role":"bashExecution","command":"ls","output":"a\nb","exitCode":0,"cancelled":false,"truncated":false,"excludeFromContext":true,"timestamp":6}`,
		`{"role":"bashExecution","command":"sleep","output":"","cancelled":true,"truncated":false,"timestamp":7}`,
		`{"role":"custom","customType":"note","content":"x","display":true,"details":{"k":"v"},"timestamp":8}`,
		`{"role":"branchSummary","summary":"s","fromId":"abcd1234","timestamp":9}`,
		`{"role":"compactionSummary","summary":"s","tokensBefore":1200,"timestamp":10}`,
	} {
		var m Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		direct, _ := m.MarshalJSON()
		if !jsonEqual(t, out, []byte(line)) {
			t.Errorf("round trip changed the message:\n in  %s\n out %s", line, out)
		}
		if string(direct) != line && m.Role != RoleAssistant {
			t.Errorf("direct marshal differs from pi's bytes:\n in  %s\n out %s", line, direct)
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func TestNoHTMLEscaping(t *testing.T) {
	m := Message{Role: RoleUser, Content: []Content{TextContent("a<b>&c")}, Timestamp: 1}
	b, _ := m.MarshalJSON()
	if string(b) != `{"role":"user","content":[{"type":"text","text":"a<b>&c"}],"timestamp":1}` {
		t.Fatalf("got %s", b)
	}
}
