package aitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Event is a recorded stream event with its own copy of the partial
// message.
type Event struct {
	ai.StreamEvent
	Partial *ai.Message
}

// Recorder collects the events of a Provider.Stream call.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	// OnEvent, when set, runs for each event after it is recorded (to
	// cancel a stream at a chosen point, say).
	OnEvent func(e *ai.StreamEvent)
}

// Emit records e; pass it as Stream's emit callback.
func (r *Recorder) Emit(e *ai.StreamEvent) {
	r.mu.Lock()
	ev := Event{StreamEvent: *e, Partial: e.Partial.Clone()}
	ev.StreamEvent.Partial = nil // only valid during the callback
	if e.ToolCall != nil {
		tc := *e.ToolCall
		ev.ToolCall = &tc
	}
	r.events = append(r.events, ev)
	hook := r.OnEvent
	r.mu.Unlock()
	if hook != nil {
		hook(e)
	}
}

// Events returns the recorded events.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Sequence returns "type:contentIndex" per event, deltas of one block
// collapsed into one entry, and "done:reason" / "error:reason" at the end:
// the shape tests compare.
func (r *Recorder) Sequence() []string {
	var out []string
	for _, e := range r.Events() {
		var s string
		switch e.Type {
		case ai.EventStart:
			s = "start"
		case ai.EventDone, ai.EventError:
			s = e.Type + ":" + string(e.Reason)
		default:
			s = fmt.Sprintf("%s:%d", e.Type, e.ContentIndex)
		}
		if len(out) > 0 && out[len(out)-1] == s {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Golden compares got, indented when it is JSON, with the file at path; with
// update set it rewrites the file instead.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	var pretty bytes.Buffer
	if json.Indent(&pretty, bytes.TrimSpace(got), "", "  ") == nil {
		pretty.WriteByte('\n')
		got = pretty.Bytes()
	}
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
