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
	Engine    string                   `json:"engine"`
	Truncated bool                     `json:"truncated"`
	Results   []session.SessionMatches `json:"results"`
}

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
		return &struct{ Body SessionSearch }{Body: SessionSearch{Engine: SessionSearchEngine, Truncated: res.Truncated, Results: res.Results}}, nil
	})
}
