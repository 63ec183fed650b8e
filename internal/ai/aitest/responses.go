package aitest

import (
	"github.com/pi-forge/pi-forge/internal/ai"

	"fmt"
	"strconv"
)

// writeResponses streams r as OpenAI Responses events.
func writeResponses(e *eventWriter, r *Response, u Usage, seq int, model string) {
	respID := fmt.Sprintf("resp_fake_%d", seq)
	n := 0
	send := func(typ string, fields map[string]any) {
		fields["type"] = typ
		fields["sequence_number"] = n
		n++
		e.send(typ, fields)
	}
	response := func(status string, output []any) map[string]any {
		return map[string]any{"id": respID, "object": "response", "created_at": 1700000000, "status": status, "model": model, "output": output}
	}
	send("response.created", map[string]any{"response": response("in_progress", []any{})})
	var output []any
	for k, b := range r.Blocks {
		var item map[string]any
		switch b.Type {
		case BlockThinking:
			item = responsesReasoning(send, r, b, k, seq)
		case BlockText:
			item = responsesMessage(send, r, b, k, seq)
		case BlockToolCall:
			item = responsesFunctionCall(send, r, b, k, seq)
		}
		send("response.output_item.done", map[string]any{"output_index": k, "item": item})
		output = append(output, item)
	}
	if r.StreamError != nil {
		d := r.StreamError.resolve(ai.APIOpenAIResponses)
		send("error", map[string]any{"code": d.typ, "message": d.message, "param": nil})
		return
	}
	final := response("completed", output)
	if r.stopReason() == "length" {
		final["status"] = "incomplete"
		final["incomplete_details"] = map[string]any{"reason": "max_output_tokens"}
	}
	final["usage"] = map[string]any{
		"input_tokens": u.Input + u.CacheRead, "input_tokens_details": map[string]any{"cached_tokens": u.CacheRead},
		"output_tokens": u.Output, "output_tokens_details": map[string]any{"reasoning_tokens": 0},
		"total_tokens": u.Input + u.CacheRead + u.Output,
	}
	typ := "response.completed"
	if final["status"] == "incomplete" {
		typ = "response.incomplete"
	}
	send(typ, map[string]any{"response": final})
}

type sendFunc func(typ string, fields map[string]any)

func responsesReasoning(send sendFunc, r *Response, b Block, k, seq int) map[string]any {
	id := "rs_fake_" + strconv.Itoa(seq) + "_" + strconv.Itoa(k)
	send("response.output_item.added", map[string]any{"output_index": k, "item": map[string]any{"id": id, "type": "reasoning", "summary": []any{}}})
	loc := map[string]any{"item_id": id, "output_index": k, "summary_index": 0}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for key, v := range loc {
			m[key] = v
		}
		for key, v := range extra {
			m[key] = v
		}
		return m
	}
	send("response.reasoning_summary_part.added", with(map[string]any{"part": map[string]any{"type": "summary_text", "text": ""}}))
	for _, d := range textChunks(b.Text, r.ChunkSize) {
		send("response.reasoning_summary_text.delta", with(map[string]any{"delta": d}))
	}
	send("response.reasoning_summary_text.done", with(map[string]any{"text": b.Text}))
	send("response.reasoning_summary_part.done", with(map[string]any{"part": map[string]any{"type": "summary_text", "text": b.Text}}))
	item := map[string]any{"id": id, "type": "reasoning", "summary": []any{map[string]any{"type": "summary_text", "text": b.Text}}}
	if b.Signature != "" {
		item["encrypted_content"] = b.Signature
	}
	return item
}

func responsesMessage(send sendFunc, r *Response, b Block, k, seq int) map[string]any {
	id := "msg_fake_" + strconv.Itoa(seq) + "_" + strconv.Itoa(k)
	send("response.output_item.added", map[string]any{"output_index": k, "item": map[string]any{
		"id": id, "type": "message", "status": "in_progress", "role": "assistant", "content": []any{},
	}})
	loc := func(extra map[string]any) map[string]any {
		extra["item_id"] = id
		extra["output_index"] = k
		extra["content_index"] = 0
		return extra
	}
	send("response.content_part.added", loc(map[string]any{"part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}}}))
	for _, d := range textChunks(b.Text, r.ChunkSize) {
		send("response.output_text.delta", loc(map[string]any{"delta": d}))
	}
	part := map[string]any{"type": "output_text", "text": b.Text, "annotations": []any{}}
	send("response.output_text.done", loc(map[string]any{"text": b.Text}))
	send("response.content_part.done", loc(map[string]any{"part": part}))
	return map[string]any{"id": id, "type": "message", "status": "completed", "role": "assistant", "content": []any{part}}
}

func responsesFunctionCall(send sendFunc, r *Response, b Block, k, seq int) map[string]any {
	id := "fc_fake_" + strconv.Itoa(seq) + "_" + strconv.Itoa(k)
	callID := b.ID
	if callID == "" {
		callID = "call_fake_" + strconv.Itoa(seq) + "_" + strconv.Itoa(k)
	}
	send("response.output_item.added", map[string]any{"output_index": k, "item": map[string]any{
		"id": id, "type": "function_call", "status": "in_progress", "call_id": callID, "name": b.Name, "arguments": "",
	}})
	for _, d := range argChunks(b.args(), r.ChunkSize) {
		send("response.function_call_arguments.delta", map[string]any{"item_id": id, "output_index": k, "delta": d})
	}
	send("response.function_call_arguments.done", map[string]any{"item_id": id, "output_index": k, "arguments": b.args()})
	return map[string]any{"id": id, "type": "function_call", "status": "completed", "call_id": callID, "name": b.Name, "arguments": b.args()}
}
