package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// The reference's password-hash format:
//
//	scrypt$<N>$<r>$<p>$<salt, base64>$<derived key, base64>
//
// with N=16384, r=8, p=1, a 16-byte salt and a 64-byte key. Verification
// honours whatever parameters the stored string carries, so hashes written
// by either implementation (or with stronger parameters) keep working.
const (
	scryptN       = 16384
	scryptR       = 8
	scryptP       = 1
	scryptSaltLen = 16
	scryptKeyLen  = 64

	// maxScryptMemory bounds 128*N*r*p for a stored hash, so a crafted
	// password-hash file cannot make each login allocate gigabytes.
	maxScryptMemory = 256 << 20
)

// errBadHash reports a password-hash file that is not in the scrypt format.
var errBadHash = errors.New("password hash: not in scrypt$N$r$p$salt$hash format")

// HashPassword derives a new scrypt hash string for password with a fresh
// random salt.
func HashPassword(password string) (string, error) {
	salt := make([]byte, scryptSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key, err := scrypt.Key([]byte(password), salt, scryptN, scryptR, scryptP, scryptKeyLen)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return fmt.Sprintf("scrypt$%d$%d$%d$%s$%s", scryptN, scryptR, scryptP,
		base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the stored hash string.
// A malformed hash is an error, never a match.
func VerifyPassword(stored, password string) (bool, error) {
	h, err := parseHash(stored)
	if err != nil {
		return false, err
	}
	key, err := scrypt.Key([]byte(password), h.salt, h.n, h.r, h.p, len(h.key))
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

type scryptHash struct {
	n, r, p   int
	salt, key []byte
}

func parseHash(stored string) (scryptHash, error) {
	parts := strings.Split(strings.TrimSpace(stored), "$")
	if len(parts) != 6 || parts[0] != "scrypt" {
		return scryptHash{}, errBadHash
	}
	var h scryptHash
	var err error
	if h.n, err = positiveInt(parts[1]); err != nil {
		return scryptHash{}, err
	}
	if h.r, err = positiveInt(parts[2]); err != nil {
		return scryptHash{}, err
	}
	if h.p, err = positiveInt(parts[3]); err != nil {
		return scryptHash{}, err
	}
	if h.n < 2 || h.n&(h.n-1) != 0 {
		return scryptHash{}, fmt.Errorf("password hash: N=%d is not a power of two", h.n)
	}
	if int64(128)*int64(h.n)*int64(h.r)*int64(h.p) > maxScryptMemory {
		return scryptHash{}, fmt.Errorf("password hash: parameters N=%d r=%d p=%d need too much memory", h.n, h.r, h.p)
	}
	if h.salt, err = decodeBase64(parts[4]); err != nil || len(h.salt) == 0 {
		return scryptHash{}, errBadHash
	}
	if h.key, err = decodeBase64(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 1024 {
		return scryptHash{}, errBadHash
	}
	return h, nil
}

func positiveInt(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, errBadHash
	}
	return n, nil
}

// decodeBase64 accepts padded and unpadded standard base64 (Node writes
// padded; hand-made files may not be).
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
