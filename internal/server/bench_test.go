package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/server"
)

// BenchmarkHealthHandler measures the whole middleware and huma stack for
// GET /api/v1/health without the network.
func BenchmarkHealthHandler(b *testing.B) {
	s := server.New(server.Options{})
	api.RegisterHealth(s.API(), api.HealthSource{})
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/health", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}
