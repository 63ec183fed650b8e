package agent

import (
	"context"
	"slices"

	"github.com/pi-forge/pi-forge/internal/agent/convert"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// loopStart says how a loop begins: with new prompt messages, or as a
// continuation of the context as it is.
type loopStart struct {
	prompts             []ai.Message
	continuation        bool
	skipInitialSteering bool // the prompts were just taken from the steering queue
	dequeued            bool // the prompts left a queue: announce it
}

// loopResult is what one loop produced.
type loopResult struct {
	newMessages []ai.Message
	last        *ai.Message // the last assistant response
}

// turnLoop is the state of one run of pi's agent loop.
type turnLoop struct {
	a       *Agent
	ctx     context.Context
	context []ai.Message // the LLM context, which the loop owns
	added   []ai.Message // messages this loop added
	ev      Event        // reused for every delta, so streaming does not allocate
}

// loop runs turns until the model stops asking for tools and no steering
// or follow-up message waits (pi's runLoop). It emits everything from
// agent_start to the last turn_end; agent_end is left to afterRun, which
// knows whether a retry follows.
func (a *Agent) loop(ctx context.Context, start loopStart) loopResult {
	a.mu.Lock()
	l := &turnLoop{a: a, ctx: ctx, context: slices.Clone(a.messages)}
	a.mu.Unlock()
	a.emit(&Event{Type: EventAgentStart})
	a.emit(&Event{Type: EventTurnStart})
	if start.dequeued {
		l.announceQueue()
	}
	for _, p := range start.prompts {
		l.add(p)
	}
	var pending []ai.Message
	if !start.skipInitialSteering {
		pending = l.take(&a.steering)
	}
	first := true
	for {
		moreTools := true
		for moreTools || len(pending) > 0 {
			if !first {
				a.emit(&Event{Type: EventTurnStart})
			}
			first = false
			for _, m := range pending {
				l.add(m)
			}
			pending = nil
			msg := l.respond()
			if msg.StopReason == ai.StopReasonError || msg.StopReason == ai.StopReasonAborted {
				a.emit(&Event{Type: EventTurnEnd, Message: msg, ToolResults: []ai.Message{}})
				return loopResult{newMessages: l.added, last: msg}
			}
			var results []ai.Message
			moreTools = false
			if calls := msg.ToolCalls(); len(calls) > 0 {
				results, pending = l.runTools(calls)
				moreTools = true
			}
			if results == nil {
				results = []ai.Message{}
			}
			a.emit(&Event{Type: EventTurnEnd, Message: msg, ToolResults: results})
			if pending == nil {
				pending = l.take(&a.steering)
			}
		}
		if pending = l.take(&a.followUp); len(pending) == 0 {
			return loopResult{newMessages: l.added, last: lastAssistant(l.added)}
		}
	}
}

// take polls a queue and announces what left it.
func (l *turnLoop) take(q *messageQueue) []ai.Message {
	l.a.mu.Lock()
	msgs := q.take()
	l.a.mu.Unlock()
	if len(msgs) > 0 {
		l.announceQueue()
	}
	return msgs
}

func (l *turnLoop) announceQueue() {
	l.a.mu.Lock()
	ev := l.a.queueEventLocked()
	l.a.mu.Unlock()
	l.a.emit(&ev)
}

// add appends a non-streamed message (prompt, injected message, tool
// result) with its start and end events.
func (l *turnLoop) add(m ai.Message) {
	if m.Role == ai.RoleUser || m.Role == ai.RoleCustom {
		l.a.mu.Lock()
		l.a.overflowAttempted = false
		l.a.mu.Unlock()
	}
	l.context = append(l.context, m)
	l.added = append(l.added, m)
	msg := &l.added[len(l.added)-1]
	l.a.emit(&Event{Type: EventMessageStart, Message: msg})
	l.a.emit(&Event{Type: EventMessageEnd, Message: msg})
}

// respond streams one assistant response and records it. A response that
// could not even be requested (no key) becomes an error response.
func (l *turnLoop) respond() *ai.Message {
	a := l.a
	a.mu.Lock()
	model, level, sys, tools, s := a.model, a.thinking, a.systemPrompt, a.tools, a.settings
	a.mu.Unlock()

	specs := make([]ai.ToolSpec, len(tools))
	for i, t := range tools {
		specs[i] = t.spec
	}
	llmCtx := &ai.Context{
		SystemPrompt: sys,
		Messages:     convert.ToLLM(l.context, convert.Options{BlockImages: s.BlockImages}),
		Tools:        specs,
	}
	started := false
	var final *ai.Message
	if model == nil || a.provider == nil {
		if model == nil {
			model = &ai.Model{}
		}
		final = failure(model, ErrNoModel.Error(), false)
	} else if key, err := a.apiKey(l.ctx, model.Provider); err != nil {
		final = failure(model, err.Error(), l.ctx.Err() != nil)
	} else {
		opts := &ai.StreamOptions{APIKey: key, SessionID: a.sessionID, ThinkingBudgets: s.ThinkingBudgets}
		if level != ai.ThinkingOff {
			opts.Reasoning = level
		}
		final = a.provider.Stream(l.ctx, model, llmCtx, opts, func(se *ai.StreamEvent) {
			started = l.onStream(se, started)
		})
		if final == nil {
			final = failure(model, "An unknown error occurred", l.ctx.Err() != nil)
		}
	}
	msg := *final
	if msg.Timestamp == 0 {
		msg.Timestamp = now()
	}
	if msg.API == "" && msg.Provider == "" && msg.Model == "" {
		msg.API, msg.Provider, msg.Model = model.API, model.Provider, model.ID
	}
	l.context = append(l.context, msg)
	l.added = append(l.added, msg)
	rec := &l.added[len(l.added)-1]
	if !started {
		a.emit(&Event{Type: EventMessageStart, Message: rec})
	}
	a.emit(&Event{Type: EventMessageEnd, Message: rec})
	l.settleRetry(rec)
	return rec
}

// onStream turns provider events into message_start and message_update.
// A stream that skips "start" gets its message_start at the first block.
func (l *turnLoop) onStream(se *ai.StreamEvent, started bool) bool {
	switch se.Type {
	case ai.EventStart:
		if !started && se.Partial != nil {
			l.ev = Event{Type: EventMessageStart, Message: se.Partial}
			l.a.emit(&l.ev)
			return true
		}
	case ai.EventTextStart, ai.EventTextDelta, ai.EventTextEnd,
		ai.EventThinkingStart, ai.EventThinkingDelta, ai.EventThinkingEnd,
		ai.EventToolCallStart, ai.EventToolCallDelta, ai.EventToolCallEnd:
		if se.Partial == nil {
			return started
		}
		if !started {
			l.ev = Event{Type: EventMessageStart, Message: se.Partial}
			l.a.emit(&l.ev)
			started = true
		}
		l.ev = Event{Type: EventMessageUpdate, Message: se.Partial, AssistantEvent: se}
		l.a.emit(&l.ev)
	}
	return started
}

// settleRetry ends a retry sequence once a response did not fail.
func (l *turnLoop) settleRetry(m *ai.Message) {
	if m.StopReason == ai.StopReasonError {
		return
	}
	a := l.a
	a.mu.Lock()
	a.overflowAttempted = false
	attempt := a.retryAttempt
	a.retryAttempt = 0
	a.mu.Unlock()
	if attempt == 0 {
		return
	}
	ev := &Event{Type: EventAutoRetryEnd, Attempt: attempt, Success: true}
	if m.StopReason == ai.StopReasonAborted {
		ev.Success, ev.FinalError = false, "Retry cancelled"
	}
	a.emit(ev)
}

// failure is the response recorded when the loop could not get one.
func failure(model *ai.Model, msg string, aborted bool) *ai.Message {
	reason := ai.StopReasonError
	if aborted {
		reason = ai.StopReasonAborted
	}
	return &ai.Message{
		Role:         ai.RoleAssistant,
		Content:      []ai.Content{ai.TextContent("")},
		API:          model.API,
		Provider:     model.Provider,
		Model:        model.ID,
		StopReason:   reason,
		ErrorMessage: msg,
		Timestamp:    now(),
	}
}
