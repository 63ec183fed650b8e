package stream

import (
	"errors"
	"sync/atomic"
)

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
	queued    atomic.Int64 // bytes of frames sent to ch and not yet Taken
}

// size is what ev costs this subscriber's queue.
func (s *Subscriber) size(ev *Event) int64 {
	if s.reference && ev.Reference != nil {
		return int64(len(ev.Reference))
	}
	return int64(len(ev.Data))
}

// offer queues ev unless the queue is full by count or by bytes.
func (s *Subscriber) offer(ev *Event, maxBytes int) bool {
	n := s.size(ev)
	if maxBytes > 0 && s.queued.Load()+n > int64(maxBytes) {
		return false
	}
	select {
	case s.ch <- ev:
		s.queued.Add(n)
		return true
	default:
		return false
	}
}

// Taken tells the subscriber an event left its queue (the writer has it),
// so its byte budget is free again.
func (s *Subscriber) Taken(ev *Event) { s.queued.Add(-s.size(ev)) }

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
