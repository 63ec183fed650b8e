package mcp

import (
	"context"
	"errors"
	"fmt"
)

// ErrServerNotFound is a probe of a name no pool holds.
var ErrServerNotFound = errors.New("no MCP server with that name")

// ServerStatus is one server as the status views show it (api-contract §1.12
// StatusEntry).
type ServerStatus struct {
	Scope     string   `json:"scope" enum:"global,project"`
	ProjectID string   `json:"projectId,omitempty"`
	Name      string   `json:"name"`
	Kind      string   `json:"kind" enum:"remote,stdio"`
	URL       string   `json:"url,omitempty"`
	Command   string   `json:"command,omitempty"`
	Args      []string `json:"args,omitempty"`
	Enabled   bool     `json:"enabled"`
	State     State    `json:"state" enum:"idle,connecting,connected,error,disabled,trust_required"`
	ToolCount int      `json:"toolCount"`
	LastError string   `json:"lastError,omitempty"`
	Transport string   `json:"transport,omitempty" doc:"remote servers: the transport in use when connected, else the configured one"`
}

func (e *entry) status() ServerStatus {
	s := e.snap()
	st := ServerStatus{Scope: e.scope, ProjectID: e.projectID, Name: e.name, Kind: e.cfg.Kind(), Enabled: e.cfg.IsEnabled(),
		State: s.state, ToolCount: len(s.tools), LastError: s.lastErr}
	if st.Kind == KindStdio {
		st.Command, st.Args = e.cfg.Command, e.cfg.Args
	} else {
		st.URL, st.Transport = e.cfg.URL, e.cfg.EffectiveTransport()
		if s.link != nil && s.link.transport != "" {
			st.Transport = s.link.transport
		}
	}
	return st
}

func statuses(entries []*entry) []ServerStatus {
	out := make([]ServerStatus, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.status())
	}
	return out
}

// Overview is GET /mcp/settings: the master switch, the global
// servers that are connected out of those enabled, and truncation.
type Overview struct {
	Enabled    bool             `json:"enabled" doc:"false: new sessions get no MCP tools"`
	Connected  int              `json:"connected" doc:"global servers connected"`
	Total      int              `json:"total" doc:"global servers enabled"`
	Truncation ResultTruncation `json:"truncation"`
}

// Settings returns the master switch, counts and truncation.
func (m *Manager) Settings() Overview {
	m.refresh()
	m.mu.Lock()
	defer m.mu.Unlock()
	v := Overview{Enabled: !m.applied.Disabled, Truncation: m.applied.Truncation}
	for _, e := range m.global {
		if !e.cfg.IsEnabled() {
			continue
		}
		v.Total++
		if e.snap().state == StateConnected {
			v.Connected++
		}
	}
	return v
}

// SettingsPatch is PUT /mcp/settings; nil fields stay as they are.
type SettingsPatch struct {
	Enabled  *bool
	Truncate *bool
	MaxChars *int
}

// UpdateSettings changes the master switch or truncation. Connections
// are untouched: live sessions keep their tools.
func (m *Manager) UpdateSettings(p SettingsPatch) (Overview, error) {
	if p.MaxChars != nil && (*p.MaxChars < 1 || *p.MaxChars > MaxMaxChars) {
		return Overview{}, fmt.Errorf("%w: maxChars must be 1 to %d", ErrInvalidConfig, MaxMaxChars)
	}
	if err := m.update(func(c *Config) error {
		if p.Enabled != nil {
			c.Disabled = !*p.Enabled
		}
		if p.Truncate != nil {
			c.Truncation.Enabled = *p.Truncate
		}
		if p.MaxChars != nil {
			c.Truncation.MaxChars = *p.MaxChars
		}
		return nil
	}); err != nil {
		return Overview{}, err
	}
	return m.Settings(), nil
}

// update changes mcp.json and applies the result.
func (m *Manager) update(fn func(*Config) error) error {
	m.refresh()
	c, st, err := m.config.Update(fn)
	if err != nil {
		return err
	}
	m.apply(c, st)
	return nil
}

// StdioTrust is a project's stdio trust.
type StdioTrust struct {
	Trusted bool `json:"trusted"`
}

// ServerList is GET /mcp/servers.
type ServerList struct {
	Servers    map[string]ServerCfg `json:"servers" doc:"global servers; header and env values are ***REDACTED***"`
	Status     []ServerStatus       `json:"status"`
	StdioTrust *StdioTrust          `json:"stdioTrust,omitempty" doc:"with projectId: whether the project's stdio servers may run"`
}

// Servers lists the global config (redacted) and the status of every
// server, the project's too when p is set (its .mcp.json is read, nothing
// is connected).
func (m *Manager) Servers(p *Project) ServerList {
	m.refresh()
	m.mu.Lock()
	v := ServerList{Servers: make(map[string]ServerCfg, len(m.applied.Servers))}
	for name, cfg := range m.applied.Servers {
		v.Servers[name] = cfg.Redact()
	}
	var pp *projectPool
	if p != nil {
		pp = m.poolLocked(*p)
	}
	entries := m.listLocked(pp)
	m.mu.Unlock()
	v.Status = statuses(entries)
	if p != nil {
		v.StdioTrust = &StdioTrust{Trusted: m.trust.Trusted(p.ID)}
	}
	return v
}

// PutServer creates or replaces a global server. Redacted header and env
// values keep the stored ones; a server whose connection fields changed
// reconnects, the others keep their connection.
func (m *Manager) PutServer(name string, cfg ServerCfg) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	return m.update(func(c *Config) error {
		var prior *ServerCfg
		if old, ok := c.Servers[name]; ok {
			prior = &old
		}
		merged, err := MergeSecrets(cfg, prior)
		if err != nil {
			return err
		}
		c.Servers[name] = merged
		return nil
	})
}

// DeleteServer removes a global server and closes its connection.
func (m *Manager) DeleteServer(name string) (bool, error) {
	removed := false
	err := m.update(func(c *Config) error {
		if _, ok := c.Servers[name]; !ok {
			return errUnchanged
		}
		removed = true
		delete(c.Servers, name)
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return false, nil
	}
	return removed, err
}

var errUnchanged = errors.New("unchanged")

// Probe reconnects a server and lists its tools again. With a project,
// its .mcp.json is read again first and its servers are looked up before
// the global ones. A disabled or untrusted server is only reported.
func (m *Manager) Probe(ctx context.Context, name string, p *Project) (ServerStatus, error) {
	m.refresh()
	m.mu.Lock()
	var e *entry
	if p != nil {
		pp := m.poolLocked(*p)
		m.fillPoolLocked(pp, *p)
		e = pp.entries[name]
	}
	if e == nil {
		e = m.global[name]
	}
	m.mu.Unlock()
	if e == nil {
		return ServerStatus{}, ErrServerNotFound
	}
	if st := e.snap().state; st == StateDisabled || st == StateTrustRequired {
		return e.status(), nil
	}
	if err := wait(ctx, e.startConnect(-1, m.spawn)); err != nil && ctx.Err() != nil {
		return ServerStatus{}, ctx.Err()
	}
	return e.status(), nil
}

// Trust lets p's stdio servers run, starts the ones waiting for it (and
// any other idle server of the project) and returns the project's status.
func (m *Manager) Trust(ctx context.Context, p Project) ([]ServerStatus, error) {
	if err := m.trust.Grant(p.ID); err != nil {
		return nil, err
	}
	m.mu.Lock()
	pp := m.poolLocked(p)
	var entries []*entry
	for _, e := range pp.entries {
		e.mu.Lock()
		if e.state == StateTrustRequired {
			e.state = StateIdle
		}
		e.mu.Unlock()
		entries = append(entries, e)
	}
	m.mu.Unlock()
	m.connectPending(ctx, entries)
	return m.Servers(&p).Status, nil
}

// Revoke withdraws p's trust and tears its whole pool down, remote
// servers included.
func (m *Manager) Revoke(p Project) error {
	if err := m.trust.Revoke(p.ID); err != nil {
		return err
	}
	m.dropPool(p.ID)
	return nil
}

// ForgetProject drops a deleted project's trust and connections.
func (m *Manager) ForgetProject(id string) error {
	m.dropPool(id)
	return m.trust.Revoke(id)
}
