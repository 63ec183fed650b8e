package agent

import "github.com/pi-forge/pi-forge/internal/ai"

// Queue delivery modes (settings steeringMode / followUpMode).
const (
	QueueOneAtATime = "one-at-a-time"
	QueueAll        = "all"
)

// Streaming behaviours of a prompt sent while the agent works.
const (
	BehaviorSteer    = "steer"
	BehaviorFollowUp = "followUp"
)

// queued is a message waiting in a queue, with the text queue_update shows.
type queued struct {
	msg  ai.Message
	text string
}

// messageQueue is a steering or follow-up queue. The agent's mutex guards it.
type messageQueue struct {
	mode  string
	items []queued
}

// take removes what one poll delivers: everything in "all" mode, else the
// oldest message.
func (q *messageQueue) take() []ai.Message {
	if len(q.items) == 0 {
		return nil
	}
	n := 1
	if q.mode == QueueAll {
		n = len(q.items)
	}
	out := make([]ai.Message, n)
	for i := range n {
		out[i] = q.items[i].msg
	}
	q.items = append(q.items[:0:0], q.items[n:]...)
	return out
}

func (q *messageQueue) texts() []string {
	out := make([]string, len(q.items))
	for i, it := range q.items {
		out[i] = it.text
	}
	return out
}

// userMessage builds the user message of a prompt: its text, then images.
func userMessage(text string, images []ai.Content, ts int64) ai.Message {
	content := make([]ai.Content, 0, 1+len(images))
	content = append(content, ai.TextContent(text))
	content = append(content, images...)
	return ai.Message{Role: ai.RoleUser, Content: content, Timestamp: ts}
}
