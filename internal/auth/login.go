package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
	"github.com/pi-forge/pi-forge/internal/server"
)

// errNoPassword: neither a password-hash file nor UI_PASSWORD exists.
var errNoPassword = errors.New("no local password configured")

// Login checks a password (and optional username) and issues a token.
//
// An empty username or the local admin name (case-insensitive) uses the
// local password; other names use LDAP when it is on and the local
// password otherwise. Failures count towards a lockout per identity: the
// lowercased LDAP username, or the admin name for every local login (the
// reference keys local logins by the typed username, which lets a guesser
// dodge the lockout by varying a name it ignores).
//
// Errors are *server.Error: 401 invalid_password, 423 login_locked (with
// lockedUntil), 503 ui_password_not_configured / ldap_not_configured /
// ldap_unavailable.
func (s *Service) Login(ctx context.Context, username, password string) (Token, error) {
	useLDAP := s.opts.LDAP.Enabled && username != "" && !strings.EqualFold(username, s.opts.LocalAdminUsername)
	key := strings.ToLower(s.opts.LocalAdminUsername)
	if useLDAP {
		key = strings.ToLower(username)
	}
	now := s.now()
	if until := s.lockout.lockedUntil(key, now); !until.IsZero() {
		return Token{}, lockedError(until, now)
	}
	var ok, mustChange bool
	if useLDAP {
		if err := s.opts.LDAP.complete(); err != nil {
			return Token{}, server.Errorf(http.StatusServiceUnavailable, "ldap_not_configured", "LDAP is enabled but %v", err)
		}
		var err error
		ok, err = s.ldapLogin(ctx, username, password)
		if err != nil {
			s.log.Warn("ldap login failed", "error", err.Error())
			return Token{}, server.Errorf(http.StatusServiceUnavailable, "ldap_unavailable", "the LDAP server could not be used; see the server log")
		}
	} else {
		var fromEnv bool
		var err error
		ok, fromEnv, err = s.checkLocal(password)
		if errors.Is(err, errNoPassword) {
			return Token{}, server.Errorf(http.StatusServiceUnavailable, "ui_password_not_configured", "no UI password is configured on the server")
		}
		if err != nil {
			return Token{}, fmt.Errorf("login: %w", err)
		}
		mustChange = ok && fromEnv && s.opts.RequirePasswordChange
	}
	if !ok {
		if until := s.lockout.fail(key, s.now()); !until.IsZero() {
			s.log.Warn("login locked", "user", key, "until", until.UTC().Format(time.RFC3339))
		}
		return Token{}, server.Errorf(http.StatusUnauthorized, "invalid_password", "invalid username or password")
	}
	s.lockout.succeed(key)
	return s.issue(mustChange)
}

func lockedError(until, now time.Time) *server.Error {
	secs := int(math.Ceil(until.Sub(now).Seconds()))
	return server.Errorf(http.StatusLocked, "login_locked", "too many failed login attempts; try again in %d seconds", secs).
		With("lockedUntil", isoTime(until))
}

// checkLocal verifies the local password: the password-hash file when it
// exists (canonical once a password was changed), else UI_PASSWORD.
func (s *Service) checkLocal(password string) (ok, fromEnv bool, err error) {
	stored, err := os.ReadFile(s.hashPath())
	switch {
	case err == nil:
		ok, err := VerifyPassword(string(stored), password)
		if err != nil {
			return false, false, fmt.Errorf("%s: %w", s.hashPath(), err)
		}
		return ok, false, nil
	case !errors.Is(err, os.ErrNotExist):
		return false, false, fmt.Errorf("reading password hash: %w", err)
	case s.opts.UIPassword == "":
		return false, false, errNoPassword
	}
	a, b := sha256.Sum256([]byte(password)), sha256.Sum256([]byte(s.opts.UIPassword))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1, true, nil
}

// ChangePassword replaces the local password and returns a fresh,
// unscoped token. It needs a login token in authHeader (never the API key;
// scoped tokens are exactly what it is for). Errors are *server.Error:
// 401 auth_required / invalid_password, 400 password_unchanged,
// 503 ui_password_not_configured. Failures do not count towards lockout.
func (s *Service) ChangePassword(authHeader, current, next string) (Token, error) {
	token, ok := bearerToken(authHeader)
	if !ok {
		return Token{}, server.Errorf(http.StatusUnauthorized, "auth_required", "log in first")
	}
	c, ok := s.parseJWT(token)
	if !ok || !s.activity.touch(token, c.IssuedAt.Time, s.now(), true) {
		return Token{}, server.Errorf(http.StatusUnauthorized, "auth_required", "a valid login token is required")
	}
	s.passwordMu.Lock()
	defer s.passwordMu.Unlock()
	ok, _, err := s.checkLocal(current)
	if errors.Is(err, errNoPassword) {
		return Token{}, server.Errorf(http.StatusServiceUnavailable, "ui_password_not_configured", "no UI password is configured on the server")
	}
	if err != nil {
		return Token{}, fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return Token{}, server.Errorf(http.StatusUnauthorized, "invalid_password", "the current password is wrong")
	}
	if current == next {
		return Token{}, server.Errorf(http.StatusBadRequest, "password_unchanged", "the new password must differ from the current one")
	}
	hash, err := HashPassword(next)
	if err != nil {
		return Token{}, err
	}
	if err := atomicfile.WriteFile(s.hashPath(), []byte(hash), 0o600); err != nil {
		return Token{}, fmt.Errorf("change password: %w", err)
	}
	s.log.Info("password changed; the stored hash now replaces UI_PASSWORD")
	return s.issue(false)
}

// isoTime formats like JavaScript's Date.toISOString.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ISOTime formats t as the API's timestamps (JavaScript's toISOString).
func ISOTime(t time.Time) string { return isoTime(t) }
