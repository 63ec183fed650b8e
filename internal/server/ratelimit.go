package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// rateLimiters counts requests per (route, client IP) in fixed windows, as
// the reference's @fastify/rate-limit does. Memory is bounded by sweeping
// expired windows whenever the map grows past a threshold.
type rateLimiters struct {
	mu      sync.Mutex
	windows map[rateKey]*rateWindow
	now     func() time.Time
}

type rateKey struct{ route, ip string }

type rateWindow struct {
	count int
	reset time.Time
}

func newRateLimiters() *rateLimiters {
	return &rateLimiters{windows: map[rateKey]*rateWindow{}, now: time.Now}
}

// take counts one request and reports whether it is allowed, with what the
// rate-limit headers need.
func (l *rateLimiters) take(route, ip string, limit RateLimit) (ok bool, remaining int, reset time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.windows) > 10000 {
		for k, w := range l.windows {
			if !now.Before(w.reset) {
				delete(l.windows, k)
			}
		}
	}
	k := rateKey{route, ip}
	w := l.windows[k]
	if w == nil || !now.Before(w.reset) {
		w = &rateWindow{reset: now.Add(limit.Window)}
		l.windows[k] = w
	}
	w.count++
	remaining = max(limit.Max-w.count, 0)
	return w.count <= limit.Max, remaining, w.reset
}

// Allow counts one request of route from ip against limit, for raw handlers
// (the terminal upgrade) that are not huma operations. It writes the 429
// itself and returns false when the limit is exceeded.
func (s *Server) Allow(w http.ResponseWriter, r *http.Request, route string, limit RateLimit) bool {
	ok, remaining, reset := s.limiters.take(route, ClientIP(r.Context()), limit)
	setRateHeaders(w.Header(), limit, remaining, reset, s.limiters.now())
	if !ok {
		writeTooMany(w, reset, s.limiters.now())
	}
	return ok
}

func (s *Server) rateLimitMiddleware(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	limit, ok := op.Metadata[metaRateLimit].(RateLimit)
	if !ok {
		next(ctx)
		return
	}
	r, w := Raw(ctx)
	if !s.Allow(w, r.WithContext(ctx.Context()), op.OperationID, limit) {
		return
	}
	next(ctx)
}

func setRateHeaders(h http.Header, limit RateLimit, remaining int, reset, now time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit.Max))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(secondsUntil(reset, now)))
}

func writeTooMany(w http.ResponseWriter, reset, now time.Time) {
	secs := secondsUntil(reset, now)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	WriteError(w, Errorf(http.StatusTooManyRequests, "rate_limited", "Rate limit exceeded, retry in %d seconds", secs))
}

func secondsUntil(t, now time.Time) int {
	return int(math.Ceil(t.Sub(now).Seconds()))
}
