package aitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Fixture is one provider call written down in pi's JSON shapes, so the
// same file can drive our adapters and pi-ai itself: the model, the
// context, the options and the responses the fake serves.
type Fixture struct {
	Model     ai.Model       `json:"model"`
	Context   FixtureContext `json:"context"`
	Options   FixtureOptions `json:"options"`
	Responses []Response     `json:"responses,omitempty"`
}

// FixtureContext is pi's Context.
type FixtureContext struct {
	SystemPrompt string        `json:"systemPrompt,omitempty"`
	Messages     []ai.Message  `json:"messages"`
	Tools        []ai.ToolSpec `json:"tools,omitempty"`
}

// FixtureOptions are pi's SimpleStreamOptions that tests use.
type FixtureOptions struct {
	APIKey          string              `json:"apiKey"`
	Reasoning       string              `json:"reasoning,omitempty"`
	SessionID       string              `json:"sessionId,omitempty"`
	CacheRetention  string              `json:"cacheRetention,omitempty"`
	Temperature     *float64            `json:"temperature,omitempty"`
	MaxTokens       int                 `json:"maxTokens,omitempty"`
	Headers         map[string]string   `json:"headers,omitempty"`
	ThinkingBudgets *ai.ThinkingBudgets `json:"thinkingBudgets,omitempty"`
}

// LoadFixture reads a fixture file.
func LoadFixture(t testing.TB, path string) Fixture {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fx Fixture
	if err := json.Unmarshal(data, &fx); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(fx.Responses) == 0 {
		fx.Responses = []Response{Text("ok")}
	}
	return fx
}

// StreamOptions converts the options for Provider.Stream.
func (fx *Fixture) StreamOptions(client *http.Client) *ai.StreamOptions {
	o := fx.Options
	return &ai.StreamOptions{
		APIKey:          o.APIKey,
		Temperature:     o.Temperature,
		MaxTokens:       o.MaxTokens,
		Reasoning:       o.Reasoning,
		ThinkingBudgets: o.ThinkingBudgets,
		SessionID:       o.SessionID,
		CacheRetention:  o.CacheRetention,
		Headers:         o.Headers,
		HTTPClient:      client,
	}
}

// AIContext converts the context for Provider.Stream.
func (fx *Fixture) AIContext() *ai.Context {
	return &ai.Context{SystemPrompt: fx.Context.SystemPrompt, Messages: fx.Context.Messages, Tools: fx.Context.Tools}
}

// Run streams the fixture through p against a fresh fake and returns the
// request the fake received, the final message and the recorded events.
// The model's baseUrl is kept (compat detection reads it); the client sends
// every request to the fake instead.
func (fx *Fixture) Run(t testing.TB, p ai.Provider) (Request, *ai.Message, *Recorder) {
	t.Helper()
	srv := NewServer(t, Script{Responses: fx.Responses})
	var rec Recorder
	model := fx.Model
	msg := p.Stream(context.Background(), &model, fx.AIContext(), fx.StreamOptions(RedirectClient(srv.URL)), rec.Emit)
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("fake received %d requests, want 1 (message: %s)", len(reqs), msg.ErrorMessage)
	}
	return reqs[0], msg, &rec
}

// RedirectClient returns a client that sends every request to the fake at
// root, whatever host and scheme the URL names, so models can keep their
// real base URLs.
func RedirectClient(root string) *http.Client {
	u, err := url.Parse(root)
	if err != nil {
		panic(fmt.Sprintf("aitest: bad root %q: %v", root, err))
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Scheme = u.Scheme
		r.URL.Host = u.Host
		r.Host = u.Host
		return base.RoundTrip(r)
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// CheckGolden runs every testdata/<prefix>*.json fixture through p and
// compares, per fixture, the request body, the event sequence and the final
// message (its timestamp zeroed) with <fixture>.golden.
func CheckGolden(t *testing.T, p ai.Provider, prefix string, update bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	if len(files) == 0 {
		t.Fatalf("no testdata/%s*.json fixtures", prefix)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			fx := LoadFixture(t, f)
			req, msg, rec := fx.Run(t, p)
			final := *msg
			final.Timestamp = 0
			var doc bytes.Buffer
			enc := json.NewEncoder(&doc)
			enc.SetEscapeHTML(false) // show bodies as sent
			if err := enc.Encode(struct {
				Request json.RawMessage `json:"request"`
				Events  []string        `json:"events"`
				Message *ai.Message     `json:"message"`
			}{req.Body, rec.Sequence(), &final}); err != nil {
				t.Fatal(err)
			}
			Golden(t, strings.TrimSuffix(f, ".json")+".golden", doc.Bytes(), update)
		})
	}
}
