// Command probe drives a running pi-forge over HTTP for the container smoke
// test: it sends a prompt and waits for agent_end on the session's event
// stream, or runs a command in the terminal WebSocket, and prints what the
// smoke script checks.
//
//	probe prompt   -url URL -token T -project-path /workspace/p -text "..."
//	probe terminal -url URL -token T -project-path /workspace/p
//	probe workspace -url URL -token T -project-path /workspace/p
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/coder/websocket"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe prompt|terminal [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	c := &client{}
	fs.StringVar(&c.base, "url", "http://127.0.0.1:3000", "pi-forge base URL")
	fs.StringVar(&c.token, "token", "", "bearer token (API key)")
	projectPath := fs.String("project-path", "/workspace/smoke", "project folder as the server sees it")
	text := fs.String("text", "run the smoke script", "prompt text")
	timeout := fs.Duration("timeout", 60*time.Second, "overall timeout")
	_ = fs.Parse(os.Args[2:])
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var err error
	switch os.Args[1] {
	case "prompt":
		err = prompt(ctx, c, *projectPath, *text)
	case "terminal":
		err = terminal(ctx, c, *projectPath)
	case "workspace":
		err = workspaceOps(ctx, c, *projectPath)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

type client struct {
	base, token string
}

func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(data, out)
	}
	return resp.StatusCode, nil
}

// project returns the id of the project at path, registering it if needed.
func (c *client) project(ctx context.Context, path string) (string, error) {
	var list struct {
		Projects []struct{ ID, Path string }
	}
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/projects", nil, &list); err != nil {
		return "", err
	}
	for _, p := range list.Projects {
		if p.Path == path {
			return p.ID, nil
		}
	}
	var p struct{ ID string }
	_, err := c.do(ctx, http.MethodPost, "/api/v1/projects", map[string]string{"name": "smoke", "path": path}, &p)
	return p.ID, err
}

// prompt sends text to a new session and prints every tool result until
// agent_end, as "TOOL <name> <isError>: <text>" lines.
func prompt(ctx context.Context, c *client, projectPath, text string) error {
	pid, err := c.project(ctx, projectPath)
	if err != nil {
		return err
	}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/api/v1/sessions", map[string]string{"projectId": pid}, &s); err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1/sessions/"+s.SessionID+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("stream: %d", resp.StatusCode)
	}
	events := make(chan map[string]any, 64)
	go readEvents(resp.Body, events)
	if ev, ok := <-events; !ok || ev["type"] != "snapshot" {
		return fmt.Errorf("stream did not start with a snapshot: %v", ev)
	}
	if _, err := c.do(ctx, http.MethodPost, "/api/v1/sessions/"+s.SessionID+"/prompt", map[string]string{"text": text}, nil); err != nil {
		return err
	}
	for ev := range events {
		switch ev["type"] {
		case "tool_execution_end":
			fmt.Printf("TOOL %v %v: %s\n", ev["toolName"], ev["isError"], resultText(ev["result"]))
		case "agent_end":
			fmt.Println("AGENT_END")
			return nil
		}
	}
	return errors.New("the stream ended before agent_end")
}

func readEvents(r io.Reader, out chan<- map[string]any) {
	defer close(out)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev map[string]any
		if json.Unmarshal([]byte(data), &ev) == nil {
			out <- ev
		}
	}
}

func resultText(v any) string {
	m, _ := v.(map[string]any)
	blocks, _ := m["content"].([]any)
	var b strings.Builder
	for _, blk := range blocks {
		if t, ok := blk.(map[string]any)["text"].(string); ok {
			b.WriteString(t)
		}
	}
	return strings.ReplaceAll(strings.TrimSpace(b.String()), "\n", " | ")
}

// workspaceOps saves a file into a new folder and creates a folder through
// the files API (the smoke script then checks their owners), and asks for
// git status (the agent's bash ran `git init`): "WORKSPACE ok" and
// "GIT <branch or output>".
func workspaceOps(ctx context.Context, c *client, projectPath string) error {
	pid, err := c.project(ctx, projectPath)
	if err != nil {
		return err
	}
	if _, err := c.do(ctx, http.MethodPut, "/api/v1/files/write", map[string]string{
		"projectId": pid, "path": projectPath + "/editor/saved.txt", "content": "saved from the editor\n"}, nil); err != nil {
		return err
	}
	if _, err := c.do(ctx, http.MethodPost, "/api/v1/files/mkdir", map[string]string{
		"projectId": pid, "parentPath": projectPath, "name": "editor-dir"}, nil); err != nil {
		return err
	}
	fmt.Println("WORKSPACE ok")
	var status map[string]any
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/git/status?projectId="+url.QueryEscape(pid), nil, &status); err != nil {
		return err
	}
	if ok, present := status["success"].(bool); present && !ok {
		return fmt.Errorf("git status refused: %v", status)
	}
	fmt.Println("GIT ok")
	return nil
}

var terminalMarker = regexp.MustCompile(`smoke-uid-(\d+)-echo`)

// terminal opens a PTY in the project, runs `id -u` through it and prints
// "TERMINAL uid=<n>".
func terminal(ctx context.Context, c *client, projectPath string) error {
	pid, err := c.project(ctx, projectPath)
	if err != nil {
		return err
	}
	u, _ := url.Parse(c.base)
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	u.Path = "/api/v1/terminal"
	u.RawQuery = url.Values{"projectId": {pid}, "tabId": {"smoke"}, "token": {c.token}}.Encode()
	conn, _, err := websocket.Dial(ctx, u.String(), nil)
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(4 << 20)
	input, _ := json.Marshal(map[string]string{"type": "input", "data": "echo smoke-uid-$(id -u)-echo\n"})
	if err := conn.Write(ctx, websocket.MessageText, input); err != nil {
		return err
	}
	var seen bytes.Buffer
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("terminal read (got %q): %w", seen.String(), err)
		}
		seen.Write(data)
		if m := terminalMarker.FindSubmatch(seen.Bytes()); m != nil {
			fmt.Printf("TERMINAL uid=%s\n", m[1])
			return conn.Close(websocket.StatusNormalClosure, "tab_closed")
		}
	}
}
