package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/ai/aitest"
	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/stream"
)

// liveOnly drops the snapshot: what remains is comparable between clients
// that connected at the same point.
func liveOnly(evs []apitest.Event) []apitest.Event {
	return slices.DeleteFunc(slices.Clone(evs), func(ev apitest.Event) bool { return ev.Type() == "snapshot" })
}

// TestStreamClientsSeeTheSameEvents: three clients of one session get the
// same events with the same ids in the same order.
func TestStreamClientsSeeTheSameEvents(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(300)}}}}}, sessOptions{})
	id := e.createSession()
	var streams []*apitest.Stream
	for range 3 {
		streams = append(streams, e.stream(id))
	}
	e.prompt(id, "talk")
	var first []apitest.Event
	for i, st := range streams {
		evs := liveOnly(st.Until(t, "agent_end", 20*time.Second))
		if i == 0 {
			first = evs
			if n := len(evs); n < 300 {
				t.Fatalf("only %d events", n)
			}
			continue
		}
		if !slices.Equal(evs, first) {
			t.Fatalf("client %d saw %d events, client 0 saw %d, or they differ", i, len(evs), len(first))
		}
	}
}

// TestStreamSlowClient: a client that stops reading does not hold up the
// agent or a reading client; its connection is closed, and on reconnecting
// with its last id it gets exactly the events it missed.
func TestStreamSlowClient(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(4000)}}, ChunkSize: 60, DelayMS: 1}}},
		sessOptions{sendBuffer: 8 << 10, registry: func(o *registry.Options) {
			o.Stream = stream.Limits{ReplayEvents: 200000, ReplayBytes: 256 << 20, QueueEvents: 128}
		}})
	id := e.createSession()
	fast := e.stream(id)
	slow, r := apitest.OpenStreamWith(t, e.URL+"/api/v1/sessions/"+id+"/stream", apitest.StreamOptions{Held: true})
	if slow == nil {
		t.Fatal(r.StatusCode)
	}
	e.prompt(id, "talk a lot")
	reference := liveOnly(fast.Until(t, "agent_end", 60*time.Second))
	// The run finished and the reading client has everything while the
	// slow one has not read a byte.
	slow.Release()
	var got []apitest.Event
	for {
		ev, err := slow.Next(30 * time.Second)
		if err != nil {
			break // the server closed the slow connection
		}
		got = append(got, ev)
	}
	got = liveOnly(got)
	if len(got) == 0 || len(got) >= len(reference) {
		t.Fatalf("slow client got %d of %d events before it was dropped", len(got), len(reference))
	}
	if !slices.Equal(got, reference[:len(got)]) {
		t.Fatal("the slow client's events before the drop are not a prefix of the stream")
	}
	again := e.stream(id, "Last-Event-ID: "+got[len(got)-1].ID)
	rest := again.Until(t, "agent_end", 30*time.Second)
	if rest[0].Type() == "snapshot" {
		t.Fatal("reconnect got a snapshot, not the missed events")
	}
	if all := append(got, rest...); !slices.Equal(all, reference) {
		t.Fatalf("after catching up: %d events, want %d", len(all), len(reference))
	}
}

// TestStreamResumeWithLastEventID: a connection dropped mid-reply and
// resumed with Last-Event-ID (header or query) misses and repeats nothing.
func TestStreamResumeWithLastEventID(t *testing.T) {
	for _, via := range []string{"header", "query"} {
		t.Run(via, func(t *testing.T) {
			e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words(60)}}, DelayMS: 5}}}, sessOptions{})
			id := e.createSession()
			whole := e.stream(id)
			part := e.stream(id)
			e.prompt(id, "talk")
			var got []apitest.Event
			for len(got) < 20 {
				ev, err := part.Next(10 * time.Second)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, ev)
			}
			part.Close()
			last := got[len(got)-1].ID
			var rest *apitest.Stream
			if via == "header" {
				rest = e.stream(id, "Last-Event-ID: "+last)
			} else {
				rest = e.Stream("/api/v1/sessions/" + id + "/stream?lastEventId=" + last)
			}
			got = append(liveOnly(got), rest.Until(t, "agent_end", 20*time.Second)...)
			if want := liveOnly(whole.Until(t, "agent_end", 20*time.Second)); !slices.Equal(got, want) {
				t.Fatalf("resumed client: %d events, uninterrupted: %d", len(got), len(want))
			}
			// An id from another life of the session gets a fresh snapshot.
			other := e.stream(id, "Last-Event-ID: 0123456789ab:3")
			if ev, _ := other.Next(5 * time.Second); ev.Type() != "snapshot" || ev.ID == "" {
				t.Fatalf("unknown id answered with %s %q", ev.Type(), ev.ID)
			}
		})
	}
}

// TestStreamSnapshotMidReply: a client connecting mid-reply gets the
// partial reply as streamingMessage, and the deltas that follow complete it
// to exactly the final message.
func TestStreamSnapshotMidReply(t *testing.T) {
	text := words(80)
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{{Blocks: []aitest.Block{
		{Type: aitest.BlockThinking, Text: "let me think about this"}, {Type: aitest.BlockText, Text: text},
		aitest.ToolCall("c1", "ls", `{"path":"."}`)}, DelayMS: 3}, aitest.Text("done")}}, sessOptions{})
	id := e.createSession()
	first := e.stream(id)
	e.prompt(id, "go")
	for n := 0; n < 40; {
		ev, err := first.Next(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type() == "message_update" {
			n++
		}
	}
	late := e.stream(id)
	evs := late.Until(t, "message_end", 20*time.Second)
	snap := evs[0].Map()
	if snap["type"] != "snapshot" || snap["isStreaming"] != true || snap["streamingMessage"] == nil {
		t.Fatalf("snapshot %s", evs[0].Data)
	}
	var draft partialMessage
	if err := json.Unmarshal([]byte(mustJSON(t, snap["streamingMessage"])), &draft); err != nil {
		t.Fatal(err)
	}
	if len(draft.Content) == 0 {
		t.Fatal("empty streaming message")
	}
	for _, ev := range evs[1 : len(evs)-1] {
		if ev.Type() != "message_update" {
			t.Fatalf("unexpected %s", ev.Type())
		}
		var u struct{ AssistantMessageEvent assistantEvent }
		if err := json.Unmarshal([]byte(ev.Data), &u); err != nil {
			t.Fatal(err)
		}
		draft.apply(u.AssistantMessageEvent)
	}
	var end struct{ Message partialMessage }
	if err := json.Unmarshal([]byte(evs[len(evs)-1].Data), &end); err != nil {
		t.Fatal(err)
	}
	// Signatures travel only in message_end, which replaces the draft.
	for _, b := range end.Message.Content {
		delete(b, "thinkingSignature")
		delete(b, "textSignature")
	}
	if got, want := mustJSON(t, draft.Content), mustJSON(t, end.Message.Content); got != want {
		t.Fatalf("rebuilt\n %s\nfinal\n %s", got, want)
	}
}

// partialMessage is a client's copy of a streaming assistant message.
type partialMessage struct {
	Content []map[string]any `json:"content"`
}

type assistantEvent struct {
	Type         string         `json:"type"`
	ContentIndex int            `json:"contentIndex"`
	Delta        string         `json:"delta"`
	Content      string         `json:"content"`
	ToolCall     map[string]any `json:"toolCall"`
}

// apply folds one compact delta into the message, as docs/sse.md says a
// client does.
func (p *partialMessage) apply(ev assistantEvent) {
	for len(p.Content) <= ev.ContentIndex {
		p.Content = append(p.Content, map[string]any{})
	}
	b := p.Content[ev.ContentIndex]
	switch ev.Type {
	case "text_start":
		p.Content[ev.ContentIndex] = map[string]any{"type": "text", "text": ""}
	case "thinking_start":
		p.Content[ev.ContentIndex] = map[string]any{"type": "thinking", "thinking": ""}
	case "toolcall_start":
		p.Content[ev.ContentIndex] = map[string]any{"type": "toolCall", "id": ev.ToolCall["id"], "name": ev.ToolCall["name"], "arguments": map[string]any{}}
	case "text_delta":
		b["text"] = b["text"].(string) + ev.Delta
	case "thinking_delta":
		b["thinking"] = b["thinking"].(string) + ev.Delta
	case "text_end":
		b["text"] = ev.Content
	case "thinking_end":
		b["thinking"] = ev.Content
	case "toolcall_end":
		p.Content[ev.ContentIndex] = ev.ToolCall
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStreamFramingGolden: the wire bytes of one short run in compact
// framing and in the reference framing (?framing=reference), timestamps and
// ids normalised, against golden files (-update rewrites them).
func TestStreamFramingGolden(t *testing.T) {
	for _, framing := range []string{"compact", "reference"} {
		t.Run(framing, func(t *testing.T) {
			e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{
				{Blocks: []aitest.Block{{Type: aitest.BlockThinking, Text: "hmm ok"}, {Type: aitest.BlockText, Text: "Hi there friend"},
					aitest.ToolCall("c1", "ls", `{"path":"."}`)}, Usage: &aitest.Usage{Input: 10, Output: 5}},
				{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: "Done."}}, Usage: &aitest.Usage{Input: 20, Output: 2}},
			}}, sessOptions{})
			if err := os.WriteFile(filepath.Join(e.Project.Path, "a.txt"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			id := e.createSession()
			path := "/api/v1/sessions/" + id + "/stream"
			if framing == "reference" {
				path += "?framing=reference"
			}
			st := e.Stream(path)
			e.prompt(id, "say hi")
			var b strings.Builder
			for _, ev := range st.Until(t, "agent_end", 20*time.Second) {
				b.WriteString("id: " + ev.ID + "\ndata: " + ev.Data + "\n\n")
			}
			got := normalise(b.String(), id, e.Project.ID, e.Project.Path)
			apitest.Golden(t, filepath.Join("testdata", "stream_"+framing+".golden"), got, *update)
			if framing == "reference" && !strings.Contains(got, `"partial":{"role":"assistant"`) {
				t.Error("reference framing without partial messages")
			}
		})
	}
}

var (
	streamIDs  = regexp.MustCompile(`id: [0-9a-f]{12}:`)
	timestamps = regexp.MustCompile(`"timestamp":\d+`)
	respIDs    = regexp.MustCompile(`"responseId":"[^"]*"`)
)

func normalise(s, sessionID, projectID, projectPath string) string {
	s = streamIDs.ReplaceAllString(s, "id: STREAM:")
	s = timestamps.ReplaceAllString(s, `"timestamp":0`)
	s = respIDs.ReplaceAllString(s, `"responseId":"RESP"`)
	s = strings.ReplaceAll(s, sessionID, "SESSION")
	s = strings.ReplaceAll(s, projectID, "PROJECT")
	return strings.ReplaceAll(s, projectPath, "/PROJECT")
}

// TestStreamHeartbeatAndShutdown: an idle stream gets 2048-byte padded
// heartbeats, and ends when the server shuts down.
func TestStreamHeartbeatAndShutdown(t *testing.T) {
	closing := make(chan struct{})
	e := newSessEnv(t, aitest.Script{}, sessOptions{api: func(d *api.Sessions) {
		d.Heartbeat = 20 * time.Millisecond
		d.Closing = closing
	}})
	id := e.createSession()
	st := e.stream(id)
	st.Until(t, "snapshot", 5*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for st.Comments() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d heartbeats", st.Comments())
		}
		time.Sleep(10 * time.Millisecond) // heartbeats are timed; there is no event to wait for
	}
	raw := e.rawStream(id)
	if !strings.Contains(raw, "\n\n: heartbeat ") || !heartbeatSized(raw) {
		t.Errorf("heartbeat frame not 2048 bytes:\n%.300q", raw)
	}
	close(closing)
	select {
	case <-st.Ended():
	case <-time.After(5 * time.Second):
		t.Fatal("stream did not end at shutdown")
	}
}

// rawStream reads the first bytes of a stream until a heartbeat passed.
func (e *sessEnv) rawStream(id string) string {
	e.T.Helper()
	resp, err := http.Get(e.URL + "/api/v1/sessions/" + id + "/stream")
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var b []byte
	buf := make([]byte, 4096)
	for !strings.Contains(string(b), ": heartbeat") || !strings.HasSuffix(string(b), "\n\n") {
		n, err := resp.Body.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			break
		}
	}
	return string(b)
}

func heartbeatSized(raw string) bool {
	i := strings.Index(raw, ": heartbeat ")
	j := strings.Index(raw[i:], "\n\n")
	return j+2 == 2048
}

// TestStreamResumeEndsReplayWithAComment: after the replayed events a
// resuming client gets a comment frame at once, so it can show itself live
// without guessing from silence.
func TestStreamResumeEndsReplayWithAComment(t *testing.T) {
	e := newSessEnv(t, aitest.Script{Responses: []aitest.Response{aitest.Text("hello there")}}, sessOptions{})
	id := e.createSession()
	first := e.stream(id)
	snap, err := first.Next(5 * time.Second)
	if err != nil || snap.Type() != "snapshot" {
		t.Fatalf("first frame %v %v", snap.Type(), err)
	}
	first.Close()
	resumed := e.stream(id, "Last-Event-ID: "+snap.ID)
	deadline := time.Now().Add(5 * time.Second)
	for resumed.Comments() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no comment frame after the (empty) replay")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
