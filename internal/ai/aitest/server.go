package aitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Request is one request the server received.
type Request struct {
	API    string // wire format, from the path
	Path   string
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value, for assertions.
func (r *Request) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Handler serves a script on all four wire formats:
//
//	POST /v1/messages                         anthropic-messages
//	POST [/v1]/chat/completions               openai-completions
//	POST [/v1]/responses                      openai-responses
//	POST /v1beta/models/{id}:streamGenerateContent   google-generative-ai
type Handler struct {
	mu        sync.Mutex
	script    Script
	next      int
	requests  []Request
	responses int
}

// NewHandler returns a handler that plays script.
func NewHandler(script Script) *Handler { return &Handler{script: script} }

// Push appends responses to the script.
func (h *Handler) Push(rs ...Response) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.script.Responses = append(h.script.Responses, rs...)
}

// Requests returns a copy of the requests received so far.
func (h *Handler) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests...)
}

// Remaining returns how many scripted responses are still unused.
func (h *Handler) Remaining() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.script.Responses) - h.next
}

func apiOf(path string) string {
	switch {
	case strings.HasSuffix(path, "/v1/messages"):
		return ai.APIAnthropicMessages
	case strings.HasSuffix(path, "/chat/completions"):
		return ai.APIOpenAICompletions
	case strings.HasSuffix(path, "/responses"):
		return ai.APIOpenAIResponses
	case strings.Contains(path, "/models/") && strings.HasSuffix(path, ":streamGenerateContent"):
		return ai.APIGoogleGenerativeAI
	}
	return ""
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		h.control(w, r)
		return
	}
	api := apiOf(r.URL.Path)
	if r.Method != http.MethodPost || api == "" {
		http.Error(w, "aitest: no fake for "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "aitest: read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	resp, seq, ok := h.take(Request{API: api, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	if !ok {
		writeHTTPError(w, api, &Error{Status: 500, Message: fmt.Sprintf("aitest: script exhausted after %d responses", seq-1)})
		return
	}
	if resp.Error != nil {
		writeHTTPError(w, api, resp.Error)
		return
	}
	usage := resp.usage(len(body))
	out := newEventWriter(r.Context(), w, api, &resp)
	switch api {
	case ai.APIAnthropicMessages:
		writeAnthropic(out, &resp, usage, seq, modelOf(body))
	case ai.APIOpenAICompletions:
		writeCompletions(out, &resp, usage, seq, modelOf(body))
	case ai.APIOpenAIResponses:
		writeResponses(out, &resp, usage, seq, modelOf(body))
	case ai.APIGoogleGenerativeAI:
		writeGoogle(out, &resp, usage, seq, googleModel(r.URL.Path))
	}
}

// controlPrefix starts the routes that script a running fake over HTTP
// (for browser tests and demos driving a separate process):
//
//	PUT  /_aitest/script     replace the script; recorded requests are cleared
//	POST /_aitest/responses  append responses (a JSON array)
//	GET  /_aitest/requests   the recorded requests as JSON
const controlPrefix = "/_aitest/"

func (h *Handler) control(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + strings.TrimPrefix(r.URL.Path, controlPrefix) {
	case "PUT script":
		data, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		script, err := ParseScript(data)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.script, h.next, h.requests, h.responses = script, 0, nil, 0
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case "POST responses":
		data, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		script, err := ParseScript(append(append([]byte(`{"responses":`), data...), '}'))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.Push(script.Responses...)
		w.WriteHeader(http.StatusNoContent)
	case "GET requests":
		type wireRequest struct {
			API  string          `json:"api"`
			Path string          `json:"path"`
			Body json.RawMessage `json:"body"`
		}
		reqs := h.Requests()
		out := make([]wireRequest, len(reqs))
		for i, q := range reqs {
			body := json.RawMessage(q.Body)
			if !json.Valid(body) {
				body, _ = json.Marshal(string(q.Body))
			}
			out[i] = wireRequest{API: q.API, Path: q.Path, Body: body}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	default:
		http.Error(w, "aitest: unknown control route", http.StatusNotFound)
	}
}

// take records the request and picks its response; seq numbers responses
// from 1.
func (h *Handler) take(req Request) (Response, int, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, req)
	h.responses++
	seq := h.responses
	if h.next < len(h.script.Responses) {
		r := h.script.Responses[h.next]
		h.next++
		return r, seq, true
	}
	if h.script.Fallback != nil {
		return canned(h.script.Fallback, req), seq, true
	}
	return Response{}, seq, false
}

func modelOf(body []byte) string {
	var m struct {
		Model string `json:"model"`
	}
	_ = json.Unmarshal(body, &m)
	return m.Model
}

func googleModel(path string) string {
	_, rest, _ := strings.Cut(path, "/models/")
	id, _, _ := strings.Cut(rest, ":")
	return id
}

// Server is a Handler on a loopback httptest server.
type Server struct {
	*Handler
	URL string
}

// NewServer starts a fake on loopback, closed when the test ends.
func NewServer(tb testing.TB, script Script) *Server {
	tb.Helper()
	h := NewHandler(script)
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return &Server{Handler: h, URL: srv.URL}
}

// BaseURL returns the baseUrl a model of api uses to reach the fake at
// root (its URL without a trailing slash), the way pi's adapters join it:
// the root for anthropic, /v1 for the OpenAI APIs, /v1beta for Google.
func BaseURL(root, api string) string {
	switch api {
	case ai.APIOpenAICompletions, ai.APIOpenAIResponses:
		return root + "/v1"
	case ai.APIGoogleGenerativeAI:
		return root + "/v1beta"
	}
	return root
}

// Model returns a model of api served by the fake: provider "fake", id
// "fake-model", reasoning, text and image input, and non-zero prices so
// cost is visible.
func (s *Server) Model(api string) *ai.Model { return FakeModel(s.URL, api) }

// FakeModel is Model for a fake at root.
func FakeModel(root, api string) *ai.Model {
	return &ai.Model{
		ID:            "fake-model",
		Name:          "Fake Model",
		API:           api,
		Provider:      "fake",
		BaseURL:       BaseURL(root, api),
		Reasoning:     true,
		Input:         []string{"text", "image"},
		Cost:          ai.ModelCost{Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75},
		ContextWindow: 200000,
		MaxTokens:     8192,
	}
}

// eventWriter writes SSE events with the response's pacing and failures.
type eventWriter struct {
	ctx   context.Context
	w     http.ResponseWriter
	rc    *http.ResponseController
	delay time.Duration
	drop  int
	sent  int
	crlf  bool
	err   error
	buf   bytes.Buffer
}

func newEventWriter(ctx context.Context, w http.ResponseWriter, api string, r *Response) *eventWriter {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return &eventWriter{
		ctx:   ctx,
		w:     w,
		rc:    http.NewResponseController(w),
		delay: time.Duration(r.DelayMS) * time.Millisecond,
		drop:  r.DisconnectAfter,
		crlf:  api == ai.APIGoogleGenerativeAI, // Google frames events with CRLF
	}
}

// send writes one event (name may be empty) whose data is v as JSON, or v
// itself when it is a string. It waits the delay first and drops the
// connection when the disconnect count is reached. After a failure or a
// client abort it does nothing.
func (e *eventWriter) send(name string, v any) {
	if e.err != nil {
		return
	}
	if e.drop > 0 && e.sent >= e.drop {
		// Abort the response mid-body: the client sees the connection end
		// without the chunked terminator.
		panic(http.ErrAbortHandler)
	}
	if e.delay > 0 {
		t := time.NewTimer(e.delay)
		select {
		case <-t.C:
		case <-e.ctx.Done():
			t.Stop()
			e.err = e.ctx.Err()
			return
		}
	}
	e.buf.Reset()
	nl := "\n"
	if e.crlf {
		nl = "\r\n"
	}
	if name != "" {
		e.buf.WriteString("event: " + name + nl)
	}
	e.buf.WriteString("data: ")
	if s, ok := v.(string); ok {
		e.buf.WriteString(s)
	} else {
		enc := json.NewEncoder(&e.buf)
		enc.SetEscapeHTML(false) // providers do not escape <, > and &
		if err := enc.Encode(v); err != nil {
			e.err = err
			return
		}
		e.buf.Truncate(e.buf.Len() - 1) // Encode's newline
	}
	e.buf.WriteString(nl + nl)
	if _, err := e.w.Write(e.buf.Bytes()); err != nil {
		e.err = err
		return
	}
	if err := e.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		e.err = err
		return
	}
	e.sent++
}

// RenderStream returns the body the fake would stream for r on api, for
// benchmarks that replay it without a server (see ReplayClient).
func RenderStream(api string, r Response, model string) []byte {
	rec := httptest.NewRecorder()
	out := newEventWriter(context.Background(), rec, api, &r)
	u := r.usage(0)
	switch api {
	case ai.APIAnthropicMessages:
		writeAnthropic(out, &r, u, 1, model)
	case ai.APIOpenAICompletions:
		writeCompletions(out, &r, u, 1, model)
	case ai.APIOpenAIResponses:
		writeResponses(out, &r, u, 1, model)
	case ai.APIGoogleGenerativeAI:
		writeGoogle(out, &r, u, 1, model)
	}
	return rec.Body.Bytes()
}

// ReplayClient answers every request with 200 and body as an event
// stream, without a network: adapter benchmarks measure the adapter alone.
func ReplayClient(body []byte) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		return &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"Content-Type": []string{"text/event-stream"}},
			Body:       io.NopCloser(bytes.NewReader(body)),
			Request:    r,
		}, nil
	})}
}
