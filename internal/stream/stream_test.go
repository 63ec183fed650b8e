package stream

import (
	"errors"
	"strconv"
	"sync"
	"testing"
)

func publishN(b *Broadcaster, from, to int) {
	for i := from; i <= to; i++ {
		b.Publish([]byte(strconv.Itoa(i)), nil, false, nil)
	}
}

func recv(t *testing.T, s *Subscriber, n int) []string {
	t.Helper()
	var out []string
	for range n {
		select {
		case ev := <-s.Events():
			out = append(out, string(ev.Data))
		case <-s.Done():
			t.Fatalf("subscriber ended early: %v", s.Err())
		}
	}
	return out
}

func TestLiveEventsInOrder(t *testing.T) {
	b := New(DefaultLimits)
	s, replay, first := b.Subscribe("", false, func() []byte { return []byte("snap") })
	if replay != nil || first == nil || string(first.Data) != "snap" || first.ID != b.StreamID()+":0" {
		t.Fatalf("first = %+v replay = %v", first, replay)
	}
	publishN(b, 1, 5)
	if got := recv(t, s, 5); strconvJoin(got) != "1,2,3,4,5" {
		t.Fatalf("got %v", got)
	}
}

func TestResumeReplaysExactlyTheMissedEvents(t *testing.T) {
	b := New(DefaultLimits)
	s, _, _ := b.Subscribe("", false, func() []byte { return nil })
	publishN(b, 1, 3)
	var last *Event
	for range 3 {
		last = <-s.Events()
	}
	s.Close() // the connection drops
	publishN(b, 4, 7)
	s2, replay, first := b.Subscribe(last.ID, false, func() []byte { t.Fatal("no snapshot expected"); return nil })
	if first != nil {
		t.Fatal("a resumable id must not produce a snapshot")
	}
	var got []string
	for _, ev := range replay {
		got = append(got, string(ev.Data))
	}
	if strconvJoin(got) != "4,5,6,7" {
		t.Fatalf("replay = %v", got)
	}
	publishN(b, 8, 8)
	if got := recv(t, s2, 1); got[0] != "8" {
		t.Fatalf("live after replay = %v", got)
	}
}

func TestUpToDateIDReplaysNothing(t *testing.T) {
	b := New(DefaultLimits)
	publishN(b, 1, 2)
	_, replay, first := b.Subscribe(b.StreamID()+":2", false, nil)
	if first != nil || len(replay) != 0 {
		t.Fatalf("replay %v first %v", replay, first)
	}
}

func TestUnknownOrEvictedIDGetsSnapshot(t *testing.T) {
	b := New(Limits{ReplayEvents: 3, ReplayBytes: 1 << 20, QueueEvents: 16})
	publishN(b, 1, 10)
	for _, id := range []string{"", "garbage", "otherstream:5", b.StreamID() + ":2", b.StreamID() + ":99"} {
		_, replay, first := b.Subscribe(id, false, func() []byte { return []byte("snap") })
		if first == nil || replay != nil || first.Seq != 10 {
			t.Errorf("id %q: first %+v replay %v", id, first, replay)
		}
	}
	// The oldest kept event is 8, so resuming after 7 still works.
	_, replay, first := b.Subscribe(b.StreamID()+":7", false, nil)
	if first != nil || len(replay) != 3 {
		t.Fatalf("resume after 7: %v %v", replay, first)
	}
}

func TestReplayLogIsBoundedByBytes(t *testing.T) {
	b := New(Limits{ReplayEvents: 100, ReplayBytes: 10, QueueEvents: 16})
	for range 10 {
		b.Publish([]byte("abcd"), nil, false, nil)
	}
	if b.logBytes > 10 || b.n != 2 {
		t.Fatalf("log holds %d events, %d bytes", b.n, b.logBytes)
	}
}

func TestSlowSubscriberIsDroppedOthersContinue(t *testing.T) {
	b := New(Limits{ReplayEvents: 1000, ReplayBytes: 1 << 20, QueueEvents: 4})
	slow, _, _ := b.Subscribe("", false, func() []byte { return nil })
	fast, _, _ := b.Subscribe("", false, func() []byte { return nil })
	// The fast reader keeps up event by event; the slow one reads nothing.
	// Publish must never wait for the slow one.
	for i := 1; i <= 100; i++ {
		b.Publish([]byte(strconv.Itoa(i)), nil, false, nil)
		if got := recv(t, fast, 1); got[0] != strconv.Itoa(i) {
			t.Fatalf("fast subscriber got %v, want %d", got, i)
		}
	}
	<-slow.Done()
	if !errors.Is(slow.Err(), ErrTooSlow) {
		t.Fatalf("slow err = %v", slow.Err())
	}
	if b.Subscribers() != 1 {
		t.Fatalf("subscribers = %d", b.Subscribers())
	}
}

func TestCloseEndsSubscribersAndIgnoresLaterEvents(t *testing.T) {
	b := New(DefaultLimits)
	s, _, _ := b.Subscribe("", true, func() []byte { return nil })
	if !b.WantsReference() {
		t.Fatal("a reference subscriber must be counted")
	}
	b.Close()
	<-s.Done()
	if !errors.Is(s.Err(), ErrClosed) || b.WantsReference() {
		t.Fatalf("err %v wants %v", s.Err(), b.WantsReference())
	}
	if ev := b.Publish([]byte("x"), nil, false, nil); ev != nil {
		t.Fatal("publish after close must be ignored")
	}
	late, _, _ := b.Subscribe("", false, nil)
	<-late.Done()
}

// TestSnapshotAndEventsNeverOverlap: state changes happen inside Publish's
// apply, snapshots read the same state under the same lock, so every
// subscriber sees each event exactly once either in the snapshot or live.
func TestSnapshotAndEventsNeverOverlap(t *testing.T) {
	b := New(DefaultLimits)
	count := 0 // state folded from events
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= 2000; i++ {
			b.Publish([]byte(strconv.Itoa(i)), nil, false, func() { count = i })
		}
	}()
	for range 20 {
		var snapAt int
		s, _, _ := b.Subscribe("", false, func() []byte { snapAt = count; return nil })
		expect := snapAt + 1
		for expect <= 2000 {
			ev := <-s.Events()
			if n, _ := strconv.Atoi(string(ev.Data)); n != expect {
				t.Fatalf("after snapshot at %d got %d, want %d", snapAt, n, expect)
			}
			expect++
			if expect > snapAt+50 {
				break
			}
		}
		s.Close()
	}
	wg.Wait()
}

func strconvJoin(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}

func TestSubscriberDroppedWhenQueuedBytesExceedBudget(t *testing.T) {
	b := New(Limits{ReplayEvents: 100, ReplayBytes: 1 << 20, QueueEvents: 1000, QueueBytes: 10})
	s, _, _ := b.Subscribe("", false, func() []byte { return nil })
	b.Publish([]byte("12345"), nil, false, nil)
	b.Publish([]byte("12345"), nil, false, nil)
	ev := <-s.Events()
	s.Taken(ev) // the writer has it: budget freed
	b.Publish([]byte("12345"), nil, false, nil)
	select {
	case <-s.Done():
		t.Fatalf("dropped while within budget: %v", s.Err())
	default:
	}
	b.Publish([]byte("12345"), nil, false, nil) // 15 bytes queued > 10
	<-s.Done()
	if !errors.Is(s.Err(), ErrTooSlow) {
		t.Fatalf("err = %v", s.Err())
	}
}

func TestReplayLogKeepsNoReferenceCopies(t *testing.T) {
	b := New(DefaultLimits)
	ref, _, _ := b.Subscribe("", true, func() []byte { return nil })
	ev := b.Publish([]byte("compact"), []byte("full partial message"), false, nil)
	if got := <-ref.Events(); string(got.Reference) != "full partial message" {
		t.Fatalf("reference subscriber got %q", got.Reference)
	}
	if b.log[b.start].Reference != nil || ev.Reference == nil {
		t.Fatal("the replay log must not hold reference bytes")
	}
}
