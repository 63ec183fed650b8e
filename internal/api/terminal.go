package api

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/danielgtaylor/huma/v2"

	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/terminal"
)

// TerminalRateLimit is the reference's hard-coded upgrade limit per client IP.
var TerminalRateLimit = server.RateLimit{Max: 10, Window: time.Minute}

// TerminalSource is what the terminal route needs.
type TerminalSource struct {
	Manager *terminal.Manager
	// AuthEnabled reports whether sockets must authenticate.
	AuthEnabled func() bool
	// CheckToken accepts a login token that is not scoped to changing the
	// password, or the API key; any error means "not authenticated".
	CheckToken func(token string) error
	// ProjectDir returns a project's directory; an error matching
	// projects.ErrNotFound means there is no such project.
	ProjectDir func(id string) (string, error)
	// CORSOrigin, when set (CORS_ORIGIN), is the one cross-origin page
	// allowed to open terminals, as for the REST API; otherwise any origin
	// may, as in the reference (credentials are bearer tokens, never
	// cookies, so a foreign page cannot borrow a login).
	CORSOrigin string
	Logger     *slog.Logger
}

// RegisterTerminal mounts GET /api/v1/terminal, the terminal WebSocket
// (api-contract §3). The route is outside the auth middleware because the
// socket authenticates itself: a bearer header or ?token=, checked after
// the upgrade so a failure can be reported as close code 4401.
func RegisterTerminal(srv *server.Server, src TerminalSource) {
	if src.Logger == nil {
		src.Logger = slog.New(slog.DiscardHandler)
	}
	h := &terminalHandler{srv: srv, src: src, accept: acceptOptions(src.CORSOrigin)}
	srv.Handle("GET "+server.APIPrefix+"/terminal", h)
	srv.Describe(terminalOperation())
}

type terminalHandler struct {
	srv    *server.Server
	src    TerminalSource
	accept *websocket.AcceptOptions
}

func acceptOptions(corsOrigin string) *websocket.AcceptOptions {
	if corsOrigin == "" {
		return &websocket.AcceptOptions{InsecureSkipVerify: true}
	}
	// Same-host pages are always allowed; the pattern adds the CORS origin.
	u, err := url.Parse(corsOrigin)
	if err != nil || u.Host == "" {
		return &websocket.AcceptOptions{}
	}
	return &websocket.AcceptOptions{OriginPatterns: []string{u.Host}}
}

func (h *terminalHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.srv.Allow(w, r, "openTerminal", TerminalRateLimit) {
		return
	}
	q := r.URL.Query()
	tab := q.Get("tabId")
	if utf8.RuneCountInString(tab) > terminal.MaxTabID {
		server.WriteError(w, server.Errorf(http.StatusBadRequest, "invalid_body", "query.tabId: expected length <= %d", terminal.MaxTabID))
		return
	}
	// The socket outlives any per-request deadline.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, h.accept)
	if err != nil {
		return // Accept has answered (400, 403 or 426)
	}
	if h.src.AuthEnabled != nil && h.src.AuthEnabled() && !h.authorized(r) {
		_ = conn.Close(terminal.CodeAuthRequired, terminal.ReasonAuthRequired)
		return
	}
	projectID := q.Get("projectId")
	dir, err := h.src.ProjectDir(projectID)
	if err != nil {
		if errors.Is(err, projects.ErrNotFound) {
			_ = conn.Close(terminal.CodeProjectNotFound, terminal.ReasonProjectNotFound)
			return
		}
		h.src.Logger.Error("terminal: project lookup failed", "projectId", projectID, "error", err)
		_ = conn.Close(terminal.CodeInternal, terminal.ReasonAttachFailed)
		return
	}
	h.src.Manager.Serve(conn, terminal.Request{ProjectID: projectID, Dir: dir, TabID: tab})
}

var bearerRE = regexp.MustCompile(`(?i)^Bearer\s+(\S+)$`)

// authorized accepts the Authorization header's bearer token or the token
// query parameter (browsers cannot set headers on a WebSocket).
func (h *terminalHandler) authorized(r *http.Request) bool {
	if m := bearerRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil && h.src.CheckToken(m[1]) == nil {
		return true
	}
	tok := r.URL.Query().Get("token")
	return tok != "" && h.src.CheckToken(tok) == nil
}

func terminalOperation() *huma.Operation {
	minTab, maxTab := 1, terminal.MaxTabID
	return &huma.Operation{
		OperationID: "openTerminal",
		Method:      http.MethodGet,
		Path:        server.APIPrefix + "/terminal",
		Summary:     "Open a terminal (WebSocket)",
		Description: "Upgrades to a WebSocket running a shell on a PTY in the project's directory. " +
			"Client frames are text JSON: `{\"type\":\"input\",\"data\":\"...\"}` and " +
			"`{\"type\":\"resize\",\"cols\":1-1000,\"rows\":1-1000}`; frames over 1 MiB, non-JSON and unknown types are ignored. " +
			"Output arrives as binary frames of raw PTY bytes. Reconnecting with the same tabId and projectId " +
			"reattaches and replays up to 256 KiB of output; closing with reason `tab_closed` ends the shell. " +
			"Close codes: 4401 auth_required, 4404 project_not_found, 4409 replaced_by_new_attach, " +
			"4500 spawn_failed/attach_failed/pty_dead, 1000 pty_exited, 1001 server_shutdown. " +
			"Authenticates itself (bearer header or the token parameter) after the upgrade; 10 upgrades per minute per client IP.",
		Tags: []string{"Terminal"},
		// Public to the middleware: the handler checks the token itself.
		Security: []map[string][]string{},
		Parameters: []*huma.Param{
			{Name: "projectId", In: "query", Required: true, Description: "project whose directory the shell starts in", Schema: &huma.Schema{Type: "string"}},
			{Name: "tabId", In: "query", Description: "terminal id to create or reattach; absent: a server-assigned id", Schema: &huma.Schema{Type: "string", MinLength: &minTab, MaxLength: &maxTab}},
			{Name: "token", In: "query", Description: "login token or API key, for clients that cannot send headers", Schema: &huma.Schema{Type: "string"}},
		},
		Responses: map[string]*huma.Response{
			"101": {Description: "Switching Protocols: the terminal WebSocket"},
			"400": {Description: "tabId longer than 128 characters"},
			"426": {Description: "not a WebSocket upgrade request"},
			"429": {Description: "more than 10 upgrades in a minute from this client"},
		},
	}
}
