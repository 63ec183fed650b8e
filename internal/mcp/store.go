package mcp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pi-forge/pi-forge/internal/atomicfile"
)

// File names in FORGE_DATA_DIR.
const (
	ConfigFile = "mcp.json"
	TrustFile  = "mcp-stdio-trust.json"
)

// ResultTruncation is the global result truncation setting.
type ResultTruncation struct {
	Enabled  bool `json:"enabled"`
	MaxChars int  `json:"maxChars"`
}

// Config is mcp.json, normalised: Servers is never nil, truncation
// defaults applied.
type Config struct {
	Disabled   bool                 `json:"disabled"`
	Truncation ResultTruncation     `json:"truncation"`
	Servers    map[string]ServerCfg `json:"servers"`
}

// configJSON is mcp.json as written, with absent fields told apart.
type configJSON struct {
	Disabled   bool `json:"disabled"`
	Truncation *struct {
		Enabled  *bool `json:"enabled"`
		MaxChars *int  `json:"maxChars"`
	} `json:"truncation"`
	Servers map[string]ServerCfg `json:"servers"`
}

// DefaultConfig is the config of a missing mcp.json.
func DefaultConfig() Config {
	return Config{Truncation: ResultTruncation{Enabled: true, MaxChars: DefaultMaxChars}, Servers: map[string]ServerCfg{}}
}

func parseConfig(data []byte) (Config, error) {
	c := DefaultConfig()
	if len(data) == 0 {
		return c, nil
	}
	var raw configJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return c, err
	}
	c.Disabled = raw.Disabled
	if t := raw.Truncation; t != nil {
		if t.Enabled != nil {
			c.Truncation.Enabled = *t.Enabled
		}
		if t.MaxChars != nil && *t.MaxChars >= 1 && *t.MaxChars <= MaxMaxChars {
			c.Truncation.MaxChars = *t.MaxChars
		}
	}
	for name, s := range raw.Servers {
		c.Servers[name] = s
	}
	return c, nil
}

// stamp identifies one version of a file on disk, so edits made behind the
// manager's back (a config import, a hand edit) are noticed.
type stamp struct {
	exists bool
	size   int64
	modNs  int64
}

func statStamp(path string) stamp {
	st, err := os.Stat(path)
	if err != nil {
		return stamp{}
	}
	return stamp{exists: true, size: st.Size(), modNs: st.ModTime().UnixNano()}
}

// store is one JSON file read whole and replaced atomically (0600).
type store struct {
	mu   sync.Mutex
	path string
}

// read returns the file's bytes (nil when it does not exist).
func (s *store) read() ([]byte, stamp, error) {
	st := statStamp(s.path)
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, stamp{}, nil
	}
	if err != nil {
		return nil, st, fmt.Errorf("read %s: %w", s.path, err)
	}
	return data, st, nil
}

func (s *store) write(v any) (stamp, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return stamp{}, fmt.Errorf("encode %s: %w", s.path, err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return stamp{}, fmt.Errorf("write %s: %w", s.path, err)
	}
	if err := atomicfile.WriteFile(s.path, append(data, '\n'), 0o600); err != nil {
		return stamp{}, fmt.Errorf("write %s: %w", s.path, err)
	}
	return statStamp(s.path), nil
}

// ConfigStore is mcp.json. A file that is not valid JSON is an error and
// is never overwritten (it may hold keys the user wants back).
type ConfigStore struct{ f store }

// NewConfigStore returns the mcp.json of dataDir.
func NewConfigStore(dataDir string) *ConfigStore {
	return &ConfigStore{f: store{path: filepath.Join(dataDir, ConfigFile)}}
}

// Path is the file's path.
func (s *ConfigStore) Path() string { return s.f.path }

// Load reads the config (the default when the file is missing).
func (s *ConfigStore) Load() (Config, stamp, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	return s.load()
}

func (s *ConfigStore) load() (Config, stamp, error) {
	data, st, err := s.f.read()
	if err != nil {
		return DefaultConfig(), st, err
	}
	c, err := parseConfig(data)
	if err != nil {
		return c, st, fmt.Errorf("parse %s: %w", s.f.path, err)
	}
	return c, st, nil
}

// Update applies fn to the current config and writes the result. fn may
// refuse with an error, and nothing is written.
func (s *ConfigStore) Update(fn func(*Config) error) (Config, stamp, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, _, err := s.load()
	if err != nil {
		return c, stamp{}, err
	}
	if err := fn(&c); err != nil {
		return c, stamp{}, err
	}
	st, err := s.f.write(c)
	return c, st, err
}

// trustRecord is one project's grant.
type trustRecord struct {
	TrustedAt string `json:"trustedAt"`
}

type trustJSON struct {
	Projects map[string]trustRecord `json:"projects"`
}

// TrustStore is mcp-stdio-trust.json: the projects whose .mcp.json stdio
// servers may be spawned. Trust never expires.
type TrustStore struct {
	f   store
	now func() time.Time
}

// NewTrustStore returns the trust file of dataDir.
func NewTrustStore(dataDir string, now func() time.Time) *TrustStore {
	if now == nil {
		now = time.Now
	}
	return &TrustStore{f: store{path: filepath.Join(dataDir, TrustFile)}, now: now}
}

func (t *TrustStore) load() (trustJSON, error) {
	v := trustJSON{Projects: map[string]trustRecord{}}
	data, _, err := t.f.read()
	if err != nil || len(data) == 0 {
		return v, err
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return trustJSON{Projects: map[string]trustRecord{}}, fmt.Errorf("parse %s: %w", t.f.path, err)
	}
	if v.Projects == nil {
		v.Projects = map[string]trustRecord{}
	}
	return v, nil
}

// Trusted reports whether projectID is trusted. An unreadable file trusts
// nobody.
func (t *TrustStore) Trusted(projectID string) bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	v, err := t.load()
	if err != nil {
		return false
	}
	_, ok := v.Projects[projectID]
	return ok
}

// set grants (on) or removes a project's trust; the file is written only
// when something changed.
func (t *TrustStore) set(projectID string, on bool) error {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	v, err := t.load()
	if err != nil && on {
		return err // never overwrite a file we cannot read with a grant
	}
	_, had := v.Projects[projectID]
	if had == on {
		return nil
	}
	if on {
		v.Projects[projectID] = trustRecord{TrustedAt: t.now().UTC().Format("2006-01-02T15:04:05.000Z")}
	} else {
		delete(v.Projects, projectID)
	}
	_, err = t.f.write(v)
	return err
}

// Grant trusts projectID.
func (t *TrustStore) Grant(projectID string) error { return t.set(projectID, true) }

// Revoke removes projectID's trust (also used when the project is deleted).
func (t *TrustStore) Revoke(projectID string) error { return t.set(projectID, false) }
