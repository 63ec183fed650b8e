package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/ai"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/session"
)

// sessionBodyLimit caps the JSON bodies of session routes other than the
// prompt (names, ids, commands).
const sessionBodyLimit = 1 << 20

// Sessions is what the session routes need.
type Sessions struct {
	Registry *registry.Registry
	Store    *session.Store
	Projects *projects.Store
	// PromptLimit rate-limits prompt, steer, navigate and compact;
	// SearchLimit the session search.
	PromptLimit server.RateLimit
	SearchLimit server.RateLimit
	// Closing ends every stream when the server shuts down.
	Closing <-chan struct{}
	// Heartbeat is the idle stream's heartbeat period; 0 means 20 s.
	Heartbeat time.Duration
	// DecodePrompt turns a prompt request into the prompt; nil reads
	// JSON {text, streamingBehavior}.
	DecodePrompt PromptDecoder
	// ExpandSteer rewrites a steering message before it is queued (@file
	// references, say); nil queues it as sent.
	ExpandSteer func(t PromptTarget, text string) string
}

// LiveSummary is one session as POST /sessions and GET /sessions/{id}
// describe it.
type LiveSummary struct {
	SessionID      string `json:"sessionId"`
	ProjectID      string `json:"projectId"`
	WorkspacePath  string `json:"workspacePath"`
	CreatedAt      string `json:"createdAt"`
	LastActivityAt string `json:"lastActivityAt"`
	IsLive         bool   `json:"isLive"`
	MessageCount   int    `json:"messageCount"`
	IsStreaming    bool   `json:"isStreaming"`
	Name           string `json:"name,omitempty"`
	ThinkingLevel  string `json:"thinkingLevel,omitempty"`
	ModelProvider  string `json:"modelProvider,omitempty"`
	ModelID        string `json:"modelId,omitempty"`
}

// SessionListItem is one session of GET /sessions (disk and live merged).
type SessionListItem struct {
	SessionID       string `json:"sessionId"`
	ProjectID       string `json:"projectId"`
	IsLive          bool   `json:"isLive"`
	WorkspacePath   string `json:"workspacePath"`
	LastActivityAt  string `json:"lastActivityAt"`
	CreatedAt       string `json:"createdAt"`
	MessageCount    int    `json:"messageCount"`
	FirstMessage    string `json:"firstMessage"`
	Name            string `json:"name,omitempty"`
	ParentSessionID string `json:"parentSessionId,omitempty"`
	RunID           string `json:"runId,omitempty"`
	Path            string `json:"path,omitempty" doc:"absolute JSONL path"`
}

// SessionList is GET /sessions.
type SessionList struct {
	Sessions []SessionListItem `json:"sessions"`
}

// Messages is a list of pi AgentMessages, written in pi's JSON shape.
type Messages []ai.Message

// Schema describes messages loosely: their shape is pi's AgentMessage.
func (Messages) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeArray, Description: "pi AgentMessage objects (user, assistant, toolResult, bashExecution, custom, branchSummary, compactionSummary)",
		Items: &huma.Schema{Type: huma.TypeObject, AdditionalProperties: true}}
}

// MarshalJSON writes the messages in pi's shape ([] when empty).
func (m Messages) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]ai.Message(m))
}

// MessageList is GET /sessions/{id}/messages.
type MessageList struct {
	Messages Messages `json:"messages"`
}

type sessionID struct {
	ID string `path:"id" doc:"session id"`
}

// RegisterSessions mounts the session routes: lifecycle, reads, control,
// the event stream and session search.
func RegisterSessions(api huma.API, d Sessions) {
	if d.DecodePrompt == nil {
		d.DecodePrompt = DecodeJSONPrompt
	}
	if d.Heartbeat <= 0 {
		d.Heartbeat = HeartbeatInterval
	}
	registerSessionLifecycle(api, d)
	registerSessionReads(api, d)
	registerSessionControl(api, d)
	registerSessionBranching(api, d)
	registerStream(api, d)
	registerSessionSearch(api, d)
}

func sessionOp(method, path, id, summary string) huma.Operation {
	o := server.Op(method, path, id, summary, "Sessions")
	o.MaxBodyBytes = sessionBodyLimit
	return o
}

func registerSessionLifecycle(api huma.API, d Sessions) {
	huma.Register(api, sessionOp(http.MethodGet, "/sessions", "listSessions", "List sessions, newest activity first"),
		func(ctx context.Context, in *struct {
			ProjectID string `query:"projectId" doc:"only this project's sessions"`
		}) (*struct{ Body SessionList }, error) {
			items, err := d.Registry.List(in.ProjectID)
			if err != nil {
				return nil, sessionError(err)
			}
			out := SessionList{Sessions: make([]SessionListItem, len(items))}
			for i, it := range items {
				out.Sessions[i] = listItem(it)
			}
			return &struct{ Body SessionList }{Body: out}, nil
		})
	huma.Register(api, server.Status(sessionOp(http.MethodPost, "/sessions", "createSession", "Start a session in a project"), http.StatusCreated),
		func(ctx context.Context, in *struct {
			Body struct {
				ProjectID string `json:"projectId" minLength:"1"`
			}
		}) (*struct{ Body LiveSummary }, error) {
			s, err := d.Registry.Create(ctx, in.Body.ProjectID)
			if err != nil {
				return nil, sessionError(err)
			}
			return liveSummary(s.Summary(), true), nil
		})
	huma.Register(api, sessionOp(http.MethodGet, "/sessions/{id}", "getSession", "Describe a session (live or on disk)"),
		func(ctx context.Context, in *sessionID) (*struct{ Body LiveSummary }, error) {
			sum, live, err := d.Registry.Lookup(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			return liveSummary(sum, live), nil
		})
	del := server.Status(sessionOp(http.MethodDelete, "/sessions/{id}", "deleteSession", "Delete (archive) a session"), http.StatusNoContent)
	del.Description = "Disposes the live session (its streams end; resuming answers 410 for 1.5 s) and moves its file to FORGE_DATA_DIR/archived-sessions, purged after 7 days."
	huma.Register(api, del, func(ctx context.Context, in *sessionID) (*struct{}, error) {
		if _, err := d.Registry.Delete(in.ID); err != nil {
			if errors.Is(err, registry.ErrDeleteFailed) {
				return nil, server.NewError(http.StatusInternalServerError, "session_delete_failed")
			}
			return nil, sessionError(err)
		}
		return nil, nil
	})
	huma.Register(api, sessionOp(http.MethodPost, "/sessions/{id}/name", "renameSession", "Rename a session (\"\" clears the name)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body struct {
				Name string `json:"name" maxLength:"200"`
			}
		}) (*struct{ Body LiveSummary }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			if err := s.Rename(in.Body.Name); err != nil {
				return nil, err
			}
			return liveSummary(s.Summary(), true), nil
		})
}

func liveSummary(s registry.Summary, live bool) *struct{ Body LiveSummary } {
	return &struct{ Body LiveSummary }{Body: LiveSummary{
		SessionID: s.SessionID, ProjectID: s.ProjectID, WorkspacePath: s.WorkspacePath,
		CreatedAt: isoTime(s.CreatedAt), LastActivityAt: isoTime(s.LastActivityAt), IsLive: live,
		MessageCount: s.MessageCount, IsStreaming: live && s.IsStreaming, Name: s.Name,
		ThinkingLevel: s.ThinkingLevel, ModelProvider: s.ModelProvider, ModelID: s.ModelID,
	}}
}

func listItem(it registry.ListItem) SessionListItem {
	return SessionListItem{SessionID: it.SessionID, ProjectID: it.ProjectID, IsLive: it.IsLive, WorkspacePath: it.WorkspacePath,
		LastActivityAt: isoTime(it.LastActivityAt), CreatedAt: isoTime(it.CreatedAt), MessageCount: it.MessageCount,
		FirstMessage: it.FirstMessage, Name: it.Name, ParentSessionID: it.ParentSessionID, RunID: it.RunID, Path: it.Path}
}

// isoTime writes a time as the reference does (JavaScript's toISOString).
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// sessionError maps registry errors to the contract's codes; anything else
// is an internal error.
func sessionError(err error) error {
	var noKey *registry.NoAPIKeyError
	switch {
	case errors.Is(err, registry.ErrSessionNotFound):
		return server.NewError(http.StatusNotFound, "session_not_found")
	case errors.Is(err, registry.ErrProjectNotFound):
		return server.NewError(http.StatusNotFound, "project_not_found")
	case errors.Is(err, registry.ErrTombstoned):
		return server.Errorf(http.StatusGone, "session_tombstoned", "the session was just deleted")
	case errors.Is(err, registry.ErrNoModel):
		return server.Errorf(http.StatusBadRequest, "no_model_configured", "No model is configured. Add a provider key with PUT /api/v1/config/auth/<provider> or pick a model.")
	case errors.As(err, &noKey):
		return server.Errorf(http.StatusBadRequest, "no_api_key", "%s", noKey.Error())
	case errors.Is(err, registry.ErrEntryNotFound):
		return server.NewError(http.StatusBadRequest, "entry_not_found")
	case errors.Is(err, registry.ErrClosed):
		return server.Errorf(http.StatusServiceUnavailable, "shutting_down", "the server is shutting down")
	}
	return err
}
