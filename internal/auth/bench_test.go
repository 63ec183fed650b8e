package auth_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/pi-forge/pi-forge/internal/auth"
)

func benchService(b *testing.B, opts auth.Options) *auth.Service {
	opts.DataDir = b.TempDir()
	svc, err := auth.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkAuthenticateJWT is the per-request cost of a login token on a
// protected route (signature check, claims, inactivity map).
func BenchmarkAuthenticateJWT(b *testing.B) {
	svc := benchService(b, auth.Options{UIPassword: "pw", InactivityTimeout: 3600e9})
	tok, err := svc.Login(context.Background(), "", "pw")
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/api/v1/projects", nil)
	r.Header.Set("Authorization", "Bearer "+tok.Token)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthenticateAPIKey(b *testing.B) {
	svc := benchService(b, auth.Options{APIKey: "a-long-api-key-for-scripts"})
	r := httptest.NewRequest("GET", "/api/v1/projects", nil)
	r.Header.Set("Authorization", "Bearer a-long-api-key-for-scripts")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPassword is the cost of a local login with a stored
// hash: scrypt with N=16384, r=8 (16 MiB per call).
func BenchmarkVerifyPassword(b *testing.B) {
	h, err := auth.HashPassword("pw")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := auth.VerifyPassword(h, "pw"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
