package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/session"
)

// SessionCompaction is one item of GET /sessions/{id}/compactions.
type SessionCompaction struct {
	ID                string   `json:"id"`
	Timestamp         string   `json:"timestamp"`
	Summary           string   `json:"summary"`
	TokensBefore      int      `json:"tokensBefore"`
	InsertBeforeIndex int      `json:"insertBeforeIndex"`
	ArchivedMessages  Messages `json:"archivedMessages"`
}

// CompactionList is GET /sessions/{id}/compactions.
type CompactionList struct {
	Compactions []SessionCompaction `json:"compactions"`
}

// SessionContext is GET /sessions/{id}/context.
type SessionContext struct {
	Messages              Messages            `json:"messages"`
	TotalInputTokens      int                 `json:"totalInputTokens"`
	TotalOutputTokens     int                 `json:"totalOutputTokens"`
	TotalCacheReadTokens  int                 `json:"totalCacheReadTokens"`
	TotalCacheWriteTokens int                 `json:"totalCacheWriteTokens"`
	TotalTokens           int                 `json:"totalTokens"`
	TotalCost             float64             `json:"totalCost"`
	Turns                 []SessionTurnUsage  `json:"turns"`
	ContextUsage          SessionContextUsage `json:"contextUsage"`
}

// SessionTurnUsage is one assistant response's usage; Index points into
// messages.
type SessionTurnUsage registry.TurnUsage

// SessionContextUsage is how full the model's window is (tokens and percent
// absent when unknown, after a compaction).
type SessionContextUsage registry.ContextUsage

// TurnDiffEntry is one file the last run wrote or edited.
type TurnDiffEntry registry.TurnDiffEntry

// SessionTree is GET /sessions/{id}/tree.
type SessionTree struct {
	LeafID    *string            `json:"leafId"`
	BranchIDs []string           `json:"branchIds"`
	Entries   []SessionTreeEntry `json:"entries"`
}

// SessionTreeEntry is one entry of the tree, depth first.
type SessionTreeEntry session.TreeEntry

// TurnDiff is GET /sessions/{id}/turn-diff.
type TurnDiff struct {
	Entries []TurnDiffEntry `json:"entries"`
}

func registerSessionReads(api huma.API, d Sessions) {
	huma.Register(api, sessionOp(http.MethodGet, "/sessions/{id}/messages", "getSessionMessages", "The live session's messages (as the snapshot)"),
		func(ctx context.Context, in *sessionID) (*struct{ Body MessageList }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			return &struct{ Body MessageList }{Body: MessageList{Messages: s.Messages()}}, nil
		})
	huma.Register(api, sessionOp(http.MethodGet, "/sessions/{id}/compactions", "getSessionCompactions", "Compactions on the active path and what each archived"),
		func(ctx context.Context, in *sessionID) (*struct{ Body CompactionList }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			list := s.File().Compactions()
			out := CompactionList{Compactions: make([]SessionCompaction, len(list))}
			for i, c := range list {
				out.Compactions[i] = SessionCompaction{ID: c.ID, Timestamp: c.Timestamp, Summary: c.Summary, TokensBefore: c.TokensBefore,
					InsertBeforeIndex: c.InsertBeforeIndex, ArchivedMessages: c.ArchivedMessages}
			}
			return &struct{ Body CompactionList }{Body: out}, nil
		})
	huma.Register(api, sessionOp(http.MethodGet, "/sessions/{id}/turn-diff", "getSessionTurnDiff", "Every write and edit of the last run, per file"),
		func(ctx context.Context, in *sessionID) (*struct{ Body TurnDiff }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			entries := s.TurnDiff(ctx)
			out := TurnDiff{Entries: make([]TurnDiffEntry, len(entries))}
			for i, en := range entries {
				out.Entries[i] = TurnDiffEntry(en)
			}
			return &struct{ Body TurnDiff }{Body: out}, nil
		})
	huma.Register(api, sessionOp(http.MethodGet, "/sessions/{id}/tree", "getSessionTree", "The session's entry tree (resumes a cold session)"),
		func(ctx context.Context, in *sessionID) (*struct{ Body SessionTree }, error) {
			s, err := resume(ctx, d, in.ID)
			if err != nil {
				return nil, err
			}
			v := s.File().TreeView()
			out := SessionTree{LeafID: v.LeafID, BranchIDs: v.BranchIDs, Entries: make([]SessionTreeEntry, len(v.Entries))}
			for i, en := range v.Entries {
				out.Entries[i] = SessionTreeEntry(en)
			}
			return &struct{ Body SessionTree }{Body: out}, nil
		})
	huma.Register(api, sessionOp(http.MethodGet, "/sessions/{id}/context", "getSessionContext", "The context with token usage (resumes a cold session)"),
		func(ctx context.Context, in *sessionID) (*struct{ Body SessionContext }, error) {
			s, err := resume(ctx, d, in.ID)
			if err != nil {
				return nil, err
			}
			c := s.Context()
			out := SessionContext{Messages: c.Messages, TotalInputTokens: c.TotalInputTokens,
				TotalOutputTokens: c.TotalOutputTokens, TotalCacheReadTokens: c.TotalCacheReadTokens,
				TotalCacheWriteTokens: c.TotalCacheWriteTokens, TotalTokens: c.TotalTokens, TotalCost: c.TotalCost,
				Turns: make([]SessionTurnUsage, len(c.Turns)), ContextUsage: SessionContextUsage(c.ContextUsage)}
			for i, tu := range c.Turns {
				out.Turns[i] = SessionTurnUsage(tu)
			}
			return &struct{ Body SessionContext }{Body: out}, nil
		})
	registerExport(api, d)
}

// resume makes a cold session live for the RESUME routes; any failure to
// load it (a just-deleted session included; only the stream says 410) is
// 404, as in the reference.
func resume(ctx context.Context, d Sessions, id string) (*registry.Session, error) {
	s, err := d.Registry.Resume(ctx, id)
	if err != nil {
		if errors.Is(err, registry.ErrClosed) {
			return nil, sessionError(err)
		}
		return nil, server.NewError(http.StatusNotFound, "session_not_found")
	}
	return s, nil
}

type exportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func registerExport(api huma.API, d Sessions) {
	op := sessionOp(http.MethodGet, "/sessions/{id}/export", "exportSession", "Download a session as JSONL or Markdown")
	op.Responses = map[string]*huma.Response{"200": {Description: "the export as an attachment", Content: map[string]*huma.MediaType{
		"application/x-ndjson": {}, "text/markdown": {}}}}
	huma.Register(api, op, func(ctx context.Context, in *struct {
		ID     string `path:"id"`
		Format string `query:"format" required:"true" enum:"jsonl,markdown"`
	}) (*exportOutput, error) {
		projectName := ""
		if sum, _, err := d.Registry.Lookup(in.ID); err == nil && d.Projects != nil {
			if p, err := d.Projects.Get(sum.ProjectID); err == nil {
				projectName = p.Name
			}
		}
		ex, err := d.Store.Export(in.ID, in.Format, projectName)
		switch {
		case errors.Is(err, session.ErrNotFound):
			return nil, server.NewError(http.StatusNotFound, "session_not_found")
		case errors.Is(err, session.ErrBadFormat):
			return nil, server.Errorf(http.StatusBadRequest, "invalid_format", "format must be jsonl or markdown")
		case err != nil:
			return nil, server.NewError(http.StatusInternalServerError, "export_failed")
		}
		return &exportOutput{ContentType: ex.ContentType, Body: ex.Content,
			ContentDisposition: attachment(ex.Filename)}, nil
	})
}

// attachment is a Content-Disposition with the file name quoted, as the
// reference writes it.
func attachment(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + name + `"`
}
