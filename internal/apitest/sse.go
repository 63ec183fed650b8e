package apitest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Event is one SSE frame with data (comment frames are counted, not kept).
type Event struct {
	ID   string
	Data string
}

// Type is the event's JSON "type".
func (e Event) Type() string {
	var v struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal([]byte(e.Data), &v)
	return v.Type
}

// Map decodes the event's JSON.
func (e Event) Map() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(e.Data), &m)
	return m
}

// Stream is an open SSE connection read in the background.
type Stream struct {
	Resp     *http.Response
	events   chan Event
	done     chan struct{}
	hold     chan struct{}
	release  sync.Once
	comments atomic.Int64
	bytes    atomic.Int64
	cancel   context.CancelFunc
}

// Comments counts the comment frames seen (heartbeats and padding).
func (s *Stream) Comments() int64 { return s.comments.Load() }

// Bytes counts the bytes read.
func (s *Stream) Bytes() int64 { return s.bytes.Load() }

// StreamOptions tune OpenStream.
type StreamOptions struct {
	Token   string
	Headers []string // "Name: value"
	// Held opens the stream without reading it until Release: with a small
	// receive buffer it stands for a client that stopped reading.
	Held bool
}

// OpenStream opens an SSE stream at url (a full URL) with optional
// "Name: value" headers. A non-200 answer is returned with a nil stream.
func OpenStream(t testing.TB, url, token string, headers ...string) (*Stream, *Response) {
	t.Helper()
	return OpenStreamWith(t, url, StreamOptions{Token: token, Headers: headers})
}

// heldClient dials with a 4 KiB receive buffer, so a client that does not
// read makes the server's writes block soon.
var heldClient = &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
	Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}).DialContext, DisableKeepAlives: true}}

// OpenStreamWith is OpenStream with options.
func OpenStreamWith(t testing.TB, url string, o StreamOptions) (*Stream, *Response) {
	t.Helper()
	token, headers := o.Token, o.Headers
	client := http.DefaultClient
	if o.Held {
		client = heldClient
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return nil, &Response{Response: resp, Body: body}
	}
	s := &Stream{Resp: resp, events: make(chan Event, 1<<16), done: make(chan struct{}), cancel: cancel}
	if o.Held {
		s.hold = make(chan struct{})
	}
	go s.read(resp.Body, s.hold)
	t.Cleanup(s.Close)
	return s, nil
}

// Stream opens GET path's event stream with the env's token.
func (e *Env) Stream(path string, headers ...string) *Stream {
	e.T.Helper()
	s, r := OpenStream(e.T, e.URL+path, e.Token, headers...)
	if s == nil {
		e.T.Fatalf("GET %s: status %d; body %s", path, r.StatusCode, r.Body)
	}
	return s
}

// Release starts reading a held stream.
func (s *Stream) Release() {
	if s.hold != nil {
		s.release.Do(func() { close(s.hold) })
	}
}

func (s *Stream) read(body io.ReadCloser, hold chan struct{}) {
	defer close(s.done)
	defer close(s.events)
	defer body.Close()
	if hold != nil {
		<-hold
	}
	br := bufio.NewReaderSize(body, 64<<10)
	var ev Event
	var data []string
	comment := false
	for {
		line, err := br.ReadString('\n')
		s.bytes.Add(int64(len(line)))
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if data != nil {
				ev.Data = strings.Join(data, "\n")
				s.events <- ev
			} else if comment {
				s.comments.Add(1)
			}
			ev, data, comment = Event{}, nil, false
		case strings.HasPrefix(line, ":"):
			comment = true
		case strings.HasPrefix(line, "id: "):
			ev.ID = line[4:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:])
		}
	}
}

// ErrTimeout is Next's error when no event came in time.
var ErrTimeout = errors.New("apitest: no event in time")

// Next returns the next event; io.EOF once the stream has ended.
func (s *Stream) Next(timeout time.Duration) (Event, error) {
	select {
	case ev, ok := <-s.events:
		if !ok {
			return Event{}, io.EOF
		}
		return ev, nil
	case <-time.After(timeout):
		return Event{}, ErrTimeout
	}
}

// Until collects events up to and including the first of type typ.
func (s *Stream) Until(t testing.TB, typ string, timeout time.Duration) []Event {
	t.Helper()
	var out []Event
	deadline := time.Now().Add(timeout)
	for {
		ev, err := s.Next(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for %s after %d events: %v", typ, len(out), err)
		}
		out = append(out, ev)
		if ev.Type() == typ {
			return out
		}
	}
}

// Ended reports whether the server ended the stream.
func (s *Stream) Ended() <-chan struct{} { return s.done }

// Close drops the connection.
func (s *Stream) Close() {
	s.cancel()
	s.Release()
	<-s.done
}
