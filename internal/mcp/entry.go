package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// State is where a server's connection stands.
type State string

// Connection states (features §5).
const (
	StateIdle          State = "idle"
	StateConnecting    State = "connecting"
	StateConnected     State = "connected"
	StateError         State = "error"
	StateDisabled      State = "disabled"
	StateTrustRequired State = "trust_required"
)

// Scopes of a server.
const (
	ScopeGlobal  = "global"
	ScopeProject = "project"
)

// errNotConnected is what a call to a server without a connection gets.
var errNotConnected = errors.New("not connected")

// errRemoved ends a connect or a wait on an entry that was taken out of
// the pool.
var errRemoved = errors.New("server removed")

// entry is one configured server and its connection. Connects run on
// goroutines owned by the manager; the entry's lock is never held across
// network I/O.
type entry struct {
	name      string
	scope     string
	projectID string
	cfg       ServerCfg
	dialer    dialer
	now       func() time.Time

	mu       sync.Mutex
	state    State
	lastErr  string
	failedAt time.Time
	link     *link
	tools    []*sdk.Tool
	gen      uint64     // bumped on every successful connect
	inflight *connectOp // the connect in progress, shared by every waiter
	removed  bool
}

type connectOp struct {
	done chan struct{}
	err  error
}

// snapshot is an entry's state at one moment.
type snapshot struct {
	state   State
	lastErr string
	tools   []*sdk.Tool
	link    *link
	gen     uint64
}

func (e *entry) snap() snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return snapshot{state: e.state, lastErr: e.lastErr, tools: e.tools, link: e.link, gen: e.gen}
}

// startConnect begins a connect unless one is running (then it joins
// it) and returns the operation to wait on. With ifGen >= 0, a connection
// newer than ifGen already in place is kept: another caller recovered
// first. spawn runs the connect on a goroutine the manager owns; it
// returns false when the manager is shutting down.
func (e *entry) startConnect(ifGen int64, spawn func(func()) bool) *connectOp {
	e.mu.Lock()
	if e.removed {
		e.mu.Unlock()
		return doneOp(errRemoved)
	}
	if op := e.inflight; op != nil {
		e.mu.Unlock()
		return op
	}
	if ifGen >= 0 && e.state == StateConnected && e.gen != uint64(ifGen) {
		e.mu.Unlock()
		return doneOp(nil)
	}
	op := &connectOp{done: make(chan struct{})}
	e.inflight = op
	old := e.link
	e.link, e.tools = nil, nil
	e.state, e.lastErr = StateConnecting, ""
	e.mu.Unlock()
	ok := spawn(func() {
		if old != nil {
			old.close()
		}
		e.finishConnect(op, e.connect())
	})
	if !ok {
		e.finishConnect(op, connectResult{err: errRemoved})
	}
	return op
}

func doneOp(err error) *connectOp {
	op := &connectOp{done: make(chan struct{}), err: err}
	close(op.done)
	return op
}

type connectResult struct {
	link  *link
	tools []*sdk.Tool
	err   error
}

// connect dials and lists the tools (every page).
func (e *entry) connect() connectResult {
	ctx := e.dialer.parent
	l, err := e.dialer.dial(ctx)
	if err != nil {
		return connectResult{err: err}
	}
	lctx, cancel := context.WithTimeout(ctx, e.dialer.timeout)
	defer cancel()
	var tools []*sdk.Tool
	for t, err := range l.session.Tools(lctx, nil) {
		if err != nil {
			l.close()
			return connectResult{err: fmt.Errorf("listing tools: %w", err)}
		}
		tools = append(tools, t)
	}
	return connectResult{link: l, tools: tools}
}

func (e *entry) finishConnect(op *connectOp, r connectResult) {
	e.mu.Lock()
	if e.removed {
		e.mu.Unlock()
		if r.link != nil {
			r.link.close()
		}
		op.err = errRemoved
		e.clearInflight(op)
		return
	}
	log := e.dialer.log.With("server", e.name, "scope", e.scope, "project", e.projectID)
	if r.err != nil {
		e.state, e.lastErr, e.failedAt = StateError, scrub(r.err.Error(), e.cfg.secrets()), e.now()
		op.err = errors.New(e.lastErr)
		log.Warn("mcp server connect failed", "error", e.lastErr)
	} else {
		e.state, e.lastErr, e.link, e.tools = StateConnected, "", r.link, r.tools
		e.gen++
		log.Info("mcp server connected", "tools", len(r.tools), "transport", r.link.transport)
	}
	e.mu.Unlock()
	e.clearInflight(op)
}

func (e *entry) clearInflight(op *connectOp) {
	e.mu.Lock()
	if e.inflight == op {
		e.inflight = nil
	}
	e.mu.Unlock()
	close(op.done)
}

// wait blocks until op ends or ctx does.
func wait(ctx context.Context, op *connectOp) error {
	select {
	case <-op.done:
		return op.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// remove takes the entry out of service: no connect starts again, and the
// connection is returned for the caller to close.
func (e *entry) remove() *link {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.removed = true
	l := e.link
	e.link, e.tools = nil, nil
	if e.state == StateConnected || e.state == StateConnecting {
		e.state = StateIdle
	}
	return l
}

// call runs one tool call. A call that fails because the server forgot
// the session (or the connection dropped) reconnects once — concurrent
// failures share that reconnect — and is retried once.
func (e *entry) call(ctx context.Context, tool string, args json.RawMessage, spawn func(func()) bool) (*sdk.CallToolResult, error) {
	s, err := e.connected(ctx)
	if err != nil {
		return nil, err
	}
	params := &sdk.CallToolParams{Name: tool, Arguments: args}
	res, err := s.link.session.CallTool(ctx, params)
	if err == nil || ctx.Err() != nil || !recoverable(err) {
		return res, err
	}
	if rerr := wait(ctx, e.startConnect(int64(s.gen), spawn)); rerr != nil {
		return nil, fmt.Errorf("%w (reconnecting failed: %v)", err, rerr)
	}
	if s, err = e.connected(ctx); err != nil {
		return nil, err
	}
	return s.link.session.CallTool(ctx, params)
}

// connected returns the live connection, first waiting for a connect in
// progress.
func (e *entry) connected(ctx context.Context) (snapshot, error) {
	e.mu.Lock()
	op := e.inflight
	e.mu.Unlock()
	if op != nil {
		if err := wait(ctx, op); errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return snapshot{}, err
		}
	}
	s := e.snap()
	if s.link == nil {
		return s, errNotConnected
	}
	return s, nil
}
