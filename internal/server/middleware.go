package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// wrap applies the middleware every request passes through, outermost
// first: panic recovery and the access log, security headers, CORS.
func (s *Server) wrap(next http.Handler) http.Handler {
	// Header values are shared, pre-canonicalized slices: setting five
	// headers through Header.Set costs more than the health handler itself.
	static := map[string][]string{
		"X-Content-Type-Options":    {"nosniff"},
		"Referrer-Policy":           {"strict-origin-when-cross-origin"},
		"X-Frame-Options":           {"DENY"},
		"Strict-Transport-Security": {"max-age=15552000; includeSubDomains"},
		"Content-Security-Policy":   {contentSecurityPolicy(s.opts.ExtraImgSrc)},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{clientIP: clientIP(r, s.opts.TrustProxy)}
		r = r.WithContext(context.WithValue(r.Context(), keyRequestInfo, ri))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				ri.err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
				if !rec.wroteHeader {
					WriteError(rec, NewError(http.StatusInternalServerError, "internal_error"))
				}
			}
			s.logRequest(r, rec, ri, time.Since(start))
		}()
		h := rec.Header()
		for k, v := range static {
			h[k] = v
		}
		if s.cors(rec, r) {
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// cors answers preflights and sets the allow-origin header. Auth uses
// bearer tokens, never cookies, so credentials stay off.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) (handled bool) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	allow := origin
	if s.opts.CORSOrigin != "" {
		allow = s.opts.CORSOrigin
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allow)
	h.Add("Vary", "Origin")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
		h.Add("Vary", "Access-Control-Request-Headers")
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

func contentSecurityPolicy(extraImg []string) string {
	img := "'self' data: blob:"
	for _, o := range extraImg {
		img += " " + o
	}
	return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
		"style-src-attr 'unsafe-inline'; img-src " + img + "; font-src 'self' data:; connect-src 'self'; " +
		"worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
}

func (s *Server) logRequest(r *http.Request, rec *recorder, ri *requestInfo, d time.Duration) {
	level := slog.LevelInfo
	switch {
	case rec.status >= 500 || ri.err != nil:
		level = slog.LevelError
	case !s.opts.LogRequests:
		return
	}
	ctx := r.Context()
	if !s.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", RedactURL(r.URL)),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Float64("ms", float64(d.Microseconds())/1000),
		slog.String("ip", ri.clientIP),
	}
	if ri.err != nil {
		attrs = append(attrs, slog.String("error", ri.err.Error()))
	}
	s.log.LogAttrs(ctx, level, "request", attrs...)
}

// RedactURL renders a request URL for logs with credentials in the query
// (the terminal's ?token=) replaced.
func RedactURL(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	q := u.Query()
	changed := false
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "token") || strings.Contains(lk, "key") || strings.Contains(lk, "password") || strings.Contains(lk, "secret") {
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if !changed {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path + "?" + q.Encode()
}

// clientIP is the remote address, or with trustProxy the first address of
// X-Forwarded-For (the client as the outermost proxy saw it).
func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := strings.TrimSpace(first); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authMiddleware guards every operation that is not Public.
func (s *Server) authMiddleware(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if isPublic(op) || s.opts.Auth == nil || !s.opts.Auth.Enabled() {
		next(ctx)
		return
	}
	r, w := Raw(ctx)
	authed, err := s.opts.Auth.Authenticate(r.WithContext(ctx.Context()))
	if err != nil {
		WriteError(w, err)
		return
	}
	next(huma.WithContext(ctx, authed))
}

// recorder captures the status and size for the access log while still
// exposing Flush and Hijack to SSE and WebSocket handlers.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status = code
		r.wroteHeader = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("server: response writer cannot hijack")
	}
	r.status = http.StatusSwitchingProtocols
	r.wroteHeader = true
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
