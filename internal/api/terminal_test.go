package api_test

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/terminal"
	"github.com/pi-forge/pi-forge/internal/terminal/termtest"
)

// termEnv is a server with one project, p.
type termEnv struct {
	*apitest.Env
	project string
}

func startTerminalEnv(t *testing.T, vars map[string]string) termEnv {
	t.Helper()
	if vars == nil {
		vars = map[string]string{}
	}
	if _, ok := vars["SHELL"]; !ok {
		t.Setenv("SHELL", "/bin/bash") // the server's $SHELL picks the shell
	}
	// Shells read ~/.bashrc from the server's HOME; the machine's own must
	// not decide whether a test passes.
	t.Setenv("HOME", t.TempDir())
	e := apitest.Start(t, vars)
	if e.App.AuthEnabled() {
		if key := vars["API_KEY"]; key != "" {
			e.Token = key
		} else {
			e.Token = e.Login("", vars["UI_PASSWORD"])
		}
	}
	mkdirs(t, e.Workspace, "proj")
	p := createProject(t, e, "Proj", filepath.Join(e.Workspace, "proj"))
	return termEnv{Env: e, project: p.ID}
}

// wsURL is the terminal URL with the given query parameters.
func (e termEnv) wsURL(params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return "ws" + strings.TrimPrefix(e.URL, "http") + "/api/v1/terminal?" + q.Encode()
}

func (e termEnv) activePtys(t *testing.T) int {
	t.Helper()
	var h struct{ ActivePtys int }
	e.Expect(http.StatusOK, "GET", "/api/v1/health", nil).JSON(t, &h)
	return h.ActivePtys
}

func TestTerminalEchoAndHealthCount(t *testing.T) {
	e := startTerminalEnv(t, nil)
	c := termtest.Dial(t, e.wsURL("projectId", e.project, "tabId", "tab-1"), nil)
	c.Input("echo hello-$((20+22))\n")
	c.WaitFor("hello-42")
	if n := e.activePtys(t); n != 1 {
		t.Fatalf("activePtys %d, want 1", n)
	}
	c.Close(websocket.StatusNormalClosure, terminal.ReasonTabClosed)
	termtest.Eventually(t, "activePtys 0 after tab_closed", func() bool { return e.activePtys(t) == 0 })
}

func TestTerminalIdleReapShowsInHealth(t *testing.T) {
	e := startTerminalEnv(t, map[string]string{"PTY_IDLE_REAP_MS": "50"})
	c := termtest.Dial(t, e.wsURL("projectId", e.project, "tabId", "t"), nil)
	pid := c.ShellPID()
	c.Close(websocket.StatusGoingAway, "")
	termtest.Eventually(t, "the detached terminal to be reaped", func() bool { return e.activePtys(t) == 0 })
	if !termtest.ProcessGone(pid) {
		t.Fatalf("shell %d still running", pid)
	}
}

func TestTerminalKeepaliveFromConfig(t *testing.T) {
	e := startTerminalEnv(t, map[string]string{"TERMINAL_WS_KEEPALIVE_MS": "25"})
	c := termtest.Dial(t, e.wsURL("projectId", e.project), nil)
	for range 2 {
		<-c.Pings()
	}
}

func TestTerminalEnvironmentFromTheServer(t *testing.T) {
	t.Setenv("API_KEY", "server-side-api-key") // in the process env only: auth stays off
	t.Setenv("OPENAI_API_KEY", "sk-openai-secret")
	t.Setenv("GEMINI_API_KEY", "gemini-secret")
	t.Setenv("FORGE_TEST_PASS", "passed")
	e := startTerminalEnv(t, map[string]string{"TERMINAL_PASSTHROUGH_ENV": "FORGE_TEST_PASS"})
	e.Expect(http.StatusOK, "PUT", "/api/v1/config/sandbox", map[string]any{"toolEnv": map[string]string{"FROM_TOOL_ENV": "tool"}})
	c := termtest.Dial(t, e.wsURL("projectId", e.project), nil)
	c.Input(`printf 'env<%s|%s|%s|%s|%s|%s>\n' "$API_KEY" "$OPENAI_API_KEY" "$GEMINI_API_KEY" "${PATH:+path}" "$FORGE_TEST_PASS" "$FROM_TOOL_ENV"` + "\n")
	c.WaitFor("env<|||path|passed|tool>")
}

func TestTerminalAuthentication(t *testing.T) {
	const key = "terminal-api-key"
	e := startTerminalEnv(t, map[string]string{"API_KEY": key, "UI_PASSWORD": password, "REQUIRE_PASSWORD_CHANGE": "true"})
	login := e.Expect(http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"password": password}).Map(t)
	scoped := login["token"].(string)
	refused := []struct {
		name string
		url  string
		hdr  http.Header
	}{
		{"no token", e.wsURL("projectId", e.project), nil},
		{"wrong token", e.wsURL("projectId", e.project, "token", "wrong"), nil},
		{"wrong header", e.wsURL("projectId", e.project), http.Header{"Authorization": {"Bearer wrong"}}},
		{"scoped must-change-password token", e.wsURL("projectId", e.project, "token", scoped), nil},
		// Authentication comes before the project lookup.
		{"no token, unknown project", e.wsURL("projectId", "nope"), nil},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			c := termtest.Dial(t, tc.url, &websocket.DialOptions{HTTPHeader: tc.hdr})
			if ce := c.CloseStatus(); ce.Code != terminal.CodeAuthRequired || ce.Reason != terminal.ReasonAuthRequired {
				t.Fatalf("closed with %d %q", ce.Code, ce.Reason)
			}
		})
	}
	accepted := []struct {
		name string
		url  string
		hdr  http.Header
	}{
		{"API key in the query", e.wsURL("projectId", e.project, "token", key), nil},
		{"API key in the header", e.wsURL("projectId", e.project), http.Header{"Authorization": {"Bearer " + key}}},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			c := termtest.Dial(t, tc.url, &websocket.DialOptions{HTTPHeader: tc.hdr})
			c.Input("echo in-$((3*3))\n")
			c.WaitFor("in-9")
		})
	}
}

func TestTerminalLoginToken(t *testing.T) {
	e := startTerminalEnv(t, map[string]string{"UI_PASSWORD": password})
	c := termtest.Dial(t, e.wsURL("projectId", e.project, "token", e.Token), nil)
	c.Input("echo jwt-$((5*5))\n")
	c.WaitFor("jwt-25")
}

func TestTerminalUnknownProject(t *testing.T) {
	e := startTerminalEnv(t, nil)
	for _, u := range []string{e.wsURL("projectId", "no-such-project"), e.wsURL()} {
		c := termtest.Dial(t, u, nil)
		if ce := c.CloseStatus(); ce.Code != terminal.CodeProjectNotFound || ce.Reason != terminal.ReasonProjectNotFound {
			t.Fatalf("%s: closed with %d %q", u, ce.Code, ce.Reason)
		}
	}
	if n := e.activePtys(t); n != 0 {
		t.Fatalf("activePtys %d", n)
	}
}

func TestTerminalTabIDLength(t *testing.T) {
	e := startTerminalEnv(t, nil)
	_, resp, err := websocket.Dial(t.Context(), e.wsURL("projectId", e.project, "tabId", strings.Repeat("x", 129)), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("129-character tabId: err %v, resp %v", err, resp)
	}
	c := termtest.Dial(t, e.wsURL("projectId", e.project, "tabId", strings.Repeat("é", 128)), nil)
	c.Input("echo ok-$((1+1))\n")
	c.WaitFor("ok-2")
}

func TestTerminalUpgradeRateLimit(t *testing.T) {
	e := startTerminalEnv(t, nil)
	for i := range api.TerminalRateLimit.Max {
		// Refused sockets count too: the limit is on upgrades.
		c := termtest.Dial(t, e.wsURL("projectId", "missing-"+strconv.Itoa(i)), nil)
		c.CloseStatus()
	}
	_, resp, err := websocket.Dial(context.Background(), e.wsURL("projectId", e.project), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("11th upgrade: err %v, resp %v", err, resp)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Other routes are not affected.
	e.Expect(http.StatusOK, "GET", "/api/v1/health", nil)
}

func TestTerminalTokenNeverLogged(t *testing.T) {
	const key = "do-not-log-this-key"
	e := startTerminalEnv(t, map[string]string{"API_KEY": key})
	c := termtest.Dial(t, e.wsURL("projectId", "x", "token", key), nil)
	c.CloseStatus()
	termtest.Eventually(t, "the request log line", func() bool { return strings.Contains(e.Logs(), "/api/v1/terminal") })
	logs := e.Logs()
	if strings.Contains(logs, key) {
		t.Fatalf("token in the logs:\n%s", logs)
	}
	if !strings.Contains(logs, "token=REDACTED") {
		t.Fatalf("request line without the redacted token:\n%s", logs)
	}
}

func TestTerminalFloodLeavesTheAPIResponsive(t *testing.T) {
	e := startTerminalEnv(t, nil)
	flood := termtest.DialPaused(t, e.wsURL("projectId", e.project, "tabId", "flood"), nil)
	flood.Input("yes\n")
	for range 20 {
		e.Expect(http.StatusOK, "GET", "/api/v1/projects", nil)
	}
	other := termtest.Dial(t, e.wsURL("projectId", e.project, "tabId", "other"), nil)
	other.Input("echo calm-$((4+4))\n")
	other.WaitFor("calm-8")
	flood.StartReading()
	flood.WaitFor("y\r\ny\r\ny\r\n")
	flood.Close(websocket.StatusNormalClosure, terminal.ReasonTabClosed)
	termtest.Eventually(t, "the flood terminal to end", func() bool { return e.activePtys(t) == 1 })
}
