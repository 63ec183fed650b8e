package agent

import (
	"context"
	"fmt"
	"slices"

	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// PromptOptions go with a prompt.
type PromptOptions struct {
	// Images are appended to the user message after its text.
	Images []ai.Content
	// StreamingBehavior says what to do while the agent is busy: queue as
	// BehaviorSteer or BehaviorFollowUp. Empty makes a busy agent refuse
	// with ErrAlreadyProcessing.
	StreamingBehavior string
}

// Prompt sends a user message. When idle it starts a run and returns once
// the run has started; the run goes on in the agent's goroutine (WaitIdle
// waits for it). When busy it queues the message per StreamingBehavior.
func (a *Agent) Prompt(text string, opts PromptOptions) error {
	msg := userMessage(text, opts.Images, now())
	a.mu.Lock()
	if a.run != nil {
		var q *messageQueue
		switch opts.StreamingBehavior {
		case BehaviorSteer:
			q = &a.steering
		case BehaviorFollowUp:
			q = &a.followUp
		default:
			a.mu.Unlock()
			return ErrAlreadyProcessing
		}
		a.mu.Unlock()
		a.enqueue(q, msg, text)
		return nil
	}
	defer a.mu.Unlock()
	if a.model == nil {
		return ErrNoModel
	}
	return a.startLocked(func(ctx context.Context) { a.runPrompt(ctx, []ai.Message{msg}) })
}

// PromptMessages starts a run with the given messages (for example a custom
// message that should trigger a turn). It fails with ErrBusy while a run is
// in progress.
func (a *Agent) PromptMessages(msgs ...ai.Message) error {
	msgs = slices.Clone(msgs)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.model == nil {
		return ErrNoModel
	}
	return a.startLocked(func(ctx context.Context) { a.runPrompt(ctx, msgs) })
}

// Steer queues a user message for the next point the loop polls: after the
// current tool preparation or turn. Remaining tool calls are skipped.
func (a *Agent) Steer(text string, images ...ai.Content) {
	a.enqueue(&a.steering, userMessage(text, images, now()), text)
}

// FollowUp queues a user message for when the agent would otherwise stop.
func (a *Agent) FollowUp(text string, images ...ai.Content) {
	a.enqueue(&a.followUp, userMessage(text, images, now()), text)
}

// SteerMessage queues any message (a custom message from an extension, say)
// for the next point the loop polls, like Steer.
func (a *Agent) SteerMessage(msg ai.Message) {
	a.enqueue(&a.steering, msg, msg.Text())
}

// AppendMessage adds a message to the context without a run (a custom
// message that should not start a turn), with its message_start and
// message_end events. It fails with ErrBusy while a run is in progress.
func (a *Agent) AppendMessage(msg ai.Message) error {
	a.mu.Lock()
	closed, busy := a.closed, a.run != nil
	a.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case busy:
		return ErrBusy
	}
	m := msg
	a.emit(&Event{Type: EventMessageStart, Message: &m})
	a.emit(&Event{Type: EventMessageEnd, Message: &m})
	return nil
}

func (a *Agent) enqueue(q *messageQueue, msg ai.Message, text string) {
	a.mu.Lock()
	q.items = append(q.items, queued{msg: msg, text: text})
	ev := a.queueEventLocked()
	a.mu.Unlock()
	a.emitAsync(ev)
}

func (a *Agent) queueEventLocked() Event {
	return Event{Type: EventQueueUpdate, Steering: a.steering.texts(), FollowUp: a.followUp.texts()}
}

// ClearQueue empties both queues and returns the texts they held.
func (a *Agent) ClearQueue() (steering, followUp []string) {
	a.mu.Lock()
	steering, followUp = a.steering.texts(), a.followUp.texts()
	a.steering.items, a.followUp.items = nil, nil
	ev := a.queueEventLocked()
	a.mu.Unlock()
	a.emitAsync(ev)
	return steering, followUp
}

// Continue resumes from the current context without a new prompt (the last
// message must be a user message or tool result). When the context ends with
// an assistant message it runs queued steering, else follow-up, messages.
func (a *Agent) Continue() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.run != nil {
		return ErrBusy
	}
	if a.model == nil {
		return ErrNoModel
	}
	start, err := a.continueStartLocked()
	if err != nil {
		return err
	}
	return a.startLocked(func(ctx context.Context) { a.chain(ctx, start) })
}

// continueStartLocked decides how a continuation starts.
func (a *Agent) continueStartLocked() (loopStart, error) {
	if len(a.messages) == 0 {
		return loopStart{}, ErrNoMessages
	}
	if a.messages[len(a.messages)-1].Role != ai.RoleAssistant {
		return loopStart{continuation: true}, nil
	}
	if msgs := a.steering.take(); len(msgs) > 0 {
		return loopStart{prompts: msgs, skipInitialSteering: true, dequeued: true}, nil
	}
	if msgs := a.followUp.take(); len(msgs) > 0 {
		return loopStart{prompts: msgs, dequeued: true}, nil
	}
	return loopStart{}, ErrContinueFromAssistant
}

// startLocked starts fn as the agent's run. The caller holds a.mu.
func (a *Agent) startLocked(fn func(ctx context.Context)) error {
	if a.closed {
		return ErrClosed
	}
	if a.run != nil {
		return ErrBusy
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &runState{cancel: cancel, done: make(chan struct{})}
	a.run = r
	go func() {
		defer func() {
			a.mu.Lock()
			a.run = nil
			a.mu.Unlock()
			cancel()
			close(r.done)
		}()
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("agent: run panicked", "panic", p)
			}
		}()
		fn(ctx)
	}()
	return nil
}

// Abort cancels the run in progress (the LLM stream, every running tool, a
// retry wait or a compaction) and returns once the agent is idle. An
// interrupted response is recorded as an aborted assistant message.
func (a *Agent) Abort() {
	a.mu.Lock()
	r := a.run
	a.mu.Unlock()
	if r != nil {
		r.cancel()
		<-r.done
	}
}

// WaitIdle returns when no run is in progress, or ctx's error.
func (a *Agent) WaitIdle(ctx context.Context) error {
	for {
		a.mu.Lock()
		r := a.run
		a.mu.Unlock()
		if r == nil {
			return nil
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close aborts any run and refuses new ones.
func (a *Agent) Close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.Abort()
}

// Compact compacts the context now, aborting a run in progress first. It
// returns ErrCompactionCancelled when aborted (by Abort or ctx), and the
// compactor's error (compaction.ErrNothingToCompact, ...) otherwise.
func (a *Agent) Compact(ctx context.Context, customInstructions string) (*compaction.Result, error) {
	a.Abort()
	type outcome struct {
		res *compaction.Result
		err error
	}
	done := make(chan outcome, 1)
	a.mu.Lock()
	err := a.startLocked(func(runCtx context.Context) {
		res, err := a.compactManual(runCtx, customInstructions)
		done <- outcome{res, err}
	})
	a.mu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		a.Abort()
		o := <-done
		if o.err == nil {
			return o.res, nil
		}
		return nil, fmt.Errorf("agent: compact: %w", ctx.Err())
	}
}

// SetModel switches the model for the next request and re-clamps the
// thinking level; it returns the level now in force and whether it changed.
func (a *Agent) SetModel(m *ai.Model) (level string, changed bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	want := a.thinking
	if a.model == nil || !a.model.Reasoning {
		// Coming from a model without reasoning, the level in force is
		// "off" by necessity; take the user's default instead.
		want = orDefault(a.settings.DefaultThinkingLevel, ai.ThinkingMedium)
	}
	a.model = m
	return a.setThinkingLocked(want)
}

// SetThinkingLevel sets the level, clamped to the model (pi's rules), and
// returns the level in force and whether it changed.
func (a *Agent) SetThinkingLevel(level string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.setThinkingLocked(level)
}

func (a *Agent) setThinkingLocked(level string) (string, bool) {
	level = clampThinking(a.model, level)
	changed := level != a.thinking
	a.thinking = level
	return level, changed
}

// SetSteeringMode sets how many steering messages one poll delivers.
func (a *Agent) SetSteeringMode(mode string) {
	a.mu.Lock()
	a.steering.mode, a.settings.SteeringMode = mode, mode
	a.mu.Unlock()
}

// SetFollowUpMode sets how many follow-up messages one poll delivers.
func (a *Agent) SetFollowUpMode(mode string) {
	a.mu.Lock()
	a.followUp.mode, a.settings.FollowUpMode = mode, mode
	a.mu.Unlock()
}

// UpdateSettings changes settings for the next decision the loop makes.
func (a *Agent) UpdateSettings(fn func(*Settings)) {
	a.mu.Lock()
	fn(&a.settings)
	a.steering.mode = orDefault(a.settings.SteeringMode, QueueOneAtATime)
	a.followUp.mode = orDefault(a.settings.FollowUpMode, QueueOneAtATime)
	a.mu.Unlock()
}

// SetSystemPrompt replaces the system prompt for the next request.
func (a *Agent) SetSystemPrompt(p string) {
	a.mu.Lock()
	a.systemPrompt = p
	a.mu.Unlock()
}

// SetTools replaces the tools for the next request.
func (a *Agent) SetTools(tools []Tool) {
	entries := toolEntries(tools)
	a.mu.Lock()
	a.tools = entries
	a.mu.Unlock()
}

// Messages returns the context: every message delivered so far (after
// compaction, its summary first). Callers must not modify the messages.
func (a *Agent) Messages() []ai.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.messages)
}

// SetMessages replaces the context (after navigating the session tree, for
// example). It fails with ErrBusy while a run is in progress.
func (a *Agent) SetMessages(msgs []ai.Message) error {
	a.mu.Lock()
	busy := a.run != nil
	a.mu.Unlock()
	if busy {
		return ErrBusy
	}
	a.setMessages(slices.Clone(msgs))
	return nil
}

// State is a summary of the agent for status displays.
type State struct {
	Model               *ai.Model
	ThinkingLevel       string
	IsStreaming         bool
	IsCompacting        bool
	SteeringMode        string
	FollowUpMode        string
	AutoCompaction      bool
	AutoRetry           bool
	MessageCount        int
	PendingMessageCount int
	Steering            []string
	FollowUp            []string
}

// State returns the current state.
func (a *Agent) State() State {
	a.mu.Lock()
	defer a.mu.Unlock()
	return State{
		Model:               a.model,
		ThinkingLevel:       a.thinking,
		IsStreaming:         a.run != nil,
		IsCompacting:        a.compacting,
		SteeringMode:        a.steering.mode,
		FollowUpMode:        a.followUp.mode,
		AutoCompaction:      a.settings.Compaction.Enabled,
		AutoRetry:           a.settings.Retry.Enabled,
		MessageCount:        len(a.messages),
		PendingMessageCount: len(a.steering.items) + len(a.followUp.items),
		Steering:            a.steering.texts(),
		FollowUp:            a.followUp.texts(),
	}
}

// View is the agent as of one point in its event stream.
type View struct {
	Messages    []ai.Message
	Streaming   *ai.Message // the assistant message being streamed, if any
	IsStreaming bool
}

// Snapshot calls fn with the agent's view between two events: fn sees
// exactly the effect of every event delivered before it and none after, so
// a stream client registered inside fn misses and repeats nothing. It waits
// for fn; never call it from a subscriber.
func (a *Agent) Snapshot(fn func(View)) {
	a.dispatch.do(func() {
		a.mu.Lock()
		v := View{Messages: slices.Clone(a.messages), Streaming: a.streaming.Message(), IsStreaming: a.run != nil}
		a.mu.Unlock()
		fn(v)
	}, true)
}
