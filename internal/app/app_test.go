package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
)

// TestEveryRouteIsDocumented fails when an /api/v1 route is served but
// missing from the OpenAPI document, or documented without a summary.
func TestEveryRouteIsDocumented(t *testing.T) {
	e := apitest.Start(t, nil)
	if missing := e.App.Server.UndocumentedRoutes(); len(missing) > 0 {
		t.Fatalf("raw routes missing from the OpenAPI document: %v", missing)
	}
	r := e.Expect(http.StatusOK, "GET", "/api/docs/json", nil)
	var doc struct {
		Info  struct{ Title string }
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Summary     string           `json:"summary"`
			Security    []map[string]any `json:"security"`
			Raw         map[string]any   `json:"-"`
		}
		Components struct {
			SecuritySchemes map[string]map[string]any `json:"securitySchemes"`
		}
		Security []map[string][]string
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Title != "pi-forge API" || doc.Components.SecuritySchemes["bearerAuth"]["scheme"] != "bearer" || len(doc.Security) != 1 {
		t.Fatalf("document header wrong: %+v", doc)
	}
	if _, ok := doc.Paths["/api/v1/health"]["get"]; !ok {
		t.Fatal("/api/v1/health missing")
	}
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/api/v1/") {
			t.Errorf("path %s outside /api/v1", path)
		}
		for method, op := range ops {
			if op.Summary == "" || op.OperationID == "" {
				t.Errorf("%s %s has no summary or operationId", method, path)
			}
		}
	}
}

// TestPublicRoutesDeclareNoSecurity checks the spec marks exactly the
// reference's public routes as open.
func TestPublicRoutesDeclareNoSecurity(t *testing.T) {
	e := apitest.Start(t, nil)
	r := e.Expect(http.StatusOK, "GET", "/api/docs/json", nil)
	var doc struct {
		Paths map[string]map[string]json.RawMessage
	}
	r.JSON(t, &doc)
	public := map[string]bool{
		"get /api/v1/health": true, "get /api/v1/ui-config": true, "get /api/v1/auth/status": true,
		"post /api/v1/auth/login": true, "post /api/v1/auth/change-password": true, "get /api/v1/terminal": true,
	}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Security *[]map[string]any `json:"security"`
			}
			_ = json.Unmarshal(raw, &op)
			isPublic := op.Security != nil && len(*op.Security) == 0
			if isPublic != public[method+" "+path] {
				t.Errorf("%s %s: public=%v", method, path, isPublic)
			}
		}
	}
}

func TestDocsCanBeHidden(t *testing.T) {
	e := apitest.Start(t, map[string]string{"EXPOSE_DOCS": "false"})
	for _, p := range []string{"/api/docs", "/api/docs/json"} {
		r := e.Expect(http.StatusNotFound, "GET", p, nil)
		if !strings.Contains(string(r.Body), `"not_found"`) {
			t.Errorf("%s: %s", p, r.Body)
		}
	}
}

func TestDocsPageIsServedWithoutACDN(t *testing.T) {
	e := apitest.Start(t, nil)
	page := e.Expect(http.StatusOK, "GET", "/api/docs", nil)
	if !strings.Contains(string(page.Body), "/api/docs/swagger-ui-bundle.js") || strings.Contains(string(page.Body), "https://") {
		t.Fatalf("docs page: %s", page.Body)
	}
	for _, asset := range []string{"/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-ui.css", "/api/docs/init.js"} {
		e.Expect(http.StatusOK, "GET", asset, nil)
	}
}

func TestCSPAllowsDirectModeLogoOrigins(t *testing.T) {
	e := apitest.Start(t, map[string]string{
		"LOGO_URL_MODE": "direct", "AUTH_LOGO_URL": "https://cdn.example.com/logo.png",
		"LOGO_IMG_SRC_ALLOWLIST": "https://img.example.org",
	})
	csp := e.Expect(http.StatusOK, "GET", "/api/v1/health", nil).Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' data: blob: https://img.example.org https://cdn.example.com;") {
		t.Fatalf("CSP = %s", csp)
	}
	cached := apitest.Start(t, map[string]string{"AUTH_LOGO_URL": "https://cdn.example.com/logo.png"})
	csp = cached.Expect(http.StatusOK, "GET", "/api/v1/health", nil).Header.Get("Content-Security-Policy")
	if strings.Contains(csp, "cdn.example.com") {
		t.Fatalf("cache mode must serve logos same-origin: %s", csp)
	}
}
