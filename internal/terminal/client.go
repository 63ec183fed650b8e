package terminal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/coder/websocket"
)

const (
	// highWater is how far (in bytes) a socket may fall behind before the
	// PTY stops being read. Up to about twice this is buffered per socket:
	// one frame being written and the bytes queued behind it.
	highWater = 256 << 10
	// keepBuffer is the largest queue buffer kept once a burst is over;
	// bigger ones are dropped so an idle terminal stays small.
	keepBuffer = 64 << 10
	// closeTimeout bounds a server-initiated close: a peer that does not
	// take the rest of its output and the close frame in time is cut off.
	closeTimeout = 10 * time.Second
	// minPingTimeout is the least time a peer gets to answer a ping.
	minPingTimeout = 10 * time.Second
	// bulkRead is a PTY read big enough to mean more output is queued
	// behind it (Linux hands out PTY output 4 KiB at a time). Keystroke
	// echoes and prompts are far smaller and are sent at once.
	bulkRead = 2 << 10
	// During bulk output a frame waits up to batchDelay to reach minBatch.
	minBatch   = 64 << 10
	batchDelay = 2 * time.Millisecond
)

// client is one attached socket.
type client struct {
	conn      *websocket.Conn
	keepalive time.Duration
	ctx       context.Context // ends with the socket; cancelling it cuts the socket off
	cancel    context.CancelFunc

	mu          sync.Mutex
	pending     []byte // output not yet handed to the socket
	spare       []byte // the previous frame's buffer, for reuse
	closeCode   websocket.StatusCode
	closeReason string
	flush       bool        // send what is pending before closing
	bulk        bool        // the last PTY read was a big one
	force       *time.Timer // cuts the socket off if the close stalls

	wake chan struct{} // pending or closeCode changed
	room chan struct{} // pending was taken by the writer
	gone chan struct{} // the writer has stopped

	tabClosed bool // the peer closed with reason tab_closed (read loop only)
}

func newClient(conn *websocket.Conn, keepalive time.Duration) *client {
	ctx, cancel := context.WithCancel(context.Background())
	return &client{
		conn: conn, keepalive: keepalive, ctx: ctx, cancel: cancel,
		wake: make(chan struct{}, 1), room: make(chan struct{}, 1), gone: make(chan struct{}),
	}
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run serves the socket for s until it ends, then detaches it.
func (c *client) run(s *session) {
	var wg sync.WaitGroup
	wg.Go(c.writeLoop)
	if c.keepalive > 0 {
		wg.Go(c.pingLoop)
	}
	c.readLoop(s)
	s.detach(c, c.tabClosed)
	c.cancel()
	wg.Wait()
	c.mu.Lock()
	if c.force != nil {
		c.force.Stop()
	}
	c.mu.Unlock()
	_ = c.conn.CloseNow()
}

// preload queues the replay of a freshly attached socket.
func (c *client) preload(p []byte) {
	c.mu.Lock()
	c.pending = append(c.pending, p...)
	c.mu.Unlock()
	if len(p) > 0 {
		notify(c.wake)
	}
}

// enqueue queues output and reports whether the socket is now over its
// high-water mark. Called with the session's lock held.
func (c *client) enqueue(p []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeCode != 0 && !c.flush {
		return false
	}
	wasEmpty := len(c.pending) == 0
	c.pending = append(c.pending, p...)
	c.bulk = len(p) >= bulkRead
	// A writer batching bulk output only needs waking once the batch is
	// full or the burst is over; waking it for every 4 KiB read costs a
	// context switch each.
	if wasEmpty || !c.bulk || len(c.pending) >= minBatch {
		notify(c.wake)
	}
	return len(c.pending) >= highWater
}

// waitRoom blocks the PTY reader until the socket has taken its queue, is
// closing, or the terminal stops.
func (c *client) waitRoom(stop <-chan struct{}) {
	for {
		c.mu.Lock()
		full := len(c.pending) >= highWater && c.closeCode == 0
		c.mu.Unlock()
		if !full {
			return
		}
		select {
		case <-c.room:
		case <-c.gone:
			return
		case <-stop:
			return
		}
	}
}

// kick closes the socket with code and reason; the first kick wins. With
// flush, output already queued is sent first.
func (c *client) kick(code websocket.StatusCode, reason string, flush bool) {
	c.mu.Lock()
	if c.closeCode == 0 {
		c.closeCode, c.closeReason, c.flush = code, reason, flush
		if !flush {
			c.pending = nil
		}
		c.force = time.AfterFunc(closeTimeout, c.cancel)
	}
	c.mu.Unlock()
	notify(c.wake)
	notify(c.room)
}

func (c *client) kicked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode != 0
}

// writeLoop sends queued output, everything queued as one binary frame,
// and performs server-initiated closes.
func (c *client) writeLoop() {
	defer close(c.gone)
	batch := time.NewTimer(time.Hour)
	batch.Stop()
	defer batch.Stop()
	for {
		frame, ok := c.nextFrame(batch)
		if !ok {
			return
		}
		notify(c.room)
		err := c.conn.Write(c.ctx, websocket.MessageBinary, frame)
		c.mu.Lock()
		c.spare = frame[:0]
		c.mu.Unlock()
		if err != nil {
			c.cancel()
			return
		}
	}
}

// nextFrame waits for output and takes it all. During bulk output it
// waits a little longer for a bigger frame: fewer, larger writes leave
// more CPU to the producer and the browser. ok is false when the writer
// is done (the socket ended, or a close was sent).
func (c *client) nextFrame(batch *time.Timer) (frame []byte, ok bool) {
	c.mu.Lock()
	for len(c.pending) == 0 && c.closeCode == 0 {
		c.shrink()
		c.mu.Unlock()
		select {
		case <-c.wake:
		case <-c.ctx.Done():
			return nil, false
		}
		c.mu.Lock()
	}
	if c.bulk && c.closeCode == 0 && len(c.pending) < minBatch {
		batch.Reset(batchDelay)
	wait:
		for c.bulk && c.closeCode == 0 && len(c.pending) < minBatch {
			c.mu.Unlock()
			select {
			case <-c.wake:
			case <-batch.C:
				c.mu.Lock()
				break wait
			case <-c.ctx.Done():
				return nil, false
			}
			c.mu.Lock()
		}
		batch.Stop()
	}
	if c.closeCode != 0 && (!c.flush || len(c.pending) == 0) {
		code, reason := c.closeCode, c.closeReason
		c.mu.Unlock()
		_ = c.conn.Close(code, reason)
		return nil, false
	}
	frame = c.pending
	c.pending, c.spare = c.spare[:0], nil
	c.mu.Unlock()
	return frame, true
}

// shrink lets big queue buffers go once a burst is over, so an idle
// terminal stays small. Called with c.mu held and nothing pending.
func (c *client) shrink() {
	if cap(c.spare) > keepBuffer {
		c.spare = nil
	}
	if cap(c.pending) > keepBuffer {
		c.pending = nil
	}
}

// readLoop handles client frames until the socket ends. It records
// whether the peer closed with tab_closed.
func (c *client) readLoop(s *session) {
	c.conn.SetReadLimit(-1) // oversized frames are skipped, not fatal
	var buf bytes.Buffer
	for {
		typ, r, err := c.conn.Reader(c.ctx)
		if err != nil {
			var ce websocket.CloseError
			c.tabClosed = errors.As(err, &ce) && ce.Reason == ReasonTabClosed
			return
		}
		if typ != websocket.MessageText {
			if _, err := io.Copy(io.Discard, r); err != nil {
				return
			}
			continue
		}
		buf.Reset()
		if _, err := buf.ReadFrom(io.LimitReader(r, MaxClientFrame+1)); err != nil {
			return
		}
		if buf.Len() > MaxClientFrame {
			if _, err := io.Copy(io.Discard, r); err != nil {
				return
			}
		} else {
			c.handle(s, buf.Bytes())
		}
		if buf.Cap() > keepBuffer {
			buf = bytes.Buffer{}
		}
	}
}

// handle acts on one client frame.
func (c *client) handle(s *session, frame []byte) {
	msg, ok := parseClientMessage(frame)
	if !ok || c.kicked() {
		return
	}
	var err error
	switch msg.Type {
	case "input":
		err = s.input([]byte(*msg.Data))
	case "resize":
		err = s.resize(*msg.Cols, *msg.Rows)
	}
	if err != nil && !s.ending() {
		c.kick(CodeInternal, ReasonPTYDead, false)
	}
}

// pingLoop sends an RFC 6455 ping every keepalive interval, which keeps
// proxies from timing the socket out; a peer that stops answering is cut
// off, which detaches the terminal.
func (c *client) pingLoop() {
	t := time.NewTicker(c.keepalive)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(c.ctx, max(c.keepalive, minPingTimeout))
		err := c.conn.Ping(ctx)
		cancel()
		if err != nil {
			c.cancel()
			return
		}
	}
}
