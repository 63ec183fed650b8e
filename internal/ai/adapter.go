package ai

import (
	"net/http"
	"os"
	"time"
)

// AdapterConfig is what an adapter takes from its environment. The zero
// value works: a proxy-aware client, the process environment, the wall clock.
type AdapterConfig struct {
	// HTTPClient is used when StreamOptions.HTTPClient is nil.
	HTTPClient *http.Client
	// Getenv reads PI_CACHE_RETENTION (and the proxy variables for the
	// default client).
	Getenv func(string) string
	// Now stamps messages.
	Now func() time.Time
}

// WithDefaults fills the unset fields.
func (c AdapterConfig) WithDefaults() AdapterConfig {
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = NewHTTPClient(c.Getenv)
	}
	return c
}

// Client returns the HTTP client for one call.
func (c *AdapterConfig) Client(opts *StreamOptions) *http.Client {
	if opts != nil && opts.HTTPClient != nil {
		return opts.HTTPClient
	}
	return c.HTTPClient
}

// Cache retention preferences.
const (
	CacheNone  = "none"
	CacheShort = "short"
	CacheLong  = "long"
)

// CacheRetention resolves the call's preference: the option, else "long"
// when PI_CACHE_RETENTION=long, else "short".
func (c *AdapterConfig) CacheRetention(opts *StreamOptions) string {
	if opts != nil && opts.CacheRetention != "" {
		return opts.CacheRetention
	}
	if c.Getenv("PI_CACHE_RETENTION") == CacheLong {
		return CacheLong
	}
	return CacheShort
}

// BeginStream starts the assistant message of one adapter call: it returns
// the stream, opts (never nil) and the error pi gives for a call without an
// API key, which the adapter hands to s.Fail before any request is made.
func BeginStream(model *Model, opts *StreamOptions, emit func(*StreamEvent), now time.Time) (*AssistantStream, *StreamOptions, error) {
	s := NewAssistantStream(model, emit, now)
	if opts == nil {
		opts = &StreamOptions{}
	}
	if opts.APIKey == "" {
		return s, opts, Failure("No API key for provider: " + model.Provider)
	}
	return s, opts, nil
}
