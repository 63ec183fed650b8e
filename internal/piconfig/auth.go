package piconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Errors callers map to API responses.
var (
	// ErrProviderNotFound: the provider has no auth.json entry.
	ErrProviderNotFound = errors.New("provider has no stored credentials")
	// ErrInvalidProvider: the name cannot be a provider key.
	ErrInvalidProvider = errors.New("invalid provider name")
	// ErrCorrupt: the file does not parse, so it is left untouched rather
	// than overwritten.
	ErrCorrupt = errors.New("file is not valid JSON")
)

// Credential types in auth.json.
const (
	CredentialAPIKey = "api_key"
	CredentialOAuth  = "oauth"
)

// Credential is one auth.json entry. Raw is the entry as stored; OAuth
// entries carry provider-specific fields that are kept verbatim.
type Credential struct {
	Type      string          `json:"type"`
	Key       string          `json:"key,omitempty"`     // api_key: literal, env name or !command
	Access    string          `json:"access,omitempty"`  // oauth access token
	Refresh   string          `json:"refresh,omitempty"` // oauth refresh token
	Expires   int64           `json:"expires,omitempty"` // oauth, Unix ms
	ProjectID string          `json:"projectId,omitempty"`
	Raw       json.RawMessage `json:"-"`
}

// AuthStatus is what the API may tell about a provider's stored credential:
// never the value.
type AuthStatus struct {
	Configured bool   `json:"configured"`
	Source     string `json:"source"`
	Label      string `json:"label,omitempty"`
}

// AuthData is auth.json as read at one moment.
type AuthData struct{ obj *Object }

// Providers lists the providers with an entry, in file order.
func (d *AuthData) Providers() []string { return d.obj.Keys() }

// Get returns provider's entry.
func (d *AuthData) Get(provider string) (Credential, bool) {
	raw, ok := d.obj.Raw(provider)
	if !ok {
		return Credential{}, false
	}
	var c Credential
	_ = json.Unmarshal(raw, &c) // a malformed entry reads as an unknown type
	c.Raw = raw
	return c, true
}

// Status returns the presence map GET /config/auth serves.
func (d *AuthData) Status() map[string]AuthStatus {
	out := make(map[string]AuthStatus, d.obj.Len())
	for _, p := range d.obj.Keys() {
		c, _ := d.Get(p)
		label := "Stored API key"
		if c.Type == CredentialOAuth {
			label = "OAuth"
		}
		out[p] = AuthStatus{Configured: true, Source: "stored", Label: label}
	}
	return out
}

// AuthStore reads and writes auth.json with pi's lock, so a pi CLI logging in
// at the same moment keeps its change and we keep ours: every write re-reads
// the file under the lock and replaces only the provider it is about.
type AuthStore struct{ file *lockedFile }

// NewAuthStore returns the store for the auth.json at path.
func NewAuthStore(path string) *AuthStore {
	return &AuthStore{file: &lockedFile{path: path, perm: 0o600, secret: true, lock: authLock}}
}

// Path returns the file's path.
func (s *AuthStore) Path() string { return s.file.path }

// Load reads the file; a missing file is empty.
func (s *AuthStore) Load(ctx context.Context) (*AuthData, error) {
	data, err := s.file.read(ctx)
	if err != nil {
		return nil, err
	}
	obj, err := parseAuth(data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.file.path, err)
	}
	return &AuthData{obj: obj}, nil
}

// SetAPIKey stores {"type":"api_key","key":key} for provider.
func (s *AuthStore) SetAPIKey(ctx context.Context, provider, key string) error {
	if key == "" {
		return fmt.Errorf("set %s credentials: empty key", provider)
	}
	entry, err := marshalNoEscape(Credential{Type: CredentialAPIKey, Key: key})
	if err != nil {
		return err
	}
	return s.Set(ctx, provider, entry)
}

// Set stores entry (a JSON object) for provider, leaving other providers as
// they are on disk now.
func (s *AuthStore) Set(ctx context.Context, provider string, entry json.RawMessage) error {
	if err := checkProviderName(provider); err != nil {
		return err
	}
	if _, err := ParseObject(entry); err != nil {
		return fmt.Errorf("set %s credentials: %w", provider, err)
	}
	return s.file.update(ctx, true, func(current []byte) ([]byte, error) {
		obj, err := parseAuth(current)
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", s.file.path, err)
		}
		obj.SetRaw(provider, entry)
		return obj.Indented()
	})
}

// Delete removes provider's entry; ErrProviderNotFound if it has none.
func (s *AuthStore) Delete(ctx context.Context, provider string) error {
	found := false
	err := s.file.update(ctx, false, func(current []byte) ([]byte, error) {
		obj, err := parseAuth(current)
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", s.file.path, err)
		}
		if found = obj.Has(provider); !found {
			return nil, nil
		}
		obj.Delete(provider)
		return obj.Indented()
	})
	if err == nil && !found {
		return fmt.Errorf("delete %s credentials: %w", provider, ErrProviderNotFound)
	}
	return err
}

func parseAuth(data []byte) (*Object, error) {
	if len(data) == 0 {
		return NewObject(), nil // pi creates the file as "{}"; empty reads the same
	}
	obj, err := ParseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return obj, nil
}

// checkProviderName rejects names that are no provider: empty, or the
// JavaScript prototype keys pi's JSON handling would choke on.
func checkProviderName(name string) error {
	switch name {
	case "", "__proto__", "constructor", "prototype":
		return fmt.Errorf("%w: %q", ErrInvalidProvider, name)
	}
	return nil
}
