package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
)

// PromptBody is the JSON form of POST /sessions/{id}/prompt.
type PromptBody struct {
	Text              string `json:"text" minLength:"1"`
	StreamingBehavior string `json:"streamingBehavior,omitempty" enum:"steer,followUp" doc:"how to queue the prompt while the agent works"`
}

// PromptAccepted is the 202 answer of a prompt.
type PromptAccepted struct {
	Accepted    bool   `json:"accepted"`
	SessionName string `json:"sessionName,omitempty" doc:"the title this first prompt gave the session"`
}

// PromptTarget is the session a prompt is sent to.
type PromptTarget struct {
	SessionID string
	ProjectID string
	Cwd       string
	// Workspace is what the toolbox prepared for the session (its Data
	// holds e.g. the session's skills and templates).
	Workspace registry.Workspace
}

// PromptDecoder reads a prompt request into the prompt to send. It may
// read JSON, multipart attachments or expand @file references; errors it
// returns as *server.Error reach the client as they are.
type PromptDecoder func(r *http.Request, t PromptTarget) (registry.PromptInput, error)

// jsonPromptLimit caps a JSON prompt body.
const jsonPromptLimit = 20 << 20

// DecodeJSONPrompt reads {text, streamingBehavior}.
func DecodeJSONPrompt(r *http.Request, _ PromptTarget) (registry.PromptInput, error) {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, jsonPromptLimit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return registry.PromptInput{}, server.NewError(http.StatusRequestEntityTooLarge, "body_too_large")
		}
		return registry.PromptInput{}, server.Errorf(http.StatusBadRequest, "invalid_body", "reading the body failed")
	}
	var body struct {
		Text              *string `json:"text"`
		StreamingBehavior *string `json:"streamingBehavior"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		return registry.PromptInput{}, server.Errorf(http.StatusBadRequest, "invalid_body", "body must be a JSON object: %s", err.Error())
	}
	if body.Text == nil {
		return registry.PromptInput{}, server.Errorf(http.StatusBadRequest, "missing_text", "body must have a text")
	}
	if *body.Text == "" {
		return registry.PromptInput{}, server.Errorf(http.StatusBadRequest, "invalid_body", "body.text must not be empty")
	}
	in := registry.PromptInput{Text: *body.Text}
	if sb := body.StreamingBehavior; sb != nil {
		if *sb != "steer" && *sb != "followUp" {
			return registry.PromptInput{}, server.Errorf(http.StatusBadRequest, "invalid_body", `body.streamingBehavior must be "steer" or "followUp"`)
		}
		in.StreamingBehavior = *sb
	}
	return in, nil
}

func registerPrompt(api huma.API, d Sessions) {
	op := server.RateLimited(sessionOp(http.MethodPost, "/sessions/{id}/prompt", "promptSession", "Send a prompt (the reply streams over SSE)"), d.PromptLimit)
	op.MaxBodyBytes = server.MaxBodyBytes
	op.Description = "Returns 202 at once; the agent's output arrives on GET /sessions/{id}/stream. " +
		"JSON {text, streamingBehavior?} or multipart (text, streamingBehavior, attachments) where enabled."
	reg := api.OpenAPI().Components.Schemas
	op.Responses = map[string]*huma.Response{"202": {Description: "accepted", Content: map[string]*huma.MediaType{
		"application/json": {Schema: huma.SchemaFromType(reg, reflect.TypeOf(PromptAccepted{}))}}}}
	huma.Register(api, op, func(ctx context.Context, in *sessionID) (*huma.StreamResponse, error) {
		s, err := d.Registry.Get(in.ID)
		if err != nil {
			return nil, sessionError(err)
		}
		return server.Stream(func(w http.ResponseWriter, r *http.Request) {
			p, err := d.DecodePrompt(r, PromptTarget{SessionID: s.ID(), ProjectID: s.ProjectID(), Cwd: s.Cwd(), Workspace: s.Workspace()})
			if err != nil {
				server.Fail(w, r, err)
				return
			}
			if p.Text == "" && len(p.Images) == 0 {
				server.WriteError(w, server.Errorf(http.StatusBadRequest, "missing_text", "the prompt has no text"))
				return
			}
			res, err := s.Prompt(r.Context(), p)
			if err != nil {
				server.WriteError(w, controlError(err))
				return
			}
			writeJSON(w, http.StatusAccepted, PromptAccepted{Accepted: true, SessionName: res.SessionName})
		}), nil
	})
	// The decoder reads the body itself (JSON or multipart), so the body is
	// described only now: declared before registering, huma would read it.
	if item := api.OpenAPI().Paths[op.Path]; item != nil && item.Post != nil {
		item.Post.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"application/json":    {Schema: huma.SchemaFromType(reg, reflect.TypeOf(PromptBody{}))},
			"multipart/form-data": {Schema: &huma.Schema{Type: huma.TypeObject, AdditionalProperties: true}},
		}}
	}
}

// writeJSON writes a JSON response from a raw handler.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		server.WriteError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
