package piconfig

import (
	"slices"
	"strings"
)

// Environ is the environment config values resolve against: env-var names in
// auth.json and models.json, the provider key variables, and what `!command`
// values run with. It is passed in (the server builds it from os.Environ once)
// so tests and the server decide what the agent sees.
type Environ map[string]string

// EnvironFromList parses "KEY=value" entries as os.Environ returns them.
func EnvironFromList(list []string) Environ {
	e := make(Environ, len(list))
	for _, kv := range list {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			e[k] = v
		}
	}
	return e
}

// Get returns the value of name, "" when unset.
func (e Environ) Get(name string) string { return e[name] }

// List returns the environment as sorted "KEY=value" entries.
func (e Environ) List() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
