// Package agent runs pi's agent loop: turns, tool calls, steering and
// follow-up queues, abort, auto-retry and compaction. It knows nothing about
// HTTP; callers subscribe to its events.
package agent

import (
	"context"
	"encoding/json"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// ToolCall is one call the model asked for. Args are the raw JSON arguments,
// already validated against the tool's schema when Execute runs.
type ToolCall struct {
	ID   string
	Name string
	Args json.RawMessage
}

// ToolResult is what a tool returns (and what partial updates carry).
// Details is tool-specific metadata marshalled into the toolResult message.
type ToolResult struct {
	Content []ai.Content
	Details any
}

// Tool is one capability offered to the model. Execute returning an error
// makes an error result whose text is err.Error(), as pi does when a tool
// throws. onUpdate may be called any number of times with the accumulated
// partial result (never a delta); it is never nil.
type Tool interface {
	Spec() ai.ToolSpec
	Execute(ctx context.Context, call ToolCall, onUpdate func(ToolResult)) (ToolResult, error)
}

// ArgumentPreparer is implemented by tools that accept argument shapes
// models send besides their schema (a legacy form, an object sent as a JSON
// string). The loop calls it before validating, so the repaired arguments
// are what gets validated, recorded and executed.
type ArgumentPreparer interface {
	PrepareArguments(args json.RawMessage) json.RawMessage
}
