package agent

import (
	"encoding/json"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// MarshalJSON writes the result as pi's AgentToolResult: {content, details}
// with details left out when the tool gave none.
func (r ToolResult) MarshalJSON() ([]byte, error) {
	content := r.Content
	if content == nil {
		content = []ai.Content{}
	}
	return json.Marshal(struct {
		Content []ai.Content `json:"content"`
		Details any          `json:"details,omitempty"`
	}{content, r.Details})
}

// errorResult is what a failed, missing, invalid or skipped tool call
// returns: the message as text and empty details, as pi does.
func errorResult(msg string) ToolResult {
	return ToolResult{Content: []ai.Content{ai.TextContent(msg)}, Details: json.RawMessage("{}")}
}

// toolResultMessage builds the toolResult message for a finished call.
func toolResultMessage(call *ai.Content, r *ToolResult, isError bool, ts int64) ai.Message {
	content := r.Content
	if content == nil {
		content = []ai.Content{}
	}
	m := ai.Message{
		Role:       ai.RoleToolResult,
		ToolCallID: call.ID,
		ToolName:   call.Name,
		Content:    content,
		IsError:    isError,
		Timestamp:  ts,
	}
	if r.Details != nil {
		if b, err := json.Marshal(r.Details); err == nil && string(b) != "null" {
			m.Details = b
		}
	}
	return m
}
