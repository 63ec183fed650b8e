package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
)

// PromptInput is a prompt as the API decoded it.
type PromptInput struct {
	Text   string
	Images []ai.Content
	// StreamingBehavior is "steer" or "followUp": how to queue the prompt
	// when the agent is busy.
	StreamingBehavior string
}

// PromptResult says what a prompt changed besides starting a run.
type PromptResult struct {
	// SessionName is the title given by this prompt ("" when the name did
	// not change).
	SessionName string
}

// CheckModel reports whether the session can call its model: ErrNoModel
// without one, a *NoAPIKeyError when its provider has no key.
func (s *Session) CheckModel(ctx context.Context) error {
	m := s.agent.State().Model
	if m == nil {
		return ErrNoModel
	}
	key, err := s.reg.apiKey(ctx, m)
	if err != nil {
		return fmt.Errorf("registry: resolving the API key: %w", err)
	}
	if key == "" {
		return &NoAPIKeyError{Provider: m.Provider}
	}
	return nil
}

// Prompt sends a user message: it starts a run when the agent is idle, or
// queues the message per StreamingBehavior while it works (ErrBusy without
// one). The first prompt of an untitled session names it.
func (s *Session) Prompt(ctx context.Context, in PromptInput) (PromptResult, error) {
	if err := s.CheckModel(ctx); err != nil {
		return PromptResult{}, err
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	if s.isClosed() {
		return PromptResult{}, ErrSessionNotFound
	}
	s.settle(ctx)
	st := s.agent.State()
	if st.IsStreaming && in.StreamingBehavior == "" {
		return PromptResult{}, ErrBusy
	}
	if !st.IsStreaming {
		s.flushBash()
	}
	var res PromptResult
	if !st.IsStreaming {
		res.SessionName = s.autoTitle(in.Text)
	}
	err := s.agent.Prompt(in.Text, agent.PromptOptions{Images: in.Images, StreamingBehavior: in.StreamingBehavior})
	switch {
	case err == nil:
	case errors.Is(err, agent.ErrAlreadyProcessing), errors.Is(err, agent.ErrBusy):
		return res, ErrBusy
	case errors.Is(err, agent.ErrNoModel):
		return res, ErrNoModel
	case errors.Is(err, agent.ErrClosed):
		return res, ErrSessionNotFound
	default:
		// Refused before any event: tell the stream, as the reference does.
		s.agentError(err.Error())
	}
	return res, nil
}

// settleTimeout bounds the wait for a run that has already sent agent_end.
const settleTimeout = 5 * time.Second

// settle waits briefly for a run whose agent_end clients have already seen
// (the loop finishes its bookkeeping just after it), so a prompt sent in
// reaction to agent_end is not refused as busy.
func (s *Session) settle(ctx context.Context) {
	s.mu.Lock()
	streaming := s.streaming
	s.mu.Unlock()
	if streaming {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	_ = s.agent.WaitIdle(ctx)
}

// autoTitle names an untitled session after its first prompt and tells
// the stream. It returns the new name ("" when unchanged).
func (s *Session) autoTitle(text string) string {
	if !IsGenericName(s.Name()) {
		return ""
	}
	for _, m := range s.agent.Messages() {
		if m.Role == ai.RoleUser {
			return ""
		}
	}
	title := Title(text)
	if title == "" {
		return ""
	}
	s.appendEntry(s.file.SetName(title))
	s.renamed(title)
	return title
}

// Steer queues a message for the running agent: "steer" (the default)
// delivers it at the next point the loop polls, "followUp" when it would
// otherwise stop.
func (s *Session) Steer(text, mode string) {
	if mode == agent.BehaviorFollowUp {
		s.agent.FollowUp(text)
		return
	}
	s.agent.Steer(text)
}

// Abort cancels the run (and a branch summary being written) and returns
// once the agent is idle.
func (s *Session) Abort() {
	s.mu.Lock()
	if s.navCancel != nil {
		s.navCancel()
	}
	s.mu.Unlock()
	s.agent.Abort()
}

// Rename sets the session name ("" clears it) and tells the stream.
func (s *Session) Rename(name string) error {
	name = strings.TrimSpace(name)
	if _, err := s.file.SetName(name); err != nil {
		return fmt.Errorf("registry: rename %s: %w", s.id, err)
	}
	s.renamed(name)
	return nil
}

// SetModel switches this session's model. It records a model_change entry
// and never touches the global default in settings.json.
func (s *Session) SetModel(ctx context.Context, provider, modelID string) (*ai.Model, error) {
	m, ok := s.reg.findModel(ctx, provider, modelID)
	if !ok {
		if !s.reg.providerKnown(ctx, provider) {
			return nil, fmt.Errorf("%w: %s", ErrUnknownProvider, provider)
		}
		return nil, fmt.Errorf("%w: %s/%s", ErrUnknownModel, provider, modelID)
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	level, changed := s.agent.SetModel(m)
	s.mu.Lock()
	s.model = m
	s.mu.Unlock()
	s.appendEntry(s.file.AppendModelChange(m.Provider, m.ID))
	if changed {
		s.appendEntry(s.file.AppendThinkingLevelChange(level))
	}
	return m, nil
}

// SetThinkingLevel sets the level, clamped to the model, records a change
// and returns the level in force.
func (s *Session) SetThinkingLevel(level string) string {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	got, changed := s.agent.SetThinkingLevel(level)
	if changed {
		s.appendEntry(s.file.AppendThinkingLevelChange(got))
	}
	return got
}

// CompactResult is POST /compact's answer.
type CompactResult struct {
	Summary      string
	TokensBefore int
	TokensAfter  int
}

// Compact compacts the context now (aborting a run in progress first).
// Errors: ErrNoModel, *NoAPIKeyError, compaction.ErrNothingToCompact,
// compaction.ErrAlreadyCompacted, agent.ErrCompactionCancelled, and ctx's
// error when it ends first.
func (s *Session) Compact(ctx context.Context, instructions string) (CompactResult, error) {
	if err := s.CheckModel(ctx); err != nil {
		return CompactResult{}, err
	}
	res, err := s.agent.Compact(ctx, instructions)
	if err != nil {
		return CompactResult{}, err
	}
	// Compact returns as the compaction's run ends; wait for its end so the
	// next request finds the agent idle.
	_ = s.agent.WaitIdle(ctx)
	return CompactResult{Summary: res.Summary, TokensBefore: res.TokensBefore,
		TokensAfter: estimateTokens(s.agent.Messages())}, nil
}
