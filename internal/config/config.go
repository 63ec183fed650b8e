// Package config turns flags and environment variables into one typed
// Config, from a single option table that also generates --help and the
// configuration docs.
package config

import (
	"time"
)

// Config is the server's whole configuration, resolved once at start.
type Config struct {
	// Server
	Host        string
	Port        int
	CORSOrigin  string
	TrustProxy  bool
	ServeClient bool
	ClientDist  string // "" = the embedded UI
	ExposeDocs  bool
	LogLevel    string

	// Paths (absolute, ~ expanded)
	WorkspacePath string
	PiConfigDir   string
	ForgeDataDir  string
	SessionDir    string

	// Auth
	UIPassword                string
	UIPasswordFile            string
	LocalAdminUsername        string
	APIKey                    string
	JWTSecret                 string
	JWTExpiresIn              time.Duration
	LoginInactivityTimeout    time.Duration
	LoginAttemptLimitMax      int
	LoginLockout              time.Duration
	RequirePasswordChange     bool
	LDAPEnabled               bool
	LDAPURL                   string
	LDAPBindDN                string
	LDAPBindPassword          string
	LDAPBindPasswordFile      string
	LDAPBaseDN                string
	LDAPUserFilter            string
	LDAPRequiredGroupDN       string
	LDAPGroupAttribute        string
	LDAPTimeout               time.Duration
	LDAPTLSRejectUnauthorized bool

	// UI and branding
	MinimalUI            bool
	AuthBannerText       string
	AuthBannerHTML       bool
	LogoURLMode          string
	LogoImgSrcAllowlist  []string
	AuthLogoURL          string
	AppLogoDarkURL       string
	AppLogoLightURL      string
	AuthColorScheme      []string
	HideBuiltinProviders bool

	// Agent
	OrchestrationEnabled           bool
	OrchestrationMaxWorkers        int
	AgentSecretHygiene             bool
	AgentToolSandboxEnabled        bool
	AgentToolUID                   int // -1 when unset
	AgentToolGID                   int // -1 when unset
	AgentToolHome                  string
	AgentToolSandboxChownPaths     []string
	orchestrationDisabledFlag      bool
	orchestrationEnabledLegacyFlag bool

	// Rate limits
	RateLimitLogin  RateLimit
	RateLimitPrompt RateLimit
	RateLimitUpload RateLimit
	RateLimitSearch RateLimit
	RateLimitPush   RateLimit

	// Terminal
	PTYIdleReap            time.Duration
	TerminalWSKeepalive    time.Duration
	TerminalPassthroughEnv []string
}

// RateLimit allows Max requests per Window for one client IP.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// AuthConfigured reports whether a credential is configured by options
// alone. A stored password-hash file also turns auth on; the auth package
// checks that.
func (c *Config) AuthConfigured() bool {
	return c.UIPassword != "" || c.APIKey != "" || c.LDAPEnabled
}

// Addr is the listen address.
func (c *Config) Addr() string {
	return joinHostPort(c.Host, c.Port)
}
