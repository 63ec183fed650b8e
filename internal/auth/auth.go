// Package auth decides who may use the API: the local password (scrypt
// hash file or UI_PASSWORD), LDAP, the static API key, HS256 login tokens
// with an inactivity timeout, forced password changes and login lockout.
//
// Service implements server.Authenticator. Auth is on when UI_PASSWORD,
// API_KEY or LDAP is configured, or ${FORGE_DATA_DIR}/password-hash exists
// (checked on every call, so a hash written at run time turns it on).
// Handlers find the caller with FromContext; the terminal WebSocket, which
// takes its token from the query string, checks it with CheckToken.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pi-forge/pi-forge/internal/config"
	"github.com/pi-forge/pi-forge/internal/server"
)

// Options configure a Service.
type Options struct {
	DataDir               string // FORGE_DATA_DIR: password-hash and jwt-secret live here
	UIPassword            string
	APIKey                string
	LocalAdminUsername    string
	JWTSecret             string // "" = generated into DataDir/jwt-secret
	JWTExpiresIn          time.Duration
	InactivityTimeout     time.Duration // 0 = off
	RequirePasswordChange bool
	LockoutMax            int
	LockoutDuration       time.Duration
	LDAP                  LDAPOptions
	Logger                *slog.Logger
	Now                   func() time.Time // nil = time.Now
}

// OptionsFromConfig takes the auth options from the option table.
func OptionsFromConfig(cfg *config.Config, log *slog.Logger) Options {
	return Options{
		DataDir:               cfg.ForgeDataDir,
		UIPassword:            cfg.UIPassword,
		APIKey:                cfg.APIKey,
		LocalAdminUsername:    cfg.LocalAdminUsername,
		JWTSecret:             cfg.JWTSecret,
		JWTExpiresIn:          cfg.JWTExpiresIn,
		InactivityTimeout:     cfg.LoginInactivityTimeout,
		RequirePasswordChange: cfg.RequirePasswordChange,
		LockoutMax:            cfg.LoginAttemptLimitMax,
		LockoutDuration:       cfg.LoginLockout,
		LDAP: LDAPOptions{
			Enabled:               cfg.LDAPEnabled,
			URL:                   cfg.LDAPURL,
			BindDN:                cfg.LDAPBindDN,
			BindPassword:          cfg.LDAPBindPassword,
			BaseDN:                cfg.LDAPBaseDN,
			UserFilter:            cfg.LDAPUserFilter,
			RequiredGroupDN:       cfg.LDAPRequiredGroupDN,
			GroupAttribute:        cfg.LDAPGroupAttribute,
			Timeout:               cfg.LDAPTimeout,
			TLSRejectUnauthorized: cfg.LDAPTLSRejectUnauthorized,
		},
		Logger: log,
	}
}

// Service authenticates requests and logs users in. It is safe for
// concurrent use.
type Service struct {
	opts     Options
	log      *slog.Logger
	clock    atomic.Pointer[func() time.Time]
	activity *activity
	lockout  *lockout
	apiKey   [32]byte // sha256 of API_KEY

	secretMu  sync.Mutex
	jwtSecret []byte

	passwordMu sync.Mutex // serializes password changes
}

// New builds the service. When a login method is configured and no
// JWT_SECRET is given, it creates the jwt-secret file now, so a broken data
// directory fails at start rather than at the first login.
func New(opts Options) (*Service, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.LocalAdminUsername == "" {
		opts.LocalAdminUsername = "admin"
	}
	if opts.JWTExpiresIn <= 0 {
		opts.JWTExpiresIn = 7 * 24 * time.Hour
	}
	if opts.LockoutMax <= 0 {
		opts.LockoutMax = 10
	}
	if opts.LockoutDuration <= 0 {
		opts.LockoutDuration = 5 * time.Minute
	}
	s := &Service{
		opts:     opts,
		log:      opts.Logger,
		activity: newActivity(opts.InactivityTimeout),
		lockout:  newLockout(opts.LockoutMax, opts.LockoutDuration),
		apiKey:   sha256.Sum256([]byte(opts.APIKey)),
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s.clock.Store(&now)
	if _, err := s.secret(); err != nil {
		return nil, err
	}
	return s, nil
}

// SetClock replaces the time source (tests drive lockout and idle
// timeouts with it instead of sleeping).
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

func (s *Service) now() time.Time { return (*s.clock.Load())() }

func (s *Service) hashPath() string { return filepath.Join(s.opts.DataDir, "password-hash") }

func (s *Service) hashExists() bool {
	_, err := os.Stat(s.hashPath())
	return err == nil
}

// Enabled reports whether requests need credentials.
func (s *Service) Enabled() bool {
	return s.opts.UIPassword != "" || s.opts.APIKey != "" || s.opts.LDAP.Enabled || s.hashExists()
}

// PasswordConfigured reports whether a local password exists (UI_PASSWORD
// or a stored hash); /ui-config calls it passwordAuthEnabled.
func (s *Service) PasswordConfigured() bool { return s.opts.UIPassword != "" || s.hashExists() }

// LDAPEnabled reports whether LDAP logins are switched on.
func (s *Service) LDAPEnabled() bool { return s.opts.LDAP.Enabled }

// Principal is the authenticated caller of a request.
type Principal struct {
	APIKey             bool      // true: the static API key; false: a login token
	MustChangePassword bool      // a scoped token (only change-password accepts it)
	IssuedAt           time.Time // login tokens only
	ExpiresAt          time.Time // login tokens only
}

type principalKey struct{}

// FromContext returns the caller that Authenticate put in ctx. ok is false
// when auth is off (or the route is public).
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Authenticate implements server.Authenticator: Bearer header → login
// token (inactivity, scoped-token checks) or API key.
func (s *Service) Authenticate(r *http.Request) (context.Context, error) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, server.Errorf(http.StatusUnauthorized, "missing_token", "Authorization: Bearer <token> required")
	}
	p, err := s.CheckToken(token, isMutating(r.Method))
	if err != nil {
		return nil, err
	}
	if p.MustChangePassword {
		return nil, server.Errorf(http.StatusForbidden, "must_change_password", "change the password first (POST /api/v1/auth/change-password)")
	}
	return context.WithValue(r.Context(), principalKey{}, p), nil
}

// CheckToken validates a bearer token (a login JWT or the API key). refresh
// marks a login token active for the inactivity timeout; pass it for
// mutating requests and WebSocket attaches. Scoped tokens are returned
// with MustChangePassword set: the caller decides whether to refuse them.
func (s *Service) CheckToken(token string, refresh bool) (Principal, error) {
	if c, ok := s.parseJWT(token); ok {
		iat := c.IssuedAt.Time
		if !s.activity.touch(token, iat, s.now(), refresh) {
			return Principal{}, server.Errorf(http.StatusUnauthorized, "invalid_token", "session expired after inactivity; log in again")
		}
		return Principal{MustChangePassword: c.MustChangePassword, IssuedAt: iat, ExpiresAt: c.ExpiresAt.Time}, nil
	}
	if s.apiKeyMatches(token) {
		return Principal{APIKey: true}, nil
	}
	return Principal{}, server.Errorf(http.StatusUnauthorized, "invalid_token", "token invalid or expired")
}

// apiKeyMatches compares in constant time. Comparing SHA-256 digests keeps
// the time independent of both values' lengths.
func (s *Service) apiKeyMatches(token string) bool {
	if s.opts.APIKey == "" {
		return false
	}
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], s.apiKey[:]) == 1
}

// isMutating: only these requests count as activity. GET polling and SSE
// reconnects must not keep an idle session alive.
func isMutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}
