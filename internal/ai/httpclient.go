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
// Like pi, it routes through https_proxy / http_proxy (lower case first,
// then upper case, then ALL_PROXY) except for hosts in NO_PROXY and
// loopback, reading them from getenv once, here. It has no
// overall timeout: a stream lasts as long as the model writes, and the
// caller's context ends it.
func NewHTTPClient(getenv func(string) string) *http.Client {
	all := envEither(getenv, "ALL_PROXY")
	cfg := httpproxy.Config{
		HTTPProxy:  firstSet(envEither(getenv, "HTTP_PROXY"), all),
		HTTPSProxy: firstSet(envEither(getenv, "HTTPS_PROXY"), all),
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
	return firstSet(getenv(strings.ToLower(name)), getenv(name))
}

func firstSet(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
