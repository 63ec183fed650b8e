package api_test

import (
	"net/http"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
)

func TestHealthIsPublicAndCountsNothingAtStart(t *testing.T) {
	e := apitest.Start(t, nil)
	r := e.Expect(http.StatusOK, "GET", "/api/v1/health", nil)
	m := r.Map(t)
	if m["status"] != "ok" || m["activeSessions"] != float64(0) || m["activePtys"] != float64(0) {
		t.Fatalf("health = %v", m)
	}
	for _, h := range []string{"X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Strict-Transport-Security"} {
		if r.Header.Get(h) == "" {
			t.Errorf("missing security header %s", h)
		}
	}
}

func TestUnknownAPIPathIsJSON404(t *testing.T) {
	e := apitest.Start(t, nil)
	r := e.Expect(http.StatusNotFound, "GET", "/api/v1/does-not-exist", nil)
	if m := r.Map(t); m["error"] != "not_found" {
		t.Fatalf("body = %s", r.Body)
	}
}
