package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/agent"
	"github.com/pi-forge/pi-forge/internal/agent/compaction"
	"github.com/pi-forge/pi-forge/internal/registry"
	"github.com/pi-forge/pi-forge/internal/server"
)

// Timeouts of the control routes (the reference's).
const (
	compactTimeout  = 5 * time.Minute
	navigateTimeout = 10 * time.Minute
)

// SteerAccepted is POST /steer's 202 answer.
type SteerAccepted struct {
	Accepted bool `json:"accepted"`
}

// ModelChoice is POST /sessions/{id}/model.
type ModelChoice struct {
	Provider string `json:"provider" minLength:"1"`
	ModelID  string `json:"modelId" minLength:"1"`
}

// ThinkingLevel is POST /sessions/{id}/thinking-level.
type ThinkingLevel struct {
	Level string `json:"level" enum:"off,minimal,low,medium,high,xhigh"`
}

// CompactResult is POST /sessions/{id}/compact.
type CompactResult struct {
	Summary      string `json:"summary"`
	TokensBefore int    `json:"tokensBefore"`
	TokensAfter  int    `json:"tokensAfter"`
}

// ExecBody is POST /sessions/{id}/exec.
type ExecBody struct {
	Command            string `json:"command" minLength:"1" maxLength:"4096" doc:"shell command; a leading ! or !! (the composer's prefixes) is accepted"`
	ExcludeFromContext bool   `json:"excludeFromContext,omitempty" doc:"keep the command and its output from the model (!!)"`
}

// ExecResult is the command's result.
type ExecResult struct {
	ExitCode   *int   `json:"exitCode"`
	Output     string `json:"output"`
	DurationMs int64  `json:"durationMs"`
	Truncated  bool   `json:"truncated"`
	Cancelled  bool   `json:"cancelled"`
}

func registerSessionControl(api huma.API, d Sessions) {
	registerPrompt(api, d)
	huma.Register(api, server.Status(server.RateLimited(sessionOp(http.MethodPost, "/sessions/{id}/steer", "steerSession", "Queue a message for the running agent"), d.PromptLimit), http.StatusAccepted),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body struct {
				Text string `json:"text" minLength:"1"`
				Mode string `json:"mode,omitempty" enum:"steer,followUp"`
			}
		}) (*struct{ Body SteerAccepted }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			text := in.Body.Text
			if d.ExpandSteer != nil {
				text = d.ExpandSteer(PromptTarget{SessionID: s.ID(), ProjectID: s.ProjectID(), Cwd: s.Cwd(), Workspace: s.Workspace()}, text)
			}
			s.Steer(text, in.Body.Mode)
			return &struct{ Body SteerAccepted }{Body: SteerAccepted{Accepted: true}}, nil
		})
	huma.Register(api, server.Status(sessionOp(http.MethodPost, "/sessions/{id}/abort", "abortSession", "Abort the run and wait until the agent is idle"), http.StatusNoContent),
		func(ctx context.Context, in *sessionID) (*struct{}, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			s.Abort()
			return nil, nil
		})
	huma.Register(api, sessionOp(http.MethodPost, "/sessions/{id}/model", "setSessionModel", "Switch this session's model (the global default stays)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body ModelChoice
		}) (*struct{ Body ModelChoice }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			m, err := s.SetModel(ctx, in.Body.Provider, in.Body.ModelID)
			if err != nil {
				return nil, controlError(err)
			}
			return &struct{ Body ModelChoice }{Body: ModelChoice{Provider: m.Provider, ModelID: m.ID}}, nil
		})
	huma.Register(api, sessionOp(http.MethodPost, "/sessions/{id}/thinking-level", "setSessionThinkingLevel", "Set the thinking level (clamped to the model)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body ThinkingLevel
		}) (*struct{ Body ThinkingLevel }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			return &struct{ Body ThinkingLevel }{Body: ThinkingLevel{Level: s.SetThinkingLevel(in.Body.Level)}}, nil
		})
	huma.Register(api, server.RateLimited(sessionOp(http.MethodPost, "/sessions/{id}/compact", "compactSession", "Compact the context now"), d.PromptLimit),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body *struct {
				CustomInstructions string `json:"customInstructions,omitempty"`
			} `required:"false"`
		}) (*struct{ Body CompactResult }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			instructions := ""
			if in.Body != nil {
				instructions = in.Body.CustomInstructions
			}
			// The compaction outlives a client that goes away.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), compactTimeout)
			defer cancel()
			res, err := s.Compact(cctx, instructions)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					return nil, server.Errorf(http.StatusGatewayTimeout, "compact_timeout", "compaction took longer than %s", compactTimeout)
				}
				return nil, controlError(err)
			}
			return &struct{ Body CompactResult }{Body: CompactResult{Summary: res.Summary, TokensBefore: res.TokensBefore, TokensAfter: res.TokensAfter}}, nil
		})
	huma.Register(api, sessionOp(http.MethodPost, "/sessions/{id}/exec", "execInSession", "Run a shell command in the project (! and !!)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body ExecBody
		}) (*struct{ Body ExecResult }, error) {
			s, err := d.Registry.Get(in.ID)
			if err != nil {
				return nil, sessionError(err)
			}
			cmd, exclude := execCommand(in.Body.Command, in.Body.ExcludeFromContext)
			res, err := s.Exec(ctx, cmd, exclude)
			if err != nil {
				return nil, server.NewError(http.StatusInternalServerError, "exec_failed")
			}
			return &struct{ Body ExecResult }{Body: ExecResult{ExitCode: res.ExitCode, Output: res.Output, DurationMs: res.DurationMs,
				Truncated: res.Truncated, Cancelled: res.Cancelled}}, nil
		})
}

// execCommand strips the composer's prefix: "!!cmd" runs cmd kept out of
// the context, "!cmd" runs cmd. "! cmd" is left alone: to a shell it is
// a negated pipeline.
func execCommand(command string, exclude bool) (string, bool) {
	if rest, ok := strings.CutPrefix(command, "!!"); ok && strings.TrimSpace(rest) != "" {
		return strings.TrimSpace(rest), true
	}
	if rest, ok := strings.CutPrefix(command, "!"); ok && rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return rest, exclude
	}
	return command, exclude
}

// controlError maps the errors of prompt and control operations.
func controlError(err error) error {
	switch {
	case errors.Is(err, registry.ErrBusy):
		return server.Errorf(http.StatusConflict, "agent_busy", "%s", agent.ErrAlreadyProcessing.Error())
	case errors.Is(err, registry.ErrUnknownProvider):
		return server.Errorf(http.StatusBadRequest, "unknown_provider", "%s", strings.TrimPrefix(err.Error(), "registry: "))
	case errors.Is(err, registry.ErrUnknownModel):
		return server.Errorf(http.StatusBadRequest, "unknown_model", "%s", strings.TrimPrefix(err.Error(), "registry: "))
	case errors.Is(err, compaction.ErrNothingToCompact):
		return server.Errorf(http.StatusBadRequest, "nothing_to_compact", "%s", compaction.ErrNothingToCompact.Error())
	case errors.Is(err, compaction.ErrAlreadyCompacted):
		return server.Errorf(http.StatusBadRequest, "already_compacted", "%s", compaction.ErrAlreadyCompacted.Error())
	case errors.Is(err, agent.ErrCompactionCancelled), errors.Is(err, context.Canceled):
		return server.Errorf(http.StatusConflict, "compaction_cancelled", "%s", agent.ErrCompactionCancelled.Error())
	}
	return sessionError(err)
}
