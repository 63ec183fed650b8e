package terminal

import (
	"encoding/json"

	"github.com/coder/websocket"
)

// Close codes and reasons of the terminal WebSocket (api-contract §3).
const (
	CodeAuthRequired    websocket.StatusCode = 4401
	CodeProjectNotFound websocket.StatusCode = 4404
	CodeReplaced        websocket.StatusCode = 4409
	CodeInternal        websocket.StatusCode = 4500

	ReasonAuthRequired    = "auth_required"
	ReasonProjectNotFound = "project_not_found"
	ReasonReplaced        = "replaced_by_new_attach"
	ReasonSpawnFailed     = "spawn_failed"
	ReasonAttachFailed    = "attach_failed"
	ReasonPTYDead         = "pty_dead"
	ReasonPTYExited       = "pty_exited"      // with websocket.StatusNormalClosure
	ReasonShutdown        = "server_shutdown" // with websocket.StatusGoingAway
	// ReasonTabClosed is the reason a client closes with to end its PTY;
	// any other close only detaches.
	ReasonTabClosed = "tab_closed"
)

// Limits of the protocol.
const (
	// MaxClientFrame is the largest client frame acted on; bigger ones are
	// read, discarded and ignored.
	MaxClientFrame = 1 << 20
	// MaxSize bounds cols and rows of a resize.
	MaxSize = 1000
	// MaxTabID is the longest tabId accepted.
	MaxTabID = 128
)

// clientMessage is a text frame from the browser: {"type":"input","data"}
// or {"type":"resize","cols","rows"}.
type clientMessage struct {
	Type string  `json:"type"`
	Data *string `json:"data"`
	Cols *int    `json:"cols"`
	Rows *int    `json:"rows"`
}

// parseClientMessage decodes a frame; ok is false for anything the
// protocol says to ignore (bad JSON, unknown type, missing or out-of-range
// fields).
func parseClientMessage(b []byte) (m clientMessage, ok bool) {
	if json.Unmarshal(b, &m) != nil {
		return m, false
	}
	switch m.Type {
	case "input":
		return m, m.Data != nil
	case "resize":
		return m, m.Cols != nil && m.Rows != nil && inSize(*m.Cols) && inSize(*m.Rows)
	}
	return m, false
}

func inSize(n int) bool { return n >= 1 && n <= MaxSize }
