package piconfig

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
)

// These tests run the real pi CLI (internal/testutil/picli) on the same
// agent directory as pi-forge and check both directions: files written here
// are what pi reads, files pi writes are what we read.

func writeModels(t *testing.T, c *Config, body string) {
	t.Helper()
	if _, err := c.Models.WriteFromAPI(context.Background(), []byte(body)); err != nil {
		t.Fatal(err)
	}
}

// TestPiMergesOurModelsJSONAsWeDo writes a models.json with a custom
// provider, a provider override, model overrides and a custom model on a
// built-in provider, then compares every model pi reports with ours.
func TestPiMergesOurModelsJSONAsWeDo(t *testing.T) {
	p := newPiEnv(t)
	c := p.config(nil)
	writeModels(t, c, `{"providers":{
		"fake":{"baseUrl":"http://127.0.0.1:9/v1","api":"openai-completions","apiKey":"FAKE_KEY",
			"compat":{"supportsDeveloperRole":false},
			"models":[
				{"id":"fake-model","name":"Fake Model","reasoning":true,"input":["text","image"],"contextWindow":64000,
				 "maxTokens":4096,"cost":{"input":1,"output":2,"cacheRead":0.1,"cacheWrite":0},
				 "thinkingLevelMap":{"minimal":null,"xhigh":"max"},"compat":{"maxTokensField":"max_tokens"}},
				{"id":"plain"}]},
		"anthropic":{"baseUrl":"https://proxy.example.com",
			"modelOverrides":{"claude-opus-4-6":{"name":"Opus via proxy","contextWindow":500000,"cost":{"input":1},
				"thinkingLevelMap":{"minimal":null}}},
			"models":[{"id":"claude-next","name":"Next"}]}}}`)
	reg := c.Registry(context.Background())
	if reg.Err() != nil {
		t.Fatal(reg.Err())
	}
	resp := p.rpc(t, Environ{"ANTHROPIC_API_KEY": "x"}, map[string]any{"type": "get_available_models"})
	var listed struct {
		Models []json.RawMessage `json:"models"`
	}
	if err := json.Unmarshal(resp[0].Data, &listed); err != nil {
		t.Fatal(err)
	}
	compared := map[string]bool{}
	for _, raw := range listed.Models {
		var m ai.Model
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		ours, ok := reg.Find(m.Provider, m.ID)
		if !ok {
			continue // a model pi-forge's trimmed catalogue leaves out
		}
		compared[m.Provider+"/"+m.ID] = true
		if !equalJSONText(t, string(mustJSON(t, ours)), string(raw)) {
			t.Errorf("%s/%s:\n ours %s\n pi   %s", m.Provider, m.ID, mustJSON(t, ours), raw)
		}
	}
	for _, want := range []string{"fake/fake-model", "fake/plain", "anthropic/claude-next", "anthropic/claude-opus-4-6", "anthropic/claude-sonnet-4-5"} {
		if !compared[want] {
			t.Errorf("pi did not list %s", want)
		}
	}
	_, out := p.run(t, nil, "--list-models") // pi prints the table on stderr
	if !strings.Contains(out, "fake-model") || !strings.Contains(out, "plain") {
		t.Errorf("--list-models:\n%s", out)
	}
}

// TestPiSendsTheCredentialsWeResolve points a models.json provider at a fake
// LLM, stores credentials with pi-forge, lets pi make a request, and checks
// that what the fake received is what RequestAuth resolves.
func TestPiSendsTheCredentialsWeResolve(t *testing.T) {
	fake := aitest.NewServer(t, aitest.Script{Fallback: &aitest.Canned{Mode: "echo"}})
	tests := []struct {
		name     string
		api      string
		provider string // extra models.json provider keys
		authKey  string // stored with SetAPIKey; "" for none
		env      Environ
		want     map[string]string // header -> value the fake must see
	}{
		{"auth.json literal key", ai.APIOpenAICompletions, `"apiKey":"MODELS_KEY"`, "sk-forge-literal", nil,
			map[string]string{"Authorization": "Bearer sk-forge-literal"}},
		{"auth.json key names a variable", ai.APIOpenAICompletions, `"apiKey":"MODELS_KEY"`, "FORGE_KEY",
			Environ{"FORGE_KEY": "sk-from-variable"}, map[string]string{"Authorization": "Bearer sk-from-variable"}},
		{"auth.json key runs a command", ai.APIOpenAICompletions, `"apiKey":"MODELS_KEY"`, "!printf sk-from-command", nil,
			map[string]string{"Authorization": "Bearer sk-from-command"}},
		{"models.json key when auth.json has none", ai.APIOpenAICompletions, `"apiKey":"MODELS_KEY"`, "",
			Environ{"MODELS_KEY": "sk-models"}, map[string]string{"Authorization": "Bearer sk-models"}},
		{"headers resolved and authHeader", ai.APIOpenAICompletions,
			`"apiKey":"k","authHeader":true,"headers":{"x-team":"TEAM","x-cmd":"!printf from-cmd"}`, "sk-auth",
			Environ{"TEAM": "blue"}, map[string]string{"Authorization": "Bearer sk-auth", "X-Team": "blue", "X-Cmd": "from-cmd"}},
		{"anthropic wire", ai.APIAnthropicMessages, `"apiKey":"MODELS_KEY"`, "sk-ant-forge", nil,
			map[string]string{"X-Api-Key": "sk-ant-forge"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPiEnv(t)
			c := p.config(tt.env)
			writeModels(t, c, fmt.Sprintf(`{"providers":{"fake":{"baseUrl":%q,"api":%q,%s,
				"models":[{"id":"fake-model"}]}}}`, aitest.BaseURL(fake.URL, tt.api), tt.api, tt.provider))
			if tt.authKey != "" {
				if err := c.Auth.SetAPIKey(context.Background(), "fake", tt.authKey); err != nil {
					t.Fatal(err)
				}
			}
			model, ok := c.FindModel(context.Background(), "fake", "fake-model")
			if !ok {
				t.Fatal(c.Registry(context.Background()).Err())
			}
			ours, err := c.RequestAuth(context.Background(), &model)
			if err != nil {
				t.Fatal(err)
			}
			before := len(fake.Requests())
			p.run(t, tt.env, "-p", "hello", "--provider", "fake", "--model", "fake-model", "--no-session")
			reqs := fake.Requests()
			if len(reqs) <= before {
				t.Fatal("pi made no request")
			}
			got := reqs[len(reqs)-1].Header
			for h, v := range tt.want {
				if got.Get(h) != v {
					t.Errorf("pi sent %s = %q, want %q", h, got.Get(h), v)
				}
			}
			// And pi-forge resolves exactly what pi sent.
			sent := got.Get("Authorization")
			if tt.api == ai.APIAnthropicMessages {
				sent = "Bearer " + got.Get("X-Api-Key")
			}
			if sent != "Bearer "+ours.APIKey {
				t.Errorf("pi sent key %q, pi-forge resolves %q", sent, ours.APIKey)
			}
			for h, v := range ours.Headers {
				if got.Get(h) != v {
					t.Errorf("header %s: pi sent %q, pi-forge resolves %q", h, got.Get(h), v)
				}
			}
		})
	}
}

const fakeProvider = `{"providers":{"fake":{"baseUrl":"http://127.0.0.1:9/v1","api":"openai-completions","apiKey":"k",
	"models":[{"id":"fake-model","reasoning":true},{"id":"other"}]}}}`

func TestSettingsWrittenByPiReadHere(t *testing.T) {
	p := newPiEnv(t)
	c := p.config(nil)
	writeModels(t, c, fakeProvider)
	if _, err := c.Settings.Set(context.Background(), "forgeOnly", map[string]int{"kept": 1}); err != nil {
		t.Fatal(err)
	}
	p.rpc(t, nil,
		map[string]any{"type": "set_model", "provider": "fake", "modelId": "fake-model"},
		map[string]any{"type": "set_thinking_level", "level": "high"},
		map[string]any{"type": "set_steering_mode", "mode": "all"},
		map[string]any{"type": "set_follow_up_mode", "mode": "all"},
		map[string]any{"type": "set_auto_compaction", "enabled": false},
		map[string]any{"type": "set_auto_retry", "enabled": false},
	)
	s, err := c.Settings.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.DefaultProvider() != "fake" || s.DefaultModel() != "fake-model" || s.DefaultThinkingLevel() != ai.ThinkingHigh {
		t.Errorf("model settings: %s/%s %s", s.DefaultProvider(), s.DefaultModel(), s.DefaultThinkingLevel())
	}
	if s.SteeringMode() != QueueAll || s.FollowUpMode() != QueueAll || s.Compaction().Enabled || s.Retry().Enabled {
		raw, _ := s.JSON()
		t.Errorf("settings pi wrote: %s", raw)
	}
	var kept map[string]int
	if !s.Object().Decode("forgeOnly", &kept) || kept["kept"] != 1 {
		t.Error("pi dropped a key pi-forge wrote")
	}
}

func TestPiReadsSettingsWrittenHere(t *testing.T) {
	p := newPiEnv(t)
	c := p.config(nil)
	writeModels(t, c, fakeProvider)
	patch, _ := ParseObject([]byte(`{"defaultProvider":"fake","defaultModel":"other","defaultThinkingLevel":"low",
		"steeringMode":"all","unknownToPi":true}`))
	if _, err := c.Settings.Patch(context.Background(), patch); err != nil {
		t.Fatal(err)
	}
	resp := p.rpc(t, nil, map[string]any{"type": "get_state"})
	var state struct {
		Model         ai.Model `json:"model"`
		ThinkingLevel string   `json:"thinkingLevel"`
		SteeringMode  string   `json:"steeringMode"`
	}
	if err := json.Unmarshal(resp[0].Data, &state); err != nil {
		t.Fatal(err)
	}
	// "other" has no reasoning, so pi clamps the stored "low" to "off".
	if state.Model.Provider != "fake" || state.Model.ID != "other" || state.ThinkingLevel != ai.ThinkingOff || state.SteeringMode != QueueAll {
		t.Errorf("pi state: %s/%s thinking=%s steering=%s", state.Model.Provider, state.Model.ID, state.ThinkingLevel, state.SteeringMode)
	}
}

// TestAuthJSONWrittenByPiAndForgeAtOnce has pi's own AuthStorage and
// pi-forge store keys in one auth.json at the same time; every key survives.
func TestAuthJSONWrittenByPiAndForgeAtOnce(t *testing.T) {
	p := newPiEnv(t)
	c := p.config(nil)
	path := c.Auth.Path()
	const piKeys = 40
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	piDone := make(chan struct{})
	var piOut []byte
	var piErr error
	go func() {
		defer close(piDone)
		piOut, piErr = p.node(ctx, "pi_auth_writer.mjs", p.piDir(), path, "pi-", fmt.Sprint(piKeys)).CombinedOutput()
	}()
	// pi-forge writes for as long as pi does, so every pi write races ours.
	forgeKeys := 0
	for running := true; running; forgeKeys++ {
		select {
		case <-piDone:
			running = false
		default:
		}
		if err := c.Auth.SetAPIKey(ctx, fmt.Sprintf("forge-%d", forgeKeys), fmt.Sprintf("key-forge-%d", forgeKeys)); err != nil {
			t.Fatal(err)
		}
	}
	if piErr != nil {
		t.Fatalf("pi writer: %v\n%s", piErr, piOut)
	}
	data, err := c.Auth.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for prefix, n := range map[string]int{"pi-": piKeys, "forge-": forgeKeys} {
		for i := range n {
			name := fmt.Sprintf("%s%d", prefix, i)
			if cred, ok := data.Get(name); !ok || cred.Key != "key-"+name {
				t.Errorf("%s lost or changed: %+v", name, cred)
			}
		}
	}
	t.Logf("pi wrote %d keys (%s), pi-forge %d", piKeys, piOut, forgeKeys)
}

// TestLockInteropWithProperLockfile checks the lock directory protocol
// against the library pi uses, both ways.
func TestLockInteropWithProperLockfile(t *testing.T) {
	p := newPiEnv(t)
	file := filepath.Join(p.agentDir, "settings.json")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	held, err := acquireLock(ctx, file, settingsLock)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.node(ctx, "pi_lock.mjs", p.modulesDir(), file, "try").Output()
	if err != nil || string(out) != "ELOCKED" {
		t.Errorf("proper-lockfile while pi-forge holds the lock: %s %v", out, err)
	}
	_ = held.release()
	if out, err := p.node(ctx, "pi_lock.mjs", p.modulesDir(), file, "try").Output(); err != nil || string(out) != "acquired" {
		t.Errorf("proper-lockfile after release: %s %v", out, err)
	}

	cmd := p.node(ctx, "pi_lock.mjs", p.modulesDir(), file, "hold")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("holder said %q", line)
	}
	quick := settingsLock
	quick.retryFor = 200 * time.Millisecond
	if _, err := acquireLock(ctx, file, quick); !errors.Is(err, ErrLocked) {
		t.Errorf("pi-forge while proper-lockfile holds the lock: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		l, err := acquireLock(ctx, file, lockOptions{stale: settingsLock.stale, retryFor: 30 * time.Second})
		if err == nil {
			err = l.release()
		}
		got <- err
	}()
	_ = stdin.Close() // the holder releases
	if err := <-got; err != nil {
		t.Errorf("pi-forge after proper-lockfile released: %v", err)
	}
	_ = cmd.Wait()
}
