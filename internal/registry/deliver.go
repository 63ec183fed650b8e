package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/session"
)

// Deliver adds a custom message from another area (a process alert, a
// log-watch hit) to the session, as pi's sendCustomMessage does: while a
// run is in progress it is steered into it; otherwise it starts a run when
// trigger is set, and is only recorded (context, file, stream) when not.
// Without a model a triggering message is recorded too.
func (s *Session) Deliver(m ai.Message, trigger bool) error {
	m.Role = ai.RoleCustom
	if m.Timestamp == 0 {
		m.Timestamp = s.reg.opts.Now().UnixMilli()
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	if s.isClosed() {
		return ErrSessionNotFound
	}
	// A run that already sent agent_end takes no more steering: wait for it
	// to finish, so the card starts a run of its own instead.
	s.settle(context.Background())
	if s.agent.State().IsStreaming {
		s.agent.SteerMessage(m)
		return nil
	}
	s.flushBash()
	if trigger {
		err := s.agent.PromptMessages(m)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, agent.ErrBusy):
			s.agent.SteerMessage(m)
			return nil
		case !errors.Is(err, agent.ErrNoModel):
			return fmt.Errorf("registry: deliver: %w", err)
		}
	}
	switch err := s.agent.AppendMessage(m); {
	case errors.Is(err, agent.ErrBusy):
		s.agent.SteerMessage(m)
	case errors.Is(err, agent.ErrClosed):
		return ErrSessionNotFound
	case err != nil:
		return fmt.Errorf("registry: deliver: %w", err)
	}
	return nil
}

// BranchMessages returns the messages on the session's current branch,
// from the root, including those a compaction took out of the context:
// tools that keep their state in their results rebuild it from here.
func (s *Session) BranchMessages() []ai.Message {
	path := s.file.ActivePath()
	out := make([]ai.Message, 0, len(path))
	for _, e := range path {
		if (e.Type == session.TypeMessage || e.Type == session.TypeCustomMessage) && e.Message != nil {
			out = append(out, *e.Message)
		}
	}
	return out
}
