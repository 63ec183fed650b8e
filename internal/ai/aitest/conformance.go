package aitest

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// Conformance checks the behaviour every adapter shares against a fake of
// its wire format over real HTTP: the event protocol, text, thinking,
// parallel tool calls with streamed arguments, usage and cost, HTTP and
// in-band errors, a dropped connection, abort, and a missing key.
func Conformance(t *testing.T, p ai.Provider, api string) {
	t.Run("text", func(t *testing.T) { conformText(t, p, api) })
	t.Run("thinking and parallel tool calls", func(t *testing.T) { conformTools(t, p, api) })
	t.Run("length", func(t *testing.T) {
		msg, _ := streamOne(t, p, api, Response{Blocks: []Block{{Type: BlockText, Text: "cut"}}, StopReason: "length"})
		if msg.StopReason != ai.StopReasonLength {
			t.Errorf("stopReason = %q, want length", msg.StopReason)
		}
	})
	t.Run("http errors", func(t *testing.T) { conformHTTPErrors(t, p, api) })
	t.Run("stream error", func(t *testing.T) {
		msg, _ := streamOne(t, p, api, Response{Blocks: []Block{{Type: BlockText, Text: "half an answer"}}, StreamError: &Error{Kind: ErrOverloaded}})
		want := errorDefaults(ErrOverloaded, api).message
		if msg.StopReason != ai.StopReasonError || !strings.Contains(msg.ErrorMessage, want) {
			t.Errorf("got %q %q, want error containing %q", msg.StopReason, msg.ErrorMessage, want)
		}
		if msg.Text() != "half an answer" {
			t.Errorf("partial text = %q, want it kept", msg.Text())
		}
	})
	t.Run("disconnect", func(t *testing.T) {
		msg, _ := streamOne(t, p, api, Response{Blocks: []Block{{Type: BlockText, Text: "one two three four five six"}}, DisconnectAfter: 3})
		if msg.StopReason != ai.StopReasonError || !strings.HasPrefix(msg.ErrorMessage, "Connection error") {
			t.Errorf("got %q %q, want a connection error", msg.StopReason, msg.ErrorMessage)
		}
	})
	t.Run("abort", func(t *testing.T) { conformAbort(t, p, api) })
	t.Run("missing key", func(t *testing.T) {
		srv := NewServer(t, Script{Responses: []Response{Text("never")}})
		var rec Recorder
		msg := p.Stream(context.Background(), srv.Model(api), &ai.Context{Messages: userSays("hi")}, &ai.StreamOptions{}, rec.Emit)
		if msg.StopReason != ai.StopReasonError || msg.ErrorMessage != "No API key for provider: fake" {
			t.Errorf("got %q %q", msg.StopReason, msg.ErrorMessage)
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("sent %d requests without a key", n)
		}
		if seq := rec.Sequence(); !reflect.DeepEqual(seq, []string{"error:error"}) {
			t.Errorf("events = %v", seq)
		}
	})
}

func userSays(text string) []ai.Message {
	return []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent(text)}, Timestamp: 1}}
}

// streamOne serves r once and streams a one-line prompt against it.
func streamOne(t *testing.T, p ai.Provider, api string, r Response) (*ai.Message, *Recorder) {
	t.Helper()
	srv := NewServer(t, Script{Responses: []Response{r}})
	var rec Recorder
	msg := p.Stream(context.Background(), srv.Model(api), &ai.Context{Messages: userSays("hi")}, &ai.StreamOptions{APIKey: "k"}, rec.Emit)
	return msg, &rec
}

func conformText(t *testing.T, p ai.Provider, api string) {
	usage := &Usage{Input: 1000, Output: 200, CacheRead: 100}
	msg, rec := streamOne(t, p, api, Response{Blocks: []Block{{Type: BlockText, Text: "Hello there, world."}}, Usage: usage})
	want := []string{"start", "text_start:0", "text_delta:0", "text_end:0", "done:stop"}
	if got := rec.Sequence(); !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if msg.StopReason != ai.StopReasonStop || msg.Text() != "Hello there, world." {
		t.Fatalf("message = %q %q (%s)", msg.StopReason, msg.Text(), msg.ErrorMessage)
	}
	if msg.API != api || msg.Provider != "fake" || msg.Model != "fake-model" || msg.Timestamp == 0 {
		t.Errorf("identity = %s/%s/%s at %d", msg.API, msg.Provider, msg.Model, msg.Timestamp)
	}
	u := msg.Usage
	if u.Input != 1000 || u.Output != 200 || u.CacheRead != 100 || u.TotalTokens != 1300 {
		t.Errorf("usage = %+v", u)
	}
	// FakeModel prices: $3 / $15 / $0.30 per million.
	wantCost := ai.Cost{Input: 0.003, Output: 0.003, CacheRead: 0.00003}
	wantCost.Total = wantCost.Input + wantCost.Output + wantCost.CacheRead
	if !closeCost(u.Cost, wantCost) {
		t.Errorf("cost = %+v, want %+v", u.Cost, wantCost)
	}
	deltas := ""
	for _, e := range rec.Events() {
		if e.Type == ai.EventTextDelta {
			deltas += e.Delta
			if e.Partial.Content[0].Text != deltas {
				t.Errorf("partial text %q after deltas %q", e.Partial.Content[0].Text, deltas)
			}
		}
	}
}

func closeCost(a, b ai.Cost) bool {
	near := func(x, y float64) bool { return x-y < 1e-12 && y-x < 1e-12 }
	return near(a.Input, b.Input) && near(a.Output, b.Output) && near(a.CacheRead, b.CacheRead) &&
		near(a.CacheWrite, b.CacheWrite) && near(a.Total, b.Total)
}

func conformTools(t *testing.T, p ai.Provider, api string) {
	msg, rec := streamOne(t, p, api, Response{
		ChunkSize: 5,
		Blocks: []Block{
			{Type: BlockThinking, Text: "Two files to read."},
			{Type: BlockText, Text: "Reading both."},
			ToolCall("call_a", "read", `{"path":"a.txt","limit":10}`),
			ToolCall("call_b", "read", `{"path":"dir/b.txt"}`),
		},
	})
	if msg.StopReason != ai.StopReasonToolUse {
		t.Fatalf("stopReason = %q (%s)", msg.StopReason, msg.ErrorMessage)
	}
	types := []string{ai.ContentThinking, ai.ContentText, ai.ContentToolCall, ai.ContentToolCall}
	if len(msg.Content) != len(types) {
		t.Fatalf("content = %+v", msg.Content)
	}
	for i, typ := range types {
		if msg.Content[i].Type != typ {
			t.Errorf("block %d is %s, want %s", i, msg.Content[i].Type, typ)
		}
	}
	if msg.Content[0].Thinking != "Two files to read." || msg.Content[1].Text != "Reading both." {
		t.Errorf("texts = %q %q", msg.Content[0].Thinking, msg.Content[1].Text)
	}
	calls := msg.ToolCalls()
	checkCall(t, calls[0], "read", `{"path":"a.txt","limit":10}`)
	checkCall(t, calls[1], "read", `{"path":"dir/b.txt"}`)
	if calls[0].ID == "" || calls[0].ID == calls[1].ID {
		t.Errorf("tool call ids %q %q must be set and distinct", calls[0].ID, calls[1].ID)
	}
	checkBlockEvents(t, rec, msg)
}

func checkCall(t *testing.T, c ai.Content, name, args string) {
	t.Helper()
	var got, want any
	if err := json.Unmarshal(c.Arguments, &got); err != nil {
		t.Fatalf("arguments %s: %v", c.Arguments, err)
	}
	_ = json.Unmarshal([]byte(args), &want)
	if c.Name != name || !reflect.DeepEqual(got, want) {
		t.Errorf("tool call = %s %s, want %s %s", c.Name, c.Arguments, name, args)
	}
}

// checkBlockEvents verifies each block's events: one start, deltas that
// rebuild its content, one end carrying the final content, all with the
// block's content index, and valid JSON arguments in every partial.
func checkBlockEvents(t *testing.T, rec *Recorder, final *ai.Message) {
	t.Helper()
	started := map[int]bool{}
	ended := map[int]bool{}
	text := map[int]string{}
	for _, e := range rec.Events() {
		i := e.ContentIndex
		switch e.Type {
		case ai.EventTextStart, ai.EventThinkingStart, ai.EventToolCallStart:
			if started[i] {
				t.Errorf("block %d started twice", i)
			}
			started[i] = true
		case ai.EventTextDelta, ai.EventThinkingDelta:
			text[i] += e.Delta
		case ai.EventToolCallDelta:
			text[i] += e.Delta
			if !json.Valid(e.Partial.Content[i].Arguments) {
				t.Errorf("partial arguments %q are not JSON", e.Partial.Content[i].Arguments)
			}
		case ai.EventTextEnd, ai.EventThinkingEnd:
			ended[i] = true
			// Responses reasoning deltas close each summary part with "\n\n"
			// that the final text (the parts joined) does not end with.
			if strings.TrimRight(e.Content, "\n") != strings.TrimRight(text[i], "\n") {
				t.Errorf("block %d ends with %q, deltas made %q", i, e.Content, text[i])
			}
		case ai.EventToolCallEnd:
			ended[i] = true
			if e.ToolCall == nil || e.ToolCall.ID != final.Content[i].ID {
				t.Errorf("toolcall_end %d carries %+v", i, e.ToolCall)
			}
		}
		if e.Type != ai.EventStart && e.Type != ai.EventDone && e.Type != ai.EventError && !started[i] {
			t.Errorf("%s for block %d before its start", e.Type, i)
		}
	}
	for i := range final.Content {
		if !started[i] || !ended[i] {
			t.Errorf("block %d: started %v ended %v", i, started[i], ended[i])
		}
	}
}

func conformHTTPErrors(t *testing.T, p ai.Provider, api string) {
	for _, kind := range []string{ErrRateLimit, ErrOverloaded, ErrServer, ErrContextOverflow, ErrAuth} {
		msg, rec := streamOne(t, p, api, Response{Error: &Error{Kind: kind}})
		d := errorDefaults(kind, api)
		if msg.StopReason != ai.StopReasonError || !strings.Contains(msg.ErrorMessage, d.message) {
			t.Errorf("%s: got %q %q, want error containing %q", kind, msg.StopReason, msg.ErrorMessage, d.message)
		}
		if got := ai.IsContextOverflow(msg, 0); got != (kind == ErrContextOverflow) {
			t.Errorf("%s: IsContextOverflow = %v for %q", kind, got, msg.ErrorMessage)
		}
		if seq := rec.Sequence(); !reflect.DeepEqual(seq, []string{"error:error"}) {
			t.Errorf("%s: events = %v", kind, seq)
		}
	}
}

func conformAbort(t *testing.T, p ai.Provider, api string) {
	srv := NewServer(t, Script{Responses: []Response{{
		Blocks:  []Block{{Type: BlockText, Text: strings.Repeat("word ", 200)}},
		DelayMS: 5,
		Usage:   &Usage{Input: 321, Output: 1},
	}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := Recorder{OnEvent: func(e *ai.StreamEvent) {
		if e.Type == ai.EventTextDelta && len(e.Partial.Content[0].Text) >= 10 {
			cancel()
		}
	}}
	msg := p.Stream(ctx, srv.Model(api), &ai.Context{Messages: userSays("hi")}, &ai.StreamOptions{APIKey: "k"}, rec.Emit)
	if msg.StopReason != ai.StopReasonAborted || msg.ErrorMessage != ai.ErrAborted {
		t.Fatalf("got %q %q, want aborted", msg.StopReason, msg.ErrorMessage)
	}
	if txt := msg.Text(); len(txt) < 10 || len(txt) >= 1000 {
		t.Errorf("partial text has %d bytes, want the part streamed before the abort", len(txt))
	}
	seq := rec.Sequence()
	if seq[len(seq)-1] != "error:aborted" {
		t.Errorf("last event = %s", seq[len(seq)-1])
	}
}
