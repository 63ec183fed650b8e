package aitest

import (
	"github.com/pi-forge/pi-forge/internal/ai"

	"fmt"
	"strconv"
)

// writeCompletions streams r as OpenAI chat.completion.chunk events.
func writeCompletions(e *eventWriter, r *Response, u Usage, seq int, model string) {
	id := fmt.Sprintf("chatcmpl-fake-%d", seq)
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": 1700000000, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		}
	}
	e.send("", chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	toolIndex := 0
	for k, b := range r.Blocks {
		switch b.Type {
		case BlockText:
			for _, d := range textChunks(b.Text, r.ChunkSize) {
				e.send("", chunk(map[string]any{"content": d}, nil))
			}
		case BlockThinking:
			field := b.Signature
			if field == "" {
				field = "reasoning_content"
			}
			for _, d := range textChunks(b.Text, r.ChunkSize) {
				e.send("", chunk(map[string]any{field: d}, nil))
			}
		case BlockToolCall:
			callID := b.ID
			if callID == "" {
				callID = "call_fake_" + strconv.Itoa(seq) + "_" + strconv.Itoa(k)
			}
			e.send("", chunk(map[string]any{"tool_calls": []any{map[string]any{
				"index": toolIndex, "id": callID, "type": "function",
				"function": map[string]any{"name": b.Name, "arguments": ""},
			}}}, nil))
			for _, d := range argChunks(b.args(), r.ChunkSize) {
				e.send("", chunk(map[string]any{"tool_calls": []any{map[string]any{
					"index": toolIndex, "function": map[string]any{"arguments": d},
				}}}, nil))
			}
			toolIndex++
		}
	}
	if r.StreamError != nil {
		d := r.StreamError.resolve(ai.APIOpenAICompletions)
		e.send("", errorBody(ai.APIOpenAICompletions, d))
		return
	}
	finish := map[string]string{"stop": "stop", "length": "length", "toolUse": "tool_calls"}[r.stopReason()]
	e.send("", chunk(map[string]any{}, finish))
	details := map[string]any{"cached_tokens": u.CacheRead}
	if u.CacheWrite > 0 {
		details["cache_write_tokens"] = u.CacheWrite
	}
	prompt := u.Input + u.CacheRead + u.CacheWrite
	e.send("", map[string]any{
		"id": id, "object": "chat.completion.chunk", "created": 1700000000, "model": model, "choices": []any{},
		"usage": map[string]any{
			"prompt_tokens": prompt, "completion_tokens": u.Output, "total_tokens": prompt + u.Output,
			"prompt_tokens_details": details,
		},
	})
	e.send("", "[DONE]")
}
