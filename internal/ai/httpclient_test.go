package ai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestNewHTTPClientHonoursProxyVariables(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.Host)
		mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
	}))
	defer proxy.Close()
	direct := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer direct.Close()

	env := map[string]string{"HTTPS_PROXY": proxy.URL, "ALL_PROXY": proxy.URL, "NO_PROXY": "skip.invalid"}
	c := NewHTTPClient(func(k string) string { return env[k] })
	get := func(url string) error {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	_ = get("https://api.example.invalid/v1/messages") // CONNECT through the proxy, refused
	_ = get("http://plain.example.invalid/x")          // forwarded by the proxy
	_ = get("http://skip.invalid/x")                   // NO_PROXY: direct, and fails to resolve
	if err := get(direct.URL); err != nil {            // loopback: never proxied
		t.Errorf("loopback request: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"CONNECT api.example.invalid:443", "GET plain.example.invalid"}
	if len(seen) != 2 || seen[0] != want[0] || seen[1] != want[1] {
		t.Errorf("proxy saw %q, want %q", seen, want)
	}
	c.CloseIdleConnections()
}

func TestDispatcherRoutesByAPI(t *testing.T) {
	called := ""
	fake := providerFunc(func(m *Model) *Message { called = m.API; return &Message{StopReason: StopReasonStop} })
	d := NewDispatcher(map[string]Provider{APIGoogleGenerativeAI: fake})
	d.Stream(context.Background(), &Model{API: APIGoogleGenerativeAI}, &Context{}, nil, nil)
	if called != APIGoogleGenerativeAI || !d.Supports(APIGoogleGenerativeAI) || d.Supports(APIOpenAIResponses) {
		t.Errorf("called %q", called)
	}
	var events []string
	msg := d.Stream(context.Background(), &Model{API: "bedrock-converse-stream", Provider: "amazon-bedrock"}, &Context{}, nil,
		func(e *StreamEvent) { events = append(events, e.Type) })
	if msg.StopReason != StopReasonError || msg.ErrorMessage != "No API provider registered for api: bedrock-converse-stream" || len(events) != 1 || events[0] != EventError {
		t.Errorf("unknown api: %q %q %v", msg.StopReason, msg.ErrorMessage, events)
	}
}

type providerFunc func(m *Model) *Message

func (f providerFunc) Stream(_ context.Context, m *Model, _ *Context, _ *StreamOptions, _ func(*StreamEvent)) *Message {
	return f(m)
}
