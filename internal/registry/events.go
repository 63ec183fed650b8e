package registry

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/stream"
)

// Event types pi-forge adds to the agent's.
const (
	EventSnapshot           = "snapshot"
	EventSessionRenamed     = "session_renamed"
	EventSessionListChanged = "session_list_changed"
)

// allowed is the stream's event allowlist (api-contract §2.3); anything
// else is dropped before it reaches a subscriber.
var allowed = map[string]bool{
	"snapshot": true, "agent_start": true, "agent_end": true, "turn_start": true, "turn_end": true,
	"message_start": true, "message_update": true, "message_end": true,
	"tool_execution_start": true, "tool_execution_update": true, "tool_execution_end": true,
	"tool_call": true, "tool_result": true, "queue_update": true,
	"compaction_start": true, "compaction_end": true, "auto_retry_start": true, "auto_retry_end": true,
	"ask_user_question": true, "ask_user_question_cancelled": true, "todo_update": true,
	"process_update": true, "process_output": true, "process_watch": true,
	"session_list_changed": true, "session_renamed": true,
}

// Allowed reports whether events of type t reach stream subscribers.
func Allowed(t string) bool { return allowed[t] }

// padded events are followed by a padding comment so proxies flush them.
func padded(t string) bool {
	return t == agent.EventCompactionStart || t == EventSessionListChanged || t == EventSessionRenamed
}

// onAgentEvent runs in the agent's event order: it persists and tracks
// what the event means for the session, then publishes it. The event is
// only valid during the call, so it is serialised here.
func (s *Session) onAgentEvent(ev *agent.Event) {
	s.track(ev)
	if !allowed[ev.Type] {
		return
	}
	data, err := ev.AppendJSON(make([]byte, 0, 128), agent.FramingCompact)
	if err != nil {
		s.log.Error("registry: encoding an event failed", "event", ev.Type, "error", err)
		return
	}
	var ref []byte
	if ev.Type == agent.EventMessageUpdate && s.bc.WantsReference() {
		ref, _ = ev.AppendJSON(nil, agent.FramingReference)
	}
	s.bc.Publish(data, ref, padded(ev.Type), nil)
	if ev.ToolName == toolSubagent {
		// A subagent adds child sessions: the sidebar should look again.
		switch ev.Type {
		case agent.EventToolExecutionStart:
			s.listChanged("subagent_start", s.id)
		case agent.EventToolExecutionEnd:
			s.listChanged("subagent_end", s.id)
		}
	}
}

// toolSubagent is pi-subagents' tool, whose runs create child sessions.
const toolSubagent = "subagent"

// track keeps the session's own state in step with its agent: the file,
// activity, the streaming flag clients see and the writes of this run.
func (s *Session) track(ev *agent.Event) {
	switch ev.Type {
	case agent.EventMessageEnd:
		s.persist(ev.Message)
	case agent.EventAgentStart:
		s.mu.Lock()
		s.streaming, s.turn, s.calls = true, nil, 0
		clear(s.toolArgs)
		s.mu.Unlock()
	case agent.EventAgentEnd:
		s.mu.Lock()
		s.streaming = false
		pending := len(s.pendingBash) > 0 && !ev.WillRetry && !s.closed
		if pending {
			s.bg.Add(1)
		}
		s.mu.Unlock()
		if pending {
			go s.flushAfterRun()
		}
	case agent.EventToolExecutionStart:
		if ev.ToolName == toolWrite || ev.ToolName == toolEdit {
			s.mu.Lock()
			s.calls++
			s.toolArgs[ev.ToolCallID] = turnCall{seq: s.calls, tool: ev.ToolName, args: append([]byte(nil), ev.Args...)}
			s.mu.Unlock()
		}
	case agent.EventToolExecutionEnd:
		s.recordWrite(ev)
	}
}

// persist appends a finished message to the file (pi's message_end rule).
func (s *Session) persist(m *ai.Message) {
	msg := *m
	switch msg.Role {
	case ai.RoleCustom:
		s.appendEntry(s.file.AppendCustomMessage(msg))
	case ai.RoleUser, ai.RoleAssistant, ai.RoleToolResult, ai.RoleBashExecution:
		s.appendEntry(s.file.AppendMessage(msg))
	}
	if msg.Role == ai.RoleUser || msg.Role == ai.RoleAssistant {
		s.touch()
	}
}

func (s *Session) touch() {
	now := s.reg.opts.Now().UTC()
	s.mu.Lock()
	if now.After(s.lastActivity) {
		s.lastActivity = now
	}
	s.mu.Unlock()
}

// snapshotEvent is the first frame of a stream.
type snapshotEvent struct {
	Type             string       `json:"type"`
	SessionID        string       `json:"sessionId"`
	ProjectID        string       `json:"projectId"`
	Messages         []ai.Message `json:"messages"`
	IsStreaming      bool         `json:"isStreaming"`
	Name             string       `json:"name,omitempty"`
	StreamingMessage *ai.Message  `json:"streamingMessage,omitempty"`
}

// snapshotJSON renders the agent's view as a snapshot event. The streaming
// flag follows the events (agent_start to agent_end), so a client never
// waits for an agent_end that was sent before its snapshot.
func (s *Session) snapshotJSON(v agent.View) []byte {
	s.mu.Lock()
	ev := snapshotEvent{Type: EventSnapshot, SessionID: s.id, ProjectID: s.projectID, Messages: v.Messages,
		IsStreaming: s.streaming, Name: s.name}
	s.mu.Unlock()
	if ev.Messages == nil {
		ev.Messages = []ai.Message{}
	}
	if ev.IsStreaming && v.Streaming != nil {
		ev.StreamingMessage = v.Streaming
	}
	b, err := json.Marshal(ev)
	if err != nil {
		s.log.Error("registry: encoding a snapshot failed", "error", err)
		b, _ = json.Marshal(snapshotEvent{Type: EventSnapshot, SessionID: s.id, ProjectID: s.projectID, Messages: []ai.Message{}})
	}
	return b
}

// Subscribe attaches a stream subscriber. With lastEventID from this life
// of the session whose successors are all still logged, replay holds them
// and first is nil; otherwise first is a snapshot taken between two events,
// so the subscriber neither misses nor repeats one, and replay holds the
// kept frames that follow every snapshot (api-contract §2.2: one
// ask_user_question per pending question, then todo_update, then
// process_update), with the snapshot's id. reference asks for the
// reference framing (always a snapshot first).
func (s *Session) Subscribe(lastEventID string, reference bool) (sub *stream.Subscriber, replay []*stream.Event, first *stream.Event) {
	var frames [][]byte
	s.agent.Snapshot(func(v agent.View) {
		sub, replay, first = s.bc.Subscribe(lastEventID, reference, func() []byte {
			frames = s.keptFrames()
			return s.snapshotJSON(v)
		})
	})
	if first != nil {
		for _, f := range frames {
			replay = append(replay, &stream.Event{Seq: first.Seq, ID: first.ID, Data: f})
		}
	}
	return sub, replay, first
}

// Subscribers counts the session's stream subscribers.
func (s *Session) Subscribers() int { return s.bc.Subscribers() }

// Publish sends an event from another area (todo_update, process_update,
// ask_user_question, ...) to the session's subscribers, numbered and
// replayable like the agent's. v must marshal to a JSON object whose type
// is on the allowlist; anything else is refused.
func (s *Session) Publish(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("registry: publish: %w", err)
	}
	if t := eventType(data); !allowed[t] || t == EventSnapshot {
		return fmt.Errorf("registry: publish: event type %q is not streamed", t)
	}
	s.bc.Publish(data, nil, padded(eventType(data)), nil)
	return nil
}

func eventType(data []byte) string {
	var v struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(data, &v)
	return v.Type
}

// keptFrame is one connect-time frame.
type keptFrame struct {
	key  string
	rank int
	data []byte
}

// keptRank orders the connect-time frames by event type (api-contract
// §2.2); frames of one type keep the order they were first kept in.
func keptRank(eventType string) int {
	switch eventType {
	case "ask_user_question":
		return 0
	case "todo_update":
		return 1
	case "process_update":
		return 2
	}
	return 3
}

// PublishKept publishes v like Publish and keeps it as the frame key: every
// client connecting later gets it right after its snapshot, until it is
// replaced or dropped.
func (s *Session) PublishKept(key string, v any) error {
	data, err := s.streamable(v)
	if err != nil {
		return err
	}
	s.bc.Publish(data, nil, false, func() { s.setKept(key, data) })
	return nil
}

// PublishDropped publishes v like Publish and forgets the frame key.
func (s *Session) PublishDropped(key string, v any) error {
	data, err := s.streamable(v)
	if err != nil {
		return err
	}
	s.bc.Publish(data, nil, false, func() { s.setKept(key, nil) })
	return nil
}

// Keep sets the frame key without publishing anything: the state a tool
// starts a session with (the todo list rebuilt from the branch, say).
func (s *Session) Keep(key string, v any) error {
	data, err := s.streamable(v)
	if err != nil {
		return err
	}
	s.setKept(key, data)
	return nil
}

// streamable marshals an event of an allowlisted type.
func (s *Session) streamable(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("registry: publish: %w", err)
	}
	if t := eventType(data); !allowed[t] || t == EventSnapshot {
		return nil, fmt.Errorf("registry: publish: event type %q is not streamed", t)
	}
	return data, nil
}

// setKept replaces (data != nil) or drops the frame key.
func (s *Session) setKept(key string, data []byte) {
	s.keptMu.Lock()
	defer s.keptMu.Unlock()
	i := slices.IndexFunc(s.kept, func(f keptFrame) bool { return f.key == key })
	switch {
	case data == nil && i >= 0:
		s.kept = slices.Delete(s.kept, i, i+1)
	case data != nil && i >= 0:
		s.kept[i].data = data
	case data != nil:
		s.kept = append(s.kept, keptFrame{key: key, rank: keptRank(eventType(data)), data: data})
	}
}

// keptFrames returns the connect-time frames in order.
func (s *Session) keptFrames() [][]byte {
	s.keptMu.Lock()
	fs := slices.Clone(s.kept)
	s.keptMu.Unlock()
	slices.SortStableFunc(fs, func(a, b keptFrame) int { return a.rank - b.rank })
	out := make([][]byte, len(fs))
	for i, f := range fs {
		out[i] = f.data
	}
	return out
}

// publish sends a pi-forge event; apply runs under the stream lock so
// snapshots see its effect exactly from this event on.
func (s *Session) publish(v any, pad bool, apply func()) {
	data, err := json.Marshal(v)
	if err != nil {
		s.log.Error("registry: encoding an event failed", "error", err)
		return
	}
	s.bc.Publish(data, nil, pad, apply)
}

// renamed records a new name and tells subscribers.
func (s *Session) renamed(name string) {
	s.publish(struct {
		Type      string `json:"type"`
		SessionID string `json:"sessionId"`
		ProjectID string `json:"projectId"`
		Name      string `json:"name"`
	}{EventSessionRenamed, s.id, s.projectID, name}, true, func() {
		s.mu.Lock()
		s.name = name
		s.mu.Unlock()
	})
}

// listChanged nudges subscribers to refresh the session list.
func (s *Session) listChanged(reason, sessionID string) {
	s.publish(struct {
		Type      string `json:"type"`
		Reason    string `json:"reason"`
		ProjectID string `json:"projectId"`
		SessionID string `json:"sessionId,omitempty"`
	}{EventSessionListChanged, reason, s.projectID, sessionID}, true, nil)
}

// agentError tells subscribers that a prompt failed before the agent
// emitted anything (the reference's synthetic agent_end).
func (s *Session) agentError(msg string) {
	s.publish(struct {
		Type         string `json:"type"`
		SessionID    string `json:"sessionId"`
		ErrorMessage string `json:"errorMessage"`
	}{agent.EventAgentEnd, s.id, msg}, false, nil)
}
