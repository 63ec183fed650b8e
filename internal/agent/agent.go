package agent

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// Errors of the public methods. Wording is pi's where users see it.
var (
	//lint:ignore ST1005 pi's wording, shown to users
	ErrAlreadyProcessing = errors.New("Agent is already processing. Specify streamingBehavior ('steer' or 'followUp') to queue the message.")
	//lint:ignore ST1005 pi's wording
	ErrBusy = errors.New("Agent is already processing.")
	//lint:ignore ST1005 pi's wording
	ErrNoModel = errors.New("No model selected.")
	//lint:ignore ST1005 pi's wording
	ErrNoMessages = errors.New("No messages to continue from")
	//lint:ignore ST1005 pi's wording
	ErrContinueFromAssistant = errors.New("Cannot continue from message role: assistant")
	//lint:ignore ST1005 pi's wording
	ErrCompactionCancelled = errors.New("Compaction cancelled")
	ErrNoCompactor         = errors.New("agent: no compactor configured")
	ErrClosed              = errors.New("agent: closed")
)

// RetrySettings are settings.json's retry options.
type RetrySettings struct {
	Enabled     bool `json:"enabled"`
	MaxRetries  int  `json:"maxRetries"`
	BaseDelayMs int  `json:"baseDelayMs"`
	MaxDelayMs  int  `json:"maxDelayMs"`
}

// Settings are the parts of settings.json the loop obeys.
type Settings struct {
	SteeringMode string // QueueOneAtATime (default) or QueueAll
	FollowUpMode string
	Retry        RetrySettings
	Compaction   compaction.Settings
	// BlockImages replaces images sent to the model with a notice.
	BlockImages bool
	// DefaultThinkingLevel is used when switching away from a model without
	// reasoning ("" = medium).
	DefaultThinkingLevel string
	ThinkingBudgets      *ai.ThinkingBudgets
}

// DefaultSettings are pi's defaults.
func DefaultSettings() Settings {
	return Settings{
		SteeringMode: QueueOneAtATime,
		FollowUpMode: QueueOneAtATime,
		Retry:        RetrySettings{Enabled: true, MaxRetries: 3, BaseDelayMs: 2000, MaxDelayMs: 60000},
		Compaction:   compaction.DefaultSettings(),
	}
}

// APIKeyFunc resolves a provider's API key; it is called before every LLM
// request so rotated or refreshed keys take effect at once.
type APIKeyFunc func(ctx context.Context, provider string) (string, error)

// Compactor compacts the session the agent runs on. It owns the session
// file: it summarizes the current path (compaction.Compact does the work),
// appends the compaction entry and returns the rebuilt context.
type Compactor interface {
	Compact(ctx context.Context, req CompactRequest) (*CompactOutcome, error)
}

// CompactRequest is what the agent hands its Compactor.
type CompactRequest struct {
	Reason             string // ReasonManual, ReasonThreshold or ReasonOverflow
	CustomInstructions string
	Settings           compaction.Settings
	// LLM is the session's model with a resolved key.
	LLM compaction.LLM
}

// CompactOutcome is a finished compaction: the entry's data and the
// messages the context now holds (summary first).
type CompactOutcome struct {
	Result   compaction.Result
	Messages []ai.Message
}

// Config holds an agent's dependencies and starting state.
type Config struct {
	// Provider streams LLM responses (the dispatcher over all adapters).
	Provider ai.Provider
	Model    *ai.Model
	APIKey   APIKeyFunc
	Tools    []Tool
	// SystemPrompt is sent with every request.
	SystemPrompt string
	// ThinkingLevel is clamped to the model ("" = off).
	ThinkingLevel string
	Settings      Settings
	// SessionID is passed to providers for caching and affinity.
	SessionID string
	// Compactor is called for manual and automatic compaction; nil disables
	// compaction.
	Compactor Compactor
	// Messages is the starting context (a resumed session's).
	Messages []ai.Message
	Logger   *slog.Logger
}

// Agent runs pi's agent loop for one session. Prompt starts a run in a
// goroutine the agent owns; events go to subscribers, which are called one
// at a time in event order. The loop keeps running with no subscriber.
type Agent struct {
	provider  ai.Provider
	apiKey    APIKeyFunc
	compactor Compactor
	sessionID string
	log       *slog.Logger
	dispatch  *dispatcher
	subs      atomic.Pointer[[]subscriber]
	nextSub   atomic.Int64

	mu                sync.Mutex // guards the fields below
	model             *ai.Model
	thinking          string
	systemPrompt      string
	tools             []*toolEntry
	settings          Settings
	messages          []ai.Message // as delivered to subscribers
	streaming         MessageBuilder
	steering          messageQueue
	followUp          messageQueue
	run               *runState
	compacting        bool
	closed            bool
	retryAttempt      int
	overflowAttempted bool
}

type subscriber struct {
	id int64
	fn func(*Event)
}

// runState is the run in progress: its cancel and a channel closed when it
// has finished and every event was delivered.
type runState struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns an idle agent.
func New(cfg Config) *Agent {
	a := &Agent{
		provider:     cfg.Provider,
		apiKey:       cfg.APIKey,
		compactor:    cfg.Compactor,
		sessionID:    cfg.SessionID,
		log:          cfg.Logger,
		model:        cfg.Model,
		systemPrompt: cfg.SystemPrompt,
		settings:     cfg.Settings,
		messages:     slices.Clone(cfg.Messages),
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.apiKey == nil {
		a.apiKey = func(context.Context, string) (string, error) { return "", nil }
	}
	a.thinking = clampThinking(cfg.Model, orDefault(cfg.ThinkingLevel, ai.ThinkingOff))
	a.tools = toolEntries(cfg.Tools)
	a.steering.mode = orDefault(cfg.Settings.SteeringMode, QueueOneAtATime)
	a.followUp.mode = orDefault(cfg.Settings.FollowUpMode, QueueOneAtATime)
	a.subs.Store(&[]subscriber{})
	a.dispatch = newDispatcher(a.deliver)
	return a
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func toolEntries(tools []Tool) []*toolEntry {
	out := make([]*toolEntry, len(tools))
	for i, t := range tools {
		out[i] = newToolEntry(t)
	}
	return out
}

// Subscribe adds fn to the event subscribers and returns a function that
// removes it. fn is never called concurrently with itself or another
// subscriber; it must not block for long (the loop waits for it), and must
// not call Abort, Close, WaitIdle, Compact, SetMessages or Snapshot (they
// wait for the events fn is part of). Steer, FollowUp and Prompt are fine.
func (a *Agent) Subscribe(fn func(*Event)) (unsubscribe func()) {
	id := a.nextSub.Add(1)
	a.mu.Lock()
	next := append(slices.Clone(*a.subs.Load()), subscriber{id: id, fn: fn})
	a.subs.Store(&next)
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		cur := *a.subs.Load()
		next := slices.DeleteFunc(slices.Clone(cur), func(s subscriber) bool { return s.id == id })
		a.subs.Store(&next)
	}
}

// deliver updates the agent's published state for ev, then calls every
// subscriber. It runs in the dispatcher, so state and events stay in step.
func (a *Agent) deliver(ev *Event) {
	switch ev.Type {
	case EventMessageStart:
		if ev.Message.Role == ai.RoleAssistant {
			a.mu.Lock()
			a.streaming.Start(ev.Message)
			a.mu.Unlock()
		}
	case EventMessageUpdate:
		a.mu.Lock()
		a.streaming.Apply(ev.AssistantEvent)
		a.mu.Unlock()
	case EventMessageEnd:
		a.mu.Lock()
		a.messages = append(a.messages, *ev.Message)
		a.streaming.Reset()
		a.mu.Unlock()
	}
	for _, s := range *a.subs.Load() {
		a.call(s.fn, ev)
	}
}

// call runs one subscriber; a panicking subscriber is logged, not fatal, so
// one bad listener cannot stop the session.
func (a *Agent) call(fn func(*Event), ev *Event) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("agent: subscriber panicked", "event", ev.Type, "panic", r)
		}
	}()
	fn(ev)
}

// emit delivers an event from the run and waits until every subscriber has
// seen it.
func (a *Agent) emit(ev *Event) { a.dispatch.emit(ev, true) }

// emitAsync delivers an event from outside the run; it may return before
// delivery when called from inside a subscriber.
func (a *Agent) emitAsync(ev Event) { a.dispatch.emit(&ev, false) }

// setMessages replaces the published messages in order with the events.
func (a *Agent) setMessages(msgs []ai.Message) {
	a.dispatch.do(func() {
		a.mu.Lock()
		a.messages = msgs
		a.mu.Unlock()
	}, true)
}

func now() int64 { return time.Now().UnixMilli() }
