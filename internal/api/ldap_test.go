package api_test

import (
	"net/http"
	"testing"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/auth/ldaptest"
)

// TestLDAPLoginOverHTTP logs in through the real server against a real
// slapd (the directory flow itself is covered in package auth).
func TestLDAPLoginOverHTTP(t *testing.T) {
	srv := ldaptest.Start(t, false)
	env := srv.Env()
	env["LDAP_REQUIRED_GROUP_DN"] = ldaptest.GroupDN
	env["REQUIRE_PASSWORD_CHANGE"] = "true"
	e := apitest.Start(t, env)

	if st := e.Expect(http.StatusOK, "GET", "/api/v1/auth/status", nil).Map(t); st["authEnabled"] != true || st["ldapEnabled"] != true {
		t.Fatalf("status %v", st)
	}
	if cfg := e.Expect(http.StatusOK, "GET", "/api/v1/ui-config", nil).Map(t); cfg["ldapEnabled"] != true || cfg["passwordAuthEnabled"] != false {
		t.Fatalf("ui-config %v", cfg)
	}
	expectError(t, e.Do("GET", "/api/v1/projects", nil), 401, "missing_token")

	r := e.Expect(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": ldaptest.Users["alice"]})
	login := r.Map(t)
	if login["mustChangePassword"] != false {
		t.Fatalf("LDAP login scoped: %s", r.Body)
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(login["token"].(string)))

	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"username": "carol", "password": ldaptest.Users["carol"]}), 401, "invalid_password")
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": "wrong"}), 401, "invalid_password")
	// No local password on this instance: admin and password-only logins.
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": ldaptest.Users["alice"]}), 503, "ui_password_not_configured")
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "x"}), 503, "ui_password_not_configured")
	// An LDAP user's token cannot set a local password without one.
	expectError(t, e.Do("POST", "/api/v1/auth/change-password", map[string]string{"currentPassword": "x", "newPassword": "newpassword1"},
		apitest.Bearer(login["token"].(string))), 503, "ui_password_not_configured")
}

func TestLDAPEnabledButIncomplete(t *testing.T) {
	e := apitest.Start(t, map[string]string{"LDAP_ENABLED": "true", "LDAP_URL": "ldap://127.0.0.1:1"})
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"username": "alice", "password": "x"}), 503, "ldap_not_configured")
	expectError(t, e.Do("GET", "/api/v1/projects", nil), 401, "missing_token")
}
