package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// testModel is the model the fake serves.
func testModel() *ai.Model {
	return &ai.Model{ID: "fake-1", Name: "Fake", API: "fake-api", Provider: "fake", ContextWindow: 100000, MaxTokens: 8000, Input: []string{"text", "image"}}
}

// fakeReply scripts one response: it drives a fakeStream as an adapter
// would and returns the final message.
type fakeReply func(s *fakeStream) *ai.Message

// fakeRequest is one recorded request.
type fakeRequest struct {
	Context ai.Context
	Options ai.StreamOptions
}

// fakeProvider serves scripted replies in order and records requests.
type fakeProvider struct {
	t       testing.TB
	clock   *testClock
	mu      sync.Mutex
	replies []fakeReply
	reqs    []fakeRequest
}

func newFake(t testing.TB, replies ...fakeReply) *fakeProvider {
	return &fakeProvider{t: t, clock: &testClock{}, replies: replies}
}

// testClock hands out strictly increasing millisecond timestamps, so
// "before the last compaction" comparisons never tie in fast tests.
type testClock struct {
	mu   sync.Mutex
	last int64
}

func (c *testClock) now() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = max(c.last+1, time.Now().UnixMilli())
	return c.last
}

func (f *fakeProvider) push(r ...fakeReply) {
	f.mu.Lock()
	f.replies = append(f.replies, r...)
	f.mu.Unlock()
}

func (f *fakeProvider) requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fakeProvider) Stream(ctx context.Context, model *ai.Model, c *ai.Context, opts *ai.StreamOptions, emit func(*ai.StreamEvent)) *ai.Message {
	f.mu.Lock()
	f.reqs = append(f.reqs, fakeRequest{Context: ai.Context{SystemPrompt: c.SystemPrompt, Messages: slices.Clone(c.Messages), Tools: c.Tools}, Options: *opts})
	var r fakeReply
	if len(f.replies) > 0 {
		r, f.replies = f.replies[0], f.replies[1:]
	}
	f.mu.Unlock()
	s := &fakeStream{ctx: ctx, emit: emit, msg: ai.Message{Role: ai.RoleAssistant, API: model.API, Provider: model.Provider, Model: model.ID, Timestamp: f.clock.now()}}
	if ctx.Err() != nil {
		return s.aborted()
	}
	if r == nil {
		f.t.Errorf("fake provider: no reply scripted for request %d", len(f.reqs))
		return s.fail("no reply scripted")
	}
	return r(s)
}

// fakeStream builds a response the way an adapter does: one partial
// message, mutated and emitted block by block.
type fakeStream struct {
	ctx     context.Context
	emit    func(*ai.StreamEvent)
	msg     ai.Message
	started bool
}

func (s *fakeStream) ev(e ai.StreamEvent) {
	e.Partial = &s.msg
	s.emit(&e)
}

func (s *fakeStream) start() {
	if !s.started {
		s.started = true
		s.ev(ai.StreamEvent{Type: ai.EventStart})
	}
}

func (s *fakeStream) text(chunks ...string) *fakeStream {
	s.start()
	i := len(s.msg.Content)
	s.msg.Content = append(s.msg.Content, ai.TextContent(""))
	s.ev(ai.StreamEvent{Type: ai.EventTextStart, ContentIndex: i})
	for _, c := range chunks {
		s.msg.Content[i].Text += c
		s.ev(ai.StreamEvent{Type: ai.EventTextDelta, ContentIndex: i, Delta: c})
	}
	s.ev(ai.StreamEvent{Type: ai.EventTextEnd, ContentIndex: i, Content: s.msg.Content[i].Text})
	return s
}

func (s *fakeStream) thinking(text string) *fakeStream {
	s.start()
	i := len(s.msg.Content)
	s.msg.Content = append(s.msg.Content, ai.Content{Type: ai.ContentThinking})
	s.ev(ai.StreamEvent{Type: ai.EventThinkingStart, ContentIndex: i})
	s.msg.Content[i].Thinking = text
	s.ev(ai.StreamEvent{Type: ai.EventThinkingDelta, ContentIndex: i, Delta: text})
	s.msg.Content[i].ThinkingSignature = "sig"
	s.ev(ai.StreamEvent{Type: ai.EventThinkingEnd, ContentIndex: i, Content: text})
	return s
}

func (s *fakeStream) toolCall(id, name, args string) *fakeStream {
	s.start()
	i := len(s.msg.Content)
	s.msg.Content = append(s.msg.Content, ai.Content{Type: ai.ContentToolCall, ID: id, Name: name, Arguments: json.RawMessage("{}")})
	s.ev(ai.StreamEvent{Type: ai.EventToolCallStart, ContentIndex: i})
	half := len(args) / 2
	for _, part := range []string{args[:half], args[half:]} {
		s.ev(ai.StreamEvent{Type: ai.EventToolCallDelta, ContentIndex: i, Delta: part})
	}
	s.msg.Content[i].Arguments = json.RawMessage(args)
	call := s.msg.Content[i]
	s.ev(ai.StreamEvent{Type: ai.EventToolCallEnd, ContentIndex: i, ToolCall: &call})
	return s
}

func (s *fakeStream) usage(total int) *fakeStream {
	s.msg.Usage = ai.Usage{Input: total - 10, Output: 10, TotalTokens: total}
	return s
}

func (s *fakeStream) done() *ai.Message {
	s.start()
	s.msg.StopReason = ai.StopReasonStop
	if len(s.msg.ToolCalls()) > 0 {
		s.msg.StopReason = ai.StopReasonToolUse
	}
	s.ev(ai.StreamEvent{Type: ai.EventDone, Reason: s.msg.StopReason})
	return s.msg.Clone()
}

func (s *fakeStream) fail(msg string) *ai.Message {
	s.msg.StopReason, s.msg.ErrorMessage = ai.StopReasonError, msg
	s.ev(ai.StreamEvent{Type: ai.EventError, Reason: ai.StopReasonError})
	return s.msg.Clone()
}

func (s *fakeStream) aborted() *ai.Message {
	s.msg.StopReason, s.msg.ErrorMessage = ai.StopReasonAborted, "Request was aborted"
	s.ev(ai.StreamEvent{Type: ai.EventError, Reason: ai.StopReasonAborted})
	return s.msg.Clone()
}

// hang waits for the request to be cancelled, as a stalled stream does.
func (s *fakeStream) hang() *ai.Message {
	<-s.ctx.Done()
	return s.aborted()
}

func replyText(text string) fakeReply {
	return func(s *fakeStream) *ai.Message { return s.text(text).done() }
}

func replyError(msg string) fakeReply {
	return func(s *fakeStream) *ai.Message { return s.fail(msg) }
}

type call struct{ id, name, args string }

func replyTools(calls ...call) fakeReply {
	return func(s *fakeStream) *ai.Message {
		for _, c := range calls {
			s.toolCall(c.id, c.name, c.args)
		}
		return s.done()
	}
}

// fakeTool is a tool whose behaviour each test sets.
type fakeTool struct {
	name   string
	schema string
	exec   func(ctx context.Context, c ToolCall, onUpdate func(ToolResult)) (ToolResult, error)
}

func (f *fakeTool) Spec() ai.ToolSpec {
	schema := f.schema
	if schema == "" {
		schema = `{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`
	}
	return ai.ToolSpec{Name: f.name, Description: f.name + " tool", Parameters: json.RawMessage(schema)}
}

func (f *fakeTool) Execute(ctx context.Context, c ToolCall, onUpdate func(ToolResult)) (ToolResult, error) {
	if f.exec == nil {
		return ToolResult{Content: []ai.Content{ai.TextContent(f.name + " ok " + string(c.Args))}}, nil
	}
	return f.exec(ctx, c, onUpdate)
}

// recorder keeps every event as its type and reference JSON (events are
// only valid during the call, and marshalling each one checks it is
// race-free).
type recorder struct {
	mu     sync.Mutex
	events []recorded
	hook   func(*Event)
}

type recorded struct {
	Type string
	JSON map[string]any
}

func (r *recorder) on(ev *Event) {
	b, err := ev.MarshalJSON()
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("invalid event JSON %s: %v", b, err))
	}
	r.mu.Lock()
	r.events = append(r.events, recorded{ev.Type, m})
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		hook(ev)
	}
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.Type
	}
	return out
}

// of returns the recorded events of one type.
func (r *recorder) of(typ string) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e.JSON)
		}
	}
	return out
}

// without drops noisy types from a type list.
func without(types []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(types), func(t string) bool { return slices.Contains(drop, t) })
}

// memSession is an in-memory session: it appends an entry for every
// message_end, as the persistence layer does, and compacts like the
// registry glue will.
type memSession struct {
	clock   *testClock
	mu      sync.Mutex
	entries []compaction.Entry
	n       int
}

func (s *memSession) on(ev *Event) {
	if ev.Type != EventMessageEnd {
		return
	}
	m := *ev.Message
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := compaction.KindMessage
	if m.Role == ai.RoleCustom {
		kind = compaction.KindCustomMessage
	}
	s.n++
	s.entries = append(s.entries, compaction.Entry{ID: "e" + strconv.Itoa(s.n), Kind: kind, Timestamp: m.Timestamp, Message: &m})
}

func (s *memSession) Compact(ctx context.Context, req CompactRequest) (*CompactOutcome, error) {
	s.mu.Lock()
	path := slices.Clone(s.entries)
	s.mu.Unlock()
	res, err := compaction.Compact(ctx, path, req.Settings, req.LLM, req.CustomInstructions)
	if err != nil {
		return nil, err
	}
	details, _ := json.Marshal(res.Details)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	s.entries = append(s.entries, compaction.Entry{
		ID: "e" + strconv.Itoa(s.n), Kind: compaction.KindCompaction, Timestamp: s.clock.now(),
		Summary: res.Summary, FirstKeptEntryID: res.FirstKeptEntryID, TokensBefore: res.TokensBefore, Details: details,
	})
	return &CompactOutcome{Result: *res, Messages: compaction.ContextMessages(s.entries)}, nil
}

// newTestAgent builds an agent on the fake with fast retries.
func newTestAgent(t testing.TB, p ai.Provider, tools []Tool, mutate func(*Config)) *Agent {
	s := DefaultSettings()
	s.Retry.BaseDelayMs = 1
	cfg := Config{Provider: p, Model: testModel(), Tools: tools, SystemPrompt: "You are a test.", Settings: s,
		APIKey: func(context.Context, string) (string, error) { return "key", nil }}
	if mutate != nil {
		mutate(&cfg)
	}
	a := New(cfg)
	t.Cleanup(a.Close)
	return a
}

// waitIdle waits for the run to end, failing the test after a while.
func waitIdle(t testing.TB, a *Agent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.WaitIdle(ctx); err != nil {
		t.Fatalf("agent did not become idle: %v", err)
	}
}
