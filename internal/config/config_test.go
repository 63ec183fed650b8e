package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, args []string, env map[string]string) (*Result, error) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["HOME"]; !ok {
		env["HOME"] = "/home/u"
	}
	return Parse(args, MapEnv(env))
}

func mustParse(t *testing.T, args []string, env map[string]string) *Config {
	t.Helper()
	res, err := parse(t, args, env)
	if err != nil {
		t.Fatalf("Parse(%v): %v", args, err)
	}
	return res.Config
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, nil, nil)
	want := map[string]any{
		"Host": c.Host == "127.0.0.1", "Port": c.Port == 3000,
		"WorkspacePath": c.WorkspacePath == "/home/u/.pi-forge/workspace",
		"PiConfigDir":   c.PiConfigDir == "/home/u/.pi/agent",
		"ForgeDataDir":  c.ForgeDataDir == "/home/u/.pi-forge",
		"SessionDir":    c.SessionDir == "/home/u/.pi-forge/workspace/.pi/sessions",
		"JWT":           c.JWTExpiresIn == 604800*time.Second,
		"ServeClient":   c.ServeClient, "ExposeDocs": c.ExposeDocs,
		"Lockout":       c.LoginLockout == 5*time.Minute && c.LoginAttemptLimitMax == 10,
		"RateLogin":     c.RateLimitLogin == RateLimit{10, time.Minute},
		"RatePush":      c.RateLimitPush == RateLimit{10, time.Minute},
		"Terminal":      c.PTYIdleReap == 10*time.Minute && c.TerminalWSKeepalive == 30*time.Second,
		"Orchestration": c.OrchestrationEnabled && c.OrchestrationMaxWorkers == 8,
		"LDAPFilter":    strings.Contains(c.LDAPUserFilter, "{{username}}"),
		"AdminName":     c.LocalAdminUsername == "admin",
		"ToolIDs":       c.AgentToolUID == -1 && c.AgentToolGID == -1,
	}
	for k, ok := range want {
		if ok != true {
			t.Errorf("default %s wrong: %+v", k, c)
		}
	}
	if c.AuthConfigured() {
		t.Error("no credential configured, auth must be off")
	}
}

func TestFlagsWinOverEnv(t *testing.T) {
	c := mustParse(t, []string{"--port", "4000", "--host=0.0.0.0"}, map[string]string{"PORT": "5000", "HOST": "::1", "LOG_LEVEL": "warn"})
	if c.Port != 4000 || c.Host != "0.0.0.0" || c.LogLevel != "warn" {
		t.Fatalf("port=%d host=%q level=%q", c.Port, c.Host, c.LogLevel)
	}
}

func TestSessionDirFollowsWorkspace(t *testing.T) {
	c := mustParse(t, []string{"--workspace-path", "/srv/ws"}, nil)
	if c.SessionDir != "/srv/ws/.pi/sessions" {
		t.Fatalf("SessionDir = %q", c.SessionDir)
	}
	c = mustParse(t, nil, map[string]string{"SESSION_DIR": "~/s"})
	if c.SessionDir != "/home/u/s" {
		t.Fatalf("SessionDir = %q", c.SessionDir)
	}
}

func TestBooleans(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want bool
	}{
		{[]string{"--trust-proxy"}, "", true},
		{[]string{"--no-trust-proxy"}, "true", false},
		{[]string{"--trust-proxy=off"}, "", false},
		{nil, "YES", true},
		{nil, "on", true},
		{nil, "1", true},
		{nil, "No", false},
		{nil, "0", false},
	} {
		env := map[string]string{}
		if tc.env != "" {
			env["TRUST_PROXY"] = tc.env
		}
		if got := mustParse(t, tc.args, env).TrustProxy; got != tc.want {
			t.Errorf("args %v env %q: TrustProxy = %v, want %v", tc.args, tc.env, got, tc.want)
		}
	}
}

func TestBadValuesNameTheOption(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--port", "abc"}, nil, "--port"},
		{nil, map[string]string{"PORT": "-1"}, "PORT"},
		{nil, map[string]string{"PORT": "70000"}, "PORT"},
		{nil, map[string]string{"TRUST_PROXY": "maybe"}, "TRUST_PROXY"},
		{nil, map[string]string{"CORS_ORIGIN": "not a url"}, "CORS_ORIGIN"},
		{nil, map[string]string{"LDAP_URL": "http://x"}, "LDAP_URL"},
		{nil, map[string]string{"LOGO_URL_MODE": "sometimes"}, "LOGO_URL_MODE"},
		{nil, map[string]string{"AUTH_COLOR_SCHEME": "#000000,#fff"}, "AUTH_COLOR_SCHEME"},
		{nil, map[string]string{"FORGE_LOCAL_ADMIN_USERNAME": "bad name"}, "FORGE_LOCAL_ADMIN_USERNAME"},
		{[]string{"--no-such-flag"}, nil, "--no-such-flag"},
		{[]string{"positional"}, nil, "positional"},
		{[]string{"--port"}, nil, "--port"},
		{nil, map[string]string{"HOME": "/"}, "HOME"},
	} {
		_, err := parse(t, tc.args, tc.env)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("args %v env %v: err = %v, want a UsageError", tc.args, tc.env, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("args %v env %v: %q does not name %s", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestBoundedValuesFallBackWithWarning(t *testing.T) {
	res, err := parse(t, nil, map[string]string{"LOGIN_ATTEMPT_LIMIT_MAX": "5000", "LOGIN_LOCKOUT_MS": "10"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.LoginAttemptLimitMax != 10 || res.Config.LoginLockout != 5*time.Minute {
		t.Fatalf("bounded values not defaulted: %+v", res.Config)
	}
	if len(res.Warnings) != 2 {
		t.Fatalf("warnings = %v", res.Warnings)
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key := write("key", "  s3cret-key\n")
	pw := write("pw", "hunter2\n")
	jwt := write("jwt", "jwt-secret-value")

	c := mustParse(t, []string{"--api-key", "@" + key}, nil)
	if c.APIKey != "s3cret-key" {
		t.Fatalf("flag @file: APIKey = %q", c.APIKey)
	}
	c = mustParse(t, nil, map[string]string{"API_KEY": "@" + key})
	if c.APIKey != "@"+key {
		t.Fatalf("env values must never be @-expanded: %q", c.APIKey)
	}
	c = mustParse(t, nil, map[string]string{"JWT_SECRET_FILE": jwt, "JWT_SECRET": "ignored"})
	if c.JWTSecret != "jwt-secret-value" {
		t.Fatalf("JWT_SECRET_FILE: %q", c.JWTSecret)
	}
	c = mustParse(t, nil, map[string]string{"UI_PASSWORD_FILE": pw, "UI_PASSWORD": "env-pw"})
	if c.UIPassword != "hunter2" || !c.AuthConfigured() {
		t.Fatalf("UI_PASSWORD_FILE must win: %q", c.UIPassword)
	}
	empty := write("empty", "\n")
	if _, err := parse(t, nil, map[string]string{"UI_PASSWORD_FILE": empty}); err == nil {
		t.Fatal("an empty password file must fail start-up")
	}
	if _, err := parse(t, []string{"--api-key", "@" + filepath.Join(dir, "missing")}, nil); err == nil {
		t.Fatal("a missing secret file must fail")
	}
}

func TestSandboxRules(t *testing.T) {
	if _, err := parse(t, []string{"--agent-tool-sandbox-enabled"}, nil); err == nil {
		t.Fatal("sandbox without uid/gid must fail")
	}
	c := mustParse(t, []string{"--agent-tool-sandbox-enabled", "--agent-tool-uid", "1001", "--agent-tool-gid=1001"}, nil)
	if c.AgentToolUID != 1001 || c.AgentToolHome != "/home/pi-tools" {
		t.Fatalf("%+v", c)
	}
	pwFile := filepath.Join(t.TempDir(), "bind")
	_ = os.WriteFile(pwFile, []byte("x"), 0o600)
	env := map[string]string{"AGENT_TOOL_SANDBOX_ENABLED": "true", "AGENT_TOOL_UID": "1001", "AGENT_TOOL_GID": "1001"}
	env["LDAP_BIND_PASSWORD_FILE"] = pwFile
	if _, err := parse(t, nil, env); err == nil {
		t.Fatal("LDAP_BIND_PASSWORD_FILE must be refused in sandbox mode")
	}
	delete(env, "LDAP_BIND_PASSWORD_FILE")
	if _, err := parse(t, []string{"--ldap-bind-password", "@" + pwFile}, env); err == nil {
		t.Fatal("--ldap-bind-password @file must be refused in sandbox mode")
	}
}

func TestListsAndBanner(t *testing.T) {
	c := mustParse(t, nil, map[string]string{
		"TERMINAL_PASSTHROUGH_ENV": "FOO, BAR\tBAZ",
		"AUTH_BANNER_TEXT":         `line one\nline two`,
		"AUTH_COLOR_SCHEME":        "#000000,#111111,#222222,#333333,#444444,#555555,#666666,#AABBCC",
	})
	if strings.Join(c.TerminalPassthroughEnv, "|") != "FOO|BAR|BAZ" {
		t.Errorf("list = %q", c.TerminalPassthroughEnv)
	}
	if c.AuthBannerText != "line one\nline two" {
		t.Errorf("banner = %q", c.AuthBannerText)
	}
	if len(c.AuthColorScheme) != 8 || c.AuthColorScheme[7] != "#aabbcc" {
		t.Errorf("colors = %q", c.AuthColorScheme)
	}
}

func TestOrchestrationLegacyAlias(t *testing.T) {
	if mustParse(t, nil, map[string]string{"ORCHESTRATION_ENABLED": "false"}).OrchestrationEnabled {
		t.Error("ORCHESTRATION_ENABLED=false must disable")
	}
	if mustParse(t, []string{"--disable-orchestration"}, nil).OrchestrationEnabled {
		t.Error("--disable-orchestration must disable")
	}
}

func TestHelpAndVersion(t *testing.T) {
	if _, err := parse(t, []string{"--help"}, nil); !errors.Is(err, ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	if _, err := parse(t, []string{"-v"}, nil); !errors.Is(err, ErrVersion) {
		t.Fatalf("-v: %v", err)
	}
	var b bytes.Buffer
	WriteHelp(&b, "pi-forge")
	for _, o := range Options() {
		if !strings.Contains(b.String(), "--"+o.Flag+" ") || !strings.Contains(b.String(), "("+o.Env+")") {
			t.Errorf("--help misses %s / %s", o.Flag, o.Env)
		}
	}
}

// TestTableIsWellFormed guards the invariants the rest relies on: unique
// flags and env vars, kebab-case flags, a group for every row.
func TestTableIsWellFormed(t *testing.T) {
	flags, envs := map[string]bool{}, map[string]bool{}
	known := map[string]bool{}
	for _, g := range groupOrder {
		known[g] = true
	}
	for _, o := range Options() {
		if flags[o.Flag] || envs[o.Env] {
			t.Errorf("duplicate %s / %s", o.Flag, o.Env)
		}
		flags[o.Flag], envs[o.Env] = true, true
		if o.Flag != strings.ToLower(o.Flag) || strings.Contains(o.Flag, "_") {
			t.Errorf("flag %q is not kebab-case", o.Flag)
		}
		if !known[o.Group] || o.Help == "" {
			t.Errorf("%s: group %q or help missing", o.Flag, o.Group)
		}
	}
}

// TestConfigurationDocIsCurrent fails when docs/configuration.md no longer
// matches the table; regenerate it with `make docs`.
func TestConfigurationDocIsCurrent(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	WriteMarkdown(&b)
	if !strings.Contains(string(doc), b.String()) {
		t.Fatal("docs/configuration.md is stale: run `make docs` to regenerate the option tables")
	}
}
