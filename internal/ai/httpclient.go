package ai

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// NewHTTPClient returns the client adapters use when StreamOptions has none.
// It routes through HTTPS_PROXY / HTTP_PROXY (either case) except for hosts
// in NO_PROXY and loopback, reading them from getenv once, here. It has no
// overall timeout: a stream lasts as long as the model writes, and the
// caller's context ends it.
func NewHTTPClient(getenv func(string) string) *http.Client {
	cfg := httpproxy.Config{
		HTTPProxy:  envEither(getenv, "HTTP_PROXY"),
		HTTPSProxy: envEither(getenv, "HTTPS_PROXY"),
		NoProxy:    envEither(getenv, "NO_PROXY"),
	}
	proxy := cfg.ProxyFunc()
	transport := &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) { return proxy(r.URL) },
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: transport}
}

func envEither(getenv func(string) string, name string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return getenv(strings.ToLower(name))
}
