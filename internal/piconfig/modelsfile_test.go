package piconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai/catalog"
)

func newModelsFile(t *testing.T, content string) *ModelsFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "models.json")
	if content != "" {
		writeFile(t, path, content, 0o644)
	}
	return NewModelsFile(path, catalog.Builtin())
}

func TestModelsReadForAPI(t *testing.T) {
	ctx := context.Background()
	got, err := newModelsFile(t, "").ReadForAPI(ctx)
	if err != nil || string(got) != `{"providers":{}}` {
		t.Errorf("missing file: %s %v", got, err)
	}
	f := newModelsFile(t, `{"providers":{
		"a":{"baseUrl":"u","api":"openai-completions","apiKey":"sk-secret","models":[{"id":"m"}],"future":1},
		"b":{"baseUrl":"u","api":"openai-completions","apiKey":"!op read x","models":[{"id":"m"}]},
		"c":{"baseUrl":"u"}},"top":"kept"}`)
	got, err = f.ReadForAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"providers":{
		"a":{"baseUrl":"u","api":"openai-completions","apiKey":"***REDACTED***","models":[{"id":"m"}],"future":1},
		"b":{"baseUrl":"u","api":"openai-completions","apiKey":"***REDACTED***","models":[{"id":"m"}]},
		"c":{"baseUrl":"u"}},"top":"kept"}`
	if !equalJSONText(t, string(got), want) {
		t.Errorf("got %s", got)
	}
	if strings.Contains(string(got), "sk-secret") || strings.Contains(string(got), "op read") {
		t.Error("secret leaked")
	}
}

func TestModelsLegacyAPIKeyCommandMigratedOnDisk(t *testing.T) {
	f := newModelsFile(t, `{"providers":{
		"a":{"baseUrl":"u","api":"openai-completions","apiKeyCommand":"pass show llm","models":[{"id":"m"}]},
		"b":{"baseUrl":"u","api":"openai-completions","apiKey":"keep","apiKeyCommand":"ignored","models":[{"id":"m"}]}}}`)
	got, err := f.ReadForAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "apiKeyCommand") || strings.Count(string(got), RedactedSentinel) != 2 {
		t.Errorf("response = %s", got)
	}
	disk := readFile(t, f.Path())
	want := `{"providers":{
		"a":{"baseUrl":"u","api":"openai-completions","models":[{"id":"m"}],"apiKey":"!pass show llm"},
		"b":{"baseUrl":"u","api":"openai-completions","apiKey":"keep","models":[{"id":"m"}]}}}`
	if !equalJSONText(t, disk, want) {
		t.Errorf("disk = %s", disk)
	}
	if st, _ := os.Stat(f.Path()); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v", st.Mode().Perm())
	}
	// Load migrates too, so the legacy file is valid for the registry.
	g := newModelsFile(t, `{"providers":{"a":{"baseUrl":"u","api":"openai-completions","apiKeyCommand":"x","models":[{"id":"m"}]}}}`)
	cfg, err := g.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := cfg.Provider("a"); p.APIKey != "!x" {
		t.Errorf("apiKey = %q", p.APIKey)
	}
}

func TestModelsWriteFromAPIKeepsRedactedSecrets(t *testing.T) {
	f := newModelsFile(t, `{"providers":{"a":{"baseUrl":"u","api":"openai-completions","apiKey":"sk-secret","models":[{"id":"m"}]}}}`)
	body := `{"providers":{
		"a":{"baseUrl":"u2","api":"openai-completions","apiKey":"***REDACTED***","models":[{"id":"m"},{"id":"n"}]},
		"new":{"baseUrl":"v","api":"anthropic-messages","apiKey":"sk-new","models":[{"id":"x"}],"note":"kept"}},"extra":true}`
	echo, err := f.WriteFromAPI(context.Background(), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(echo), "sk-") {
		t.Errorf("echo holds a secret: %s", echo)
	}
	disk := readFile(t, f.Path())
	want := `{"providers":{
		"a":{"baseUrl":"u2","api":"openai-completions","apiKey":"sk-secret","models":[{"id":"m"},{"id":"n"}]},
		"new":{"baseUrl":"v","api":"anthropic-messages","apiKey":"sk-new","models":[{"id":"x"}],"note":"kept"}},"extra":true}`
	if !equalJSONText(t, disk, want) {
		t.Errorf("disk = %s", disk)
	}
	if st, _ := os.Stat(f.Path()); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v", st.Mode().Perm())
	}
}

func TestModelsWriteFromAPIRejects(t *testing.T) {
	const original = `{"providers":{"a":{"baseUrl":"u","api":"openai-completions","apiKey":"sk","models":[{"id":"m"}]}}}`
	tests := []struct {
		name, body string
		want       error
	}{
		{"not json", `{`, ErrNoProviders},
		{"no providers", `{"models":[]}`, ErrNoProviders},
		{"providers not an object", `{"providers":[]}`, ErrNoProviders},
		{"sentinel for a new provider", `{"providers":{"b":{"baseUrl":"u","api":"x","apiKey":"***REDACTED***","models":[{"id":"m"}]}}}`, ErrSentinelWithoutSecret},
		{"invalid for pi", `{"providers":{"a":{"api":"x","apiKey":"k","models":[{"id":"m"}]}}}`, ErrInvalidModels},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newModelsFile(t, original)
			if _, err := f.WriteFromAPI(context.Background(), []byte(tt.body)); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if got := readFile(t, f.Path()); got != original {
				t.Errorf("file changed to %s", got)
			}
		})
	}
}

func TestModelsWriteCreatesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent", "models.json")
	f := NewModelsFile(path, catalog.Builtin())
	if _, err := f.WriteFromAPI(context.Background(), []byte(`{"providers":{}}`)); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "{\n  \"providers\": {}\n}" {
		t.Errorf("file = %q", got)
	}
}

func TestModelsLoad(t *testing.T) {
	if cfg, err := newModelsFile(t, "").Load(context.Background()); cfg != nil || err != nil {
		t.Errorf("missing file: %v %v", cfg, err)
	}
	_, err := newModelsFile(t, `{"providers":{"x":{}}}`).Load(context.Background())
	if !errors.Is(err, ErrInvalidModels) || !strings.Contains(err.Error(), "models.json") {
		t.Errorf("err = %v", err)
	}
}
