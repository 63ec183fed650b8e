package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
)

var pngBytes = []byte("\x89PNG\r\n\x1a\nfake-png-body")

const svgLogo = `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(1)</script></svg>`

func logoOrigin(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/login.svg", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(svgLogo))
	})
	mux.HandleFunc("/dark", func(w http.ResponseWriter, r *http.Request) { // no extension, typed by header
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngBytes)
	})
	mux.HandleFunc("/r/1", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/dark", http.StatusFound) })
	for i, next := range []string{"/loop/2", "/loop/3", "/loop/4", "/dark"} {
		mux.HandleFunc("/loop/"+string(rune('1'+i)), func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, next, http.StatusFound) })
	}
	mux.HandleFunc("/page.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>not found</html>"))
	})
	mux.HandleFunc("/huge.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(bytes.Repeat([]byte("x"), 2<<20+1))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &hits
}

func startWithLogos(t *testing.T, env map[string]string) *apitest.Env {
	e := apitest.Start(t, env)
	<-e.App.Logos.Ready()
	return e
}

func TestLogoCacheServesLogosSameOrigin(t *testing.T) {
	origin, hits := logoOrigin(t)
	e := startWithLogos(t, map[string]string{
		"UI_PASSWORD":        password, // logos are public even with auth on
		"AUTH_LOGO_URL":      origin.URL + "/login.svg",
		"APP_LOGO_DARK_URL":  origin.URL + "/r/1",
		"APP_LOGO_LIGHT_URL": origin.URL + "/page.png",
	})
	cfg := e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).Map(t)
	authURL, _ := cfg["authLogoUrl"].(string)
	darkURL, _ := cfg["appLogoDarkUrl"].(string)
	if !strings.HasPrefix(authURL, "/cache/logos/auth-") || !strings.HasSuffix(authURL, ".svg") ||
		!strings.HasPrefix(darkURL, "/cache/logos/app-dark-") || !strings.HasSuffix(darkURL, ".png") {
		t.Fatalf("logo URLs %v", cfg)
	}
	if _, ok := cfg["appLogoLightUrl"]; ok {
		t.Fatalf("an HTML page was cached as a logo: %v", cfg)
	}
	svg := e.Expect(http.StatusOK, "GET", authURL, nil)
	if string(svg.Body) != svgLogo || svg.Header.Get("Content-Type") != "image/svg+xml" ||
		!strings.Contains(svg.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("svg served as %v: %s", svg.Header, svg.Body)
	}
	if png := e.Expect(http.StatusOK, "GET", darkURL, nil); !bytes.Equal(png.Body, pngBytes) || png.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("png served as %v", png.Header)
	}
	for _, bad := range []string{"/cache/logos/..%2fprojects.json", "/cache/logos/auth-0000000000000000.svg", "/cache/logos/x.txt"} {
		e.Expect(http.StatusNotFound, "GET", bad, nil)
	}

	// The origin is down on the next start: the earlier copy is used.
	origin.Close()
	e.Restart(nil)
	<-e.App.Logos.Ready()
	if again := e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).Map(t); again["authLogoUrl"] != authURL {
		t.Fatalf("after restart without the origin: %v", again)
	}
	if hits.Load() != 1 {
		t.Fatalf("origin hit %d times", hits.Load())
	}
}

func TestLogoCacheRefusesTooLargeAndTooManyRedirects(t *testing.T) {
	origin, _ := logoOrigin(t)
	e := startWithLogos(t, map[string]string{
		"AUTH_LOGO_URL":     origin.URL + "/huge.png",
		"APP_LOGO_DARK_URL": origin.URL + "/loop/1",
	})
	cfg := e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).Map(t)
	for _, k := range []string{"authLogoUrl", "appLogoDarkUrl"} {
		if _, ok := cfg[k]; ok {
			t.Errorf("%s cached: %v", k, cfg[k])
		}
	}
}

func TestDirectLogoMode(t *testing.T) {
	e := apitest.Start(t, map[string]string{"LOGO_URL_MODE": "direct", "APP_LOGO_LIGHT_URL": "https://cdn.example.com/l.png"})
	if e.App.Logos != nil {
		t.Fatal("cache built in direct mode")
	}
	if cfg := e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).Map(t); cfg["appLogoLightUrl"] != "https://cdn.example.com/l.png" {
		t.Fatalf("ui-config %v", cfg)
	}
}
