package config

import (
	"time"
)

// Option groups, in --help order.
const (
	groupServer    = "Server"
	groupPaths     = "Paths"
	groupAuth      = "Authentication"
	groupLDAP      = "LDAP"
	groupUI        = "UI and branding"
	groupAgent     = "Agent"
	groupSandbox   = "Agent tool sandbox"
	groupRateLimit = "Rate limits"
	groupTerminal  = "Terminal"
)

// Option is one row of the table: a flag, its env var, its default and how
// to store a value into Config.
type Option struct {
	Flag    string // kebab-case, without "--"
	Env     string
	Default string
	Group   string
	Help    string
	// Secret options accept "@/path" on the command line, an env NAME_FILE
	// variant, and are never printed or logged.
	Secret bool
	value  value
}

// Kind names the value type for --help ("bool", "int", ...).
func (o Option) Kind() string { return o.value.kind }

func rateLimitRows(name, env, what string, max int, get func(*Config) *RateLimit) []Option {
	return []Option{
		{Flag: "rate-limit-" + name + "-max", Env: "RATE_LIMIT_" + env + "_MAX", Default: itoa(max), Group: groupRateLimit,
			Help: "requests per window per client IP for " + what, value: intValue(func(c *Config) *int { return &get(c).Max })},
		{Flag: "rate-limit-" + name + "-window-ms", Env: "RATE_LIMIT_" + env + "_WINDOW_MS", Default: "60000", Group: groupRateLimit,
			Help: "window length for " + what + " (ms)", value: millisValue(func(c *Config) *time.Duration { return &get(c).Window })},
	}
}

// Options returns the option table. It is built fresh on each call so no
// caller can mutate shared state.
func Options() []Option {
	opts := []Option{
		// Server
		{Flag: "port", Env: "PORT", Default: "3000", Group: groupServer, Help: "listen port",
			value: portValue(func(c *Config) *int { return &c.Port })},
		{Flag: "host", Env: "HOST", Default: "127.0.0.1", Group: groupServer, Help: "bind address (0.0.0.0 exposes pi-forge to the network)",
			value: strValue(func(c *Config) *string { return &c.Host })},
		{Flag: "cors-origin", Env: "CORS_ORIGIN", Group: groupServer, Help: "allow only this browser origin (default: reflect the request origin)",
			value: urlValue(func(c *Config) *string { return &c.CORSOrigin })},
		{Flag: "trust-proxy", Env: "TRUST_PROXY", Default: "false", Group: groupServer, Help: "take the client IP from X-Forwarded-For (behind a reverse proxy)",
			value: boolValue(func(c *Config) *bool { return &c.TrustProxy })},
		{Flag: "serve-client", Env: "SERVE_CLIENT", Default: "true", Group: groupServer, Help: "serve the web UI",
			value: boolValue(func(c *Config) *bool { return &c.ServeClient })},
		{Flag: "client-dist-path", Env: "CLIENT_DIST_PATH", Group: groupServer, Help: "serve the web UI from this directory instead of the embedded build",
			value: pathValue(func(c *Config) *string { return &c.ClientDist })},
		{Flag: "expose-docs", Env: "EXPOSE_DOCS", Default: "true", Group: groupServer, Help: "serve the OpenAPI document and docs page at /api/docs",
			value: boolValue(func(c *Config) *bool { return &c.ExposeDocs })},
		{Flag: "log-level", Env: "LOG_LEVEL", Default: "info", Group: groupServer, Help: "debug, info, warn, error (trace and fatal are accepted as debug and error)",
			value: enumValue(func(c *Config) *string { return &c.LogLevel }, "trace", "debug", "info", "warn", "error", "fatal", "silent")},

		// Paths
		{Flag: "workspace-path", Env: "WORKSPACE_PATH", Default: "~/.pi-forge/workspace", Group: groupPaths, Help: "root of all projects; nothing outside it can become a project",
			value: pathValue(func(c *Config) *string { return &c.WorkspacePath })},
		{Flag: "pi-config-dir", Env: "PI_CONFIG_DIR", Default: "~/.pi/agent", Group: groupPaths, Help: "pi's agent dir: auth.json, models.json, settings.json, skills/, prompts/",
			value: pathValue(func(c *Config) *string { return &c.PiConfigDir })},
		{Flag: "forge-data-dir", Env: "FORGE_DATA_DIR", Default: "~/.pi-forge", Group: groupPaths, Help: "pi-forge's own state: projects.json, jwt-secret, overrides, archives",
			value: pathValue(func(c *Config) *string { return &c.ForgeDataDir })},
		{Flag: "session-dir", Env: "SESSION_DIR", Default: "${WORKSPACE_PATH}/.pi/sessions", Group: groupPaths, Help: "root of the session JSONL files (one folder per project)",
			value: pathValue(func(c *Config) *string { return &c.SessionDir })},

		// Auth
		{Flag: "ui-password", Env: "UI_PASSWORD", Group: groupAuth, Secret: true, Help: "password for the browser login (turns auth on)",
			value: strValue(func(c *Config) *string { return &c.UIPassword })},
		{Flag: "ui-password-file", Env: "UI_PASSWORD_FILE", Group: groupAuth, Help: "read the login password from this file (wins over --ui-password)",
			value: pathValue(func(c *Config) *string { return &c.UIPasswordFile })},
		{Flag: "local-admin-username", Env: "FORGE_LOCAL_ADMIN_USERNAME", Default: "admin", Group: groupAuth, Help: "username that logs in with the local password when LDAP is on",
			value: usernameValue(func(c *Config) *string { return &c.LocalAdminUsername })},
		{Flag: "api-key", Env: "API_KEY", Group: groupAuth, Secret: true, Help: "static bearer key for scripts (turns auth on)",
			value: strValue(func(c *Config) *string { return &c.APIKey })},
		{Flag: "jwt-secret", Env: "JWT_SECRET", Group: groupAuth, Secret: true, Help: "HS256 signing secret (default: generated into FORGE_DATA_DIR/jwt-secret)",
			value: strValue(func(c *Config) *string { return &c.JWTSecret })},
		{Flag: "jwt-expires-in-seconds", Env: "JWT_EXPIRES_IN_SECONDS", Default: "604800", Group: groupAuth, Help: "login token lifetime",
			value: secondsValue(func(c *Config) *time.Duration { return &c.JWTExpiresIn })},
		{Flag: "login-inactivity-timeout-seconds", Env: "LOGIN_INACTIVITY_TIMEOUT_SECONDS", Default: "0", Group: groupAuth, Help: "log out after this long without a mutating request (0 = off)",
			value: secondsValue(func(c *Config) *time.Duration { return &c.LoginInactivityTimeout })},
		{Flag: "login-attempt-limit-max", Env: "LOGIN_ATTEMPT_LIMIT_MAX", Default: "10", Group: groupAuth, Help: "failed logins before a lockout (1..1000; out of range uses the default)",
			value: boundedIntValue(func(c *Config) *int { return &c.LoginAttemptLimitMax }, 1, 1000)},
		{Flag: "login-lockout-ms", Env: "LOGIN_LOCKOUT_MS", Default: "300000", Group: groupAuth, Help: "lockout length (1 s..24 h; out of range uses the default)",
			value: boundedMillisValue(func(c *Config) *time.Duration { return &c.LoginLockout }, time.Second, 24*time.Hour)},
		{Flag: "require-password-change", Env: "REQUIRE_PASSWORD_CHANGE", Default: "false", Group: groupAuth, Help: "force a password change after logging in with the configured password",
			value: boolValue(func(c *Config) *bool { return &c.RequirePasswordChange })},

		// LDAP
		{Flag: "ldap-enabled", Env: "LDAP_ENABLED", Default: "false", Group: groupLDAP, Help: "log users in against an LDAP directory",
			value: boolValue(func(c *Config) *bool { return &c.LDAPEnabled })},
		{Flag: "ldap-url", Env: "LDAP_URL", Group: groupLDAP, Help: "ldap:// or ldaps:// server URL",
			value: ldapURLValue(func(c *Config) *string { return &c.LDAPURL })},
		{Flag: "ldap-bind-dn", Env: "LDAP_BIND_DN", Group: groupLDAP, Help: "service account DN used to search for users",
			value: strValue(func(c *Config) *string { return &c.LDAPBindDN })},
		{Flag: "ldap-bind-password", Env: "LDAP_BIND_PASSWORD", Group: groupLDAP, Secret: true, Help: "service account password",
			value: strValue(func(c *Config) *string { return &c.LDAPBindPassword })},
		{Flag: "ldap-bind-password-file", Env: "LDAP_BIND_PASSWORD_FILE", Group: groupLDAP, Help: "read the service account password from this file (refused in sandbox mode)",
			value: pathValue(func(c *Config) *string { return &c.LDAPBindPasswordFile })},
		{Flag: "ldap-base-dn", Env: "LDAP_BASE_DN", Group: groupLDAP, Help: "where to search for users",
			value: strValue(func(c *Config) *string { return &c.LDAPBaseDN })},
		{Flag: "ldap-user-filter", Env: "LDAP_USER_FILTER", Default: "(|(uid={{username}})(sAMAccountName={{username}})(mail={{username}}))", Group: groupLDAP,
			Help: "search filter; {{username}} is replaced by the escaped login name", value: strValue(func(c *Config) *string { return &c.LDAPUserFilter })},
		{Flag: "ldap-required-group-dn", Env: "LDAP_REQUIRED_GROUP_DN", Group: groupLDAP, Help: "only members of this group may log in",
			value: strValue(func(c *Config) *string { return &c.LDAPRequiredGroupDN })},
		{Flag: "ldap-group-attribute", Env: "LDAP_GROUP_ATTRIBUTE", Default: "memberOf", Group: groupLDAP, Help: "user attribute listing group DNs",
			value: strValue(func(c *Config) *string { return &c.LDAPGroupAttribute })},
		{Flag: "ldap-timeout-ms", Env: "LDAP_TIMEOUT_MS", Default: "5000", Group: groupLDAP, Help: "timeout of each LDAP operation",
			value: millisValue(func(c *Config) *time.Duration { return &c.LDAPTimeout })},
		{Flag: "ldap-tls-reject-unauthorized", Env: "LDAP_TLS_REJECT_UNAUTHORIZED", Default: "true", Group: groupLDAP, Help: "verify the LDAP server's TLS certificate",
			value: boolValue(func(c *Config) *bool { return &c.LDAPTLSRejectUnauthorized })},

		// UI
		{Flag: "minimal-ui", Env: "MINIMAL_UI", Default: "false", Group: groupUI, Help: "chat-only UI; also blocks quick-action commands, webhook changes and orchestration",
			value: boolValue(func(c *Config) *bool { return &c.MinimalUI })},
		{Flag: "auth-banner-text", Env: "AUTH_BANNER_TEXT", Group: groupUI, Help: `notice shown on the login page (\n starts a new line)`,
			value: bannerValue(func(c *Config) *string { return &c.AuthBannerText })},
		{Flag: "auth-banner-html", Env: "AUTH_BANNER_HTML", Default: "false", Group: groupUI, Help: "render the banner as sanitized HTML",
			value: boolValue(func(c *Config) *bool { return &c.AuthBannerHTML })},
		{Flag: "logo-url-mode", Env: "LOGO_URL_MODE", Default: "cache", Group: groupUI, Help: "cache (fetch logos once, serve them same-origin) or direct (the browser loads them)",
			value: enumValue(func(c *Config) *string { return &c.LogoURLMode }, "cache", "direct")},
		{Flag: "logo-img-src-allowlist", Env: "LOGO_IMG_SRC_ALLOWLIST", Group: groupUI, Help: "extra image origins allowed by the CSP in direct mode (comma-separated)",
			value: listValue(func(c *Config) *[]string { return &c.LogoImgSrcAllowlist })},
		{Flag: "auth-url-logo", Env: "AUTH_URL_LOGO", Group: groupUI, Help: "logo on the login page",
			value: urlValue(func(c *Config) *string { return &c.AuthLogoURL })},
		{Flag: "auth-logo-url", Env: "AUTH_LOGO_URL", Group: groupUI, Help: "legacy name of --auth-url-logo",
			value: urlValue(func(c *Config) *string { return &c.AuthLogoURL })},
		{Flag: "app-logo-dark-url", Env: "APP_LOGO_DARK_URL", Group: groupUI, Help: "header logo for dark themes",
			value: urlValue(func(c *Config) *string { return &c.AppLogoDarkURL })},
		{Flag: "app-logo-light-url", Env: "APP_LOGO_LIGHT_URL", Group: groupUI, Help: "header logo for light themes",
			value: urlValue(func(c *Config) *string { return &c.AppLogoLightURL })},
		{Flag: "auth-color-scheme", Env: "AUTH_COLOR_SCHEME", Group: groupUI,
			Help:  "login page colours: 8 comma-separated #rrggbb (page, card, border, text, muted text, button, button text, button hover)",
			value: colorSchemeValue(func(c *Config) *[]string { return &c.AuthColorScheme })},
		{Flag: "hide-builtin-providers", Env: "HIDE_BUILTIN_PROVIDERS", Default: "false", Group: groupUI, Help: "list only the providers of models.json",
			value: boolValue(func(c *Config) *bool { return &c.HideBuiltinProviders })},

		// Agent
		{Flag: "disable-orchestration", Env: "ORCHESTRATION_DISABLED", Default: "false", Group: groupAgent, Help: "turn off supervisor/worker session orchestration",
			value: boolValue(func(c *Config) *bool { return &c.orchestrationDisabledFlag })},
		{Flag: "orchestration-enabled", Env: "ORCHESTRATION_ENABLED", Default: "true", Group: groupAgent, Help: "legacy: false disables orchestration",
			value: boolValue(func(c *Config) *bool { return &c.orchestrationEnabledLegacyFlag })},
		{Flag: "orchestration-max-workers-per-supervisor", Env: "ORCHESTRATION_MAX_WORKERS_PER_SUPERVISOR", Default: "8", Group: groupAgent,
			Help: "workers one supervisor may run (1..100)", value: boundedIntValue(func(c *Config) *int { return &c.OrchestrationMaxWorkers }, 1, 100)},
		{Flag: "agent-secret-hygiene", Env: "AGENT_SECRET_HYGIENE_RULE", Default: "false", Group: groupAgent, Help: "add a system-prompt rule asking the model not to reveal environment secrets",
			value: boolValue(func(c *Config) *bool { return &c.AgentSecretHygiene })},

		// Sandbox
		{Flag: "agent-tool-sandbox-enabled", Env: "AGENT_TOOL_SANDBOX_ENABLED", Default: "false", Group: groupSandbox, Help: "run shells and tools as a restricted uid/gid (server must run as root)",
			value: boolValue(func(c *Config) *bool { return &c.AgentToolSandboxEnabled })},
		{Flag: "agent-tool-uid", Env: "AGENT_TOOL_UID", Group: groupSandbox, Help: "uid of sandboxed children (required with the sandbox)",
			value: optIntValue(func(c *Config) *int { return &c.AgentToolUID })},
		{Flag: "agent-tool-gid", Env: "AGENT_TOOL_GID", Group: groupSandbox, Help: "gid of sandboxed children (required with the sandbox)",
			value: optIntValue(func(c *Config) *int { return &c.AgentToolGID })},
		{Flag: "agent-tool-home", Env: "AGENT_TOOL_HOME", Default: "/home/pi-tools", Group: groupSandbox, Help: "HOME of sandboxed children",
			value: pathValue(func(c *Config) *string { return &c.AgentToolHome })},
		{Flag: "agent-tool-sandbox-chown-paths", Env: "AGENT_TOOL_SANDBOX_CHOWN_PATHS", Group: groupSandbox, Help: "extra paths handed to the tool uid at start (comma-separated)",
			value: listValue(func(c *Config) *[]string { return &c.AgentToolSandboxChownPaths })},
	}
	opts = append(opts, rateLimitRows("login", "LOGIN", "login and password change", 10, func(c *Config) *RateLimit { return &c.RateLimitLogin })...)
	opts = append(opts, rateLimitRows("prompt", "PROMPT", "prompt, steer, navigate and compact", 60, func(c *Config) *RateLimit { return &c.RateLimitPrompt })...)
	opts = append(opts, rateLimitRows("upload", "UPLOAD", "file uploads", 30, func(c *Config) *RateLimit { return &c.RateLimitUpload })...)
	opts = append(opts, rateLimitRows("search", "SEARCH", "file and session search", 60, func(c *Config) *RateLimit { return &c.RateLimitSearch })...)
	opts = append(opts, rateLimitRows("push", "PUSH", "git push", 10, func(c *Config) *RateLimit { return &c.RateLimitPush })...)
	opts = append(opts,
		Option{Flag: "pty-idle-reap-ms", Env: "PTY_IDLE_REAP_MS", Default: "600000", Group: groupTerminal, Help: "how long a terminal with no browser attached keeps running (0 = end at once)",
			value: millisValue(func(c *Config) *time.Duration { return &c.PTYIdleReap })},
		Option{Flag: "terminal-ws-keepalive-ms", Env: "TERMINAL_WS_KEEPALIVE_MS", Default: "30000", Group: groupTerminal, Help: "WebSocket ping interval (0 = off)",
			value: millisValue(func(c *Config) *time.Duration { return &c.TerminalWSKeepalive })},
		Option{Flag: "terminal-passthrough-env", Env: "TERMINAL_PASSTHROUGH_ENV", Group: groupTerminal, Help: "extra environment variable names passed to shells (comma-separated)",
			value: listValue(func(c *Config) *[]string { return &c.TerminalPassthroughEnv })},
	)
	return opts
}
