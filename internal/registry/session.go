package registry

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/session"
	"github.com/pi-forge/pi-forge/internal/stream"
)

// Session is one live session: its file, its agent and its event stream.
// Control methods (prompt, model, navigate, ...) are in control.go.
type Session struct {
	reg       *Registry
	log       *slog.Logger
	id        string
	projectID string
	cwd       string
	createdAt time.Time
	loc       session.Location
	file      *session.Session
	agent     *agent.Agent
	bc        *stream.Broadcaster
	ws        Workspace
	unsub     func()

	// opMu serialises the operations that start runs or replace the
	// context (prompt, exec, navigate, fork), so a context replacement
	// never races a run starting.
	opMu sync.Mutex
	// bg tracks background work (flushing deferred exec results).
	bg sync.WaitGroup

	mu           sync.Mutex
	name         string
	lastActivity time.Time
	model        *ai.Model
	streaming    bool // between agent_start and agent_end, as clients see it
	turn         []turnWrite
	toolArgs     map[string]turnCall
	calls        int // write and edit calls started this run
	pendingBash  []ai.Message
	navCancel    context.CancelFunc
	closed       bool

	// kept are the frames every new subscriber gets right after its
	// snapshot (pending questions, the todo list, the process list). They
	// change inside Publish's apply, under the stream's lock, and are read
	// inside the snapshot, so they always match the event sequence.
	keptMu sync.Mutex
	kept   []keptFrame
}

// startSpec describes a session about to go live.
type startSpec struct {
	file      *session.Session
	projectID string
	cwd       string
	loc       session.Location
	name      string // a placeholder for new sessions; resumed ones use the file's
	resumed   bool
	// model and thinking override what the file says (forks copy the
	// source's current choice).
	model    *ai.Model
	thinking string
}

// start builds the agent for a session file and makes it live.
func (r *Registry) start(ctx context.Context, sp startSpec) (*Session, error) {
	file := sp.file
	h := file.Header()
	s := &Session{
		reg: r, log: r.log.With("session", h.ID), id: h.ID, projectID: sp.projectID, cwd: sp.cwd,
		loc: sp.loc, file: file, bc: stream.New(r.opts.Stream), toolArgs: map[string]turnCall{},
	}
	s.createdAt, _ = time.Parse(time.RFC3339Nano, h.Timestamp)
	if s.createdAt.IsZero() {
		s.createdAt = r.opts.Now()
	}
	s.name = sp.name
	if n := file.Name(); n != "" || sp.resumed {
		s.name = n
	}
	settings := r.settings(ctx, sp.cwd)
	sc := file.BuildContext()
	model, thinking, newThinking := sp.model, sp.thinking, false
	if model == nil && sc.Model != nil {
		model, _ = r.findModel(ctx, sc.Model.Provider, sc.Model.ModelID)
	}
	if model == nil {
		model = r.defaultModel(ctx, settings)
	}
	if thinking == "" {
		if hasThinkingEntry(file) {
			thinking = sc.ThinkingLevel
		} else {
			thinking, newThinking = defaultThinking(settings), true
		}
	}
	s.model = model
	s.lastActivity = lastActivity(sc.Messages, s.createdAt)
	ws, err := r.opts.Toolbox.Prepare(ctx, SessionInfo{SessionID: s.id, ProjectID: s.projectID, Cwd: s.cwd,
		Settings: settings, Model: s.currentModel, Session: s})
	if err != nil {
		return nil, err
	}
	s.ws = ws
	s.agent = agent.New(agent.Config{
		Provider:      authProvider{inner: r.opts.Provider, cfg: r.opts.Config},
		Model:         model,
		APIKey:        s.keyFor,
		Tools:         ws.Tools,
		SystemPrompt:  ws.SystemPrompt,
		ThinkingLevel: thinking,
		Settings:      agentSettings(settings),
		SessionID:     s.id,
		Compactor:     compactor{s},
		Messages:      sc.Messages,
		Logger:        s.log,
	})
	s.unsub = s.agent.Subscribe(s.onAgentEvent)
	// pi records the model and level a session starts with (new sessions,
	// and resumed ones that never recorded a level); forks record the
	// source's current choice when their path says otherwise. The entries
	// wait in memory until the first assistant message like every other.
	level := s.agent.State().ThinkingLevel
	if model != nil && (!sp.resumed || sp.model != nil) && !sameModel(sc.Model, model) {
		s.appendEntry(file.AppendModelChange(model.Provider, model.ID))
	}
	if newThinking || (sp.thinking != "" && level != sc.ThinkingLevel) {
		s.appendEntry(file.AppendThinkingLevelChange(level))
	}
	if err := r.add(s); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func sameModel(ref *session.ModelRef, m *ai.Model) bool {
	return ref != nil && ref.Provider == m.Provider && ref.ModelID == m.ID
}

func hasThinkingEntry(f *session.Session) bool {
	for _, e := range f.ActivePath() {
		if e.Type == session.TypeThinkingLevelChange {
			return true
		}
	}
	return false
}

// lastActivity is the newest user or assistant message time, else created.
func lastActivity(msgs []ai.Message, created time.Time) time.Time {
	var ms int64
	for i := range msgs {
		if r := msgs[i].Role; (r == ai.RoleUser || r == ai.RoleAssistant) && msgs[i].Timestamp > ms {
			ms = msgs[i].Timestamp
		}
	}
	if ms == 0 {
		return created
	}
	return time.UnixMilli(ms).UTC()
}

// appendEntry logs a failed append: the run goes on, the entry is lost.
func (s *Session) appendEntry(_ string, err error) {
	if err != nil {
		s.log.Error("registry: appending to the session file failed", "error", err)
	}
}

// keyFor is the agent's key lookup: the key for the session's current
// model (or any model of provider, when asked about another one).
func (s *Session) keyFor(ctx context.Context, provider string) (string, error) {
	m := s.currentModel()
	if m == nil || m.Provider != provider {
		m = &ai.Model{Provider: provider}
	}
	return s.reg.apiKey(ctx, m)
}

func (s *Session) currentModel() *ai.Model {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.model
}

// ID is the session id.
func (s *Session) ID() string { return s.id }

// ProjectID is the project the session belongs to.
func (s *Session) ProjectID() string { return s.projectID }

// Cwd is the project directory the agent works in.
func (s *Session) Cwd() string { return s.cwd }

// Name is the session's display name.
func (s *Session) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// File is the session's file. Callers read it; only the registry appends.
func (s *Session) File() *session.Session { return s.file }

// Workspace is what the toolbox prepared for the session.
func (s *Session) Workspace() Workspace { return s.ws }

// Messages is the agent's context (what the snapshot shows).
func (s *Session) Messages() []ai.Message { return s.agent.Messages() }

// Summary is a live session's LiveSummary.
type Summary struct {
	SessionID      string
	ProjectID      string
	WorkspacePath  string
	CreatedAt      time.Time
	LastActivityAt time.Time
	MessageCount   int
	IsStreaming    bool
	Name           string
	ThinkingLevel  string
	ModelProvider  string
	ModelID        string
	// FirstMessage is the first user text ("" when none yet).
	FirstMessage string
}

// Summary describes the session now.
func (s *Session) Summary() Summary {
	st := s.agent.State()
	msgs := s.agent.Messages()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Summary{SessionID: s.id, ProjectID: s.projectID, WorkspacePath: s.cwd, CreatedAt: s.createdAt,
		LastActivityAt: s.lastActivity, MessageCount: len(msgs), IsStreaming: s.streaming || st.IsStreaming,
		Name: s.name, ThinkingLevel: st.ThinkingLevel}
	if st.Model != nil {
		out.ModelProvider, out.ModelID = st.Model.Provider, st.Model.ID
	}
	for i := range msgs {
		if msgs[i].Role == ai.RoleUser {
			out.FirstMessage = msgs[i].Text()
			break
		}
	}
	return out
}

// close disposes the session: the run is aborted (and what it produced is
// persisted by the subscriber), then subscribers and the file are closed.
func (s *Session) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if s.navCancel != nil {
		s.navCancel()
	}
	s.mu.Unlock()
	if s.agent != nil {
		s.agent.Close()
	}
	s.bg.Wait()
	if s.unsub != nil {
		s.unsub()
	}
	s.bc.Close()
	if err := s.file.Close(); err != nil {
		s.log.Warn("registry: closing the session file failed", "error", err)
	}
	if s.ws.Close != nil {
		s.ws.Close()
	}
}

func (s *Session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// String names the session in logs.
func (s *Session) String() string { return fmt.Sprintf("session %s", s.id) }
