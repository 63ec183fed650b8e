package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/sandbox"
	"github.com/pi-forge/pi-forge/internal/server"
)

// SandboxSource is what the sandbox settings routes read and change.
type SandboxSource struct {
	Sandbox *sandbox.Sandbox
	Store   *sandbox.Store
}

// SandboxSettingsBody is GET and PUT /config/sandbox.
type SandboxSettingsBody struct {
	Enabled bool              `json:"enabled" doc:"AGENT_TOOL_SANDBOX_ENABLED"`
	UID     *int              `json:"uid,omitempty" doc:"AGENT_TOOL_UID (sandbox on only)"`
	GID     *int              `json:"gid,omitempty" doc:"AGENT_TOOL_GID (sandbox on only)"`
	Home    string            `json:"home,omitempty" doc:"AGENT_TOOL_HOME (sandbox on only)"`
	ToolEnv map[string]string `json:"toolEnv" doc:"variables added to future agent bash, process and terminal children, in any mode"`
}

// SandboxSettingsInput is PUT /config/sandbox. toolEnv is checked by the
// handler, not the schema, so every invalid form answers
// invalid_sandbox_settings as the contract says.
type SandboxSettingsInput struct {
	ToolEnv any `json:"toolEnv,omitempty" doc:"object of NAME: string value; names match ^[A-Za-z_][A-Za-z0-9_]*$, at most 100 variables, each value at most 16 KiB"`
}

// RegisterSandbox mounts GET and PUT /config/sandbox.
func RegisterSandbox(api huma.API, src SandboxSource) {
	huma.Register(api, server.Op(http.MethodGet, "/config/sandbox", "getSandboxSettings", "Agent tool sandbox state and tool environment", "Config"),
		func(ctx context.Context, _ *struct{}) (*struct{ Body SandboxSettingsBody }, error) {
			return sandboxBody(src), nil
		})
	put := server.Op(http.MethodPut, "/config/sandbox", "putSandboxSettings", "Set the tool environment", "Config")
	put.MaxBodyBytes = 16 << 20 // 100 values of 16 KiB, even fully \u-escaped
	huma.Register(api, put, func(ctx context.Context, in *struct{ Body SandboxSettingsInput }) (*struct{ Body SandboxSettingsBody }, error) {
		env, err := toolEnvFrom(in.Body.ToolEnv)
		if err == nil {
			err = src.Store.SetToolEnv(env)
		}
		if errors.Is(err, sandbox.ErrInvalidSettings) {
			return nil, server.Errorf(http.StatusBadRequest, "invalid_sandbox_settings", "%s", err.Error())
		}
		if err != nil {
			return nil, err
		}
		return sandboxBody(src), nil
	})
}

// toolEnvFrom accepts only an object of strings.
func toolEnvFrom(v any) (map[string]string, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: toolEnv must be an object of strings", sandbox.ErrInvalidSettings)
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	env := make(map[string]string, len(obj))
	for _, k := range names {
		s, ok := obj[k].(string)
		if !ok {
			return nil, fmt.Errorf("%w: the value of %q must be a string", sandbox.ErrInvalidSettings, k)
		}
		env[k] = s
	}
	return env, nil
}

func sandboxBody(src SandboxSource) *struct{ Body SandboxSettingsBody } {
	b := SandboxSettingsBody{Enabled: src.Sandbox.Enabled(), ToolEnv: src.Store.ToolEnv()}
	if b.Enabled {
		uid, gid := src.Sandbox.UID(), src.Sandbox.GID()
		b.UID, b.GID, b.Home = &uid, &gid, src.Sandbox.Home()
	}
	return &struct{ Body SandboxSettingsBody }{Body: b}
}
