package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// tokenSubject is the only subject pi-forge issues (and accepts): the one
// UI user of a single-tenant instance.
const tokenSubject = "ui-user"

// minSecretLen is the shortest jwt-secret file kept; shorter ones are
// replaced, as the reference does.
const minSecretLen = 32

// bearerPattern is the reference's header grammar.
var bearerPattern = regexp.MustCompile(`(?i)^Bearer\s+(\S+)$`)

// bearerToken extracts the token from an Authorization header value.
func bearerToken(header string) (string, bool) {
	m := bearerPattern.FindStringSubmatch(header)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// tokenClaims is the JWT payload: {sub, mustChangePassword, iat, exp, jti}.
type tokenClaims struct {
	MustChangePassword bool `json:"mustChangePassword"`
	jwt.RegisteredClaims
}

// Token is a freshly issued login token.
type Token struct {
	Token              string
	ExpiresAt          time.Time
	MustChangePassword bool
}

// issue signs a token valid from now for the configured lifetime.
func (s *Service) issue(mustChange bool) (Token, error) {
	secret, err := s.secret()
	if err != nil {
		return Token{}, err
	}
	if secret == nil {
		return Token{}, errors.New("issue token: no signing secret")
	}
	// A random jti makes every login's token distinct (the reference's
	// tokens from one second were identical), so each login has its own
	// inactivity clock. Verification does not need it.
	jti := make([]byte, 12)
	if _, err := rand.Read(jti); err != nil {
		return Token{}, fmt.Errorf("issue token: %w", err)
	}
	iat := s.now().Truncate(time.Second)
	exp := iat.Add(s.opts.JWTExpiresIn)
	c := tokenClaims{
		MustChangePassword: mustChange,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   tokenSubject,
			IssuedAt:  jwt.NewNumericDate(iat),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        base64.RawURLEncoding.EncodeToString(jti),
		},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return Token{}, fmt.Errorf("issue token: %w", err)
	}
	return Token{Token: signed, ExpiresAt: exp, MustChangePassword: mustChange}, nil
}

// parseJWT verifies signature, algorithm, subject, iat and exp. ok is false
// for anything that is not a valid pi-forge token.
func (s *Service) parseJWT(token string) (tokenClaims, bool) {
	if strings.Count(token, ".") != 2 {
		return tokenClaims{}, false
	}
	secret, err := s.secret()
	if err != nil || secret == nil {
		return tokenClaims{}, false
	}
	var c tokenClaims
	_, err = jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithSubject(tokenSubject),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil || c.IssuedAt == nil {
		return tokenClaims{}, false
	}
	return c, true
}

// secret returns the HS256 key: JWT_SECRET, else the jwt-secret file
// (created on first need). It is nil when no login method is configured,
// so an API-key-only instance never writes a secret it cannot use.
func (s *Service) secret() ([]byte, error) {
	if s.opts.JWTSecret != "" {
		return []byte(s.opts.JWTSecret), nil
	}
	s.secretMu.Lock()
	defer s.secretMu.Unlock()
	if s.jwtSecret != nil {
		return s.jwtSecret, nil
	}
	if !s.opts.LDAP.Enabled && s.opts.UIPassword == "" && !s.hashExists() {
		return nil, nil
	}
	b, err := loadOrCreateSecret(filepath.Join(s.opts.DataDir, "jwt-secret"))
	if err != nil {
		return nil, err
	}
	s.jwtSecret = b
	return b, nil
}

// loadOrCreateSecret reads the secret file, replacing it with 48 random
// bytes (base64url) when it is missing or too short.
func loadOrCreateSecret(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		if v := strings.TrimSpace(string(data)); len(v) >= minSecretLen {
			return []byte(v), nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading jwt secret: %w", err)
	}
	raw := make([]byte, 48)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generating jwt secret: %w", err)
	}
	v := base64.RawURLEncoding.EncodeToString(raw)
	if err := atomicfile.WriteFile(path, []byte(v), 0o600); err != nil {
		return nil, fmt.Errorf("writing jwt secret: %w", err)
	}
	return []byte(v), nil
}
