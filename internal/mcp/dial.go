package mcp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/pi-forge/pi-forge/internal/proc"
)

// Launcher starts stdio servers; *proc.Launcher implements it.
type Launcher interface {
	Command(ctx context.Context, spec proc.Spec) (*exec.Cmd, error)
	Kill(cmd *exec.Cmd)
}

// clientInfo is who pi-forge says it is to every server.
var clientInfo = sdk.Implementation{Name: "pi-forge", Version: "1.0.0"}

// stdioTerminate is how long a stdio server gets to exit after its stdin
// closed before it is signalled.
const stdioTerminate = 2 * time.Second

// link is one live connection: the session, how it was reached, and how
// to take it down.
type link struct {
	session   *sdk.ClientSession
	transport string // the transport that connected (remote servers)
	close     func()
}

// dialer opens connections for one entry.
type dialer struct {
	parent   context.Context // the manager's: connections end with it
	name     string
	cfg      ServerCfg
	cwd      string // stdio working directory
	launcher Launcher
	log      *slog.Logger
	timeout  time.Duration
	base     http.RoundTripper // nil: a clone of http.DefaultTransport
}

// dial connects within d.timeout. parent bounds the connection's whole
// life (the manager's context): cancelling it tears the connection down.
func (d dialer) dial(parent context.Context) (*link, error) {
	if d.cfg.Kind() == KindStdio {
		return d.attempt(parent, "", d.stdioTransport)
	}
	switch t := d.cfg.EffectiveTransport(); t {
	case TransportStreamable, TransportSSE:
		return d.attempt(parent, t, d.httpTransport(t))
	}
	l, err := d.attempt(parent, TransportStreamable, d.httpTransport(TransportStreamable))
	if err == nil || parent.Err() != nil {
		return l, err
	}
	l, sseErr := d.attempt(parent, TransportSSE, d.httpTransport(TransportSSE))
	if sseErr != nil {
		return nil, fmt.Errorf("streamable HTTP: %w; SSE: %w", err, sseErr)
	}
	return l, nil
}

// attempt runs one connection attempt. The transport gets a context that
// lives as long as the connection (the SSE stream and the stdio child are
// bound to it); a timer cancels it if the handshake takes too long.
func (d dialer) attempt(parent context.Context, transport string, build func(context.Context) (sdk.Transport, func(), error)) (*link, error) {
	life, cancel := context.WithCancel(parent)
	t, cleanup, err := build(life)
	if err != nil {
		cancel()
		return nil, err
	}
	teardown := func() {
		cancel()
		if cleanup != nil {
			cleanup()
		}
	}
	timer := time.AfterFunc(d.timeout, cancel)
	client := sdk.NewClient(&clientInfo, &sdk.ClientOptions{Capabilities: &sdk.ClientCapabilities{}})
	session, err := client.Connect(life, t, nil)
	if !timer.Stop() {
		if err == nil {
			_ = session.Close()
		}
		teardown()
		if parent.Err() != nil {
			return nil, parent.Err()
		}
		return nil, fmt.Errorf("no answer within %s", d.timeout)
	}
	if err != nil {
		teardown()
		return nil, err
	}
	return &link{session: session, transport: transport, close: func() {
		_ = session.Close()
		teardown()
	}}, nil
}

// httpTransport builds a remote transport: its own HTTP transport (the TLS
// flag is per server), closed with the connection, and the headers on
// every request.
func (d dialer) httpTransport(kind string) func(context.Context) (sdk.Transport, func(), error) {
	return func(context.Context) (sdk.Transport, func(), error) {
		base, cleanup := d.base, func() {}
		if base == nil {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			if d.cfg.IgnoreCertificateErrors {
				tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for it, per server
			}
			base, cleanup = tr, tr.CloseIdleConnections
		}
		client := &http.Client{Transport: headerTransport{base: base, headers: d.cfg.Headers}}
		if kind == TransportSSE {
			return &sdk.SSEClientTransport{Endpoint: d.cfg.URL, HTTPClient: client}, cleanup, nil
		}
		return &sdk.StreamableClientTransport{Endpoint: d.cfg.URL, HTTPClient: client}, cleanup, nil
	}
}

// stdioTransport spawns the server through the launcher (allowlist env
// plus the config's env; the tool identity in sandbox mode). Its stderr
// goes to the log, secrets scrubbed.
func (d dialer) stdioTransport(life context.Context) (sdk.Transport, func(), error) {
	cmd, err := d.launcher.Command(life, proc.Spec{Kind: proc.KindMCP, Path: d.cfg.Command, Args: d.cfg.Args,
		Dir: d.cwd, Env: d.cfg.Env, KillGrace: stdioTerminate})
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = &lineLogger{log: d.log, server: d.name, secrets: d.cfg.secrets()}
	return &sdk.CommandTransport{Command: cmd, TerminateDuration: stdioTerminate}, func() { d.launcher.Kill(cmd) }, nil
}

// lineLogger writes a child's stderr to the log one line at a time.
type lineLogger struct {
	log     *slog.Logger
	server  string
	secrets []string

	mu  sync.Mutex
	buf []byte
}

// maxLogLine bounds one logged stderr line.
const maxLogLine = 4096

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			if len(l.buf) > maxLogLine {
				l.emit(l.buf)
				l.buf = l.buf[:0]
			}
			return len(p), nil
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

func (l *lineLogger) emit(line []byte) {
	s := strings.TrimRight(string(line), "\r")
	if len(s) > maxLogLine {
		s = s[:maxLogLine] + "…"
	}
	if s == "" {
		return
	}
	l.log.Info("mcp server stderr", "server", l.server, "line", scrub(s, l.secrets))
}

// recoverable reports whether a failed call may succeed on a fresh
// connection: the server forgot the session ("session not found" with no
// JSON-RPC code or -32600, or the SDK's ErrSessionMissing), or the
// connection is gone.
func recoverable(err error) bool {
	if errors.Is(err, sdk.ErrSessionMissing) || errors.Is(err, sdk.ErrConnectionClosed) {
		return true
	}
	if !strings.Contains(strings.ToLower(err.Error()), "session not found") {
		return false
	}
	var we *jsonrpc.Error
	if errors.As(err, &we) {
		return we.Code == jsonrpc.CodeInvalidRequest
	}
	return true
}
