// Package stream fans one session's events out to any number of
// subscribers without letting one slow reader hold up the others or the
// agent, and keeps a bounded replay log so a subscriber that reconnects with
// the id of the last event it saw misses nothing.
package stream

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
)

// Event is one published event, shared read-only by every subscriber.
type Event struct {
	Seq  uint64
	ID   string // "<stream>:<seq>", the SSE id
	Data []byte // single-line JSON
	// Reference is the reference-framing JSON when it differs from Data
	// (message_update with the full partial message), else nil.
	Reference []byte
	// Pad asks the writer to follow the frame with a padding comment so
	// buffering proxies flush it (compaction_start, session list nudges).
	Pad bool
}

// Limits bound the replay log and each subscriber's queue.
type Limits struct {
	ReplayEvents int // events kept for replay
	ReplayBytes  int // bytes of Data kept for replay
	QueueEvents  int // events a subscriber may lag behind before it is dropped
	QueueBytes   int // bytes of frames a subscriber may lag behind before it is dropped
}

// DefaultLimits keep a long reply's deltas (a 2,000-word answer is about
// 3,000 small events) and let a subscriber lag a few seconds of a fast stream.
var DefaultLimits = Limits{ReplayEvents: 20000, ReplayBytes: 8 << 20, QueueEvents: 8192, QueueBytes: 8 << 20}

// Broadcaster numbers events, keeps the replay log and delivers to
// subscribers. Publish never blocks on a subscriber.
type Broadcaster struct {
	id     string
	limits Limits

	mu        sync.Mutex
	seq       uint64
	log       []*Event // ring: log[(start+i)%len]
	start     int
	n         int
	logBytes  int
	subs      map[*Subscriber]struct{}
	closed    bool
	wantsFull int // subscribers in reference framing
}

// New starts a broadcaster with a fresh random stream id, so ids from an
// earlier life of the session (before a restart) never match.
func New(limits Limits) *Broadcaster {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &Broadcaster{
		id:     hex.EncodeToString(b[:]),
		limits: limits,
		log:    make([]*Event, max(limits.ReplayEvents, 1)),
		subs:   map[*Subscriber]struct{}{},
	}
}

// StreamID names this life of the stream.
func (b *Broadcaster) StreamID() string { return b.id }

// WantsReference reports whether any subscriber needs reference framing, so
// the publisher only builds the expensive full-partial JSON when someone
// reads it.
func (b *Broadcaster) WantsReference() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.wantsFull > 0
}

// Publish numbers the event, logs it and queues it to every subscriber.
// apply runs under the same lock before delivery: publishers update the
// state snapshots are built from there, so a snapshot and the event
// sequence can never disagree. A subscriber whose queue is full is dropped
// (it reconnects and catches up from the log).
func (b *Broadcaster) Publish(data, reference []byte, pad bool, apply func()) *Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	if apply != nil {
		apply()
	}
	if b.closed {
		return nil
	}
	b.seq++
	ev := &Event{Seq: b.seq, ID: b.id + ":" + strconv.FormatUint(b.seq, 10), Data: data, Reference: reference, Pad: pad}
	b.append(ev)
	for s := range b.subs {
		if !s.offer(ev, b.limits.QueueBytes) {
			b.dropLocked(s, ErrTooSlow)
		}
	}
	return ev
}

func (b *Broadcaster) append(ev *Event) {
	if b.limits.ReplayEvents <= 0 {
		return
	}
	if ev.Reference != nil {
		// Replays only go to compact subscribers: keep the log small.
		c := *ev
		c.Reference = nil
		ev = &c
	}
	if b.n == len(b.log) {
		b.evictOldest()
	}
	b.log[(b.start+b.n)%len(b.log)] = ev
	b.n++
	b.logBytes += len(ev.Data)
	for b.n > 1 && b.logBytes > b.limits.ReplayBytes {
		b.evictOldest()
	}
}

func (b *Broadcaster) evictOldest() {
	old := b.log[b.start]
	b.log[b.start] = nil
	b.start = (b.start + 1) % len(b.log)
	b.n--
	b.logBytes -= len(old.Data)
}

// Subscribe attaches a subscriber. With a lastEventID from this stream whose
// successors are all still logged, replay holds exactly those events and
// needSnapshot is false. Otherwise needSnapshot is true: snapshot runs under
// the lock (so no event slips between it and the first queued event) and
// returns the snapshot frame's JSON, which gets the current id.
func (b *Broadcaster) Subscribe(lastEventID string, reference bool, snapshot func() []byte) (s *Subscriber, replay []*Event, first *Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s = &Subscriber{b: b, ch: make(chan *Event, max(b.limits.QueueEvents, 1)), done: make(chan struct{}), reference: reference}
	if b.closed {
		s.err = ErrClosed
		close(s.done)
		return s, nil, nil
	}
	if !reference {
		if events, ok := b.since(lastEventID); ok {
			b.subs[s] = struct{}{}
			return s, events, nil
		}
	}
	first = &Event{Seq: b.seq, ID: b.id + ":" + strconv.FormatUint(b.seq, 10), Data: snapshot()}
	b.subs[s] = struct{}{}
	if reference {
		b.wantsFull++
	}
	return s, nil, first
}

// since returns the logged events after id, or false when id is from
// another stream or its successors are no longer all logged.
func (b *Broadcaster) since(id string) ([]*Event, bool) {
	stream, seqText, ok := strings.Cut(id, ":")
	if !ok || stream != b.id {
		return nil, false
	}
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if err != nil || seq > b.seq {
		return nil, false
	}
	if seq == b.seq {
		return nil, true
	}
	if b.n == 0 {
		return nil, false
	}
	oldest := b.log[b.start].Seq
	if seq+1 < oldest {
		return nil, false
	}
	out := make([]*Event, 0, b.seq-seq)
	for i := int(seq + 1 - oldest); i < b.n; i++ {
		out = append(out, b.log[(b.start+i)%len(b.log)])
	}
	return out, true
}

// Close ends every subscriber (the session was disposed); later Publish
// calls are ignored.
func (b *Broadcaster) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.dropLocked(s, ErrClosed)
	}
}

// Subscribers counts attached subscribers.
func (b *Broadcaster) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

func (b *Broadcaster) dropLocked(s *Subscriber, err error) {
	if _, ok := b.subs[s]; !ok {
		return
	}
	delete(b.subs, s)
	if s.reference {
		b.wantsFull--
	}
	s.err = err
	close(s.done)
}
