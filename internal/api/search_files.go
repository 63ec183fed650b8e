package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/search"
	"github.com/pi-forge/pi-forge/internal/server"
)

// FileSearch is what GET /files/search needs.
type FileSearch struct {
	Projects *projects.Store
	Searcher *search.Searcher
	Limit    server.RateLimit
}

// FileSearchResult is GET /files/search.
type FileSearchResult struct {
	Engine    string      `json:"engine" enum:"ripgrep,node" doc:"node: the built-in Go engine (the reference's name for its fallback)"`
	Truncated bool        `json:"truncated" doc:"more matches existed, or the 30 s budget ran out"`
	Matches   []FileMatch `json:"matches"`
}

// FileMatch is one hit: search.Match under a schema name of its own
// (session search has a Match too).
type FileMatch search.Match

// RegisterFileSearch mounts GET /files/search (ripgrep, or the Go engine
// reported as "node").
func RegisterFileSearch(api huma.API, d FileSearch) {
	op := server.RateLimited(server.Op(http.MethodGet, "/files/search", "searchFiles", "Search the text of the project's files", "Files"), d.Limit)
	op.Description = "Per-line matches, sorted by path, line and column; column and length count UTF-16 code units. " +
		"Gitignored, hidden and skipped folders are left out unless includeGitignored is set. 30 s budget, 5 MiB per file."
	huma.Register(api, op, func(ctx context.Context, in *struct {
		ProjectID         string `query:"projectId" required:"true" minLength:"1"`
		Q                 string `query:"q" required:"true" minLength:"1" maxLength:"1024"`
		Regex             bool   `query:"regex"`
		CaseSensitive     bool   `query:"caseSensitive"`
		IncludeGitignored bool   `query:"includeGitignored"`
		Include           string `query:"include" maxLength:"256" doc:"a glob the file must match"`
		Exclude           string `query:"exclude" maxLength:"256" doc:"a glob the file must not match"`
		Limit             int    `query:"limit" minimum:"1" maximum:"1000" default:"200"`
	}) (*struct{ Body FileSearchResult }, error) {
		root, err := projectPath(d.Projects, in.ProjectID)
		if err != nil {
			return nil, err
		}
		res, err := d.Searcher.Search(ctx, root, search.Query{
			Pattern: in.Q, Regex: in.Regex, CaseSensitive: in.CaseSensitive, IncludeGitignored: in.IncludeGitignored,
			Include: in.Include, Exclude: in.Exclude, Limit: in.Limit,
		})
		if err != nil {
			return nil, apiFailure(err)
		}
		out := FileSearchResult{Engine: res.Engine, Truncated: res.Truncated, Matches: make([]FileMatch, len(res.Matches))}
		for i, m := range res.Matches {
			out.Matches[i] = FileMatch(m)
		}
		return &struct{ Body FileSearchResult }{Body: out}, nil
	})
}
