package agent

import (
	"context"
	"testing"

	"github.com/pi-forge/pi-forge/internal/ai"
)

// deltaProvider streams one text block of n deltas. The partial message is
// not grown, so the benchmark measures the agent, not the fake.
type deltaProvider struct{ n int }

func (p *deltaProvider) Stream(ctx context.Context, model *ai.Model, c *ai.Context, opts *ai.StreamOptions, emit func(*ai.StreamEvent)) *ai.Message {
	msg := &ai.Message{Role: ai.RoleAssistant, API: model.API, Provider: model.Provider, Model: model.ID,
		Content: []ai.Content{ai.TextContent("")}}
	ev := ai.StreamEvent{Type: ai.EventStart, Partial: msg}
	emit(&ev)
	ev = ai.StreamEvent{Type: ai.EventTextStart, Partial: msg}
	emit(&ev)
	for range p.n {
		ev = ai.StreamEvent{Type: ai.EventTextDelta, Delta: "token ", Partial: msg}
		emit(&ev)
	}
	ev = ai.StreamEvent{Type: ai.EventTextEnd, Partial: msg}
	emit(&ev)
	msg.StopReason = ai.StopReasonStop
	return msg
}

func benchDeltas(b *testing.B, subscribe func(a *Agent)) {
	a := New(Config{Provider: &deltaProvider{n: b.N}, Model: testModel(), Settings: DefaultSettings()})
	defer a.Close()
	if subscribe != nil {
		subscribe(a)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if err := a.Prompt("go", PromptOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := a.WaitIdle(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStreamDelta is the agent's cost per streamed text delta (one op
// = one delta), from the provider's emit to every subscriber.
func BenchmarkStreamDelta(b *testing.B) {
	b.Run("no-subscriber", func(b *testing.B) { benchDeltas(b, nil) })
	b.Run("noop-subscriber", func(b *testing.B) {
		benchDeltas(b, func(a *Agent) { a.Subscribe(func(*Event) {}) })
	})
	b.Run("compact-json-subscriber", func(b *testing.B) {
		benchDeltas(b, func(a *Agent) {
			buf := make([]byte, 0, 4096)
			a.Subscribe(func(ev *Event) {
				buf, _ = ev.AppendJSON(buf[:0], FramingCompact)
			})
		})
	})
}

// BenchmarkEventJSON is the cost of marshalling one event.
func BenchmarkEventJSON(b *testing.B) {
	_, partial, final, _ := goldenMessages()
	delta := &Event{Type: EventMessageUpdate, Message: &partial,
		AssistantEvent: &ai.StreamEvent{Type: ai.EventTextDelta, Delta: "Hello, world", Partial: &partial}}
	end := &Event{Type: EventMessageEnd, Message: &final}
	buf := make([]byte, 0, 4096)
	for _, c := range []struct {
		name string
		ev   *Event
		f    Framing
	}{
		{"text_delta-compact", delta, FramingCompact},
		{"text_delta-reference", delta, FramingReference},
		{"message_end", end, FramingReference},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = c.ev.AppendJSON(buf[:0], c.f)
			}
		})
	}
}
