// Package server is pi-forge's HTTP platform: routing, the OpenAPI
// description, middleware (auth, CORS, security headers, rate limits, body
// limits, request logs), the embedded web UI and graceful shutdown. Route
// handlers live in package api and register onto the huma API exposed here.
package server

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// Authenticator decides whether a request may use a protected route.
type Authenticator interface {
	// Enabled reports whether auth is on at all.
	Enabled() bool
	// Authenticate checks the request's credentials and returns the context
	// to continue with (carrying the caller's identity) or an *Error.
	Authenticate(r *http.Request) (context.Context, error)
}

// Options configure a Server.
type Options struct {
	Logger     *slog.Logger
	Auth       Authenticator
	TrustProxy bool
	CORSOrigin string // "" reflects the request origin
	// ExtraImgSrc are origins added to the CSP img-src (direct-mode logos).
	ExtraImgSrc []string
	// UI is the web UI's files (nil: no UI is served).
	UI fs.FS
	// ExposeDocs serves /api/docs and /api/docs/json.
	ExposeDocs bool
	// DocsUI holds the interactive docs page assets (index.html + assets).
	DocsUI  fs.FS
	Version string
	// LogRequests writes one log line per request at info level.
	LogRequests bool
}

// Server owns the HTTP handler tree and the listener's lifecycle.
type Server struct {
	opts     Options
	log      *slog.Logger
	mux      *http.ServeMux
	api      huma.API
	handler  http.Handler
	limiters *rateLimiters

	mu       sync.Mutex
	raw      []string
	shutdown []func(context.Context)
	closing  chan struct{}
}

// New builds the server. Routes are added with API() and Handle() before
// Serve is called.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		mux:      http.NewServeMux(),
		limiters: newRateLimiters(),
		closing:  make(chan struct{}),
	}
	s.api = humago.NewWithPrefix(s.mux, "", s.humaConfig())
	s.api.UseMiddleware(s.authMiddleware, s.rateLimitMiddleware)
	s.mountDocs()
	s.mountFallbacks()
	s.handler = s.wrap(s.mux)
	return s
}

// API is the huma API that route handlers register on.
func (s *Server) API() huma.API { return s.api }

// Handle mounts a raw handler (WebSocket upgrades and the like) that huma
// cannot describe; pair it with Describe so it still appears in the OpenAPI
// document.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	s.mu.Lock()
	s.raw = append(s.raw, pattern)
	s.mu.Unlock()
}

// UndocumentedRoutes lists raw /api/v1 routes that no OpenAPI operation
// describes; a test keeps it empty.
func (s *Server) UndocumentedRoutes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []string
	paths := s.api.OpenAPI().Paths
	for _, pattern := range s.raw {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || !strings.HasPrefix(path, APIPrefix+"/") {
			continue
		}
		item := paths[path]
		if item == nil || operationFor(item, method) == nil {
			missing = append(missing, pattern)
		}
	}
	return missing
}

func operationFor(item *huma.PathItem, method string) *huma.Operation {
	switch method {
	case http.MethodGet:
		return item.Get
	case http.MethodPost:
		return item.Post
	case http.MethodPut:
		return item.Put
	case http.MethodPatch:
		return item.Patch
	case http.MethodDelete:
		return item.Delete
	}
	return nil
}

// Describe adds an operation served by a raw handler to the OpenAPI document.
func (s *Server) Describe(op *huma.Operation) { s.api.OpenAPI().AddOperation(op) }

// Handler is the whole middleware-wrapped handler (tests and benchmarks).
func (s *Server) Handler() http.Handler { return s.handler }

// Closing is closed when shutdown begins, so long-lived streams can end
// cleanly (SSE sends its last frame and returns).
func (s *Server) Closing() <-chan struct{} { return s.closing }

// OnShutdown registers work to run during graceful shutdown, after the
// listener stops accepting and streams were told to end.
func (s *Server) OnShutdown(f func(context.Context)) {
	s.mu.Lock()
	s.shutdown = append(s.shutdown, f)
	s.mu.Unlock()
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// stop accepting, tell streams to end, wait up to 10 s for requests.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	close(s.closing)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(shutdownCtx)
	s.mu.Lock()
	hooks := s.shutdown
	s.mu.Unlock()
	for _, f := range hooks {
		f(shutdownCtx)
	}
	if serveErr := <-errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

func (s *Server) humaConfig() huma.Config {
	cfg := huma.DefaultConfig("pi-forge API", s.opts.Version)
	cfg.OpenAPIPath = "" // served by mountDocs, behind EXPOSE_DOCS
	cfg.DocsPath = ""    // huma's page loads from a CDN; ours is embedded
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil // no $schema links injected into responses
	// The reference silently drops unknown body keys rather than failing.
	cfg.AllowAdditionalPropertiesByDefault = true
	cfg.Info.Description = "pi-forge: a self-hosted workbench for the pi coding agent. " +
		"Every /api/v1 route except the public ones needs `Authorization: Bearer <token>` " +
		"(a login JWT or the API key) when authentication is enabled."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearerAuth": {Type: "http", Scheme: "bearer", BearerFormat: "JWT or API key"},
	}
	cfg.Security = []map[string][]string{{"bearerAuth": {}}}
	return cfg
}
