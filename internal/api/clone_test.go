package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pi-forge/pi-forge/internal/api"
	"github.com/pi-forge/pi-forge/internal/apitest"
	"github.com/pi-forge/pi-forge/internal/gitx"
	"github.com/pi-forge/pi-forge/internal/proc"
	"github.com/pi-forge/pi-forge/internal/projects"
	"github.com/pi-forge/pi-forge/internal/server"
	"github.com/pi-forge/pi-forge/internal/workspace"
)

// sseFrame is one frame of a clone stream: an event or a comment.
type sseFrame struct {
	Comment string         // the whole comment line, when a comment
	Event   map[string]any // the decoded data, when an event
}

func (f sseFrame) typ() string { s, _ := f.Event["type"].(string); return s }

func parseFrames(t *testing.T, body io.Reader) []sseFrame {
	t.Helper()
	var out []sseFrame
	br := bufio.NewReader(body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return out
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, ":"):
			out = append(out, sseFrame{Comment: line})
		case strings.HasPrefix(line, "data: "):
			var m map[string]any
			if err := json.Unmarshal([]byte(line[6:]), &m); err != nil {
				t.Fatalf("bad frame %q: %v", line, err)
			}
			out = append(out, sseFrame{Event: m})
		}
	}
}

// sourceRepo makes a repository outside the workspace with a commit on
// main and one on dev.
func sourceRepo(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	writeFiles(t, src, map[string]string{"README.md": "# source\n", "pkg/code.go": "package pkg\n"})
	gitsh(t, src, "init", "-q", "--initial-branch=main")
	gitsh(t, src, "add", "-A")
	gitsh(t, src, "commit", "-q", "-m", "initial")
	gitsh(t, src, "checkout", "-q", "-b", "dev")
	writeFiles(t, src, map[string]string{"dev.txt": "dev\n"})
	gitsh(t, src, "add", "-A")
	gitsh(t, src, "commit", "-q", "-m", "dev")
	gitsh(t, src, "checkout", "-q", "main")
	return src
}

func cloneBody(url, parent, folder string) map[string]any {
	return map[string]any{"url": url, "parentPath": parent, "folderName": folder, "projectName": "Cloned " + folder}
}

func TestCloneFileURL(t *testing.T) {
	gitIsolate(t)
	e := apitest.Start(t, nil)
	src := sourceRepo(t)
	r := e.Do("POST", "/api/v1/projects/clone", cloneBody("file://"+src, e.Workspace, "cloned"))
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/event-stream" || r.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("clone %d %v %s", r.StatusCode, r.Header, r.Body)
	}
	frames := parseFrames(t, bytes.NewReader(r.Body))
	if len(frames) < 4 || frames[0].typ() != "started" || frames[0].Event["cloneUrlForDisplay"] != "file://"+src {
		t.Fatalf("frames %+v", frames)
	}
	// The pad right after started: 2 KiB with its blank line.
	if !strings.HasPrefix(frames[1].Comment, ": pad-flush") || len(frames[1].Comment)+2 != 2048 {
		t.Fatalf("pad frame %q (%d)", frames[1].Comment, len(frames[1].Comment))
	}
	var types []string
	for _, f := range frames[2:] {
		if f.Event != nil {
			types = append(types, f.typ())
		}
	}
	n := len(types)
	if n < 2 || types[n-2] != "done" || types[n-1] != "project_created" {
		t.Fatalf("event types %v", types)
	}
	for _, ty := range types[:n-2] {
		if ty != "progress" && ty != "stderr" {
			t.Fatalf("unexpected event %q in %v", ty, types)
		}
	}
	target := filepath.Join(realpath(t, e.Workspace), "cloned")
	last := frames[len(frames)-1].Event["project"].(map[string]any)
	if frames[len(frames)-2].Event["target"] != target || last["path"] != target || last["name"] != "Cloned cloned" {
		t.Fatalf("done/project_created %+v %+v", frames[len(frames)-2].Event, last)
	}
	if readFile(t, filepath.Join(target, "pkg", "code.go")) != "package pkg\n" {
		t.Fatal("clone content")
	}
	var list struct{ Projects []projects.Project }
	e.Expect(200, "GET", "/api/v1/projects", nil).JSON(t, &list)
	if len(list.Projects) != 1 || list.Projects[0].Path != target {
		t.Fatalf("projects %+v", list.Projects)
	}

	// A branch, into an existing empty folder.
	mkdirs(t, e.Workspace, "empty")
	body := cloneBody("file://"+src, e.Workspace, "empty")
	body["branch"] = "dev"
	r = e.Do("POST", "/api/v1/projects/clone", body)
	if frames := parseFrames(t, bytes.NewReader(r.Body)); frames[len(frames)-1].typ() != "project_created" {
		t.Fatalf("branch clone %s", r.Body)
	}
	if !exists(filepath.Join(e.Workspace, "empty", "dev.txt")) {
		t.Fatal("branch not checked out")
	}
}

func realpath(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCloneRefusals(t *testing.T) {
	gitIsolate(t)
	e := apitest.Start(t, nil)
	src := sourceRepo(t)
	ok := "file://" + src
	writeFiles(t, e.Workspace, map[string]string{"afile": "x", "full/content.txt": "x"})
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(e.Workspace, "link-out")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"not a url", cloneBody("::nope", e.Workspace, "a"), 400, "invalid_url"},
		{"ssh", cloneBody("ssh://git@example.com/x.git", e.Workspace, "a"), 400, "unsupported_protocol"},
		{"http", cloneBody("http://example.com/x.git", e.Workspace, "a"), 400, "unsupported_protocol"},
		{"git", cloneBody("git://example.com/x.git", e.Workspace, "a"), 400, "unsupported_protocol"},
		{"slash in folder", cloneBody(ok, e.Workspace, "a/b"), 400, "invalid_directory_name"},
		{"dotdot folder", cloneBody(ok, e.Workspace, ".."), 400, "invalid_directory_name"},
		{"parent is a file", cloneBody(ok, filepath.Join(e.Workspace, "afile"), "a"), 400, "target_not_a_directory"},
		{"parent outside", cloneBody(ok, outside, "a"), 403, "path_not_allowed"},
		{"parent through symlink", cloneBody(ok, filepath.Join(e.Workspace, "link-out"), "a"), 403, "path_not_allowed"},
		{"parent traversal", cloneBody(ok, e.Workspace+"/../..", "a"), 403, "path_not_allowed"},
		{"target not empty", cloneBody(ok, e.Workspace, "full"), 409, "target_not_empty"},
		{"missing fields", map[string]any{"url": ok}, 400, "invalid_body"},
		{"blank project name", map[string]any{"url": ok, "parentPath": e.Workspace, "folderName": "a", "projectName": "  "}, 400, "invalid_name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/projects/clone", c.body)
			if r.StatusCode != c.status || errorCode(t, r) != c.code {
				t.Fatalf("%d %s, want %d %s", r.StatusCode, r.Body, c.status, c.code)
			}
		})
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("something was written outside: %v", ents)
	}

	// A failing clone reports in the stream and leaves nothing behind.
	r := e.Do("POST", "/api/v1/projects/clone", cloneBody("file://"+filepath.Join(outside, "missing"), e.Workspace, "failed"))
	frames := parseFrames(t, bytes.NewReader(r.Body))
	last := frames[len(frames)-1]
	if r.StatusCode != 200 || last.typ() != "error" || last.Event["code"] != "git_failed" || last.Event["message"] == "" {
		t.Fatalf("failed clone %s", r.Body)
	}
	if exists(filepath.Join(e.Workspace, "failed")) {
		t.Fatal("failed clone left its folder")
	}

	// An empty folder already registered as a project: cloned, then the
	// registration fails in the stream.
	mkdirs(t, e.Workspace, "taken")
	createProject(t, e, "taken", filepath.Join(e.Workspace, "taken"))
	r = e.Do("POST", "/api/v1/projects/clone", cloneBody(ok, e.Workspace, "taken"))
	frames = parseFrames(t, bytes.NewReader(r.Body))
	if n := len(frames); frames[n-2].typ() != "done" || frames[n-1].typ() != "error" || frames[n-1].Event["code"] != "duplicate_path" {
		t.Fatalf("duplicate clone %s", r.Body)
	}
}

// hangingRemote is an https git server that never answers, so a clone
// from it runs until it is cancelled.
func hangingRemote(t *testing.T) string {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(func() { close(release); srv.Close() })
	return srv.URL + "/slow/repo.git"
}

// Closing the connection stops the clone and removes its folder.
func TestCloneAbortsWhenTheClientLeaves(t *testing.T) {
	gitIsolate(t)
	e := apitest.Start(t, nil)
	body := cloneBody(hangingRemote(t), e.Workspace, "aborted")
	body["insecureTls"] = true
	data, _ := json.Marshal(body)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.URL+"/api/v1/projects/clone", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.Contains(line, `"started"`) {
		t.Fatalf("first frame %q %v", line, err)
	}
	target := filepath.Join(e.Workspace, "aborted")
	waitFor(t, "git to create the target", func() bool { return exists(target) })
	cancel()
	resp.Body.Close()
	waitFor(t, "the aborted clone to be removed", func() bool { return !exists(target) })
	var list struct{ Projects []projects.Project }
	e.Expect(200, "GET", "/api/v1/projects", nil).JSON(t, &list)
	if len(list.Projects) != 0 {
		t.Fatalf("aborted clone registered: %+v", list.Projects)
	}
}

// waitFor polls cond (a file system state with no event to wait on) until
// it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// While git is quiet the stream carries padded heartbeats, and server
// shutdown ends a clone in flight.
func TestCloneHeartbeatAndShutdown(t *testing.T) {
	gitIsolate(t)
	ws := t.TempDir()
	l, err := proc.New(proc.Config{ServerEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{})
	closing := make(chan struct{})
	api.RegisterClone(srv.API(), api.Clone{
		Projects:  projects.New(projects.Options{File: filepath.Join(t.TempDir(), "projects.json"), Workspace: ws}),
		Workspace: workspace.New(workspace.Options{}), WorkspacePath: ws, Git: gitx.New(l, gitx.Options{}),
		Closing: closing, Heartbeat: 30 * time.Millisecond,
	})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	body := cloneBody(hangingRemote(t), ws, "beating")
	body["insecureTls"] = true
	data, _ := json.Marshal(body)
	resp, err := http.Post(hs.URL+"/api/v1/projects/clone", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	beats := 0
	for beats < 3 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %d heartbeats: %v", beats, err)
		}
		if strings.HasPrefix(line, ": heartbeat") {
			if len(line)+1 != 2048 {
				t.Fatalf("heartbeat of %d bytes", len(line)+1)
			}
			beats++
		}
	}
	close(closing)
	frames := parseFrames(t, br)
	last := frames[len(frames)-1]
	if last.typ() != "error" {
		t.Fatalf("after shutdown: %+v", frames)
	}
	if exists(filepath.Join(ws, "beating")) {
		t.Fatal("cancelled clone left its folder")
	}
	l.Shutdown()
}
