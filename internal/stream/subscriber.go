package stream

import "errors"

// Why a subscription ended.
var (
	ErrTooSlow = errors.New("stream: subscriber fell too far behind")
	ErrClosed  = errors.New("stream: closed")
)

// Subscriber receives one broadcaster's events in order.
type Subscriber struct {
	b         *Broadcaster
	ch        chan *Event
	done      chan struct{}
	err       error
	reference bool
}

// Events delivers events in publish order.
func (s *Subscriber) Events() <-chan *Event { return s.ch }

// Done is closed when the broadcaster dropped the subscriber (too slow) or
// closed; Err then says which. Events already queued may be discarded.
func (s *Subscriber) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended; valid after Done is closed.
func (s *Subscriber) Err() error { return s.err }

// Close detaches the subscriber (its connection went away).
func (s *Subscriber) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.dropLocked(s, nil)
}
