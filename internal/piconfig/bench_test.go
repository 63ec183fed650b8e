package piconfig

import (
	"context"
	"testing"
)

// BenchmarkRequestAuth is the per-request cost of finding a key: auth.json
// is re-read under pi's lock every time so a pi CLI's login is seen at once.
func BenchmarkRequestAuth(b *testing.B) {
	dir := b.TempDir()
	c := New(Options{AgentDir: dir, Env: Environ{}})
	ctx := context.Background()
	if err := c.Auth.SetAPIKey(ctx, "anthropic", "sk-ant"); err != nil {
		b.Fatal(err)
	}
	m, _ := c.FindModel(ctx, "anthropic", "claude-opus-4-6")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.RequestAuth(ctx, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegistryBuild is the cost of re-reading models.json and merging
// it into the catalogue (done when the file changes).
func BenchmarkRegistryBuild(b *testing.B) {
	cfg, err := ParseModelsConfig([]byte(proxyModels), func(p string) bool { return p == "anthropic" })
	if err != nil {
		b.Fatal(err)
	}
	cat := New(Options{AgentDir: b.TempDir(), Env: Environ{}}).catalog
	b.ReportAllocs()
	for b.Loop() {
		BuildRegistry(cat, cfg, nil)
	}
}

// BenchmarkListProviders is GET /config/providers with a cached registry.
func BenchmarkListProviders(b *testing.B) {
	c := New(Options{AgentDir: b.TempDir(), Env: Environ{"ANTHROPIC_API_KEY": "k"}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ListProviders(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
