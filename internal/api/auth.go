package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/auth"
	"github.com/pi-forge/pi-forge/internal/server"
)

// authBodyLimit caps login and password-change bodies: the fields are at
// most a few KiB, and a credential route has no reason to buffer 100 MiB.
const authBodyLimit = 64 << 10

// AuthStatusBody is GET /auth/status.
type AuthStatusBody struct {
	AuthEnabled bool `json:"authEnabled" doc:"requests to protected routes need a bearer token"`
	LDAPEnabled bool `json:"ldapEnabled" doc:"the login form may send a username for LDAP"`
}

// LoginBody is POST /auth/login.
type LoginBody struct {
	Password string `json:"password" minLength:"1" maxLength:"1024"`
	Username string `json:"username,omitempty" minLength:"1" maxLength:"256" doc:"LDAP user; omitted or the local admin name uses the local password"`
}

// TokenBody is a freshly issued login token.
type TokenBody struct {
	Token              string `json:"token" doc:"HS256 JWT; send as Authorization: Bearer <token>"`
	ExpiresAt          string `json:"expiresAt" format:"date-time"`
	MustChangePassword bool   `json:"mustChangePassword" doc:"true: the token only works for POST /auth/change-password"`
}

// ChangePasswordBody is POST /auth/change-password.
type ChangePasswordBody struct {
	CurrentPassword string `json:"currentPassword" minLength:"1" maxLength:"1024"`
	NewPassword     string `json:"newPassword" minLength:"8" maxLength:"1024"`
}

// RegisterAuth mounts /auth/status, /auth/login and /auth/change-password.
// login and change-password are rate limited per client IP in separate
// buckets.
func RegisterAuth(api huma.API, svc *auth.Service, limit server.RateLimit) {
	huma.Register(api, server.Public(server.Op(http.MethodGet, "/auth/status", "getAuthStatus", "Whether login is required", "Auth")),
		func(ctx context.Context, _ *struct{}) (*struct{ Body AuthStatusBody }, error) {
			return &struct{ Body AuthStatusBody }{Body: AuthStatusBody{AuthEnabled: svc.Enabled(), LDAPEnabled: svc.LDAPEnabled()}}, nil
		})

	login := server.RateLimited(server.Public(server.Op(http.MethodPost, "/auth/login", "login", "Log in with the password (or LDAP)", "Auth")), limit)
	login.MaxBodyBytes = authBodyLimit
	login.Description = "Returns a login token. 401 invalid_password, 423 login_locked (with lockedUntil) after " +
		"LOGIN_ATTEMPT_LIMIT_MAX failures, 503 ui_password_not_configured / ldap_not_configured / ldap_unavailable."
	huma.Register(api, login, func(ctx context.Context, in *struct{ Body LoginBody }) (*struct{ Body TokenBody }, error) {
		tok, err := svc.Login(ctx, in.Body.Username, in.Body.Password)
		if err != nil {
			return nil, err
		}
		return tokenResponse(tok), nil
	})

	change := server.RateLimited(server.Public(server.Op(http.MethodPost, "/auth/change-password", "changePassword", "Change the local password", "Auth")), limit)
	change.MaxBodyBytes = authBodyLimit
	change.Description = "Needs a login token in the Authorization header (the API key is not accepted; a " +
		"mustChangePassword token is). Stores an scrypt hash in FORGE_DATA_DIR/password-hash, which replaces " +
		"UI_PASSWORD from then on, and returns a fresh unscoped token."
	huma.Register(api, change, func(ctx context.Context, in *struct {
		Authorization string `header:"Authorization" doc:"Bearer <login token>"`
		Body          ChangePasswordBody
	}) (*struct{ Body TokenBody }, error) {
		tok, err := svc.ChangePassword(in.Authorization, in.Body.CurrentPassword, in.Body.NewPassword)
		if err != nil {
			return nil, err
		}
		return tokenResponse(tok), nil
	})
}

func tokenResponse(t auth.Token) *struct{ Body TokenBody } {
	return &struct{ Body TokenBody }{Body: TokenBody{
		Token:              t.Token,
		ExpiresAt:          auth.ISOTime(t.ExpiresAt),
		MustChangePassword: t.MustChangePassword,
	}}
}
