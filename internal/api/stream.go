package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/stream"
)

// SSE framing (docs/sse.md).
const (
	// HeartbeatInterval is how often an idle stream gets a padded comment.
	HeartbeatInterval = 20 * time.Second
	// padSize is the size of heartbeat and flush-padding comments: enough
	// for buffering proxies to pass them on at once.
	padSize = 2048
	// writeTimeout bounds one write; a peer that takes no bytes that long
	// is gone.
	writeTimeout = 30 * time.Second
	// maxBatch is the most bytes one coalesced write carries.
	maxBatch = 256 << 10
)

// streamInput is GET /sessions/{id}/stream's request.
type streamInput struct {
	ID          string `path:"id"`
	LastEventID string `header:"Last-Event-ID" doc:"resume after this event id"`
	LastEventQ  string `query:"lastEventId" doc:"resume after this event id (for clients that cannot set headers)"`
	Framing     string `query:"framing" enum:"compact,reference" doc:"reference: message_update carries the full partial message, as pi-forge (TypeScript) sends it"`
}

func registerStream(api huma.API, d Sessions) {
	op := sessionOp(http.MethodGet, "/sessions/{id}/stream", "streamSession", "The session's events (SSE)")
	op.Description = "text/event-stream: a snapshot first (or, with Last-Event-ID, the events missed since), then live events, each with an id. See docs/sse.md."
	op.Responses = map[string]*huma.Response{"200": {Description: "event stream", Content: map[string]*huma.MediaType{"text/event-stream": {}}}}
	huma.Register(api, op, func(ctx context.Context, in *streamInput) (*huma.StreamResponse, error) {
		s, err := d.Registry.Resume(ctx, in.ID)
		if err != nil {
			switch {
			case errors.Is(err, registry.ErrSessionNotFound), errors.Is(err, registry.ErrTombstoned), errors.Is(err, registry.ErrClosed):
				return nil, sessionError(err)
			}
			return nil, server.Errorf(http.StatusInternalServerError, "resume_failed", "the session could not be loaded")
		}
		last := in.LastEventID
		if last == "" {
			last = in.LastEventQ
		}
		reference := in.Framing == "reference"
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			sub, replay, first := s.Subscribe(last, reference)
			defer sub.Close()
			if first == nil && replay == nil && isDone(sub) {
				// Disposed between the resume and the subscription.
				server.WriteError(w, sessionError(registry.ErrTombstoned))
				return
			}
			sw := newStreamWriter(w, reference)
			sw.start()
			if first != nil {
				sw.add(first)
			}
			for _, ev := range replay {
				sw.add(ev)
			}
			if first == nil {
				// Tells a resuming client the replay is over (docs/sse.md).
				sw.buf = append(sw.buf, ": caught-up\n\n"...)
			}
			if !sw.flush() {
				return
			}
			sw.run(r.Context(), sub, d.Closing, d.Heartbeat)
		}), nil
	})
}

func isDone(sub *stream.Subscriber) bool {
	select {
	case <-sub.Done():
		return true
	default:
		return false
	}
}

// streamWriter writes one client's frames. Frames queued while a write is
// in progress go out together in the next write and flush.
type streamWriter struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	reference bool
	buf       []byte
}

func newStreamWriter(w http.ResponseWriter, reference bool) *streamWriter {
	return &streamWriter{w: w, rc: http.NewResponseController(w), reference: reference, buf: make([]byte, 0, 16<<10)}
}

func (sw *streamWriter) start() {
	h := sw.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache, no-transform")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	// The server's own write deadline (if any) must not cut a stream.
	_ = sw.rc.SetWriteDeadline(time.Time{})
	sw.w.WriteHeader(http.StatusOK)
	// Send the headers now: a resumed client with nothing to catch up on
	// would otherwise wait for the first event or heartbeat to see them.
	_ = sw.rc.Flush()
}

// add appends one event's frame (and its padding) to the batch.
func (sw *streamWriter) add(ev *stream.Event) {
	data := ev.Data
	if sw.reference && ev.Reference != nil {
		data = ev.Reference
	}
	sw.buf = append(sw.buf, "id: "...)
	sw.buf = append(sw.buf, ev.ID...)
	sw.buf = append(sw.buf, "\ndata: "...)
	sw.buf = append(sw.buf, data...)
	sw.buf = append(sw.buf, "\n\n"...)
	if ev.Pad {
		sw.buf = appendPad(sw.buf, padLabel(data))
	}
}

// padLabel names a padding comment after the event it follows.
func padLabel(data []byte) string {
	switch {
	case strings.Contains(string(data[:min(len(data), 48)]), `"session_list_changed"`):
		return "session-list-changed"
	case strings.Contains(string(data[:min(len(data), 48)]), `"session_renamed"`):
		return "session-renamed"
	}
	return "pad-flush"
}

// appendPad appends an SSE comment padded to padSize bytes.
func appendPad(b []byte, label string) []byte {
	start := len(b)
	b = append(b, ": "...)
	b = append(b, label...)
	b = append(b, ' ')
	for len(b)-start < padSize-2 {
		b = append(b, '_')
	}
	return append(b, "\n\n"...)
}

// flush writes the batch; false when the client is gone.
func (sw *streamWriter) flush() bool {
	if len(sw.buf) == 0 {
		return true
	}
	_ = sw.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := sw.w.Write(sw.buf)
	if err == nil {
		err = sw.rc.Flush()
	}
	sw.buf = sw.buf[:0]
	return err == nil
}

// run forwards live events until the client leaves, the subscription ends
// (too slow, or the session was disposed) or the server shuts down.
func (sw *streamWriter) run(ctx context.Context, sub *stream.Subscriber, closing <-chan struct{}, every time.Duration) {
	heartbeat := time.NewTicker(every)
	defer heartbeat.Stop()
	events := sub.Events()
	for {
		select {
		case ev := <-events:
			sub.Taken(ev)
			sw.add(ev)
			sw.drain(sub)
		case <-heartbeat.C:
			sw.buf = appendPad(sw.buf, "heartbeat")
		case <-sub.Done():
			return
		case <-ctx.Done():
			return
		case <-closing:
			return
		}
		if !sw.flush() {
			return
		}
	}
}

// drain adds the events already queued, up to one batch.
func (sw *streamWriter) drain(sub *stream.Subscriber) {
	for len(sw.buf) < maxBatch {
		select {
		case ev := <-sub.Events():
			sub.Taken(ev)
			sw.add(ev)
		default:
			return
		}
	}
}
