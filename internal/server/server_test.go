package server

import (
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

type fakeAuth struct{ enabled bool }

func (f fakeAuth) Enabled() bool { return f.enabled }

func (f fakeAuth) Authenticate(r *http.Request) (context.Context, error) {
	if r.Header.Get("Authorization") == "Bearer good" {
		return r.Context(), nil
	}
	return nil, NewError(http.StatusUnauthorized, "missing_token")
}

type echoBody struct {
	Name string `json:"name" minLength:"1" maxLength:"5"`
}

func newTestServer(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	s := New(opts)
	huma.Register(s.API(), Op(http.MethodPost, "/echo", "echo", "Echo"), func(ctx context.Context, in *struct{ Body echoBody }) (*struct{ Body echoBody }, error) {
		return &struct{ Body echoBody }{Body: in.Body}, nil
	})
	huma.Register(s.API(), Public(Op(http.MethodGet, "/open", "open", "Open")), func(ctx context.Context, _ *struct{}) (*struct{ Body map[string]bool }, error) {
		return &struct{ Body map[string]bool }{Body: map[string]bool{"ok": true}}, nil
	})
	huma.Register(s.API(), Op(http.MethodGet, "/boom", "boom", "Boom"), func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		panic("kaboom")
	})
	huma.Register(s.API(), Op(http.MethodGet, "/fail", "fail", "Fail"), func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		return nil, io.ErrUnexpectedEOF
	})
	huma.Register(s.API(), Public(RateLimited(Op(http.MethodGet, "/limited", "limited", "Limited"), RateLimit{Max: 2, Window: time.Minute})),
		func(ctx context.Context, _ *struct{}) (*struct{}, error) { return nil, nil })
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func do(t *testing.T, method, url, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestErrorsUseTheContractShape(t *testing.T) {
	ts := newTestServer(t, Options{})
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"valid", "POST", "/api/v1/echo", `{"name":"abc","extra":1}`, 200, `{"name":"abc"}`},
		{"malformed JSON", "POST", "/api/v1/echo", `{"name":`, 400, `"error":"invalid_body"`},
		{"missing field", "POST", "/api/v1/echo", `{}`, 400, `name`},
		{"too long", "POST", "/api/v1/echo", `{"name":"abcdefgh"}`, 400, `"error":"invalid_body"`},
		{"huge body", "POST", "/api/v1/echo", `{"name":"` + strings.Repeat("a", MaxBodyBytes+10) + `"}`, 413, `"error":"body_too_large"`},
		{"panic", "GET", "/api/v1/boom", "", 500, `{"error":"internal_error"}`},
		{"internal error hidden", "GET", "/api/v1/fail", "", 500, `{"error":"internal_error"}`},
		{"unknown api path", "GET", "/api/v1/nope", "", 404, `{"error":"not_found"}`},
		{"unknown non-v1 api path", "DELETE", "/api/other", "", 404, `{"error":"not_found"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.method, ts.URL+tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("status %d body %.200s; want %d containing %s", resp.StatusCode, body, tc.status, tc.want)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("content type %q", ct)
			}
		})
	}
}

func TestAuthGuardsAllButPublicRoutes(t *testing.T) {
	ts := newTestServer(t, Options{Auth: fakeAuth{enabled: true}})
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/open", ""); resp.StatusCode != 200 {
		t.Fatalf("public route: %d", resp.StatusCode)
	}
	if resp, body := do(t, "POST", ts.URL+"/api/v1/echo", `{"name":"a"}`); resp.StatusCode != 401 || !strings.Contains(body, "missing_token") {
		t.Fatalf("protected route without token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, "POST", ts.URL+"/api/v1/echo", `{"name":"a"}`, "Authorization: Bearer good"); resp.StatusCode != 200 {
		t.Fatalf("protected route with token: %d", resp.StatusCode)
	}
	// Unknown /api/v1 paths reveal nothing to anonymous callers.
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/nope", ""); resp.StatusCode != 401 {
		t.Fatalf("unknown path without token: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/nope", "", "Authorization: Bearer good"); resp.StatusCode != 404 {
		t.Fatalf("unknown path with token: %d", resp.StatusCode)
	}
}

func TestCORS(t *testing.T) {
	ts := newTestServer(t, Options{})
	resp, _ := do(t, "GET", ts.URL+"/api/v1/open", "", "Origin: https://a.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://a.example" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("reflect: %v", resp.Header)
	}
	resp, _ = do(t, "OPTIONS", ts.URL+"/api/v1/echo", "", "Origin: https://a.example", "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization,content-type")
	if resp.StatusCode != 204 || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "authorization") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	pinned := newTestServer(t, Options{CORSOrigin: "https://only.example"})
	resp, _ = do(t, "GET", pinned.URL+"/api/v1/open", "", "Origin: https://evil.example")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://only.example" {
		t.Fatalf("pinned origin: %q", got)
	}
}

func TestRateLimitPerRouteAndIP(t *testing.T) {
	ts := newTestServer(t, Options{})
	for i := 1; i <= 3; i++ {
		resp, body := do(t, "GET", ts.URL+"/api/v1/limited", "")
		if i <= 2 && resp.StatusCode != 204 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
		if i == 3 {
			if resp.StatusCode != 429 || !strings.Contains(body, `"rate_limited"`) || resp.Header.Get("Retry-After") == "" || resp.Header.Get("X-RateLimit-Limit") != "2" {
				t.Fatalf("third request: %d %s %v", resp.StatusCode, body, resp.Header)
			}
		}
	}
}

func TestTrustProxyPicksForwardedClient(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
	if got := clientIP(r, false); got != "10.0.0.1" {
		t.Errorf("untrusted: %s", got)
	}
	if got := clientIP(r, true); got != "203.0.113.9" {
		t.Errorf("trusted: %s", got)
	}
}

func TestRedactURL(t *testing.T) {
	u, _ := url.Parse("/api/v1/terminal?projectId=p1&token=eyJsecret&tabId=t")
	got := RedactURL(u)
	if strings.Contains(got, "eyJsecret") || !strings.Contains(got, "token=REDACTED") || !strings.Contains(got, "projectId=p1") {
		t.Fatalf("RedactURL = %s", got)
	}
}

func TestSinglePageApp(t *testing.T) {
	ui := fstest.MapFS{
		"index.html":          {Data: []byte("<!doctype html><title>app</title>")},
		"assets/app-abc12.js": {Data: []byte(strings.Repeat("console.log('hello');\n", 100))},
		"sw.js":               {Data: []byte("self.addEventListener('fetch',()=>{})")},
	}
	ts := newTestServer(t, Options{UI: ui})
	for _, tc := range []struct {
		path   string
		status int
		cache  string
		want   string
	}{
		{"/", 200, "no-cache", "<title>app</title>"},
		{"/projects/123/sessions/abc", 200, "no-cache", "<title>app</title>"},
		{"/assets/app-abc12.js", 200, "public, max-age=31536000, immutable", "console.log"},
		{"/sw.js", 200, "no-cache", "addEventListener"},
		{"/assets/missing.css", 404, "", `"not_found"`},
		{"/favicon.ico", 404, "", `"not_found"`},
	} {
		resp, body := do(t, "GET", ts.URL+tc.path, "")
		if resp.StatusCode != tc.status || resp.Header.Get("Cache-Control") != tc.cache || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %q %.80q", tc.path, resp.StatusCode, resp.Header.Get("Cache-Control"), body)
		}
	}
	resp, body := do(t, "GET", ts.URL+"/assets/app-abc12.js", "", "Accept-Encoding: gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("asset not gzipped: %v", resp.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.HasPrefix(string(plain), "console.log") {
		t.Fatalf("gzip body: %q", plain[:20])
	}
}

func TestNoUIMeansNotFound(t *testing.T) {
	ts := newTestServer(t, Options{})
	if resp, _ := do(t, "GET", ts.URL+"/", ""); resp.StatusCode != 404 {
		t.Fatalf("without a UI: %d", resp.StatusCode)
	}
}

func TestInternalErrorsAreLoggedNotSent(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	ts := newTestServer(t, Options{Logger: log})
	_, body := do(t, "GET", ts.URL+"/api/v1/fail", "")
	if strings.Contains(body, "unexpected EOF") {
		t.Fatalf("internal error leaked: %s", body)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "unexpected EOF") || !strings.Contains(logs.String(), `"status":500`) {
		t.Fatalf("500 not logged with its cause: %s", logs.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
