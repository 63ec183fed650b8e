package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
)

// NavigateBody is POST /sessions/{id}/navigate.
type NavigateBody struct {
	EntryID            string `json:"entryId" minLength:"1"`
	Summarize          bool   `json:"summarize,omitempty" doc:"summarise the branch being left into a branch_summary entry"`
	CustomInstructions string `json:"customInstructions,omitempty"`
	Label              string `json:"label,omitempty" maxLength:"200" doc:"bookmark for the summary entry, or the target"`
}

// NavigateResult is the navigation's outcome.
type NavigateResult struct {
	Cancelled  bool    `json:"cancelled"`
	Aborted    bool    `json:"aborted,omitempty"`
	EditorText *string `json:"editorText,omitempty"`
}

func registerSessionBranching(api huma.API, d Sessions) {
	huma.Register(api, server.Status(sessionOp(http.MethodPost, "/sessions/{id}/fork", "forkSession", "Copy the path up to an entry into a new session"), http.StatusCreated),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body struct {
				EntryID string `json:"entryId" minLength:"1"`
			}
		}) (*struct{ Body LiveSummary }, error) {
			ns, err := d.Registry.Fork(ctx, in.ID, in.Body.EntryID)
			switch {
			case err == nil:
				return liveSummary(ns.Summary(), true), nil
			case errors.Is(err, registry.ErrSessionNotFound), errors.Is(err, registry.ErrEntryNotFound):
				return nil, sessionError(err)
			}
			return nil, server.Errorf(http.StatusBadRequest, "fork_failed", "the fork could not be written")
		})
	huma.Register(api, server.RateLimited(sessionOp(http.MethodPost, "/sessions/{id}/navigate", "navigateSession", "Move the session's leaf to an entry (in place)"), d.PromptLimit),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body NavigateBody
		}) (*struct{ Body NavigateResult }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), navigateTimeout)
			defer cancel()
			res, err := s.Navigate(nctx, in.Body.EntryID, registry.NavigateOptions{Summarize: in.Body.Summarize,
				CustomInstructions: in.Body.CustomInstructions, Label: in.Body.Label})
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					return nil, server.Errorf(http.StatusGatewayTimeout, "navigate_timeout", "navigation took longer than %s", navigateTimeout)
				}
				return nil, controlError(err)
			}
			out := NavigateResult{Cancelled: res.Cancelled, Aborted: res.Aborted}
			if res.HasEditorText {
				out.EditorText = &res.EditorText
			}
			return &struct{ Body NavigateResult }{Body: out}, nil
		})
}
