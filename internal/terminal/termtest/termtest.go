// Package termtest is a WebSocket client for tests of the terminal
// protocol: it collects the binary output frames, types input, resizes,
// and waits for output or for the server's close.
package termtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Timeout bounds every wait; waits end as soon as what they wait for
// shows up.
const Timeout = 15 * time.Second

// Client is one terminal socket.
type Client struct {
	t    testing.TB
	Conn *websocket.Conn

	mu      sync.Mutex
	out     bytes.Buffer
	changed chan struct{}
	done    chan struct{}
	err     error // why reading stopped
	started bool
	pings   chan struct{}
}

// Dial opens a socket and starts reading it; the test fails if the
// upgrade fails. opts may be nil.
func Dial(t testing.TB, url string, opts *websocket.DialOptions) *Client {
	t.Helper()
	c := DialPaused(t, url, opts)
	c.StartReading()
	return c
}

// DialPaused opens a socket without reading from it (a slow reader)
// until StartReading.
func DialPaused(t testing.TB, url string, opts *websocket.DialOptions) *Client {
	t.Helper()
	c := &Client{t: t, changed: make(chan struct{}, 1), done: make(chan struct{}), pings: make(chan struct{}, 64)}
	o := websocket.DialOptions{}
	if opts != nil {
		o = *opts
	}
	o.OnPingReceived = func(context.Context, []byte) bool {
		select {
		case c.pings <- struct{}{}:
		default:
		}
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, &o)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	conn.SetReadLimit(-1) // output frames can be hundreds of KiB
	c.Conn = conn
	t.Cleanup(func() {
		_ = conn.CloseNow()
		<-c.readerDone()
	})
	return c
}

func (c *Client) readerDone() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return c.done
	}
	closed := make(chan struct{})
	close(closed)
	return closed
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// StartReading starts collecting output.
func (c *Client) StartReading() {
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	go func() {
		defer close(c.done)
		for {
			typ, b, err := c.Conn.Read(context.Background())
			c.mu.Lock()
			if err != nil {
				c.err = err
				c.mu.Unlock()
				notify(c.changed)
				return
			}
			if typ == websocket.MessageBinary {
				c.out.Write(b)
			}
			c.mu.Unlock()
			notify(c.changed)
		}
	}()
}

// Pings delivers one value per ping frame received.
func (c *Client) Pings() <-chan struct{} { return c.pings }

// Send writes v as a JSON text frame.
func (c *Client) Send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.SendRaw(websocket.MessageText, b)
}

// SendRaw writes one frame as is.
func (c *Client) SendRaw(typ websocket.MessageType, b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := c.Conn.Write(ctx, typ, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// Input types s into the terminal.
func (c *Client) Input(s string) {
	c.t.Helper()
	c.Send(map[string]any{"type": "input", "data": s})
}

// Resize sends a resize frame.
func (c *Client) Resize(cols, rows int) {
	c.t.Helper()
	c.Send(map[string]any{"type": "resize", "cols": cols, "rows": rows})
}

// Output is everything received so far.
func (c *Client) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// WaitMatch waits until the output matches re and returns the submatches.
func (c *Client) WaitMatch(re *regexp.Regexp) []string {
	c.t.Helper()
	deadline := time.After(Timeout)
	for {
		c.mu.Lock()
		m := re.FindStringSubmatch(c.out.String())
		err := c.err
		c.mu.Unlock()
		if m != nil {
			return m
		}
		if err != nil {
			c.t.Fatalf("socket ended (%v) before %q showed up; output:\n%q", err, re, c.Output())
		}
		select {
		case <-c.changed:
		case <-deadline:
			c.t.Fatalf("timed out waiting for %q; output:\n%q", re, c.Output())
		}
	}
}

// WaitFor waits until the output contains s.
func (c *Client) WaitFor(s string) {
	c.t.Helper()
	c.WaitMatch(regexp.MustCompile(regexp.QuoteMeta(s)))
}

// CloseStatus waits for the socket to end and returns the server's close
// frame (the test fails if it ended without one).
func (c *Client) CloseStatus() websocket.CloseError {
	c.t.Helper()
	select {
	case <-c.readerDone():
	case <-time.After(Timeout):
		c.t.Fatalf("socket did not close")
	}
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		c.t.Fatalf("socket ended without a close frame: %v", err)
	}
	return ce
}

// Close closes the socket from the client side and waits for the end.
func (c *Client) Close(code websocket.StatusCode, reason string) {
	c.t.Helper()
	_ = c.Conn.Close(code, reason)
	<-c.readerDone()
}

// ShellPID types a command printing the shell's pid and returns the pid.
func (c *Client) ShellPID() int {
	c.t.Helper()
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	c.Input("echo pid-" + tag + "=$$\n")
	m := c.WaitMatch(regexp.MustCompile(`pid-` + tag + `=(\d+)`))
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// ProcessGone reports whether pid has exited (gone, or a zombie nobody
// reaped yet).
func ProcessGone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// Eventually polls cond until it holds or Timeout passes; only for states
// that have no event (a process disappearing, a counter settling).
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
