package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// APIPrefix is where every API route lives.
const APIPrefix = "/api/v1"

// MaxBodyBytes is the request body limit of ordinary routes (the reference's).
const MaxBodyBytes = 100 << 20

const metaRateLimit = "piforge.rateLimit"

// Op starts the description of one /api/v1 route. path is relative to
// /api/v1 and uses {name} for path parameters.
func Op(method, path, id, summary string, tags ...string) huma.Operation {
	return huma.Operation{
		OperationID:     id,
		Method:          method,
		Path:            APIPrefix + path,
		Summary:         summary,
		Tags:            tags,
		MaxBodyBytes:    MaxBodyBytes,
		BodyReadTimeout: 2 * time.Minute,
		Metadata:        map[string]any{},
	}
}

// Public marks a route that needs no credentials (security: [] in OpenAPI).
func Public(op huma.Operation) huma.Operation {
	op.Security = []map[string][]string{}
	return op
}

// Status sets the success status (201, 202, 204).
func Status(op huma.Operation, status int) huma.Operation {
	op.DefaultStatus = status
	return op
}

// RateLimited puts the route under a per-client-IP limit. Routes sharing a
// bucket name share nothing else: each route counts separately, as the
// reference does.
func RateLimited(op huma.Operation, limit RateLimit) huma.Operation {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	if limit.Max > 0 {
		op.Metadata[metaRateLimit] = limit
	}
	return op
}

// RateLimit allows Max requests per Window per client IP.
type RateLimit struct {
	Max    int
	Window time.Duration
}

func isPublic(op *huma.Operation) bool { return op.Security != nil && len(op.Security) == 0 }

// Raw gives a streaming handler (SSE, downloads, multipart uploads) the
// underlying request and response writer. Use it as the body of a
// huma.StreamResponse.
func Raw(ctx huma.Context) (*http.Request, http.ResponseWriter) { return humago.Unwrap(ctx) }

// Stream wraps a plain http handler as a huma response, so a route keeps
// huma's auth, rate limit and OpenAPI entry while writing its own bytes.
func Stream(h func(w http.ResponseWriter, r *http.Request)) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(ctx huma.Context) {
		r, w := Raw(ctx)
		h(w, r.WithContext(ctx.Context()))
	}}
}

type ctxKey int

const (
	keyRequestInfo ctxKey = iota
)

// requestInfo travels in the request context so inner layers can add to the
// access log line (the error behind a 500, the route pattern).
type requestInfo struct {
	clientIP string
	err      error
}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(keyRequestInfo).(*requestInfo)
	return ri
}

// ClientIP is the caller's address as the rate limits see it (X-Forwarded-For
// only with TRUST_PROXY).
func ClientIP(ctx context.Context) string {
	if ri := infoFrom(ctx); ri != nil {
		return ri.clientIP
	}
	return ""
}
