package agent

import (
	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// Event types: pi's AgentEvent plus the session-level events of
// pi-coding-agent (queue, compaction, retry).
const (
	EventAgentStart          = "agent_start"
	EventAgentEnd            = "agent_end"
	EventTurnStart           = "turn_start"
	EventTurnEnd             = "turn_end"
	EventMessageStart        = "message_start"
	EventMessageUpdate       = "message_update"
	EventMessageEnd          = "message_end"
	EventToolExecutionStart  = "tool_execution_start"
	EventToolExecutionUpdate = "tool_execution_update"
	EventToolExecutionEnd    = "tool_execution_end"
	EventQueueUpdate         = "queue_update"
	EventCompactionStart     = "compaction_start"
	EventCompactionEnd       = "compaction_end"
	EventAutoRetryStart      = "auto_retry_start"
	EventAutoRetryEnd        = "auto_retry_end"
)

// Compaction reasons.
const (
	ReasonManual    = "manual"
	ReasonThreshold = "threshold"
	ReasonOverflow  = "overflow"
)

// Event is one agent event. It is a flat struct (one field set per type) so
// the loop can emit a delta without allocating. Only the fields of Type are
// meaningful; MarshalJSON writes exactly those.
//
// An Event is only valid during the subscriber call: the loop reuses it. For
// message_start and message_update of an assistant, Message is the provider's
// live partial message; clone it (ai.Message.Clone) to keep it. Messages in
// message_end, turn_end and agent_end are final and never modified again.
type Event struct {
	Type string

	// Message: message_start, message_update, message_end, turn_end.
	Message *ai.Message
	// AssistantEvent: message_update (one of the nine block events).
	AssistantEvent *ai.StreamEvent
	// Messages: agent_end (every message this run added).
	Messages []ai.Message
	// ToolResults: turn_end.
	ToolResults []ai.Message

	// tool_execution_start, _update, _end.
	ToolCallID string
	ToolName   string
	Args       []byte // raw JSON arguments as the model sent them (start, update)
	// Result is the accumulated partial result (update) or the result (end).
	Result  *ToolResult
	IsError bool

	// WillRetry: agent_end (an auto-retry or overflow recovery follows) and
	// compaction_end (the agent continues after it).
	WillRetry bool
	// ErrorMessage: agent_end (the run's last error), compaction_end,
	// auto_retry_start.
	ErrorMessage string

	// queue_update: the texts waiting in each queue.
	Steering []string
	FollowUp []string

	// compaction_start, compaction_end.
	Reason     string
	Compaction *compaction.Result
	Aborted    bool

	// auto_retry_start, auto_retry_end.
	Attempt     int
	MaxAttempts int
	DelayMs     int
	Success     bool
	FinalError  string
}
