package piconfig

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The models.json schema, checked over the decoded JSON tree the way pi's
// TypeBox schema does: known keys must have the right type, unknown keys are
// allowed, and every problem is reported with its path ("providers.x.models.0.id").
// A hand-written checker because the schema is small and pi's error paths are
// part of what users see.

type schemaCheck struct{ problems []string }

func (c *schemaCheck) fail(path, format string, args ...any) {
	if path == "" {
		path = "root"
	}
	c.problems = append(c.problems, path+": "+fmt.Sprintf(format, args...))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// sortedKeys makes problem order stable.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *schemaCheck) object(path string, v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "must be object")
	}
	return m, ok
}

// optional checks m[key] with check when the key is present.
func (c *schemaCheck) optional(m map[string]any, path, key string, check func(path string, v any)) {
	if v, ok := m[key]; ok {
		check(join(path, key), v)
	}
}

func (c *schemaCheck) str(path string, v any) {
	if _, ok := v.(string); !ok {
		c.fail(path, "must be string")
	}
}

func (c *schemaCheck) nonEmptyStr(path string, v any) {
	s, ok := v.(string)
	switch {
	case !ok:
		c.fail(path, "must be string")
	case s == "":
		c.fail(path, "must not be empty")
	}
}

func (c *schemaCheck) boolean(path string, v any) {
	if _, ok := v.(bool); !ok {
		c.fail(path, "must be boolean")
	}
}

func (c *schemaCheck) number(path string, v any) {
	if _, ok := v.(float64); !ok {
		c.fail(path, "must be number")
	}
}

func (c *schemaCheck) stringRecord(path string, v any) {
	m, ok := c.object(path, v)
	if !ok {
		return
	}
	for _, k := range sortedKeys(m) {
		c.str(join(path, k), m[k])
	}
}

func (c *schemaCheck) stringArray(path string, v any) {
	a, ok := v.([]any)
	if !ok {
		c.fail(path, "must be array")
		return
	}
	for i, e := range a {
		c.str(join(path, fmt.Sprint(i)), e)
	}
}

func (c *schemaCheck) oneOf(allowed ...string) func(string, any) {
	return func(path string, v any) {
		if s, ok := v.(string); !ok || !slices.Contains(allowed, s) {
			c.fail(path, "must be one of %s", strings.Join(allowed, ", "))
		}
	}
}

func (c *schemaCheck) input(path string, v any) {
	a, ok := v.([]any)
	if !ok {
		c.fail(path, "must be array")
		return
	}
	for i, e := range a {
		c.oneOf("text", "image")(join(path, fmt.Sprint(i)), e)
	}
}

func (c *schemaCheck) thinkingLevelMap(path string, v any) {
	m, ok := c.object(path, v)
	if !ok {
		return
	}
	for _, level := range []string{"off", "minimal", "low", "medium", "high", "xhigh"} {
		if e, ok := m[level]; ok && e != nil {
			c.str(join(path, level), e)
		}
	}
}

// cost checks a full cost (custom models: all four prices required) or a
// partial one (overrides).
func (c *schemaCheck) cost(partial bool) func(string, any) {
	return func(path string, v any) {
		m, ok := c.object(path, v)
		if !ok {
			return
		}
		for _, k := range []string{"input", "output", "cacheRead", "cacheWrite"} {
			e, present := m[k]
			switch {
			case !present && !partial:
				c.fail(join(path, k), "is required")
			case present:
				c.number(join(path, k), e)
			}
		}
	}
}

// compat accepts what any of pi's three compat schemas accepts
// (openai-completions, openai-responses, anthropic-messages).
func (c *schemaCheck) compat(path string, v any) {
	m, ok := c.object(path, v)
	if !ok {
		return
	}
	var best []string
	for _, branch := range []func(*schemaCheck, map[string]any){completionsCompat, responsesCompat, anthropicCompat} {
		sub := &schemaCheck{}
		branch(sub, m)
		if len(sub.problems) == 0 {
			return
		}
		if best == nil || len(sub.problems) < len(best) {
			best = sub.problems
		}
	}
	for _, p := range best {
		c.problems = append(c.problems, join(path, p))
	}
}

func completionsCompat(c *schemaCheck, m map[string]any) {
	for _, k := range []string{"supportsStore", "supportsDeveloperRole", "supportsReasoningEffort",
		"supportsUsageInStreaming", "requiresToolResultName", "requiresAssistantAfterToolResult",
		"requiresThinkingAsText", "requiresReasoningContentOnAssistantMessages", "supportsStrictMode",
		"supportsLongCacheRetention"} {
		c.optional(m, "", k, c.boolean)
	}
	c.optional(m, "", "maxTokensField", c.oneOf("max_completion_tokens", "max_tokens"))
	c.optional(m, "", "thinkingFormat", c.oneOf("openai", "openrouter", "together", "deepseek", "zai", "qwen", "qwen-chat-template"))
	c.optional(m, "", "cacheControlFormat", c.oneOf("anthropic"))
	c.optional(m, "", "openRouterRouting", func(p string, v any) { c.object(p, v) })
	c.optional(m, "", "vercelGatewayRouting", func(p string, v any) {
		if r, ok := c.object(p, v); ok {
			c.optional(r, p, "only", c.stringArray)
			c.optional(r, p, "order", c.stringArray)
		}
	})
}

func responsesCompat(c *schemaCheck, m map[string]any) {
	c.optional(m, "", "sendSessionIdHeader", c.boolean)
	c.optional(m, "", "supportsLongCacheRetention", c.boolean)
}

func anthropicCompat(c *schemaCheck, m map[string]any) {
	c.optional(m, "", "supportsEagerToolInputStreaming", c.boolean)
	c.optional(m, "", "supportsLongCacheRetention", c.boolean)
}

func (c *schemaCheck) modelDef(path string, v any) {
	m, ok := c.object(path, v)
	if !ok {
		return
	}
	if id, ok := m["id"]; ok {
		c.nonEmptyStr(join(path, "id"), id)
	} else {
		c.fail(join(path, "id"), "is required")
	}
	c.modelFields(m, path, false)
	c.optional(m, path, "api", c.nonEmptyStr)
	c.optional(m, path, "baseUrl", c.nonEmptyStr)
}

func (c *schemaCheck) modelFields(m map[string]any, path string, partialCost bool) {
	c.optional(m, path, "name", c.nonEmptyStr)
	c.optional(m, path, "reasoning", c.boolean)
	c.optional(m, path, "thinkingLevelMap", c.thinkingLevelMap)
	c.optional(m, path, "input", c.input)
	c.optional(m, path, "cost", c.cost(partialCost))
	c.optional(m, path, "contextWindow", c.number)
	c.optional(m, path, "maxTokens", c.number)
	c.optional(m, path, "headers", c.stringRecord)
	c.optional(m, path, "compat", c.compat)
}

func (c *schemaCheck) provider(path string, v any) {
	m, ok := c.object(path, v)
	if !ok {
		return
	}
	for _, k := range []string{"name", "baseUrl", "apiKey", "api"} {
		c.optional(m, path, k, c.nonEmptyStr)
	}
	c.optional(m, path, "headers", c.stringRecord)
	c.optional(m, path, "compat", c.compat)
	c.optional(m, path, "authHeader", c.boolean)
	c.optional(m, path, "models", func(p string, v any) {
		a, ok := v.([]any)
		if !ok {
			c.fail(p, "must be array")
			return
		}
		for i, e := range a {
			c.modelDef(join(p, fmt.Sprint(i)), e)
		}
	})
	c.optional(m, path, "modelOverrides", func(p string, v any) {
		o, ok := c.object(p, v)
		if !ok {
			return
		}
		for _, id := range sortedKeys(o) {
			if om, ok := c.object(join(p, id), o[id]); ok {
				c.modelFields(om, join(p, id), true)
			}
		}
	})
}

// checkModelsSchema returns every schema problem of a decoded models.json.
func checkModelsSchema(root any) []string {
	c := &schemaCheck{}
	m, ok := c.object("", root)
	if !ok {
		return c.problems
	}
	providers, present := m["providers"]
	if !present {
		c.fail("providers", "is required")
		return c.problems
	}
	if pm, ok := c.object("providers", providers); ok {
		for _, name := range sortedKeys(pm) {
			c.provider(join("providers", name), pm[name])
		}
	}
	return c.problems
}
