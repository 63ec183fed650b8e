package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/session"
)

// SessionSearchEngine names the session search implementation: a Go scan
// of the JSONL files (the reference reports "ripgrep" or "node").
const SessionSearchEngine = "go"

// SessionSearch is GET /search/sessions.
type SessionSearch struct {
	Engine    string             `json:"engine"`
	Truncated bool               `json:"truncated"`
	Results   []SessionSearchHit `json:"results"`
}

// SessionSearchHit is one session's matches.
type SessionSearchHit struct {
	SessionID   string               `json:"sessionId"`
	ProjectID   string               `json:"projectId"`
	ProjectName string               `json:"projectName"`
	SessionName string               `json:"sessionName,omitempty"`
	ModifiedAt  string               `json:"modifiedAt"`
	Matches     []SessionSearchMatch `json:"matches"`
}

// SessionSearchMatch is one match; offsets count UTF-16 units of Snippet.
type SessionSearchMatch session.Match

func registerSessionSearch(api huma.API, d Sessions) {
	op := server.RateLimited(server.Op(http.MethodGet, "/search/sessions", "searchSessions", "Search the text of every session", "Sessions"), d.SearchLimit)
	huma.Register(api, op, func(ctx context.Context, in *struct {
		Q                 string `query:"q" required:"true" minLength:"1" maxLength:"256" doc:"case-insensitive text to find"`
		SessionLimit      int    `query:"sessionLimit" minimum:"1" maximum:"200" default:"50"`
		MatchesPerSession int    `query:"matchesPerSession" minimum:"1" maximum:"50" default:"5"`
	}) (*struct{ Body SessionSearch }, error) {
		var targets []session.SearchProject
		if d.Projects != nil {
			list, err := d.Projects.List()
			if err != nil {
				return nil, server.NewError(http.StatusInternalServerError, "search_failed")
			}
			for _, p := range list {
				targets = append(targets, session.SearchProject{ID: p.ID, Name: p.Name})
			}
		}
		res := d.Store.Search(ctx, session.SearchOptions{Query: in.Q, Projects: targets,
			SessionLimit: in.SessionLimit, MatchesPerSession: in.MatchesPerSession})
		out := SessionSearch{Engine: SessionSearchEngine, Truncated: res.Truncated, Results: make([]SessionSearchHit, len(res.Results))}
		for i, r := range res.Results {
			hit := SessionSearchHit{SessionID: r.SessionID, ProjectID: r.ProjectID, ProjectName: r.ProjectName,
				SessionName: r.SessionName, ModifiedAt: r.ModifiedAt, Matches: make([]SessionSearchMatch, len(r.Matches))}
			for j, m := range r.Matches {
				hit.Matches[j] = SessionSearchMatch(m)
			}
			out.Results[i] = hit
		}
		return &struct{ Body SessionSearch }{Body: out}, nil
	})
}
