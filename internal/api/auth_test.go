package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/auth"
)

const password = "hunter2-but-longer"

func errorCode(t *testing.T, r *apitest.Response) string {
	t.Helper()
	code, _ := r.Map(t)["error"].(string)
	return code
}

func expectError(t *testing.T, r *apitest.Response, status int, code string) {
	t.Helper()
	if r.StatusCode != status || errorCode(t, r) != code {
		t.Fatalf("%s %s: %d %s, want %d %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.Body, status, code)
	}
}

func TestNoCredentialsMeansEverythingIsOpen(t *testing.T) {
	e := apitest.Start(t, nil)
	st := e.Expect(http.StatusOK, "GET", "/api/v1/auth/status", nil).Map(t)
	if st["authEnabled"] != false || st["ldapEnabled"] != false {
		t.Fatalf("status %v", st)
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil)
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, "Authorization: Bearer whatever")
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": "x"}), 503, "ui_password_not_configured")
	if _, err := os.Stat(filepath.Join(e.DataDir, "jwt-secret")); !os.IsNotExist(err) {
		t.Fatalf("jwt-secret written without any login method: %v", err)
	}
	if e.App.AuthEnabled() {
		t.Fatal("App.AuthEnabled() = true")
	}
}

// TestAuthMatrix checks each way of turning auth on: protected routes
// need a valid bearer, public ones stay open, unknown API paths are 401
// before 404.
func TestAuthMatrix(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		env   map[string]string
		setup func(t *testing.T, e *apitest.Env) string // returns a working bearer token
	}{
		{"UI_PASSWORD", map[string]string{"UI_PASSWORD": password}, func(t *testing.T, e *apitest.Env) string { return e.Login("", password) }},
		{"UI_PASSWORD_FILE", map[string]string{"UI_PASSWORD_FILE": pwFile}, func(t *testing.T, e *apitest.Env) string { return e.Login("", password) }},
		{"API_KEY", map[string]string{"API_KEY": "k3y-for-scripts"}, func(t *testing.T, e *apitest.Env) string {
			expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": "k3y-for-scripts"}), 503, "ui_password_not_configured")
			if _, err := os.Stat(filepath.Join(e.DataDir, "jwt-secret")); !os.IsNotExist(err) {
				t.Fatalf("API-key-only instance wrote a jwt-secret: %v", err)
			}
			return "k3y-for-scripts"
		}},
		{"password-hash file", nil, func(t *testing.T, e *apitest.Env) string {
			writeHash(t, e, password)
			return e.Login("", password)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := apitest.Start(t, tc.env)
			token := tc.setup(t, e)
			if !e.App.AuthEnabled() {
				t.Fatal("App.AuthEnabled() = false")
			}
			if st := e.Expect(200, "GET", "/api/v1/auth/status", nil).Map(t); st["authEnabled"] != true {
				t.Fatalf("status %v", st)
			}
			for _, p := range []string{"/api/v1/health", "/api/v1/ui-config", "/api/v1/auth/status"} {
				e.Expect(http.StatusOK, "GET", p, nil)
			}
			expectError(t, e.Do("GET", "/api/v1/projects", nil), 401, "missing_token")
			expectError(t, e.Do("GET", "/api/v1/projects", nil, "Authorization: Basic "+token), 401, "missing_token")
			expectError(t, e.Do("GET", "/api/v1/projects", nil, "Authorization: Bearer not-it"), 401, "invalid_token")
			expectError(t, e.Do("GET", "/api/v1/projects", nil, "Authorization: Bearer "+token+"x"), 401, "invalid_token")
			expectError(t, e.Do("GET", "/api/v1/no-such-route", nil), 401, "missing_token")
			e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(token))
			e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, "Authorization: bearer   "+token)
			e.Expect(http.StatusNotFound, "GET", "/api/v1/no-such-route", nil, apitest.Bearer(token))
		})
	}
}

func writeHash(t *testing.T, e *apitest.Env, pw string) {
	t.Helper()
	h, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.DataDir, "password-hash"), []byte(h), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAHashWrittenAtRunTimeTurnsAuthOn(t *testing.T) {
	e := apitest.Start(t, nil)
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil)
	writeHash(t, e, password)
	expectError(t, e.Do("GET", "/api/v1/projects", nil), 401, "missing_token")
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(e.Login("", password)))
}

func TestLoginChecksThePasswordAndUsername(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "FORGE_LOCAL_ADMIN_USERNAME": "root"})
	clock := apitest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	e.App.Auth.SetClock(clock.Now)
	r := e.Expect(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"password": password})
	var tok struct {
		Token              string
		ExpiresAt          string
		MustChangePassword *bool
	}
	r.JSON(t, &tok)
	if tok.ExpiresAt != "2030-01-09T03:04:05.000Z" || tok.MustChangePassword == nil || *tok.MustChangePassword {
		t.Fatalf("login body %s", r.Body)
	}
	for _, user := range []string{"root", "ROOT", "someone-else"} { // LDAP off: the name is not checked
		e.Login(user, password)
	}
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": password + "!"}), 401, "invalid_password")
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": strings.ToUpper(password)}), 401, "invalid_password")

	info, err := os.Stat(filepath.Join(e.DataDir, "jwt-secret"))
	if err != nil || info.Mode().Perm() != 0o600 || info.Size() != 64 {
		t.Fatalf("jwt-secret: %v %v", info, err)
	}
}

func TestLoginValidation(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "RATE_LIMIT_LOGIN_MAX": "1000"})
	cases := []struct {
		name   string
		body   any
		status int
	}{
		{"malformed JSON", `{"password":`, 400},
		{"not an object", `["x"]`, 400},
		{"missing password", `{"username":"admin"}`, 400},
		{"empty password", map[string]string{"password": ""}, 400},
		{"password too long", map[string]string{"password": strings.Repeat("x", 1025)}, 400},
		{"empty username", map[string]string{"password": password, "username": ""}, 400},
		{"username too long", map[string]string{"password": password, "username": strings.Repeat("u", 257)}, 400},
		{"password not a string", `{"password":12345678}`, 400},
		{"NUL in password", map[string]string{"password": password + "\x00"}, 401},
		{"huge body", `{"password":"` + strings.Repeat("x", 200<<10) + `"}`, 413},
		{"unknown keys are ignored", map[string]any{"password": password, "remember": true}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/auth/login", tc.body)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.Body)
			}
			if tc.status == 400 && errorCode(t, r) != "invalid_body" {
				t.Fatalf("body %s", r.Body)
			}
		})
	}
}

func TestChangePasswordPersistsAHashThatOutlivesTheEnvPassword(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password})
	token := e.Login("", password)
	const next = "a much better passphrase"
	r := e.Expect(http.StatusOK, "POST", "/api/v1/auth/change-password",
		map[string]string{"currentPassword": password, "newPassword": next}, apitest.Bearer(token))
	fresh := r.Map(t)
	if fresh["mustChangePassword"] != false || fresh["token"] == "" {
		t.Fatalf("change-password body %s", r.Body)
	}
	hashFile := filepath.Join(e.DataDir, "password-hash")
	info, err := os.Stat(hashFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("password-hash: %v %v", info, err)
	}
	stored, _ := os.ReadFile(hashFile)
	if ok, err := auth.VerifyPassword(string(stored), next); !ok || err != nil || !strings.HasPrefix(string(stored), "scrypt$16384$8$1$") {
		t.Fatalf("stored hash %q: %v %v", stored, ok, err)
	}
	// The env password is ignored from now on; old tokens stay valid.
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": password}), 401, "invalid_password")
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(token))
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(fresh["token"].(string)))

	// Without UI_PASSWORD the hash alone keeps auth on, and tokens signed
	// before the restart still verify (same jwt-secret file).
	e.Restart(map[string]string{"UI_PASSWORD": ""})
	expectError(t, e.Do("GET", "/api/v1/projects", nil), 401, "missing_token")
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(token))
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": password}), 401, "invalid_password")
	e.Login("", next)
	if cfg := e.Expect(200, "GET", "/api/v1/ui-config", nil).Map(t); cfg["passwordAuthEnabled"] != true {
		t.Fatalf("ui-config %v", cfg)
	}
}

func TestChangePasswordErrors(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "API_KEY": "the-api-key-value", "LOGIN_ATTEMPT_LIMIT_MAX": "2"})
	token := e.Login("", password)
	body := func(cur, next string) map[string]string {
		return map[string]string{"currentPassword": cur, "newPassword": next}
	}
	const path = "/api/v1/auth/change-password"
	expectError(t, e.Do("POST", path, body(password, "newpassword1")), 401, "auth_required")
	expectError(t, e.Do("POST", path, body(password, "newpassword1"), apitest.Bearer("the-api-key-value")), 401, "auth_required")
	expectError(t, e.Do("POST", path, body(password, "newpassword1"), apitest.Bearer(token+"x")), 401, "auth_required")
	for i := 0; i < 3; i++ { // failures here never lock the login
		expectError(t, e.Do("POST", path, body("wrong", "newpassword1"), apitest.Bearer(token)), 401, "invalid_password")
	}
	expectError(t, e.Do("POST", path, body(password, password), apitest.Bearer(token)), 400, "password_unchanged")
	expectError(t, e.Do("POST", path, body(password, "short"), apitest.Bearer(token)), 400, "invalid_body")
	expectError(t, e.Do("POST", path, `{"currentPassword":`, apitest.Bearer(token)), 400, "invalid_body")
	expectError(t, e.Do("POST", path, map[string]string{"newPassword": "newpassword1"}, apitest.Bearer(token)), 400, "invalid_body")
	e.Login("", password)
	if _, err := os.Stat(filepath.Join(e.DataDir, "password-hash")); !os.IsNotExist(err) {
		t.Fatal("a failed change wrote a hash")
	}
}

// mint signs a token with JWT_SECRET the way a forger who knows the
// secret (or the reference) would.
func mint(t *testing.T, secret string, claims jwt.MapClaims, method jwt.SigningMethod) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	var key any = []byte(secret)
	if method == jwt.SigningMethodNone {
		key = jwt.UnsafeAllowNoneSignatureType
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenVerification(t *testing.T) {
	const secret = "a-jwt-secret-that-is-long-enough-1234"
	e := apitest.Start(t, map[string]string{"API_KEY": "kkkkkkkkkk", "JWT_SECRET": secret})
	now := time.Now().Unix()
	good := jwt.MapClaims{"sub": "ui-user", "iat": now, "exp": now + 60}
	with := func(k string, v any) jwt.MapClaims {
		c := jwt.MapClaims{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	cases := []struct {
		name   string
		token  string
		status int
	}{
		{"valid", mint(t, secret, good, jwt.SigningMethodHS256), 200},
		{"mustChangePassword missing means false", mint(t, secret, with("mustChangePassword", nil), jwt.SigningMethodHS256), 200},
		{"other secret", mint(t, secret+"x", good, jwt.SigningMethodHS256), 401},
		{"alg none", mint(t, secret, good, jwt.SigningMethodNone), 401},
		{"HS512", mint(t, secret, good, jwt.SigningMethodHS512), 401},
		{"wrong subject", mint(t, secret, with("sub", "admin"), jwt.SigningMethodHS256), 401},
		{"no subject", mint(t, secret, with("sub", nil), jwt.SigningMethodHS256), 401},
		{"no iat", mint(t, secret, with("iat", nil), jwt.SigningMethodHS256), 401},
		{"no exp", mint(t, secret, with("exp", nil), jwt.SigningMethodHS256), 401},
		{"expired", mint(t, secret, with("exp", now-1), jwt.SigningMethodHS256), 401},
		{"issued in the future", mint(t, secret, with("iat", now+3600), jwt.SigningMethodHS256), 401},
		{"scoped", mint(t, secret, with("mustChangePassword", true), jwt.SigningMethodHS256), 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("GET", "/api/v1/projects", nil, apitest.Bearer(tc.token))
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.Body)
			}
		})
	}
	// A valid token on an instance without a local password: 503.
	expectError(t, e.Do("POST", "/api/v1/auth/change-password",
		map[string]string{"currentPassword": "x", "newPassword": "newpassword1"}, apitest.Bearer(cases[0].token)),
		503, "ui_password_not_configured")
}

func TestJWTSecretFile(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password})
	secretFile := filepath.Join(e.DataDir, "jwt-secret")
	first, _ := os.ReadFile(secretFile)
	token := e.Login("", password)

	e.Restart(nil) // kept: old tokens still verify
	if again, _ := os.ReadFile(secretFile); string(again) != string(first) {
		t.Fatal("secret changed across a restart")
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(token))

	if err := os.WriteFile(secretFile, []byte("too-short"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.Restart(nil) // a short secret is replaced, which logs everyone out
	if again, _ := os.ReadFile(secretFile); len(again) != 64 || string(again) == string(first) {
		t.Fatalf("short secret not regenerated: %q", again)
	}
	expectError(t, e.Do("GET", "/api/v1/projects", nil, apitest.Bearer(token)), 401, "invalid_token")
}

func TestRequirePasswordChangeScopesTheToken(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "REQUIRE_PASSWORD_CHANGE": "true"})
	r := e.Expect(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"password": password})
	login := r.Map(t)
	if login["mustChangePassword"] != true {
		t.Fatalf("login %s", r.Body)
	}
	scoped := login["token"].(string)
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/v1/projects"}, {"POST", "/api/v1/projects"}, {"GET", "/api/v1/config/theme"}, {"GET", "/api/v1/nope"},
	} {
		expectError(t, e.Do(req.method, req.path, nil, apitest.Bearer(scoped)), 403, "must_change_password")
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/auth/status", nil, apitest.Bearer(scoped))
	r = e.Expect(http.StatusOK, "POST", "/api/v1/auth/change-password",
		map[string]string{"currentPassword": password, "newPassword": "brand-new-password"}, apitest.Bearer(scoped))
	fresh := r.Map(t)
	if fresh["mustChangePassword"] != false {
		t.Fatalf("change body %s", r.Body)
	}
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(fresh["token"].(string)))
	// The stored hash is not the env password: no more forced change.
	if again := e.Expect(200, "POST", "/api/v1/auth/login", map[string]string{"password": "brand-new-password"}).Map(t); again["mustChangePassword"] != false {
		t.Fatalf("second login %v", again)
	}
}

func TestInactivityTimeoutOnlyMutatingRequestsRefresh(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "LOGIN_INACTIVITY_TIMEOUT_SECONDS": "60"})
	clock := apitest.NewClock(time.Now())
	e.App.Auth.SetClock(clock.Now)

	reader := e.Login("", password)
	writer := e.Login("", password)
	clock.Advance(50 * time.Second)
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(reader))
	e.Expect(http.StatusOK, "PUT", "/api/v1/projects/order", map[string]any{"ids": []string{}}, apitest.Bearer(writer))
	clock.Advance(20 * time.Second) // 70 s after login, 20 s after the PUT
	expectError(t, e.Do("GET", "/api/v1/projects", nil, apitest.Bearer(reader)), 401, "invalid_token")
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(writer))
	clock.Advance(41 * time.Second) // 61 s after the PUT; the GET did not refresh
	expectError(t, e.Do("GET", "/api/v1/projects", nil, apitest.Bearer(writer)), 401, "invalid_token")
}

func TestTokensExpire(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "JWT_EXPIRES_IN_SECONDS": "100"})
	clock := apitest.NewClock(time.Now())
	e.App.Auth.SetClock(clock.Now)
	token := e.Login("", password)
	clock.Advance(99 * time.Second)
	e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil, apitest.Bearer(token))
	clock.Advance(2 * time.Second)
	expectError(t, e.Do("GET", "/api/v1/projects", nil, apitest.Bearer(token)), 401, "invalid_token")
}

func TestLockout(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "LOGIN_ATTEMPT_LIMIT_MAX": "3", "LOGIN_LOCKOUT_MS": "60000",
		"RATE_LIMIT_LOGIN_MAX": "1000"})
	start := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := apitest.NewClock(start)
	e.App.Auth.SetClock(clock.Now)
	login := func(user, pw string) *apitest.Response {
		body := map[string]string{"password": pw}
		if user != "" {
			body["username"] = user
		}
		return e.Do("POST", "/api/v1/auth/login", body)
	}

	// A success resets the count.
	expectError(t, login("", "wrong"), 401, "invalid_password")
	expectError(t, login("", "wrong"), 401, "invalid_password")
	e.Login("", password)
	expectError(t, login("", "wrong"), 401, "invalid_password")
	expectError(t, login("", "wrong"), 401, "invalid_password")
	e.Login("", password)

	// Three failures lock every local login, whatever name is typed.
	expectError(t, login("", "wrong"), 401, "invalid_password")
	expectError(t, login("ADMIN", "wrong"), 401, "invalid_password")
	expectError(t, login("someone", "wrong"), 401, "invalid_password")
	clock.Advance(10 * time.Second)
	r := login("", password)
	expectError(t, r, 423, "login_locked")
	m := r.Map(t)
	if m["lockedUntil"] != "2031-05-06T07:09:09.000Z" || !strings.Contains(m["message"].(string), "50 seconds") {
		t.Fatalf("423 body %s", r.Body)
	}
	expectError(t, login("admin", password), 423, "login_locked")

	clock.Advance(50 * time.Second)
	e.Login("", password)
	// The count starts afresh after the lock.
	expectError(t, login("", "wrong"), 401, "invalid_password")
	e.Login("", password)
}

func TestLoginRateLimit(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "RATE_LIMIT_LOGIN_MAX": "3"})
	token := e.Login("", password)
	e.Login("", password)
	expectError(t, e.Do("POST", "/api/v1/auth/login", map[string]string{"password": "wrong"}), 401, "invalid_password")
	r := e.Do("POST", "/api/v1/auth/login", map[string]string{"password": password})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("4th login: %d %s", r.StatusCode, r.Body)
	}
	// change-password has its own bucket.
	expectError(t, e.Do("POST", "/api/v1/auth/change-password",
		map[string]string{"currentPassword": "wrong", "newPassword": "newpassword1"}, apitest.Bearer(token)), 401, "invalid_password")
}

func TestLogsNeverHoldPasswordsOrTokens(t *testing.T) {
	e := apitest.Start(t, map[string]string{"UI_PASSWORD": password, "LOG_LEVEL": "debug"})
	token := e.Login("", password)
	e.Expect(http.StatusOK, "GET", "/api/v1/projects?token="+token, nil, apitest.Bearer(token))
	e.Do("POST", "/api/v1/auth/login", map[string]string{"password": "wrong-" + password})
	const next = "next-password-123"
	fresh := e.Expect(http.StatusOK, "POST", "/api/v1/auth/change-password",
		map[string]string{"currentPassword": password, "newPassword": next}, apitest.Bearer(token)).Map(t)["token"].(string)
	e.Do("GET", "/api/v1/nope", nil, apitest.Bearer(fresh))
	logs := e.Logs()
	if !strings.Contains(logs, "/api/v1/auth/login") {
		t.Fatalf("no request log lines: %s", logs)
	}
	for _, secret := range []string{password, next, token, fresh, strings.Split(token, ".")[2]} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log holds a secret %q:\n%s", secret, logs)
		}
	}
}
