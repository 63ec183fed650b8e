package aitest_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/ai/aitest"
)

// BenchmarkAdapterTextDeltas measures what an adapter costs per streamed
// text delta: SSE decoding, JSON decoding of the provider event, the
// partial-message update and the emitted event. The stream is replayed
// from memory, so neither network nor the fake server is counted.
func BenchmarkAdapterTextDeltas(b *testing.B) {
	words := strings.Repeat("lorem ipsum dolor sit amet ", 200) // 1000 deltas
	benchAdapters(b, aitest.Response{Blocks: []aitest.Block{{Type: aitest.BlockText, Text: words}}}, 1000)
}

// BenchmarkAdapterToolArgDeltas streams a 3.2 KB tool-call argument in 200
// fragments: each delta re-derives the best-effort arguments object.
func BenchmarkAdapterToolArgDeltas(b *testing.B) {
	content := strings.Repeat("x", 3200-len(`{"path":"a.txt","content":""}`))
	args, _ := json.Marshal(map[string]string{"path": "a.txt", "content": content})
	benchAdapters(b, aitest.Response{ChunkSize: 16, Blocks: []aitest.Block{aitest.ToolCall("call_1", "write", string(args))}}, 200)
}

func benchAdapters(b *testing.B, r aitest.Response, deltas int) {
	d := adapters()
	for _, api := range []string{ai.APIAnthropicMessages, ai.APIOpenAICompletions, ai.APIOpenAIResponses, ai.APIGoogleGenerativeAI} {
		if api == ai.APIGoogleGenerativeAI && r.Blocks[0].Type == aitest.BlockToolCall {
			continue // Gemini sends tool calls whole: there are no argument deltas
		}
		b.Run(api, func(b *testing.B) {
			model := aitest.FakeModel("http://bench.invalid", api)
			body := aitest.RenderStream(api, r, model.ID)
			opts := &ai.StreamOptions{APIKey: "k", HTTPClient: aitest.ReplayClient(body)}
			c := &ai.Context{Messages: []ai.Message{{Role: ai.RoleUser, Content: []ai.Content{ai.TextContent("go")}}}}
			events := 0
			emit := func(*ai.StreamEvent) { events++ }
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for range b.N {
				if msg := d.Stream(context.Background(), model, c, opts, emit); msg.StopReason == ai.StopReasonError {
					b.Fatal(msg.ErrorMessage)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			n := float64(b.N)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n/float64(deltas), "ns/delta")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n/float64(deltas), "allocs/delta")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(events), "allocs/event")
			b.ReportMetric(float64(len(body))/float64(deltas), "wire-bytes/delta")
		})
	}
}
