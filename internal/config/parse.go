package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Errors Parse returns for --help and --version, which are not failures.
var (
	ErrHelp    = errors.New("help requested")
	ErrVersion = errors.New("version requested")
)

// UsageError is a bad flag or value; the process should exit 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// Env looks up an environment variable.
type Env func(name string) (string, bool)

// MapEnv adapts a map to Env (tests, and `run` which receives env as a slice).
func MapEnv(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// EnvFromList adapts KEY=VALUE pairs to Env.
func EnvFromList(list []string) Env {
	m := make(map[string]string, len(list))
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return MapEnv(m)
}

// Result is a parsed configuration plus non-fatal notes for the log.
type Result struct {
	Config   *Config
	Warnings []string
}

// Parse resolves every option: a flag wins over its env var, which wins over
// the default. Secret flags read "@/path"; secret env vars also have a
// NAME_FILE variant. Env values are never @-expanded.
func Parse(args []string, env Env) (*Result, error) {
	opts := Options()
	flags, err := parseArgs(args, opts)
	if err != nil {
		return nil, err
	}
	cfg := &Config{}
	res := &Result{Config: cfg}
	for _, o := range opts {
		raw, source, err := rawValue(o, flags, env)
		if err != nil {
			return nil, err
		}
		if err := o.value.set(cfg, raw); err != nil {
			if o.value.bounded && errors.Is(err, errOutOfRange) {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s=%q is out of range; using the default %s", o.Env, raw, o.Default))
				if err := o.value.set(cfg, o.Default); err != nil {
					return nil, err
				}
				continue
			}
			return nil, usagef("invalid value for %s: %v", source, err)
		}
	}
	if err := finish(cfg, flags, env); err != nil {
		return nil, err
	}
	return res, nil
}

// parseArgs maps flag names to their raw text. Bare booleans become "true",
// --no-x becomes "false".
func parseArgs(args []string, opts []Option) (map[string]string, error) {
	byFlag := make(map[string]Option, len(opts))
	for _, o := range opts {
		byFlag[o.Flag] = o
	}
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-h", "--help":
			return nil, ErrHelp
		case "-v", "--version":
			return nil, ErrVersion
		}
		if !strings.HasPrefix(a, "--") || a == "--" {
			return nil, usagef("unexpected argument %q (options start with --; see --help)", a)
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		o, ok := byFlag[name]
		if !ok && strings.HasPrefix(name, "no-") {
			if neg, ok := byFlag[name[3:]]; ok && neg.value.kind == "bool" && !hasVal {
				out[neg.Flag] = "false"
				continue
			}
		}
		if !ok {
			return nil, usagef("unknown option --%s (see --help)", name)
		}
		switch {
		case hasVal:
		case o.value.kind == "bool":
			val = "true"
		case i+1 < len(args):
			i++
			val = args[i]
		default:
			return nil, usagef("option --%s needs a value", name)
		}
		out[o.Flag] = val
	}
	return out, nil
}

func rawValue(o Option, flags map[string]string, env Env) (raw, source string, err error) {
	if v, ok := flags[o.Flag]; ok {
		source = "--" + o.Flag
		if o.Secret && strings.HasPrefix(v, "@") {
			v, err = readSecretFile(v[1:])
			if err != nil {
				return "", "", usagef("%s: %v", source, err)
			}
		}
		return v, source, nil
	}
	if o.Secret && !isOwnRow(o.Env+"_FILE") {
		if path, ok := env(o.Env + "_FILE"); ok && path != "" {
			v, err := readSecretFile(path)
			if err != nil {
				return "", "", usagef("%s_FILE: %v", o.Env, err)
			}
			return v, o.Env + "_FILE", nil
		}
	}
	if v, ok := env(o.Env); ok {
		return v, o.Env, nil
	}
	return o.Default, "default of --" + o.Flag, nil
}

// isOwnRow reports whether NAME_FILE is an option of its own (UI_PASSWORD_FILE,
// LDAP_BIND_PASSWORD_FILE), resolved in finish instead of generically.
func isOwnRow(env string) bool {
	return env == "UI_PASSWORD_FILE" || env == "LDAP_BIND_PASSWORD_FILE"
}

func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading secret file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// finish derives values that depend on others and checks cross-option rules.
func finish(cfg *Config, flags map[string]string, env Env) error {
	home, _ := env("HOME")
	if home == "/" {
		return usagef("HOME is \"/\"; set HOME to a real home directory")
	}
	for _, p := range []*string{&cfg.WorkspacePath, &cfg.PiConfigDir, &cfg.ForgeDataDir, &cfg.SessionDir, &cfg.ClientDist,
		&cfg.UIPasswordFile, &cfg.LDAPBindPasswordFile, &cfg.AgentToolHome} {
		if err := absPath(p, home); err != nil {
			return err
		}
	}
	if cfg.SessionDir == "${WORKSPACE_PATH}/.pi/sessions" {
		cfg.SessionDir = filepath.Join(cfg.WorkspacePath, ".pi", "sessions")
	}
	if cfg.UIPasswordFile != "" {
		v, err := readSecretFile(cfg.UIPasswordFile)
		if err != nil {
			return usagef("UI_PASSWORD_FILE: %v", err)
		}
		if v == "" {
			return usagef("UI_PASSWORD_FILE %s is empty", cfg.UIPasswordFile)
		}
		cfg.UIPassword = v
	}
	cfg.OrchestrationEnabled = !cfg.orchestrationDisabledFlag && cfg.orchestrationEnabledLegacyFlag
	return checkSandbox(cfg, flags, env)
}

func checkSandbox(cfg *Config, flags map[string]string, env Env) error {
	if !cfg.AgentToolSandboxEnabled {
		return readLDAPPasswordFile(cfg)
	}
	if cfg.AgentToolUID < 0 || cfg.AgentToolGID < 0 {
		return usagef("AGENT_TOOL_SANDBOX_ENABLED needs AGENT_TOOL_UID and AGENT_TOOL_GID")
	}
	if cfg.LDAPBindPasswordFile != "" {
		return usagef("LDAP_BIND_PASSWORD_FILE is refused in sandbox mode (tool children could read it); pass LDAP_BIND_PASSWORD instead")
	}
	if v, ok := flags["ldap-bind-password"]; ok && strings.HasPrefix(v, "@") {
		return usagef("--ldap-bind-password @file is refused in sandbox mode")
	}
	if v, ok := env("LDAP_BIND_PASSWORD"); ok && strings.HasPrefix(v, "@") {
		return usagef("LDAP_BIND_PASSWORD starting with @ is refused in sandbox mode")
	}
	return nil
}

func readLDAPPasswordFile(cfg *Config) error {
	if cfg.LDAPBindPasswordFile == "" {
		return nil
	}
	v, err := readSecretFile(cfg.LDAPBindPasswordFile)
	if err != nil {
		return usagef("LDAP_BIND_PASSWORD_FILE: %v", err)
	}
	cfg.LDAPBindPassword = v
	return nil
}

func absPath(p *string, home string) error {
	if *p == "" || strings.HasPrefix(*p, "${") {
		return nil
	}
	if *p == "~" || strings.HasPrefix(*p, "~/") {
		if home == "" {
			return usagef("cannot expand %q: HOME is not set", *p)
		}
		*p = filepath.Join(home, strings.TrimPrefix(*p, "~"))
	}
	abs, err := filepath.Abs(*p)
	if err != nil {
		return usagef("path %q: %v", *p, err)
	}
	*p = abs
	return nil
}
