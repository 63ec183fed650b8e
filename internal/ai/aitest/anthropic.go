package aitest

import (
	"github.com/pi-forge/pi-forge/internal/ai"

	"fmt"
	"strconv"
)

// writeAnthropic streams r as Anthropic Messages events.
func writeAnthropic(e *eventWriter, r *Response, u Usage, seq int, model string) {
	e.send("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": fmt.Sprintf("msg_fake_%d", seq), "type": "message", "role": "assistant", "model": model,
		"content": []any{}, "stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{
			"input_tokens": u.Input, "output_tokens": 1,
			"cache_read_input_tokens": u.CacheRead, "cache_creation_input_tokens": u.CacheWrite,
		},
	}})
	e.send("ping", map[string]any{"type": "ping"})
	for k, b := range r.Blocks {
		delta := func(d map[string]any) {
			e.send("content_block_delta", map[string]any{"type": "content_block_delta", "index": k, "delta": d})
		}
		switch {
		case b.Type == BlockText:
			e.send("content_block_start", blockStart(k, map[string]any{"type": "text", "text": ""}))
			for _, d := range textChunks(b.Text, r.ChunkSize) {
				delta(map[string]any{"type": "text_delta", "text": d})
			}
		case b.Type == BlockThinking && b.Redacted:
			e.send("content_block_start", blockStart(k, map[string]any{"type": "redacted_thinking", "data": b.Signature}))
		case b.Type == BlockThinking:
			e.send("content_block_start", blockStart(k, map[string]any{"type": "thinking", "thinking": "", "signature": ""}))
			for _, d := range textChunks(b.Text, r.ChunkSize) {
				delta(map[string]any{"type": "thinking_delta", "thinking": d})
			}
			if b.Signature != "" {
				delta(map[string]any{"type": "signature_delta", "signature": b.Signature})
			}
		case b.Type == BlockToolCall:
			id := b.ID
			if id == "" {
				id = "toolu_fake_" + strconv.Itoa(seq) + "_" + strconv.Itoa(k)
			}
			e.send("content_block_start", blockStart(k, map[string]any{"type": "tool_use", "id": id, "name": b.Name, "input": map[string]any{}}))
			for _, d := range argChunks(b.args(), r.ChunkSize) {
				delta(map[string]any{"type": "input_json_delta", "partial_json": d})
			}
		}
		e.send("content_block_stop", map[string]any{"type": "content_block_stop", "index": k})
	}
	if r.StreamError != nil {
		d := r.StreamError.resolve(ai.APIAnthropicMessages)
		e.send("error", errorBody(ai.APIAnthropicMessages, d))
		return
	}
	stop := map[string]string{"stop": "end_turn", "length": "max_tokens", "toolUse": "tool_use"}[r.stopReason()]
	e.send("message_delta", map[string]any{
		"type":  "message_delta",
		"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": u.Output},
	})
	e.send("message_stop", map[string]any{"type": "message_stop"})
}

func blockStart(index int, block map[string]any) map[string]any {
	return map[string]any{"type": "content_block_start", "index": index, "content_block": block}
}
