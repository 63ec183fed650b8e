package askuser

import (
	"context"
	"errors"
	"sync"

	"github.com/google/uuid"
)

// Stream event types.
const (
	EventAsked     = "ask_user_question"
	EventCancelled = "ask_user_question_cancelled"
)

// Reasons of ask_user_question_cancelled.
const (
	ReasonAnswered = "answered"
	ReasonAborted  = "aborted"
)

// Answer kinds.
const (
	KindOption = "option"
	KindCustom = "custom"
	KindChat   = "chat"
	KindMulti  = "multi"
)

// ErrNotFound: no pending request with that id in this session.
var ErrNotFound = errors.New("askuser: request not found")

// Request is a pending questionnaire.
type Request struct {
	RequestID string     `json:"requestId"`
	Questions []Question `json:"questions"`
}

// Answer is the user's answer to one question.
type Answer struct {
	QuestionIndex int    `json:"questionIndex"`
	Question      string `json:"question"`
	Kind          string `json:"kind"`
	// Answer is the chosen label or the typed text; null for a chat escape
	// or a multi-select without typed text.
	Answer   *string  `json:"answer"`
	Selected []string `json:"selected,omitempty"`
	Notes    string   `json:"notes,omitempty"`
	Preview  string   `json:"preview,omitempty"`
}

// Response is what the browser sent for a request.
type Response struct {
	Cancelled bool
	Answers   []Answer
}

// Publisher sends stream events and keeps the frames a client connecting
// later receives right after its snapshot (registry.Session implements it).
type Publisher interface {
	// PublishKept publishes v and keeps it as the connect-time frame key.
	PublishKept(key string, v any) error
	// PublishDropped publishes v and forgets the frame key.
	PublishDropped(key string, v any) error
}

// Broker holds one session's pending questionnaires. The first answer wins;
// later answers for the same request find nothing (ErrNotFound).
type Broker struct {
	sessionID string
	pub       Publisher
	onAsk     func(Request)

	mu      sync.Mutex
	pending map[string]*pending
	order   []string
	closed  bool
}

type pending struct {
	req  Request
	done chan Response // buffered: Answer never blocks
}

// NewBroker returns the broker of session sessionID. onAsk, when set, is
// told about every questionnaire shown (webhooks, orchestration).
func NewBroker(sessionID string, pub Publisher, onAsk func(Request)) *Broker {
	return &Broker{sessionID: sessionID, pub: pub, onAsk: onAsk, pending: map[string]*pending{}}
}

type askedEvent struct {
	Type      string     `json:"type"`
	SessionID string     `json:"sessionId"`
	RequestID string     `json:"requestId"`
	Questions []Question `json:"questions"`
}

type cancelledEvent struct {
	Type      string `json:"type"`
	SessionID string `json:"sessionId"`
	RequestID string `json:"requestId"`
	Reason    string `json:"reason"`
}

// frameKey names a request's connect-time frame.
func frameKey(id string) string { return EventAsked + ":" + id }

// Ask shows qs to every client of the session and waits, with no timeout,
// for an answer. When ctx ends first (the run was aborted) the request is
// withdrawn, clients are told (reason "aborted") and aborted is true.
func (b *Broker) Ask(ctx context.Context, qs []Question) (resp Response, aborted bool) {
	p := &pending{req: Request{RequestID: uuid.NewString(), Questions: qs}, done: make(chan Response, 1)}
	id := p.req.RequestID
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return Response{Cancelled: true}, true
	}
	b.pending[id] = p
	b.order = append(b.order, id)
	// Published under mu, so an answer cannot withdraw the frame before it
	// is kept.
	b.publish(true, id, askedEvent{Type: EventAsked, SessionID: b.sessionID, RequestID: id, Questions: qs})
	b.mu.Unlock()
	if b.onAsk != nil {
		b.onAsk(p.req)
	}
	select {
	case r := <-p.done:
		return r, false
	case <-ctx.Done():
	}
	if !b.withdraw(id, ReasonAborted) {
		return <-p.done, false // answered just as the run was aborted
	}
	return Response{Cancelled: true}, true
}

// Answer delivers the browser's response to request id.
func (b *Broker) Answer(id string, r Response) error {
	b.mu.Lock()
	p, ok := b.pending[id]
	if !ok {
		b.mu.Unlock()
		return ErrNotFound
	}
	b.removeLocked(id, ReasonAnswered)
	b.mu.Unlock()
	p.done <- r
	return nil
}

// withdraw removes a request nobody answered; false when it is gone.
func (b *Broker) withdraw(id, reason string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.pending[id]; !ok {
		return false
	}
	b.removeLocked(id, reason)
	return true
}

func (b *Broker) removeLocked(id, reason string) {
	delete(b.pending, id)
	for i, o := range b.order {
		if o == id {
			b.order = append(b.order[:i:i], b.order[i+1:]...)
			break
		}
	}
	b.publish(false, id, cancelledEvent{Type: EventCancelled, SessionID: b.sessionID, RequestID: id, Reason: reason})
}

func (b *Broker) publish(keep bool, id string, v any) {
	if b.pub == nil {
		return
	}
	if keep {
		_ = b.pub.PublishKept(frameKey(id), v)
	} else {
		_ = b.pub.PublishDropped(frameKey(id), v)
	}
}

// Pending returns the requests waiting for an answer, oldest first.
func (b *Broker) Pending() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Request, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.pending[id].req)
	}
	return out
}

// Lookup returns pending request id.
func (b *Broker) Lookup(id string) (Request, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.pending[id]
	if !ok {
		return Request{}, false
	}
	return p.req, true
}

// Close refuses new questionnaires (the session is going away); waiting
// ones end when their run is aborted.
func (b *Broker) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}
