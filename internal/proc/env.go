package proc

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// allowedEnv are the server variables a scrubbed child keeps (features §0);
// LC_* is allowed by prefix.
var allowedEnv = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "LOGNAME": true, "SHELL": true,
	"PWD": true, "TERM": true, "COLORTERM": true, "TERMINFO": true, "LANG": true,
	"TZ": true, "HOSTNAME": true, "EDITOR": true, "PAGER": true, "VISUAL": true,
}

// defaultSandboxUser is USER and LOGNAME of sandboxed children.
const defaultSandboxUser = "pi-tools"

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParsePassthrough splits TERMINAL_PASSTHROUGH_ENV (comma- or
// whitespace-separated names) and rejects names that are not identifiers.
func ParsePassthrough(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	for _, f := range fields {
		if !envNameRE.MatchString(f) {
			return nil, fmt.Errorf("proc: invalid environment variable name %q in passthrough list", f)
		}
	}
	return fields, nil
}

// envMap keeps insertion order out of the picture: children get a sorted
// environment, which makes it reproducible and easy to diff in tests.
type envMap map[string]string

func parseEnv(list []string) envMap {
	m := make(envMap, len(list))
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		m[k] = v
	}
	return m
}

func (m envMap) list() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+m[k])
	}
	return out
}

// environment builds the child's environment for spec under the kind's
// policy, then applies PathPrepend, spec.Env and the spawn marker.
func (l *Launcher) environment(spec Spec, marker string) ([]string, error) {
	server := parseEnv(l.cfg.ServerEnv)
	var env envMap
	switch spec.Kind {
	case KindShell:
		env = l.scrubbed(server)
	case KindAgentBash:
		if l.cfg.Sandbox != nil {
			env = l.scrubbed(server)
		} else {
			env = server
			l.mergeToolEnv(env)
		}
	case KindHelper:
		env = server
		for _, name := range l.cfg.HelperSecrets {
			delete(env, name)
		}
	case KindMCP:
		env = l.allowlisted(server)
	default:
		return nil, fmt.Errorf("proc: unknown kind %v", spec.Kind)
	}
	if spec.Dir != "" && spec.Kind != KindHelper {
		// The server's PWD would be wrong for a child started elsewhere.
		env["PWD"] = spec.Dir
	}
	if len(spec.PathPrepend) > 0 {
		parts := append([]string{}, spec.PathPrepend...)
		if cur := env["PATH"]; cur != "" {
			for _, dir := range strings.Split(cur, ":") {
				if !slices.Contains(spec.PathPrepend, dir) {
					parts = append(parts, dir)
				}
			}
		}
		env["PATH"] = strings.Join(parts, ":")
	}
	for k, v := range spec.Env {
		env[k] = v
	}
	env[MarkerEnv] = marker
	return env.list(), nil
}

// scrubbed is the allowlist environment of features §0: allowed names,
// LC_*, passthrough names, then toolEnv, then the sandbox identity's
// HOME/USER/LOGNAME.
func (l *Launcher) scrubbed(server envMap) envMap {
	env := envMap{}
	for k, v := range server {
		if allowedEnv[k] || strings.HasPrefix(k, "LC_") {
			env[k] = v
		}
	}
	for _, name := range l.cfg.PassthroughEnv {
		if v, ok := server[name]; ok {
			env[name] = v
		}
	}
	l.mergeToolEnv(env)
	l.applyIdentity(env)
	return env
}

// allowlisted is the allowlist alone (MCP servers): allowed names, LC_*,
// then the sandbox identity's HOME/USER/LOGNAME.
func (l *Launcher) allowlisted(server envMap) envMap {
	env := envMap{}
	for k, v := range server {
		if allowedEnv[k] || strings.HasPrefix(k, "LC_") {
			env[k] = v
		}
	}
	l.applyIdentity(env)
	return env
}

func (l *Launcher) applyIdentity(env envMap) {
	if id := l.cfg.Sandbox; id != nil {
		user := id.User
		if user == "" {
			user = defaultSandboxUser
		}
		env["HOME"] = id.Home
		env["USER"] = user
		env["LOGNAME"] = user
	}
}

func (l *Launcher) mergeToolEnv(env envMap) {
	if l.cfg.ToolEnv == nil {
		return
	}
	for k, v := range l.cfg.ToolEnv() {
		env[k] = v
	}
}

// markerOf returns the spawn marker in a command's environment.
func markerOf(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], MarkerEnv+"="); ok {
			return v
		}
	}
	return ""
}

// hasMarker reports whether a NUL-separated /proc environ block holds the
// marker variable with exactly value (or, with prefix set, a value starting
// with it).
func hasMarker(environ, value string, prefix bool) bool {
	needle := MarkerEnv + "=" + value
	for _, kv := range strings.Split(environ, "\x00") {
		if kv == needle || (prefix && strings.HasPrefix(kv, needle)) {
			return true
		}
	}
	return false
}
