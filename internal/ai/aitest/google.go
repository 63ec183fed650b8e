package aitest

import (
	"github.com/pi-forge/pi-forge/internal/ai"

	"encoding/json"
	"fmt"
)

// writeGoogle streams r as Gemini streamGenerateContent SSE chunks. Tool
// calls arrive whole, as Gemini sends them; a block's Signature rides on its
// last part as thoughtSignature.
func writeGoogle(e *eventWriter, r *Response, u Usage, seq int, model string) {
	respID := fmt.Sprintf("fake-response-%d", seq)
	chunk := func(parts []any, finish string, usage bool) map[string]any {
		cand := map[string]any{"content": map[string]any{"role": "model", "parts": parts}, "index": 0}
		if finish != "" {
			cand["finishReason"] = finish
		}
		c := map[string]any{"candidates": []any{cand}, "modelVersion": model, "responseId": respID}
		if usage {
			c["usageMetadata"] = map[string]any{
				"promptTokenCount": u.Input + u.CacheRead, "candidatesTokenCount": u.Output,
				"totalTokenCount": u.Input + u.CacheRead + u.Output, "cachedContentTokenCount": u.CacheRead,
			}
		}
		return c
	}
	var parts []map[string]any // one part per chunk
	for _, b := range r.Blocks {
		switch b.Type {
		case BlockText, BlockThinking:
			pieces := textChunks(b.Text, r.ChunkSize)
			for i, d := range pieces {
				part := map[string]any{"text": d}
				if b.Type == BlockThinking {
					part["thought"] = true
				}
				if i == len(pieces)-1 && b.Signature != "" {
					part["thoughtSignature"] = b.Signature
				}
				parts = append(parts, part)
			}
		case BlockToolCall:
			call := map[string]any{"name": b.Name, "args": json.RawMessage(b.args())}
			if b.ID != "" {
				call["id"] = b.ID
			}
			part := map[string]any{"functionCall": call}
			if b.Signature != "" {
				part["thoughtSignature"] = b.Signature
			}
			parts = append(parts, part)
		}
	}
	if r.StreamError != nil {
		for _, p := range parts {
			e.send("", chunk([]any{p}, "", false))
		}
		d := r.StreamError.resolve(ai.APIGoogleGenerativeAI)
		e.send("", errorBody(ai.APIGoogleGenerativeAI, d))
		return
	}
	if len(parts) == 0 {
		parts = append(parts, map[string]any{"text": ""})
	}
	finish := "STOP"
	if r.stopReason() == "length" {
		finish = "MAX_TOKENS"
	}
	// Gemini puts the finish reason and usage on the last content chunk.
	for i, p := range parts {
		if i == len(parts)-1 {
			e.send("", chunk([]any{p}, finish, true))
		} else {
			e.send("", chunk([]any{p}, "", false))
		}
	}
}
