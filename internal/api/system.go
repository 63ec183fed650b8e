// Package api holds the /api/v1 route handlers, one file per area. Each
// area registers its operations on the server's huma API from a Register*
// function that takes exactly the services it needs.
package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/server"
)

// HealthSource counts what /health reports.
type HealthSource struct {
	ActiveSessions func() int
	ActivePtys     func() int
}

// HealthBody is GET /health.
type HealthBody struct {
	Status         string `json:"status" example:"ok"`
	ActiveSessions int    `json:"activeSessions" doc:"live sessions in the registry"`
	ActivePtys     int    `json:"activePtys" doc:"terminal PTYs, attached or detached"`
}

// RegisterHealth mounts GET /health (public; the container health check).
func RegisterHealth(api huma.API, src HealthSource) {
	huma.Register(api, server.Public(server.Op(http.MethodGet, "/health", "getHealth", "Liveness and counts", "System")),
		func(ctx context.Context, _ *struct{}) (*struct{ Body HealthBody }, error) {
			out := &struct{ Body HealthBody }{Body: HealthBody{Status: "ok"}}
			if src.ActiveSessions != nil {
				out.Body.ActiveSessions = src.ActiveSessions()
			}
			if src.ActivePtys != nil {
				out.Body.ActivePtys = src.ActivePtys()
			}
			return out, nil
		})
}
