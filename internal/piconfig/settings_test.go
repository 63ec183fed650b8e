package piconfig

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

func newSettings(t *testing.T, content string) *SettingsStore {
	t.Helper()
	path := filepath.Join(t.TempDir(), "settings.json")
	if content != "" {
		writeFile(t, path, content, 0o644)
	}
	return NewSettingsStore(path)
}

func mustPatch(t *testing.T, s *SettingsStore, patch string) *Settings {
	t.Helper()
	p, err := ParseObject([]byte(patch))
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Patch(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSettingsMigrations(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"queueMode", `{"queueMode":"all"}`, `{"steeringMode":"all"}`},
		{"queueMode with steeringMode kept", `{"queueMode":"all","steeringMode":"one-at-a-time"}`, `{"queueMode":"all","steeringMode":"one-at-a-time"}`},
		{"websockets true", `{"websockets":true}`, `{"transport":"websocket"}`},
		{"websockets false", `{"websockets":false}`, `{"transport":"sse"}`},
		{"websockets with transport", `{"websockets":true,"transport":"auto"}`, `{"websockets":true,"transport":"auto"}`},
		{"skills object", `{"skills":{"enableSkillCommands":false,"customDirectories":["~/s"]}}`, `{"skills":["~/s"],"enableSkillCommands":false}`},
		{"skills object without dirs", `{"skills":{"customDirectories":[]}}`, `{}`},
		{"skills object, explicit enable wins", `{"enableSkillCommands":true,"skills":{"enableSkillCommands":false}}`, `{"enableSkillCommands":true}`},
		{"skills array untouched", `{"skills":["a"]}`, `{"skills":["a"]}`},
		{"retry maxDelayMs", `{"retry":{"maxDelayMs":5000,"enabled":false}}`, `{"retry":{"enabled":false,"provider":{"maxRetryDelayMs":5000}}}`},
		{"retry maxDelayMs does not override", `{"retry":{"maxDelayMs":5000,"provider":{"maxRetryDelayMs":1}}}`, `{"retry":{"provider":{"maxRetryDelayMs":1}}}`},
		{"retry maxDelayMs not a number is dropped", `{"retry":{"maxDelayMs":"x"}}`, `{"retry":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := newSettings(t, tt.in).Load(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got, _ := s.JSON()
			if !equalJSONText(t, string(got), tt.want) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSettingsPatch(t *testing.T) {
	s := newSettings(t, `{"theme":"dark","defaultModel":"old","compaction":{"enabled":false,"reserveTokens":1},"unknownKey":{"x":[1]}}`)
	out := mustPatch(t, s, `{"defaultProvider":"openai","defaultModel":"gpt-5","theme":null,"compaction":{"keepRecentTokens":5},"newKey":"<v>"}`)
	want := "{\n  \"defaultModel\": \"gpt-5\",\n  \"compaction\": {\n    \"keepRecentTokens\": 5\n  },\n  \"unknownKey\": {\n    \"x\": [\n      1\n    ]\n  },\n  \"defaultProvider\": \"openai\",\n  \"newKey\": \"<v>\"\n}"
	if got := readFile(t, s.Path()); got != want {
		t.Errorf("file =\n%s\nwant\n%s", got, want)
	}
	if out.DefaultModel() != "gpt-5" || out.DefaultProvider() != "openai" {
		t.Errorf("returned settings: %s %s", out.DefaultProvider(), out.DefaultModel())
	}
}

func TestSettingsPatchValidatesTypedKeys(t *testing.T) {
	s := newSettings(t, `{"theme":"dark"}`)
	for _, patch := range []string{
		`{"defaultProvider":1}`, `{"defaultModel":true}`, `{"defaultThinkingLevel":"extreme"}`,
		`{"skills":"a"}`, `{"skills":[1]}`, `{"enableSkillCommands":"yes"}`,
	} {
		p, _ := ParseObject([]byte(patch))
		if _, err := s.Patch(context.Background(), p); !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("%s: err = %v", patch, err)
		}
	}
	if got := readFile(t, s.Path()); got != `{"theme":"dark"}` {
		t.Errorf("rejected patch changed the file: %s", got)
	}
	mustPatch(t, s, `{"defaultThinkingLevel":"xhigh","skills":["a","!b"],"enableSkillCommands":false,"anything":[1,{"a":null}]}`)
}

func TestSettingsCorruptFileIsNeverOverwritten(t *testing.T) {
	s := newSettings(t, `{"theme": `)
	if _, err := s.Load(context.Background()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load: %v", err)
	}
	p, _ := ParseObject([]byte(`{"theme":"light"}`))
	if _, err := s.Patch(context.Background(), p); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Patch: %v", err)
	}
	if got := readFile(t, s.Path()); got != `{"theme": ` {
		t.Errorf("file = %s", got)
	}
}

func TestSettingsWritePersistsMigrations(t *testing.T) {
	s := newSettings(t, `{"queueMode":"all"}`)
	mustPatch(t, s, `{"theme":"light"}`)
	if got := readFile(t, s.Path()); !equalJSONText(t, got, `{"steeringMode":"all","theme":"light"}`) {
		t.Errorf("file = %s", got)
	}
}

func TestSettingsSetAndSetNested(t *testing.T) {
	s := newSettings(t, `{"compaction":{"reserveTokens":100}}`)
	ctx := context.Background()
	if _, err := s.Set(ctx, "defaultThinkingLevel", "high"); err != nil {
		t.Fatal(err)
	}
	out, err := s.SetNested(ctx, "compaction", "enabled", false)
	if err != nil {
		t.Fatal(err)
	}
	if c := out.Compaction(); c.Enabled || c.ReserveTokens != 100 || c.KeepRecentTokens != 20000 {
		t.Errorf("compaction = %+v", c)
	}
	if out.DefaultThinkingLevel() != "high" {
		t.Errorf("level = %q", out.DefaultThinkingLevel())
	}
	fresh := newSettings(t, "")
	if _, err := fresh.SetNested(ctx, "images", "blockImages", true); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, fresh.Path()); got != "{\n  \"images\": {\n    \"blockImages\": true\n  }\n}" {
		t.Errorf("file = %s", got)
	}
}

func TestSettingsConcurrentWritersKeepEveryKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	stores := []*SettingsStore{NewSettingsStore(path), NewSettingsStore(path)}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if _, err := stores[i%2].Set(context.Background(), fmt.Sprintf("k%02d", i), i); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s, err := stores[0].Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Object().Len(); n != 16 {
		t.Errorf("%d of 16 keys kept", n)
	}
}

func TestSettingsTypedDefaults(t *testing.T) {
	s, err := newSettings(t, "").Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.DefaultProvider() != "" || s.DefaultModel() != "" || s.DefaultThinkingLevel() != "" {
		t.Error("model defaults")
	}
	if s.SteeringMode() != QueueOneAtATime || s.FollowUpMode() != QueueOneAtATime {
		t.Error("queue modes")
	}
	if s.Compaction() != (CompactionSettings{Enabled: true, ReserveTokens: 16384, KeepRecentTokens: 20000}) {
		t.Errorf("compaction = %+v", s.Compaction())
	}
	if s.BranchSummary() != (BranchSummarySettings{ReserveTokens: 16384}) {
		t.Errorf("branch summary = %+v", s.BranchSummary())
	}
	r := s.Retry()
	if !r.Enabled || r.MaxRetries != 3 || r.BaseDelayMs != 2000 || r.Provider.MaxRetryDelayMs != 60000 ||
		r.Provider.TimeoutMs != nil || r.Provider.MaxRetries != nil {
		t.Errorf("retry = %+v", r)
	}
	if s.ThinkingBudgets() != nil || s.ShellPath() != "" || s.ShellCommandPrefix() != "" {
		t.Error("optional strings")
	}
	if s.Images() != (ImageSettings{AutoResize: true}) || !s.EnableSkillCommands() || s.Skills() != nil {
		t.Error("images/skills")
	}
}

func TestSettingsTypedValues(t *testing.T) {
	s, err := newSettings(t, `{
		"defaultProvider":"anthropic","defaultModel":"claude-opus-4-6","defaultThinkingLevel":"xhigh",
		"steeringMode":"all","followUpMode":"bogus",
		"compaction":{"enabled":false,"reserveTokens":1000.0,"keepRecentTokens":"wrong type"},
		"retry":{"enabled":false,"maxRetries":5,"baseDelayMs":10,"provider":{"timeoutMs":3600000,"maxRetries":0,"maxRetryDelayMs":0}},
		"thinkingBudgets":{"low":4096,"high":32768},
		"shellPath":"/bin/zsh","shellCommandPrefix":"shopt -s expand_aliases",
		"images":{"blockImages":true},"enableSkillCommands":false,"skills":["./s","!x"],"prompts":["p"],
		"enabledModels":["claude-*"]}`).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.DefaultProvider() != "anthropic" || s.DefaultModel() != "claude-opus-4-6" || s.DefaultThinkingLevel() != ai.ThinkingXHigh {
		t.Error("model settings")
	}
	if s.SteeringMode() != QueueAll || s.FollowUpMode() != QueueOneAtATime {
		t.Error("queue modes")
	}
	if s.Compaction() != (CompactionSettings{Enabled: false, ReserveTokens: 1000, KeepRecentTokens: 20000}) {
		t.Errorf("compaction = %+v", s.Compaction())
	}
	r := s.Retry()
	if r.Enabled || r.MaxRetries != 5 || r.BaseDelayMs != 10 || *r.Provider.TimeoutMs != 3600000 ||
		*r.Provider.MaxRetries != 0 || r.Provider.MaxRetryDelayMs != 0 {
		t.Errorf("retry = %+v", r)
	}
	if b := s.ThinkingBudgets(); b == nil || *b != (ai.ThinkingBudgets{Low: 4096, High: 32768}) {
		t.Errorf("budgets = %+v", b)
	}
	if s.ShellPath() != "/bin/zsh" || s.ShellCommandPrefix() != "shopt -s expand_aliases" {
		t.Error("shell")
	}
	if s.Images() != (ImageSettings{AutoResize: true, BlockImages: true}) || s.EnableSkillCommands() {
		t.Error("images/skill commands")
	}
	if !slices.Equal(s.Skills(), []string{"./s", "!x"}) || !slices.Equal(s.Prompts(), []string{"p"}) ||
		!slices.Equal(s.EnabledModels(), []string{"claude-*"}) {
		t.Error("lists")
	}
}

func TestMergeSettings(t *testing.T) {
	dir := t.TempDir()
	global := NewSettingsStore(filepath.Join(dir, "agent", "settings.json"))
	writeFile(t, global.Path(), `{"theme":"dark","compaction":{"enabled":true,"reserveTokens":16384},"skills":["g"],"defaultModel":"a"}`, 0o644)
	project := filepath.Join(dir, "project")
	writeFile(t, ProjectSettingsPath(project), `{"compaction":{"reserveTokens":8192},"skills":["p"],"defaultModel":null}`, 0o644)
	s, err := LoadEffectiveSettings(context.Background(), global, project)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.JSON()
	want := `{"theme":"dark","compaction":{"enabled":true,"reserveTokens":8192},"skills":["p"],"defaultModel":null}`
	if !equalJSONText(t, string(got), want) {
		t.Errorf("merged = %s", got)
	}
	only, err := LoadEffectiveSettings(context.Background(), global, "")
	if err != nil || only.DefaultModel() != "a" {
		t.Errorf("global only: %v", err)
	}
}
