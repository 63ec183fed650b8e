// Package mcp connects pi-forge to MCP (Model Context Protocol) servers and
// offers their tools to agent sessions: the mcp.json and .mcp.json configs,
// the stdio trust list, the connection pool and the tool bridge.
package mcp

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/http/httpguts"
)

// Redacted replaces every header and env value the API sends out; a value
// sent back as Redacted keeps the stored one.
const Redacted = "***REDACTED***"

// Transports of a remote server.
const (
	TransportAuto       = "auto"
	TransportStreamable = "streamable-http"
	TransportSSE        = "sse"
)

// Kinds of server, decided by which of url / command is set.
const (
	KindRemote = "remote"
	KindStdio  = "stdio"
)

// MaxNameLen bounds a server name on upsert.
const MaxNameLen = 64

// Truncation defaults and bounds (features §5).
const (
	DefaultMaxChars = 30000
	MaxMaxChars     = 1000000
)

// ErrInvalidConfig marks a server config the API must refuse (400
// mcp_invalid_config); the wrapped text says why.
var ErrInvalidConfig = errors.New("invalid MCP server config")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// ServerCfg is one server of mcp.json or .mcp.json. Exactly one of URL and
// Command is set; there is no kind field.
type ServerCfg struct {
	Enabled *bool `json:"enabled,omitempty" doc:"default true"`

	URL                     string            `json:"url,omitempty"`
	Transport               string            `json:"transport,omitempty" doc:"auto (default: streamable HTTP, then SSE), streamable-http or sse"`
	Headers                 map[string]string `json:"headers,omitempty" doc:"sent on every request; values come back as ***REDACTED***"`
	IgnoreCertificateErrors bool              `json:"ignoreCertificateErrors,omitempty"`

	Command string            `json:"command,omitempty"`
	Args    []string          `json:"args,omitempty"`
	Env     map[string]string `json:"env,omitempty" doc:"added to a minimal environment; values come back as ***REDACTED***"`
	Cwd     string            `json:"cwd,omitempty" doc:"default: the project (project servers) or the server's directory"`
}

// IsEnabled reports the enabled flag (absent means on).
func (c ServerCfg) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Kind is KindStdio when a command is set, else KindRemote.
func (c ServerCfg) Kind() string {
	if c.Command != "" {
		return KindStdio
	}
	return KindRemote
}

// EffectiveTransport is the transport with the default applied.
func (c ServerCfg) EffectiveTransport() string {
	if c.Transport == "" {
		return TransportAuto
	}
	return c.Transport
}

// sameConnection reports whether two configs connect the same way: the
// fields whose change needs a reconnect (remote: url, transport, headers,
// TLS flag; stdio: command, args, env, cwd).
func sameConnection(a, b ServerCfg) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	if a.Kind() == KindStdio {
		return a.Command == b.Command && slices.Equal(a.Args, b.Args) && maps.Equal(a.Env, b.Env) && a.Cwd == b.Cwd
	}
	return a.URL == b.URL && a.EffectiveTransport() == b.EffectiveTransport() &&
		maps.Equal(a.Headers, b.Headers) && a.IgnoreCertificateErrors == b.IgnoreCertificateErrors
}

// ValidateName checks a server name for an upsert.
func ValidateName(name string) error {
	n := utf8.RuneCountInString(name)
	if n < 1 || n > MaxNameLen {
		return invalidf("server name must be 1 to %d characters", MaxNameLen)
	}
	if strings.ContainsAny(name, "\x00/") {
		return invalidf("server name must not contain NUL or /")
	}
	return nil
}

// Validate checks one config: exactly one of url / command, the fields of
// the other kind absent, a known transport, an http(s) URL, usable header
// and env names.
func (c ServerCfg) Validate() error {
	hasURL, hasCmd := strings.TrimSpace(c.URL) != "", strings.TrimSpace(c.Command) != ""
	switch {
	case hasURL == hasCmd:
		return invalidf("exactly one of url and command must be set")
	case hasURL:
		if len(c.Args) > 0 || len(c.Env) > 0 || c.Cwd != "" {
			return invalidf("args, env and cwd belong to stdio servers (command), not to url servers")
		}
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidf("url must be an absolute http or https URL")
		}
		switch c.Transport {
		case "", TransportAuto, TransportStreamable, TransportSSE:
		default:
			return invalidf("transport must be auto, streamable-http or sse")
		}
		for k, v := range c.Headers {
			if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
				return invalidf("header %q is not a valid HTTP header", k)
			}
		}
	default:
		if c.Transport != "" || len(c.Headers) > 0 || c.IgnoreCertificateErrors {
			return invalidf("transport, headers and ignoreCertificateErrors belong to url servers, not to stdio servers (command)")
		}
		for k, v := range c.Env {
			if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(v, 0) {
				return invalidf("env name %q is not usable", k)
			}
		}
		if strings.ContainsRune(c.Command, 0) || slices.ContainsFunc(c.Args, func(a string) bool { return strings.ContainsRune(a, 0) }) {
			return invalidf("command and args must not contain NUL")
		}
	}
	return nil
}

// Redact returns a copy whose header and env values are Redacted.
func (c ServerCfg) Redact() ServerCfg {
	out := c.clone()
	for k := range out.Headers {
		out.Headers[k] = Redacted
	}
	for k := range out.Env {
		out.Env[k] = Redacted
	}
	if out.Enabled == nil {
		on := true
		out.Enabled = &on
	}
	return out
}

func (c ServerCfg) clone() ServerCfg {
	out := c
	out.Headers = maps.Clone(c.Headers)
	out.Env = maps.Clone(c.Env)
	out.Args = slices.Clone(c.Args)
	if c.Enabled != nil {
		on := *c.Enabled
		out.Enabled = &on
	}
	return out
}

// MergeSecrets puts the stored values back where next sends Redacted. A
// Redacted value with nothing stored under its name (a new server, a new
// header) is refused: the sentinel is never stored.
func MergeSecrets(next ServerCfg, prior *ServerCfg) (ServerCfg, error) {
	out := next.clone()
	var priorHeaders, priorEnv map[string]string
	if prior != nil {
		priorHeaders, priorEnv = prior.Headers, prior.Env
	}
	for _, f := range []struct {
		what  string
		next  map[string]string
		prior map[string]string
	}{{"header", out.Headers, priorHeaders}, {"env", out.Env, priorEnv}} {
		for k, v := range f.next {
			if v != Redacted {
				continue
			}
			old, ok := f.prior[k]
			if !ok {
				return ServerCfg{}, invalidf("%s %q is %s but no value is stored for it", f.what, k, Redacted)
			}
			f.next[k] = old
		}
	}
	return out, nil
}

// secrets are the header and env values of c, for scrubbing logs and
// error texts.
func (c ServerCfg) secrets() []string {
	var out []string
	for _, m := range []map[string]string{c.Headers, c.Env} {
		for _, v := range m {
			if len(v) >= minSecretLen {
				out = append(out, v)
			}
		}
	}
	return out
}

// minSecretLen: shorter values are not scrubbed (replacing every "1" in a
// log line would hide more than it protects).
const minSecretLen = 4

// scrub replaces every secret in s with Redacted.
func scrub(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, Redacted)
	}
	return s
}

// headerTransport adds a server's headers to every request (the SSE GET
// included).
type headerTransport struct {
	base    http.RoundTripper
	headers map[string]string
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(t.headers) > 0 {
		r = r.Clone(r.Context())
		for k, v := range t.headers {
			r.Header.Set(k, v)
		}
	}
	return t.base.RoundTrip(r)
}
